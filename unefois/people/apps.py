from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "unefois.people"
    verbose_name = "Personnes"
