from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "unefois.documents"
    verbose_name = "Documents"
