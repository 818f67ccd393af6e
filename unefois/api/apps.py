from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "unefois.api"
    label = "api"
    verbose_name = "API de tierce déclaration (compatible Pajemploi)"
