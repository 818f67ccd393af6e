from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "unefois.exchange"
    verbose_name = "Échanges avec les partenaires"
