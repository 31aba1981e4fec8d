"""The expert panel's lists, each declared once for its page, its export and its API list (app.listing)."""
from datetime import date

from flask_login import current_user
from sqlalchemy import case as when
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Bundle

from app.auth.models import User
from app.cases.interface import Case, CaseKind, visible_records
from app.formatting import as_yes_no
from app.listing import Column, Flag, ListSpec, enum_choice
from app.panel.models import PanelMember, Participant, Referral, ReferralStatus

# A referral the panel still works on.
OPEN = (ReferralStatus.RECEIVED, ReferralStatus.UNDER_ASSESSMENT)


def _visible(user):
    """The access rule on the referral's own table: every referral for the secretariat, the assigned ones for a
    member."""
    return visible_records(user, CaseKind.PANEL_REFERRAL, case_id=Referral.case_id)


def _referrals(user):
    """The page's rows: each referral with its case (number and the patient as registered with it)."""
    return select(Referral, Case).join(Case, Case.id == Referral.case_id).where(_visible(user))


# Built once (statements are immutable); a request adds the user's access rule.
_REFERRAL_ROWS = (select(Bundle("Referral", Referral.id, Referral.case_id, Referral.referring_trust,
                                Referral.referred_on, Referral.due_on, Referral.status, Referral.flag),
                         Bundle("Case", Case.id, Case.number, Case.patient_id, Case.patient_name))
                  .join(Case, Case.id == Referral.case_id))


def _referral_rows(user):
    """The page's rows as plain columns: what panel/index.html shows and the audit needs."""
    return _REFERRAL_ROWS.where(_visible(user))


def _counted_referrals(user):
    """The same rows without the case: the count runs on the referral table alone."""
    return select(Referral).where(_visible(user))


def _mine(query, _value):
    """Cases I am responsible for, or that I work on as a panel member."""
    responsible = Referral.case_id.in_(select(Case.id).where(Case.responsible_id == current_user.id))
    on_case = exists(select(Participant.id).join(PanelMember, PanelMember.id == Participant.member_id).where(
        Participant.referral_id == Referral.id, PanelMember.user_id == current_user.id))
    return query.where(or_(responsible, on_case))


def _overdue(query, _value):
    return query.where(Referral.status.in_(OPEN), Referral.due_on < date.today())


REFERRALS = ListSpec(
    name="panel_referrals",
    query=_referrals,
    page_query=_referral_rows,
    count_query=_counted_referrals,
    tiebreak=Referral.id,
    default_sort="apne_forst",
    filters=(
        enum_choice("status", "Status", Referral.status, ReferralStatus),
        Flag("mine", "Bare mine saker", _mine),
        Flag("overdue", "Bare saker over svarfristen", _overdue),
    ),
    columns=(
        Column("saksnummer", "Saksnummer", lambda row: row.Case.number),
        Column("pasient", "Pasient", lambda row: row.Case.patient_name, sort=func.coalesce(Case.patient_name, "")),
        Column("fodselsdato", "Fødselsdato", lambda row: row.Case.patient_birth_date, on_page=False),
        Column("helseforetak", "Henvisende helseforetak", lambda row: row.Referral.referring_trust,
               sort=Referral.referring_trust),
        Column("lege", "Henvisende lege", lambda row: row.Referral.referring_doctor, on_page=False),
        # «Mottatt» is the referral's date, not when the secretariat registered it.
        Column("mottatt", "Mottatt", lambda row: row.Referral.referred_on, sort=Referral.referred_on),
        Column("svarfrist", "Svarfrist", lambda row: row.Referral.due_on, sort=Referral.due_on),
        Column("status", "Status", lambda row: row.Referral.status.label, sort=Referral.status),
        Column("merknad", "Merknad"),
        Column("flagg", "Ny beslutning i Nye Metoder", lambda row: as_yes_no(row.Referral.flag), on_page=False),
        # The list's own order (open referrals first, then by answer deadline) and the API's (newest first).
        Column("apne_forst", "Åpne først, etter svarfrist", on_page=False,
               sort=(when((Referral.status.in_(OPEN), 0), else_=1), Referral.due_on)),
        Column("henvist", "Henvist", on_page=False, sort=Referral.referred_on),
    ),
    audited=lambda rows: [row.Case for row in rows],
)


MEMBERS = ListSpec(
    name="panel_members",
    query=lambda _user: select(PanelMember, User).outerjoin(User, User.id == PanelMember.user_id),
    tiebreak=PanelMember.id,
    default_sort="oppnevning",
    columns=(
        Column("navn", "Navn", sort=PanelMember.name),
        Column("fagomrade", "Fagområde", sort=PanelMember.specialty),
        Column("sykehus", "Universitetssykehus", sort=PanelMember.hospital),
        Column("oppnevnt_av", "Oppnevnt av", sort=PanelMember.appointing_region),
        Column("periode", "Periode", sort=PanelMember.term_start),
        Column("status", "Status", sort=when((PanelMember.active, 0), else_=1)),
        Column("palogging", "Pålogging"),
        # The register's own order: the active members first, by appointing region, then by name.
        Column("oppnevning", "Aktive først, etter region og navn", on_page=False,
               sort=(when((PanelMember.active, 0), else_=1), PanelMember.appointing_region, PanelMember.name)),
    ),
)
