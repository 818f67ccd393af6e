"""The audit trail: one row per state change, written by the action that made it."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="auteur",
    )
    action = models.CharField("action", max_length=80)
    subject_type = models.CharField("objet", max_length=40)
    subject_id = models.BigIntegerField("identifiant de l'objet")
    old = models.JSONField("avant", null=True, blank=True)
    new = models.JSONField("après", null=True, blank=True)

    class Meta:
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}#{self.subject_id}"
