"""People: accounts, employers and employees, children.

What is known *about* a person (name, birth date, address, bank details…) lives in the fact
vault (``unefois.facts``) with its provenance; these models hold identity links and roles.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """An account. People sign in with OpenID Connect (FranceConnect); ``sub`` links them."""

    oidc_sub = models.CharField(
        "identifiant OpenID Connect (sub)", max_length=255, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"


class EmployeeKind(models.TextChoices):
    AMA = "ama", "Assistant(e) maternel(le) agréé(e)"
    GED = "ged", "Garde d'enfants à domicile"


class Person(models.Model):
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name="compte",
    )
    display_name = models.CharField("nom affiché", max_length=200, blank=True)
    is_employer = models.BooleanField("employeur", default=False)
    is_employee = models.BooleanField("salarié", default=False)
    employee_kind = models.CharField(
        "métier", max_length=3, choices=EmployeeKind.choices, blank=True
    )
    pajemploi_number = models.CharField(
        "numéro Pajemploi", max_length=20, unique=True, null=True, blank=True
    )
    nir = models.CharField(
        "numéro de sécurité sociale (NIR)", max_length=15, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "personne"
        verbose_name_plural = "personnes"
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or f"Personne {self.pk}"


class Child(models.Model):
    parent = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="children", verbose_name="parent"
    )
    display_name = models.CharField("prénom", max_length=100, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "enfant"
        verbose_name_plural = "enfants"

    def __str__(self) -> str:
        return self.display_name or f"Enfant {self.pk}"
