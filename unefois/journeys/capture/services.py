"""Recording journey events from the web app.

- A *case* is one run of a procedure by one person on one subject (``case``): going back and
  forth between the steps, or coming back the next day, stays in one case until it is
  confirmed or abandoned; a correction or a support contact joins the case it is about.
- Every event gets a server-side timestamp and the next sequence number of its case (the
  sequence breaks ties between events of the same instant). A request's events are kept on its
  cases and written together when the response leaves (``JourneyMiddleware``): one short
  transaction per case and request, whatever the number of events.
- The person appears only as ``events.pseudonym`` of the account id; no name, no NIR, no value
  typed in a field is ever recorded.
- Nothing is recorded when the browser says « Do Not Track » or « Global Privacy Control », when
  the person said no on « Mesure des parcours », or when ``JOURNEYS_CAPTURE`` is off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, router, transaction
from django.utils import timezone

from unefois.journeys.events import ERROR_CODES, Activity, pseudonym
from unefois.storage.prepared import Prepared

from .models import CaseStatus, JourneyCase, JourneyEvent

logger = logging.getLogger(__name__)

#: The cookie holding the person's choice on the measurement of journeys.
OPT_OUT_COOKIE = "unefois_mesure"
TOKEN_SALT = "unefois.journeys.capture"
#: The activities the page script may send (everything else is recorded by the server).
CLIENT_ACTIVITIES = frozenset(
    {Activity.FIELD_FOCUSED, Activity.FIELD_CHANGED, Activity.FIELD_ERROR}
)
#: A case accepts at most this many events (a runaway or forged script cannot flood the log).
MAX_EVENTS_PER_CASE = 2000


def _secret() -> bytes:
    configured = getattr(settings, "JOURNEYS_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(b"unefois.journeys:" + settings.SECRET_KEY.encode()).digest()


def retention() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "JOURNEYS_RETENTION_DAYS", 395))


def abandon_delay() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "JOURNEYS_ABANDON_AFTER_HOURS", 168))


def declined(request) -> bool:
    """True when this browser asked not to be measured (or capture is off)."""
    if not getattr(settings, "JOURNEYS_CAPTURE", True):
        return True
    if request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1":
        return True
    return request.COOKIES.get(OPT_OUT_COOKIE) == "non"


def segment_of(request) -> str:
    """A coarse group of the device, from its User-Agent (nothing else is kept of it)."""
    agent = request.headers.get("User-Agent", "")
    if "iPad" in agent or ("Android" in agent and "Mobile" not in agent) or "Tablet" in agent:
        return "tablette"
    if "Mobi" in agent or "iPhone" in agent:
        return "mobile"
    return "ordinateur"


def user_pseudonym(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return pseudonym(user.pk, _secret())


@dataclass
class Case:
    """The current case of a procedure in a page (``None`` stands for « not measured »), with
    the events recorded on it and not written yet."""

    case_id: str
    procedure: str
    step: str
    pending: list[Event] = dataclasses.field(default_factory=list, repr=False)
    new: dict | None = dataclasses.field(
        default=None, repr=False
    )  # the row to create at the first flush
    status: str | None = None  # the state to give the case at the next flush

    def token(self) -> str:
        """What the page script sends back with its field events (signed: it cannot be
        forged to write into someone else's case)."""
        return signing.dumps([self.case_id, self.procedure, self.step], salt=TOKEN_SALT)


@dataclass(frozen=True)
class Event:
    """One event to append. ``at`` is when it happened by the server's clock (for the page
    script's events: the time of receipt minus the delay the script measured); ``clamped``
    events are never stamped before the previous event of their case."""

    activity: Activity
    field: str = ""
    error_code: str = ""
    reason: str = ""
    step: str | None = None
    at: dt.datetime = dataclasses.field(default_factory=timezone.now)
    clamped: bool = True


def _attach(request, current: Case | None) -> Case | None:
    """The case is written when the response leaves (``JourneyMiddleware``)."""
    if current is not None:
        cases = request.__dict__.setdefault("_journey_cases", [])
        if all(c is not current for c in cases):
            cases.append(current)
    return current


def flush_request(request) -> None:
    for current in request.__dict__.pop("_journey_cases", []):
        flush(current)


def _subject(procedure: str, subject: str) -> str:
    digest = hmac.new(_secret(), f"{procedure}:{subject}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


# Looked up on every page of a procedure: compiled once (``unefois.storage.prepared``).
_OPEN_CASE = Prepared(
    lambda user_id, subject: (
        JourneyCase.objects.filter(user_id=user_id, subject=subject, status=CaseStatus.OPEN)
        .order_by("-opened_at")
        .values_list("case_id")[:1]
    ),
    [str, str],
)


def case(request, procedure: str, subject: str, step: str) -> Case | None:
    """The open case of ``procedure`` on ``subject`` for this person, opened (with a
    ``procedure_started`` event) if there is none yet; ``None`` when not measured."""
    if declined(request) or not request.user.is_authenticated:
        return None
    user_id = user_pseudonym(request)
    subject_id = _subject(procedure, subject)
    try:
        found = _OPEN_CASE.rows(router.db_for_read(JourneyCase), user_id, subject_id)
        case_id = found[0][0] if found else None
    except DatabaseError:
        logger.warning("parcours non mesuré (%s) : base indisponible", procedure)
        return None
    if case_id is not None:
        current = Case(case_id, procedure, step)
    else:
        current = Case(
            secrets.token_hex(16),
            procedure,
            step,
            new={"user_id": user_id, "subject": subject_id, "segment": segment_of(request)},
        )
        record(current, Activity.PROCEDURE_STARTED)
    carried = request.POST.get(FORM_FIELD) if request.method == "POST" else None
    if carried:
        # the field events the script had not sent yet when the form left
        with contextlib.suppress(BadEventsError):
            current.pending.extend(client_events(carried))
    return _attach(request, current)


def latest_case(request, procedure: str, subject: str | None, step: str) -> Case | None:
    """The person's most recent case of ``procedure`` (on ``subject`` if given), whatever its
    state: where a later correction or support contact belongs."""
    if declined(request) or not request.user.is_authenticated:
        return None
    found = JourneyCase.objects.filter(user_id=user_pseudonym(request), procedure=procedure)
    if subject is not None:
        found = found.filter(subject=_subject(procedure, subject))
    case_id = found.order_by("-last_at").values_list("case_id", flat=True).first()
    return None if case_id is None else _attach(request, Case(case_id, procedure, step))


FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: The hidden field in which the page script hands its last events over with the form.
FORM_FIELD = "_parcours"
MAX_BATCH = 200
MAX_AGE_MS = 10 * 60 * 1000


class BadEventsError(ValueError):
    """A batch of the page script that is not what the script sends."""


def client_events(raw: str) -> list[Event]:
    """The events of a page script batch: a JSON list of ``[activity, field, error code,
    milliseconds ago]``. Raises BadEventsError (nothing is kept of a malformed batch)."""
    try:
        items = json.loads(raw)
    except ValueError:
        raise BadEventsError("JSON illisible") from None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        raise BadEventsError(f"entre 1 et {MAX_BATCH} événements attendus")
    received = timezone.now()
    events = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 4):
            raise BadEventsError("événement mal formé")
        activity, name, code, age = item
        if activity not in CLIENT_ACTIVITIES:
            raise BadEventsError(f"activité non acceptée : {str(activity)[:30]}")
        if not isinstance(name, str) or not FIELD_NAME.fullmatch(name):
            raise BadEventsError("nom de champ invalide")
        if not isinstance(code, str) or len(code) > 30:
            raise BadEventsError("code d'erreur invalide")
        if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= MAX_AGE_MS:
            raise BadEventsError("délai invalide")
        events.append(
            Event(
                Activity(activity),
                field=name,
                error_code=code if activity == Activity.FIELD_ERROR else "",
                at=received - dt.timedelta(milliseconds=age),
            )
        )
    return events


def case_from_token(request, token: str) -> Case | None:
    """The case a page script's token names, if it is one of this person's cases."""
    try:
        case_id, procedure, step = signing.loads(token, salt=TOKEN_SALT, max_age=86400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not request.user.is_authenticated:
        return None
    try:
        mine = JourneyCase.objects.filter(pk=case_id, user_id=user_pseudonym(request)).exists()
    except DatabaseError:
        return None
    return _attach(request, Case(case_id, procedure, step)) if mine else None


def record(
    current: Case | None,
    activity: Activity,
    *,
    field: str = "",
    error_code: str = "",
    reason: str = "",
    step: str | None = None,
) -> None:
    """Add one event to the case (written with the response, in order)."""
    if current is not None:
        current.pending.append(Event(activity, field, error_code, reason, step))


def validation_errors(current: Case | None, codes: dict[str, str]) -> None:
    """One ``validation_error`` per refused field, with its code."""
    for name, code in codes.items():
        record(current, Activity.VALIDATION_ERROR, field=name, error_code=code)


def close(current: Case | None, *, late: bool = False) -> None:
    """The procedure is done: ``confirmed`` (and ``late_declaration`` when past the deadline);
    the next run of the same procedure on the same subject is a new case."""
    if current is None:
        return
    record(current, Activity.CONFIRMED)
    if late:
        record(current, Activity.LATE_DECLARATION)
    current.status = CaseStatus.CONFIRMED


def flush(current: Case) -> int:
    """Write the case's pending events, numbered after its last one, with timestamps that
    never go back in time. Returns how many were written (none when the case is unknown or
    full; a database failure drops them: a measurement never fails the person's page)."""
    events, current.pending = current.pending, []
    status, current.status = current.status, None
    if not events and status is None:
        return 0
    try:
        with transaction.atomic():
            return _append(current, events, status)
    except DatabaseError:
        logger.warning("%d événements de parcours perdus (%s)", len(events), current.procedure)
        return 0


def _append(current: Case, events: list[Event], status: str | None) -> int:
    if current.new is not None:
        first = events[0].at if events else timezone.now()
        case = JourneyCase(
            case_id=current.case_id,
            procedure=current.procedure,
            opened_at=first,
            last_at=first,
            **current.new,
        )
        current.new = None
    else:
        # The case row is locked (PostgreSQL) or the database is (SQLite, IMMEDIATE
        # transactions): concurrent requests of one case get consecutive numbers.
        case = JourneyCase.objects.select_for_update().filter(pk=current.case_id).first()
        if case is None:
            return 0
    events = events[: max(0, MAX_EVENTS_PER_CASE - case.last_seq)]
    rows = []
    for event in events:
        case.last_at = max(event.at, case.last_at) if event.clamped else event.at
        case.last_seq += 1
        code = event.error_code
        rows.append(
            JourneyEvent(
                case_id=case.case_id,
                seq=case.last_seq,
                activity=event.activity.value,
                timestamp=case.last_at,
                user_id=case.user_id,
                procedure=current.procedure,
                step=current.step if event.step is None else event.step,
                field=event.field[:40],
                error_code=code if code in ERROR_CODES else ("other" if code else ""),
                segment=case.segment,
                reason=event.reason[:2000],
            )
        )
    if status is not None:
        case.status = status
    if case._state.adding:
        case.save(force_insert=True)
    else:
        case.save(update_fields=["last_seq", "last_at", "status"])
    JourneyEvent.objects.bulk_create(rows)
    return len(rows)


def mark_abandoned(now: dt.datetime | None = None) -> int:
    """Close every case left without an event for longer than the abandon delay with an
    ``abandoned`` event, stamped at its last event. Returns how many."""
    now = now or timezone.now()
    stale = JourneyCase.objects.filter(status=CaseStatus.OPEN, last_at__lt=now - abandon_delay())
    count = 0
    for case_id, procedure, last_at in list(stale.values_list("case_id", "procedure", "last_at")):
        current = Case(case_id, procedure, "", status=CaseStatus.ABANDONED)
        # stamped at the last sign of life: the hours of silence are not time spent
        current.pending.append(Event(Activity.ABANDONED, at=last_at, clamped=False))
        count += flush(current)
    return count


def purge(now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete the events, cases and support messages older than the retention period.
    Returns (events, cases) deleted."""
    from .models import SupportRequest

    limit = (now or timezone.now()) - retention()
    events, _ = JourneyEvent.objects.filter(timestamp__lt=limit).delete()
    cases, _ = (
        JourneyCase.objects.filter(last_at__lt=limit).exclude(status=CaseStatus.OPEN).delete()
    )
    SupportRequest.objects.filter(created_at__lt=limit).delete()
    return events, cases


def contact_support(request, procedure: str, message: str, email: str = ""):
    """Keep the message for the support team and, when the person was in a procedure, add
    a ``support_contact`` event with the message as its reason to that case."""
    from .models import SupportRequest

    user = request.user if request.user.is_authenticated else None
    created = SupportRequest.objects.create(
        user=user, email=email, procedure=procedure, message=message
    )
    if procedure:
        record(latest_case(request, procedure, None, ""), Activity.SUPPORT_CONTACT, reason=message)
    return created


class JourneyMiddleware:
    """Writes the journey events a request recorded once its response is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        flush_request(request)
        return response
