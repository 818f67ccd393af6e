"""Monthly declarations. A declaration has immutable versions: the first one, then one per
correction, each with its reason; the database refuses to change or delete a version."""

from django.conf import settings
from django.db import models

from unefois.contracts.models import Contract


class Status(models.TextChoices):
    CONFIRMED = "confirmed", "Déclarée"
    CONTESTED = "contested", "Contestée par le salarié"
    CORRECTED = "corrected", "Corrigée"


class Declaration(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="declarations", verbose_name="contrat"
    )
    period = models.PositiveIntegerField("mois (année × 12 + mois − 1)")
    status = models.CharField("état", max_length=10, choices=Status.choices)
    current_version = models.ForeignKey(
        "DeclarationVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="version en vigueur",
    )
    version = models.PositiveIntegerField(default=1)  # optimistic lock
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)

    class Meta:
        verbose_name = "déclaration mensuelle"
        verbose_name_plural = "déclarations mensuelles"
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period"], name="one_declaration_a_month")
        ]

    def __str__(self) -> str:
        return f"Déclaration {self.month_label} du contrat {self.contract_id}"

    @property
    def month_label(self) -> str:
        return f"{self.period % 12 + 1:02d}/{self.period // 12}"


class DeclarationVersion(models.Model):
    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, related_name="versions", verbose_name="déclaration"
    )
    number = models.PositiveIntegerField("numéro")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="par",
    )
    reason = models.TextField("motif", blank=True)
    events = models.JSONField("événements déclarés")
    inputs = models.JSONField("données du calcul")
    results = models.JSONField("bulletin et déclaration")

    class Meta:
        verbose_name = "version de déclaration"
        verbose_name_plural = "versions de déclaration"
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.declaration} — version {self.number}"


class Contest(models.Model):
    version = models.ForeignKey(
        DeclarationVersion,
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name="version contestée",
    )
    created_at = models.DateTimeField("le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    reason = models.TextField("motif")
    resolved_by = models.ForeignKey(
        DeclarationVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="résolue par la version",
    )

    class Meta:
        verbose_name = "contestation"
        verbose_name_plural = "contestations"

    def __str__(self) -> str:
        return f"Contestation de {self.version}"
