"""The journey events the web app records, and the cases (one run of a procedure by one
person) they belong to. Pseudonymous: an account appears only as a keyed hash."""

from django.conf import settings
from django.db import models

from unefois.journeys.events import Activity


class CaseStatus(models.TextChoices):
    OPEN = "open", "en cours"
    CONFIRMED = "confirmed", "terminée"
    ABANDONED = "abandoned", "abandonnée"


class JourneyCase(models.Model):
    """One run of a procedure by one person on one subject (a contract, a month…), named by a
    keyed hash; ``last_seq`` numbers its events. A confirmed case still receives what happens
    to it later (a correction, a support contact)."""

    case_id = models.CharField("parcours", max_length=32, primary_key=True)
    user_id = models.CharField("personne (pseudonyme)", max_length=32, blank=True)
    procedure = models.CharField("démarche", max_length=40)
    subject = models.CharField("objet (pseudonyme)", max_length=32, blank=True)
    segment = models.CharField("segment", max_length=20, blank=True)
    status = models.CharField(
        "état", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_at = models.DateTimeField("commencé le")
    last_at = models.DateTimeField("dernier événement le", db_index=True)
    last_seq = models.PositiveIntegerField("dernier numéro d'ordre", default=0)

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        indexes = [
            models.Index(fields=["status", "last_at"]),
            models.Index(fields=["user_id", "subject", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} {self.case_id[:8]}"


class JourneyEvent(models.Model):
    """One row of the canonical event table (``unefois.journeys.io``)."""

    case_id = models.CharField("parcours", max_length=32)
    seq = models.PositiveIntegerField("numéro d'ordre")
    activity = models.CharField(
        "activité", max_length=24, choices=[(a.value, a.value) for a in Activity]
    )
    timestamp = models.DateTimeField("horodatage (serveur)", db_index=True)
    user_id = models.CharField("personne (pseudonyme)", max_length=32, blank=True)
    procedure = models.CharField("démarche", max_length=40)
    step = models.CharField("étape", max_length=20, blank=True)
    field = models.CharField("champ", max_length=40, blank=True)
    error_code = models.CharField("code d'erreur", max_length=30, blank=True)
    segment = models.CharField("segment", max_length=20, blank=True)
    reason = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "événement de parcours"
        verbose_name_plural = "événements de parcours"
        constraints = [
            models.UniqueConstraint(fields=["case_id", "seq"], name="journey_event_case_seq")
        ]

    def __str__(self) -> str:
        return f"{self.case_id[:8]}#{self.seq} {self.activity}"


class SupportRequest(models.Model):
    """A message to the support team, written from « Besoin d'aide ? »."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="compte",
    )
    email = models.EmailField("adresse pour répondre", blank=True)
    procedure = models.CharField("démarche", max_length=40, blank=True)
    message = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "demande d'assistance"
        verbose_name_plural = "demandes d'assistance"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.procedure or 'général'} ({self.created_at:%Y-%m-%d})"
