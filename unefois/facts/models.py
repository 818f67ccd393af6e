"""The fact vault: what a person told us once, or what a partner or a rule knows, with where it
came from. A change adds a version; the previous one is kept (``superseded_at``)."""

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    FRANCECONNECT = "franceconnect", "FranceConnect"
    PERSON = "person", "La personne"
    EMPLOYER = "employer", "L'employeur"
    EMPLOYEE = "employee", "Le salarié"
    PROCEDURE = "procedure", "Une démarche"
    RULES = "rules", "Calculé d'après la réglementation"
    PARTNER = "partner", "Un organisme partenaire"
    DEMO = "demo", "Données de démonstration"


class SubjectType(models.TextChoices):
    PERSON = "person", "Personne"
    CHILD = "child", "Enfant"
    CONTRACT = "contract", "Contrat"


class Fact(models.Model):
    subject_type = models.CharField("sujet", max_length=10, choices=SubjectType.choices)
    subject_id = models.BigIntegerField("identifiant du sujet")
    key = models.CharField("donnée", max_length=60)
    value = models.JSONField("valeur")
    source = models.CharField("source", max_length=20, choices=Source.choices)
    source_detail = models.CharField("précision sur la source", max_length=120, blank=True)
    observed_at = models.DateTimeField("date de l'information")
    valid_from = models.DateField("valable à partir du", null=True, blank=True)
    valid_to = models.DateField("valable jusqu'au", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisi par",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="confirmé par",
    )
    version = models.PositiveIntegerField("version", default=1)
    superseded_at = models.DateTimeField("remplacée le", null=True, blank=True)

    class Meta:
        verbose_name = "donnée"
        verbose_name_plural = "données (coffre-fort)"
        ordering = ["subject_type", "subject_id", "key", "-version"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "superseded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "key", "version"], name="fact_version_once"
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "key"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_fact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id} {self.key} v{self.version}"
