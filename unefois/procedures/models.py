"""Each run of a procedure, with how many facts were asked, pre-filled and derived."""

from django.conf import settings
from django.db import models


class ProcedureRun(models.Model):
    procedure = models.CharField("démarche", max_length=40, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    subject_type = models.CharField("sujet", max_length=20, blank=True)
    subject_id = models.BigIntegerField("identifiant du sujet", null=True, blank=True)
    started_at = models.DateTimeField("commencée le", auto_now_add=True)
    completed_at = models.DateTimeField("terminée le", null=True, blank=True)
    asked = models.PositiveIntegerField("champs demandés", default=0)
    typed = models.PositiveIntegerField("champs saisis", default=0)
    prefilled = models.PositiveIntegerField("champs pré-remplis", default=0)
    derived = models.PositiveIntegerField("champs calculés", default=0)
    answers = models.JSONField("réponses", default=dict, blank=True)

    class Meta:
        verbose_name = "démarche effectuée"
        verbose_name_plural = "démarches effectuées"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.started_at:%Y-%m-%d})"
