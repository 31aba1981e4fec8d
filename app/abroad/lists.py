"""The treatment-abroad lists, each declared once for its page, its export and its API list (app.listing)."""
from datetime import date

from flask_login import current_user
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Bundle, selectinload

from app.abroad.models import (
    ACTIVE_STATUSES,
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    MedicalOpinion,
    Stream,
)
from app.cases.interface import (
    CASE_QUEUES,
    Case,
    CaseKind,
    caseworkers,
    has_overdue_deadline,
    visible_records,
)
from app.core.regions import REGIONS
from app.extensions import db
from app.formatting import as_yes_no
from app.listing import Choice, Column, Flag, ListSpec, Search, SearchIndex, enum_choice, year_choice

FIRST_YEAR = 2004  # the treatment-abroad network's first year: the oldest year the lists offer


def offered_years() -> range:
    return range(date.today().year, FIRST_YEAR - 1, -1)



# The statements without the user's access rule are built once (statements are immutable); a request adds the
# rule and its filters to them. Building the bundles anew cost more than running the count.
_APPLICATIONS = select(Application, Case).join(Case, Case.id == Application.case_id)
_APPLICATION_ROWS = (select(Bundle("Application", Application.id, Application.case_id, Application.reference,
                                   Application.child, Application.home_region, Application.stream,
                                   Application.icd10, Application.received_on, Application.status,
                                   Application.flag),
                            Bundle("Case", Case.id, Case.number, Case.patient_id, Case.patient_name))
                     .join(Case, Case.id == Application.case_id))
_COUNTED_APPLICATIONS = select(Application)


def _visible_applications(user):
    return visible_records(user, CaseKind.ABROAD_APPLICATION, case_id=Application.case_id, unit=Application.office)


def _applications(user):
    """The page's rows: each application with its case (number and the patient as registered with it)."""
    return _APPLICATIONS.where(_visible_applications(user))


def _application_rows(user):
    """The page's rows as plain columns: what abroad/_application_row.html shows and the audit needs."""
    return _APPLICATION_ROWS.where(_visible_applications(user))


def _counted_applications(user):
    """The same rows without the case: the count runs on the application table's (office, received_on, id)
    index alone."""
    return _COUNTED_APPLICATIONS.where(_visible_applications(user))


def _cases_where(*conditions):
    return Application.case_id.in_(select(Case.id).where(*conditions))


# Kept by the database (migration c81f0a3d5e27): case number, patient name, reference, ICD-10 and treatment.
APPLICATION_SEARCH = SearchIndex("abroad_application_search")


def _search(query, text: str):
    return query.where(Application.id.in_(APPLICATION_SEARCH.ids(text)))


def _mine(query, _value):
    return query.where(_cases_where(Case.responsible_id == current_user.id))


def _overdue(query, _value):
    return query.where(has_overdue_deadline(Application.case_id, date.today()))


def _flagged(query, _value):
    return query.where(Application.flag.is_not(None))


APPLICATIONS = ListSpec(
    name="abroad_applications",
    query=_applications,
    page_query=_application_rows,
    count_query=_counted_applications,
    tiebreak=Application.id,
    default_sort="-mottatt",
    filters=(
        Search("q", "Søk", _search, hint="Saksnummer, navn, referanse, ICD-10-kode eller behandling."),
        enum_choice("stream", "Type", Application.stream, Stream),
        enum_choice("status", "Status", Application.status, ApplicationStatus),
        Choice("region", "Hjemregion", lambda query, value: query.where(Application.home_region == value),
               values=lambda: list(REGIONS.items())),
        year_choice("year", "År mottatt", Application.received_on, offered_years),
        Flag("mine", "Bare mine saker", _mine),
        Flag("overdue", "Bare saker med passert frist", _overdue),
        Flag("flagged", "Bare saker med ny beslutning i Nye Metoder", _flagged),
    ),
    columns=(
        Column("saksnummer", "Saksnummer", lambda row: row.Case.number),
        Column("referanse", "Referanse", lambda row: row.Application.reference, on_page=False),
        Column("pasient", "Pasient", lambda row: row.Case.patient_name, sort=func.coalesce(Case.patient_name, "")),
        Column("fodselsdato", "Fødselsdato", lambda row: row.Case.patient_birth_date, on_page=False),
        Column("hjemregion", "Hjemregion", lambda row: REGIONS[row.Application.home_region],
               sort=Application.home_region),
        Column("type", "Type", lambda row: row.Application.stream.label, sort=Application.stream),
        Column("icd10", "ICD-10", lambda row: row.Application.icd10, sort=Application.icd10),
        Column("kapittel", "Kapittel", lambda row: row.Application.icd10_chapter, on_page=False),
        Column("mottatt", "Mottatt", lambda row: row.Application.received_on, sort=Application.received_on),
        Column("barn", "Barn", lambda row: as_yes_no(row.Application.child), on_page=False),
        Column("status", "Status", lambda row: row.Application.status.label, sort=Application.status),
        Column("vedtak", "Vedtak", lambda row: row.Application.decision.label if row.Application.decision else None,
               on_page=False),
        Column("vedtaksdato", "Vedtaksdato", lambda row: row.Application.decided_on, on_page=False),
        Column("land", "Land", lambda row: row.Application.country, on_page=False),
        Column("sykehus", "Sykehus", lambda row: row.Application.hospital, on_page=False),
        Column("kostnader", "Kostnader NOK", lambda row: row.Application.total_nok, on_page=False),
    ),
    audited=lambda rows: [row.Case for row in rows],
    export_options=(selectinload(Application.costs),),
)


