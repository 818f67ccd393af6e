"""Helpers shared by the pages."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from unefois.people.models import Person


def person_of(request) -> Person:
    person = getattr(request.user, "person", None)  # cached on the user after the first read
    if person is None:
        person = Person.objects.create(user=request.user)
    return person


def employer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not person_of(request).is_employer:
            raise PermissionDenied("Cette page est réservée aux parents employeurs.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def employee_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not person_of(request).is_employee:
            raise PermissionDenied("Cette page est réservée aux salariés.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def euros(value) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} €"
