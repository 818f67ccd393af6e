"""The employee's pages: her employers and contracts, declarations and payslips, yearly summary."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from unefois.audit.services import StaleVersionError
from unefois.contracts.actions import do_answer_hire
from unefois.contracts.models import Contract, Status
from unefois.declarations import services as declarations
from unefois.declarations.models import Declaration

from .common import employee_required, person_of


@employee_required
def dashboard(request):
    person = person_of(request)
    contracts = list(
        Contract.objects.filter(employee=person)
        .select_related("employer", "child")
        .order_by("-start_date")
    )
    recent = list(
        Declaration.objects.filter(contract__employee=person)
        .select_related("contract__employer", "current_version")
        .order_by("-period")[:24]
    )
    for d in recent:
        d.label = declarations.month_label(d.period)
    year = timezone.localdate().year
    return render(
        request,
        "www/employee_dashboard.html",
        {
            "person": person,
            "pending": [c for c in contracts if c.status == Status.AWAITING_EMPLOYEE],
            "contracts": [c for c in contracts if c.status != Status.AWAITING_EMPLOYEE],
            "declarations": recent,
            "years": [year - 1, year],
        },
    )


@employee_required
def answer_hire(request, pk: int):
    contract = get_object_or_404(Contract, pk=pk, employee=person_of(request))
    if request.method != "POST":
        return redirect("www:employee")
    accept = request.POST.get("reponse") == "accepter"
    try:
        do_answer_hire(request.user, contract, accept, int(request.POST.get("version", 0)) or None)
    except StaleVersionError:
        messages.error(request, "Ce contrat a changé entre-temps : vérifiez-le avant de répondre.")
        return redirect("www:employee")
    if accept:
        messages.success(request, f"Vous avez confirmé le contrat avec {contract.employer}.")
    else:
        messages.warning(request, f"Vous avez refusé le contrat proposé par {contract.employer}.")
    return redirect("www:employee")


@employee_required
def yearly(request, year: int):
    """The yearly summary for the income-tax return: per employer, from the declarations."""
    person = person_of(request)
    if request.GET.get("format") == "pdf":
        from django.http import Http404, HttpResponse

        from .document_data import yearly_summary_pdf

        try:
            pdf = yearly_summary_pdf(person, year)
        except LookupError as exc:
            raise Http404(str(exc)) from None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="recapitulatif-{year}.pdf"'
        return response
    rows: dict[int, dict] = defaultdict(lambda: defaultdict(Decimal))
    names: dict[int, str] = {}
    for d in Declaration.objects.filter(
        contract__employee=person, period__gte=year * 12, period__lt=(year + 1) * 12
    ).select_related("contract__employer", "current_version"):
        lines = {
            line["code"]: Decimal(line["montant"]) for line in d.current_version.results["lignes"]
        }
        row = rows[d.contract.employer_id]
        names[d.contract.employer_id] = str(d.contract.employer)
        for code in ("taxable_net", "net_pay", "entretien", "meals", "pas"):
            row[code] += lines.get(code, Decimal(0))
        row["months"] += 1
    table = [{"employer": names[k], **v} for k, v in rows.items()]
    totals = defaultdict(Decimal)
    for row in table:
        for key, value in row.items():
            if key != "employer":
                totals[key] += value
    return render(request, "www/yearly.html", {"year": year, "rows": table, "totals": dict(totals)})