_APPEALS = select(Appeal, Case).join(Case, Case.id == Appeal.case_id)
_APPEAL_ROWS = (select(Bundle("Appeal", Appeal.id, Appeal.case_id, Appeal.received_on, Appeal.deadline_on, Appeal.late,
                              Appeal.status, Appeal.awaiting_late_assessment.label("awaiting_late_assessment")),
                       Bundle("Case", Case.id, Case.number, Case.patient_id, Case.patient_name))
                .join(Case, Case.id == Appeal.case_id))
_COUNTED_APPEALS = select(Appeal)


def _visible_appeals(user):
    return visible_records(user, CaseKind.ABROAD_APPEAL, case_id=Appeal.case_id, unit=Appeal.office)


def _appeals(user):
    """The page's rows: each appeal with its case (number and the patient as registered with it)."""
    return _APPEALS.where(_visible_appeals(user))


def _appeal_rows(user):
    """The page's rows as plain columns: what abroad/_appeal_row.html shows and the audit needs."""
    return _APPEAL_ROWS.where(_visible_appeals(user))


def _counted_appeals(user):
    """The same rows without the case: the count runs on the appeal table's (office, received_on, id) index
    alone."""
    return _COUNTED_APPEALS.where(_visible_appeals(user))


APPEALS = ListSpec(
    name="abroad_appeals",
    query=_appeals,
    page_query=_appeal_rows,
    count_query=_counted_appeals,
    tiebreak=Appeal.id,
    default_sort="-kom_inn",
    filters=(
        enum_choice("status", "Status", Appeal.status, AppealStatus),
        year_choice("year", "År klagen kom inn", Appeal.received_on, offered_years),
        Flag("late", "Bare klager etter fristen", lambda query, _value: query.where(Appeal.late.is_(True))),
    ),
    columns=(
        Column("klagesak", "Klagesak"),
        Column("pasient", "Pasient", sort=func.coalesce(Case.patient_name, "")),
        Column("kom_inn", "Kom inn", sort=Appeal.received_on),
        Column("klagefrist", "Klagefrist", sort=Appeal.deadline_on),
        Column("status", "Status", sort=Appeal.status),
    ),
    audited=lambda rows: [row.Case for row in rows],
)


def dashboard_boxes(user, *, limit: int) -> tuple[list[Application], list[Application], list[Appeal]]:
    """The dashboard's boxes, the first `limit` of each (the lists hold the rest): applications flagged by a new
    Nye Metoder decision and not yet reviewed, the user's own active applications, and the office's appeals under
    way."""
    visible = select(Application).join(Case, Case.id == Application.case_id).where(_visible_applications(user))
    flagged = db.session.scalars(visible.where(Application.flag.is_not(None))
                                 .order_by(Application.flagged_at.desc()).limit(limit)).all()
    mine = db.session.scalars(visible.where(Case.responsible_id == user.id, Application.status.in_(ACTIVE_STATUSES))
                              .order_by(Application.received_on, Application.id).limit(limit)).all()
    appeals = db.session.scalars(
        select(Appeal).where(_visible_appeals(user), Appeal.status.in_((AppealStatus.RECEIVED, AppealStatus.FORWARDED)))
        .order_by(Appeal.received_on, Appeal.id).limit(limit)).all()
    return flagged, mine, appeals


# The office's work queue: the applications still worked on (active, or with an appeal under way), with a
# queue to pick and who is responsible; the page assigns a case to a caseworker of the office.

_APPEAL_UNDER_WAY = exists(select(Appeal.id).where(Appeal.application_id == Application.id,
                                                   Appeal.status.in_(OPEN_APPEAL_STATUSES)))
_AWAITING_OPINION = exists(select(MedicalOpinion.id).where(MedicalOpinion.application_id == Application.id,
                                                           MedicalOpinion.received_on.is_(None)))

QUEUES = {
    **CASE_QUEUES,
    "uttalelse": ("Venter på medisinsk uttalelse", lambda query: query.where(_AWAITING_OPINION)),
    "klage": ("Klage under behandling", lambda query: query.where(_APPEAL_UNDER_WAY)),
}


def _queue(user):
    return (select(Application, Case).join(Case, Case.id == Application.case_id)
            .where(visible_records(user, CaseKind.ABROAD_APPLICATION, case_id=Application.case_id,
                                   unit=Application.office),
                   or_(Application.status.in_(ACTIVE_STATUSES), _APPEAL_UNDER_WAY)))


def _office_caseworkers() -> list[tuple[str, str]]:
    return [(str(user.id), user.name) for user in caseworkers(CaseKind.ABROAD_APPLICATION, current_user.office)]


QUEUE = ListSpec(
    name="abroad_queue",
    query=_queue,
    tiebreak=Application.id,
    default_sort="mottatt",
    filters=(
        Choice("ko", "Kø", lambda query, value: QUEUES[value][1](query),
               values=lambda: [(key, label) for key, (label, _where) in QUEUES.items()], all_label="Alle åpne"),
        Choice("saksbehandler", "Saksbehandler",
               lambda query, value: query.where(Case.responsible_id == int(value)), values=_office_caseworkers),
        enum_choice("stream", "Type", Application.stream, Stream),
    ),
    columns=(
        Column("saksnummer", "Saksnummer", lambda row: row.Case.number),
        Column("pasient", "Pasient", lambda row: row.Case.patient_name, sort=func.coalesce(Case.patient_name, "")),
        Column("type", "Type", lambda row: row.Application.stream.label, sort=Application.stream),
        Column("icd10", "ICD-10", lambda row: row.Application.icd10, sort=Application.icd10),
        Column("mottatt", "Mottatt", lambda row: row.Application.received_on, sort=Application.received_on),
        Column("status", "Status", lambda row: row.Application.status.label, sort=Application.status),
        Column("saksbehandler", "Saksbehandler"),
    ),
    audited=lambda rows: [row.Case for row in rows],
)
