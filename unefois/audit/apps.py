from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "unefois.audit"
    verbose_name = "Journal d'audit"
