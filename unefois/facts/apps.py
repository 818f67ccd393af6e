from django.apps import AppConfig


class FactsConfig(AppConfig):
    name = "unefois.facts"
    verbose_name = "Coffre-fort des données"
