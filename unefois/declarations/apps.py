from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "unefois.declarations"
    verbose_name = "Déclarations"
