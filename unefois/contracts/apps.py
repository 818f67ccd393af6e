from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "unefois.contracts"
    verbose_name = "Contrats"
