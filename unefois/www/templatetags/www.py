from django import template
from django.urls import reverse
from django.utils.html import format_html

from unefois.www.views.common import euros as _euros

register = template.Library()


@register.filter
def get(mapping, key):
    """``mapping|get:key`` — a dict value in a template (empty when missing)."""
    if not mapping:
        return ""
    value = mapping.get(key, "")
    return "" if value is None else value


@register.filter
def euros(value):
    if value in (None, ""):
        return ""
    return _euros(value)


@register.filter
def comma(value):
    return str(value).replace(".", ",")


@register.filter
def slip_amount(slip, code):
    """The amount of a payslip line (0 when the line is absent)."""
    return slip.amount(code)


PAJEMPLOI_LABELS = {
    "heures_normales": "Heures normales",
    "jours_activite": "Jours d'activité",
    "salaire_net": "Salaire net",
    "heures_complementaires": "Heures complémentaires",
    "heures_majorees": "Heures majorées",
    "heures_supplementaires": "Heures supplémentaires",
    "indemnites_entretien": "Indemnités d'entretien",
    "indemnites_repas": "Indemnités de repas",
    "indemnites_kilometriques": "Indemnités kilométriques",
    "jours_conges_payes": "Jours de congés payés",
    "indemnite_compensatrice_conges_payes": "Indemnité compensatrice de congés payés",
    "indemnite_rupture": "Indemnité de rupture",
}


@register.filter
def pajemploi_label(key):
    return PAJEMPLOI_LABELS.get(key, key.replace("_", " "))


@register.simple_tag
def journey_attrs(journey):
    """The attributes that let ``journey.js`` measure a form (nothing when not measured)."""
    if not journey:
        return ""
    return format_html(
        ' data-journey="{}" data-journey-url="{}"', journey.token(), reverse("journeys:event")
    )
