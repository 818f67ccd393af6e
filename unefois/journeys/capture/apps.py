from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "unefois.journeys.capture"
    label = "journeys_capture"
    verbose_name = "Parcours (mesure)"
