"""Contracts between a parent employer and an AMA or a GED.

The contract's terms (schedule, weeks, wage, allowances…) are facts of the vault, subject
``contract``; this model holds the parties, the dates and the state.
"""

from django.db import models

from unefois.people.models import Child, EmployeeKind, Person


class Status(models.TextChoices):
    AWAITING_EMPLOYEE = "awaiting", "En attente de confirmation par le salarié"
    ACTIVE = "active", "En cours"
    ENDED = "ended", "Terminé"
    REFUSED = "refused", "Refusé par le salarié"


class EndReason(models.TextChoices):
    EMPLOYER_WITHDRAWAL = "employer_withdrawal", "Retrait de l'enfant (à l'initiative du parent)"
    DISMISSAL = "dismissal", "Licenciement"
    RESIGNATION = "resignation", "Démission du salarié"
    SERIOUS_MISCONDUCT = "serious_misconduct", "Faute grave ou lourde"
    AGREMENT_WITHDRAWAL = "agrement_withdrawal", "Suspension ou retrait de l'agrément"
    CHILD_DEATH = "child_death", "Décès de l'enfant"


class Contract(models.Model):
    employer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="contracts_as_employer",
        verbose_name="employeur",
    )
    employee = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="contracts_as_employee",
        verbose_name="salarié",
    )
    child = models.ForeignKey(
        Child,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name="enfant",
    )
    kind = models.CharField("type", max_length=3, choices=EmployeeKind.choices)
    status = models.CharField(
        "état", max_length=10, choices=Status.choices, default=Status.AWAITING_EMPLOYEE
    )
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    end_reason = models.CharField(
        "motif de fin", max_length=30, choices=EndReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    confirmed_at = models.DateTimeField("confirmé par le salarié le", null=True, blank=True)

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["employer", "status"]),
            models.Index(fields=["employee", "status"]),
        ]

    def __str__(self) -> str:
        return f"Contrat {self.pk} ({self.get_kind_display()})"
