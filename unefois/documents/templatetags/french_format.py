"""Template filters of the documents: money, quantities and dates the French way."""

from django import template

from unefois.documents import formatting

register = template.Library()


@register.filter
def euros(value):
    return "" if value in (None, "") else formatting.euros(value)


@register.filter
def quantity(value):
    return "" if value in (None, "") else formatting.quantity(value)


@register.filter
def hours(value):
    return "" if value in (None, "") else formatting.hours(value)


@register.filter
def date_fr(value):
    return formatting.date_fr(value)


@register.filter
def month_fr(value):
    return formatting.month_fr(value) if value else ""


@register.filter
def nir(value):
    return formatting.nir(value) if value else ""
