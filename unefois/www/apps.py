from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "unefois.www"
    verbose_name = "Pages"
