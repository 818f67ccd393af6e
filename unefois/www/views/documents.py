"""Documents: the payslip of a declaration version, and the end-of-contract documents."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from unefois.contracts.models import Contract
from unefois.declarations.models import DeclarationVersion

from . import document_data
from .common import person_of


def _version_for(request, pk: int) -> DeclarationVersion:
    version = get_object_or_404(
        DeclarationVersion.objects.select_related("declaration__contract"), pk=pk
    )
    person = person_of(request)
    contract = version.declaration.contract
    if person.pk not in (contract.employer_id, contract.employee_id):
        raise PermissionDenied("Ce bulletin ne vous concerne pas.")
    return version


def payslip_pdf(request, pk: int):
    if not request.user.is_authenticated:
        raise PermissionDenied
    version = _version_for(request, pk)
    pdf = document_data.payslip_pdf(version)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"bulletin-{version.declaration.period // 12}-{version.declaration.period % 12 + 1:02d}"
    response["Content-Disposition"] = f'inline; filename="{name}-v{version.number}.pdf"'
    return response


def end_document(request, pk: int, kind: str):
    if not request.user.is_authenticated:
        raise PermissionDenied
    contract = get_object_or_404(Contract, pk=pk)
    person = person_of(request)
    if person.pk not in (contract.employer_id, contract.employee_id):
        raise PermissionDenied("Ce document ne vous concerne pas.")
    if contract.end_date is None:
        raise Http404("Le contrat n'est pas terminé.")
    try:
        html, pdf = document_data.end_document(contract, kind)
    except LookupError as exc:
        raise Http404(str(exc)) from None
    if request.GET.get("format") == "pdf":
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind}-{contract.pk}.pdf"'
        return response
    return HttpResponse(html)
