from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "unefois.procedures"
    verbose_name = "Démarches"
