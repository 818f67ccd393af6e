"""What the third-party declaration API keeps of its own: the mandates that employers gave to a
piece of software (« mandat de tierce déclaration »), and the links between an employer and an
employee that such software asked for. Declarations themselves are the domain's
(``unefois.declarations``); every change here writes its audit row (``actions.py``)."""

from django.db import models

from unefois.exchange.models import Partner
from unefois.people.models import Person


class Mandate(models.Model):
    """An employer authorises a third-party software (a partner of the exchange room) to declare
    on their behalf. Cancelling keeps the row, with the date; a new mandate is a new row."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name="tiers déclarant"
    )
    employer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="particulier employeur"
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)

    class Meta:
        verbose_name = "mandat de tierce déclaration"
        verbose_name_plural = "mandats de tierce déclaration"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "employer"],
                condition=models.Q(cancelled_at__isnull=True),
                name="one_active_mandate",
            )
        ]

    def __str__(self) -> str:
        state = "annulé" if self.cancelled_at else "en cours"
        return f"Mandat {self.pk} ({state}) : {self.employer} → {self.partner}"


class EmployeeLink(models.Model):
    """An employer said, through a third-party software, that they employ this person (« associer
    un salarié »). A contract on the platform is what declarations need; this only records the
    association that the software asked for."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name="tiers déclarant"
    )
    employer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="particulier employeur"
    )
    employee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="salarié"
    )
    created_at = models.DateTimeField("associé le", auto_now_add=True)

    class Meta:
        verbose_name = "association employeur–salarié (tierce déclaration)"
        verbose_name_plural = "associations employeur–salarié (tierce déclaration)"
        constraints = [
            models.UniqueConstraint(fields=["employer", "employee"], name="employee_linked_once")
        ]

    def __str__(self) -> str:
        return f"{self.employer} ↔ {self.employee}"
