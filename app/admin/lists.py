"""The admin's lists, each declared once (app.listing): the audit log, the patient data-quality list and the
user accounts. Each is for the admin role only (the views check it), so their queries hold every row."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Bundle

from app.auth.models import User
from app.cases import services as case_services
from app.cases.models import Case, Patient, PatientDiscrepancy
from app.core.audit import AuditAction, AuditEvent, concerning
from app.core.roles import Role
from app.listing import Column, Day, ListPage, ListSpec, Number, Search, enum_choice

OSLO = ZoneInfo("Europe/Oslo")


def _oslo_midnight(day) -> datetime:
    """The start of an Oslo day: the log's days are Oslo days, as the times on the page are."""
    return datetime.combine(day, time.min, OSLO)


# The page's rows as plain columns: what admin/_events.html shows, without the events' `changes`. A list event's
# names up to 50 patients; loading them for a page of 100 events made most of its objects, and every tenth
# request paid a full garbage collection for them (≈ 130 ms).
_LOG_ROWS = select(Bundle("AuditEvent", AuditEvent.id, AuditEvent.at, AuditEvent.user_email, AuditEvent.role,
                          AuditEvent.office, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
                          AuditEvent.case_id, AuditEvent.patient_id, AuditEvent.remote_addr))

# No audit row for reading the log: it shows who did what to which case and patient by internal ids, no
# patient's name or data, and logging each look at it would fill the log with the admin's own reading.
AUDIT_LOG = ListSpec(
    name="audit_log",
    query=lambda _user: select(AuditEvent),
    page_query=lambda _user: _LOG_ROWS,
    tiebreak=AuditEvent.id,
    default_sort="-tid",
    per_page=100,
    filters=(
        Search("bruker", "Bruker (e-post)",
               lambda query, text: query.where(AuditEvent.user_email.ilike(f"%{text.strip()}%"))),
        enum_choice("handling", "Handling", AuditEvent.action, AuditAction),
        # A list event is found by the cases and patients it showed (audit_event_patients) as well.
        Number("sak", "Sak (intern id)", lambda query, case_id: query.where(concerning(case_id=case_id))),
        Number("pasient", "Pasient (intern id)",
               lambda query, patient_id: query.where(concerning(patient_id=patient_id))),
        Day("fra", "Fra dato", lambda query, day: query.where(AuditEvent.at >= _oslo_midnight(day))),
        Day("til", "Til dato",
            lambda query, day: query.where(AuditEvent.at < _oslo_midnight(day + timedelta(days=1)))),
    ),
    columns=(
        Column("tid", "Tid", sort=AuditEvent.at),
        Column("bruker", "Bruker", sort=func.coalesce(AuditEvent.user_email, "")),
        Column("rolle", "Rolle"),
        Column("kontor", "Kontor"),
        Column("handling", "Handling", sort=AuditEvent.action),
        Column("objekt", "Objekt"),
        Column("sak", "Sak"),
        Column("pasient", "Pasient"),
        Column("adresse", "Adresse"),
    ),
)


def period_messages(page: ListPage) -> None:
    """A period that ends before it starts finds nothing: say so (the list is shown, empty)."""
    start, end = page.values.get("fra"), page.values.get("til")
    if start and end and end < start:
        page.messages.append("Til-datoen kan ikke være før fra-datoen.")


def _open_discrepancies(_user):
    """Each open discrepancy with its case, the person's row and who registered the case, in one query."""
    return (case_services.open_discrepancies().add_columns(Case, Patient, User)
            .join(Case, Case.id == PatientDiscrepancy.case_id)
            .join(Patient, Patient.id == PatientDiscrepancy.patient_id)
            .outerjoin(User, User.id == PatientDiscrepancy.registered_by_id))


# The list shows both sides of each patient (the case's registration and the person's row): each patient it
# shows is logged, as before.
DATA_QUALITY = ListSpec(
    name="data_quality",
    query=_open_discrepancies,
    count_query=lambda _user: case_services.open_discrepancies(),
    tiebreak=PatientDiscrepancy.id,
    default_sort="registrert",
    per_page=100,
    columns=(
        Column("registrert", "Registrert", sort=PatientDiscrepancy.registered_at),
        Column("sak", "Sak", sort=(Case.year, Case.sequence)),
        Column("av", "Av", sort=func.coalesce(User.email, "")),
        Column("avvik", "Avvik i"),
        Column("register", "I pasientregisteret"),
        Column("saken", "Registrert på saken"),
        Column("handling", "Handling"),
    ),
    audited=lambda rows: [row.Case for row in rows],
)


def _search_users(query, text: str):
    pattern = f"%{text}%"
    return query.where(or_(User.name.ilike(pattern), User.email.ilike(pattern)))


# Employees' accounts, no patient: no audit row (as before).
USERS = ListSpec(
    name="users",
    query=lambda _user: select(User),
    tiebreak=User.id,
    default_sort="status",
    filters=(
        Search("q", "Søk", _search_users, hint="Navn eller e-post."),
        enum_choice("rolle", "Rolle", User.role, Role),
    ),
    columns=(
        Column("navn", "Navn", sort=User.name),
        Column("epost", "E-post", sort=User.email),
        Column("rolle", "Rolle", sort=User.role),
        Column("kontor", "Kontor", sort=func.coalesce(User.office, "")),
        # Active accounts first, each group by name (the list's order before it could be sorted).
        Column("status", "Status", sort=(case((User.active, 0), else_=1), User.name)),
        Column("innlogget", "Innlogget nå"),
        Column("tofaktor", "Tofaktor"),
        Column("handlinger", "Handlinger"),
    ),
)
