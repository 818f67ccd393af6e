from django.apps import AppConfig


class DevIdpConfig(AppConfig):
    name = "unefois.devidp"
    label = "devidp"
    verbose_name = "Fournisseur d'identité de développement"
