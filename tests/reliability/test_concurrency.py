"""No lost updates (quality goal A8): optimistic locking on every mutable record, and two users editing
the same record through the web UI.

1. A model check: every mapped class carries a version column (SQLAlchemy's version_id_col, app.db.Versioned),
   except the insert-only and bookkeeping tables listed with their reason. While this module's tests run,
   nothing updates a row of an insert-only table (so the list does not lie about the flows exercised here).
2. Every edit form with a version field (discovered from app.url_map; a guard fails on one not listed here):
   two logged-in users open it, A saves, B saves a different change based on the stale version. A wins; B gets
   the conflict page (409, "... endret av en annen bruker ...") showing the stored version and what B typed,
   and the database holds A's value only. Saving the conflict page again is a deliberate overwrite and wins.
   Buttons on a record's page (mark done, close) answer a stale version with a redirect and the conflict
   message. A save overtaken between the service's version check and its UPDATE is refused too.
3. Steps that can be taken once only (a decision, a received opinion, the appeal steps): the second user's
   submission is refused by the rule, and the first user's step stands.
4. A Hypothesis state machine: two simulated users read and save one record in random order; the app's answer
   to every save must match the model (saved exactly when it was based on the latest version), so there is no
   silent overwrite.
"""
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from types import CodeType

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from markupsafe import escape
from sqlalchemy import event, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from wtforms.fields.core import UnboundField

from app.abroad import services as abroad
from app.abroad.commands import PhraseText
from app.abroad.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    CostEntry,
    Decision,
    DecisionNote,
    DecisionPart,
    ForeignHospital,
    MedicalOpinion,
    OfficeOutcome,
    StandardPhrase,
    TreatmentClass,
)
from app.auth.models import AccountActivation, ApiToken, LoginFailure, PendingLogin, User, UserSession
from app.cases import deadlines as case_deadlines
from app.cases import patient_facts
from app.cases import services as cases
from app.cases.commands import NewGuardian
from app.cases.models import (
    ArchiveClass,
    AuditSeal,
    Case,
    CaseAssignment,
    CaseStatus,
    CaseStatusChange,
    Deadline,
    Document,
    DocumentVersion,
    Guardian,
    JournalEntry,
    JournalEntryType,
    SavedFilter,
    SequenceCounter,
    StoredFile,
)
from app.core.audit import AuditEvent, AuditEventPatient
from app.extensions import db
from app.methods import assessment_services, working_groups
from app.methods import services as methods
from app.methods.assessment_services import AssessmentChanges, ReferenceRow, TrialRow
from app.methods.commands import ReportQuestion, StatusChange, WorkingGroupDetails
from app.methods.models import (
    AgendaItem,
    AssessmentReference,
    CommissionReport,
    FollowUpAssignment,
    Forum,
    ForumDecision,
    Meeting,
    MeetingPaper,
    Method,
    MethodComment,
    MethodInput,
    MethodStatus,
    MethodStatusChange,
    OngoingTrial,
    OrderingDecision,
    PriceNote,
    Submission,
    SuitabilityAssessment,
    WorkingGroup,
    WorkingGroupMember,
)
from app.panel import services as panel
from app.panel.models import (
    Answer,
    Contribution,
    Ending,
    Feedback,
    HealthTrust,
    PanelMember,
    Participant,
    PrincipledQuestion,
    Statement,
    TreatmentItem,
)
from app.reports.models import PublishedReport, ReportOrder
from tests.factories import (
    abroad_appeal,
    abroad_application,
    abroad_decision,
    abroad_opinion_request,
    abroad_plan,
    abroad_reconsideration,
    agenda_item,
    follow_up,
    forum_decision,
    new_meeting,
    new_method,
    panel_answer,
    panel_member,
    panel_referral,
)

TODAY = date.today()
CONFLICT = "endret av en annen bruker"


def _day(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


def _text(day: date) -> str:
    return f"{day:%d.%m.%Y}"


# 1. The model check ------------------------------------------------------------------------------------

# Rows that are written once and never changed (some may be removed whole): no update to lose, so no version.
INSERT_ONLY = {
    AuditEvent: "the append-only access and change log; the database refuses UPDATE and DELETE",
    AuditEventPatient: "the patients a list event showed: append-only in the database like the log",
    AuditSeal: "the hash chain over the audit log, append-only in the database like the log",
    CaseStatusChange: "the case's status history: one row per change",
    MethodStatusChange: "the method's status history: one row per change",
    DocumentVersion: "a file version is never overwritten; a change is a new version",
    StoredFile: "file contents addressed by their SHA-256: a key always holds the same bytes",
    Document: "the document description is written once; its files are DocumentVersion rows",
    CaseAssignment: "an access grant is inserted once (unique per case and user)",
    Submission: "a proposal or request as received",
    MethodInput: "an input (innspill) as received",
    MethodComment: "a comment as written",
    PriceNote: "a price note as received",
    AgendaItem: "an agenda item keeps its number once given",
    OrderingDecision: "Bestillerforum's decision as recorded",
    CommissionReport: "a delivered report",
    ForumDecision: "an amendment is a new row that supersedes the old one; a decision row is never changed",
    CostEntry: "a booked cost (a correction is a new entry: the reversal)",
    DecisionNote: "a note on a decision as written; a later correction adds another",
    DecisionPart: "an item of a partial grant, written once with the decision",
    Participant: "a member or co-opted expert put on a referral",
    TreatmentItem: "a treatment considered, with the Nye Metoder check made when it was recorded",
    Statement: "the advisory statement as sent",
    Feedback: "the treating doctor's feedback as received",
    PrincipledQuestion: "a principled question as raised",
    SavedFilter: "one user's list filter: saved under a name or deleted, never changed",
    LoginFailure: "a login attempt: inserted, then deleted when it succeeds or has aged out; never changed",
    ReportOrder: "a report order as placed; its progress and files live in its job",
    ArchiveClass: "the archive plan's classes, written by their migration; no page or service changes them",
    HealthTrust: "the list of trusts and regional hospitals, written by its migration; nothing changes it",
    Ending: "a referral's refusal, withdrawal or closing as recorded, with its letter",
    MeetingPaper: "a meeting's notice or minutes as filed; filing again adds a row",
    PublishedReport: "a published version of a report; a correction is a new version",
    WorkingGroupMember: "a person put in a working group; removed whole, never changed",
}

# Rows the system itself rewrites, where the last writer is meant to win.
BOOKKEEPING = {
    SequenceCounter: "incremented with one UPDATE ... SET last_value = last_value + 1 RETURNING: the row lock "
                     "serialises writers and there is no read-modify-write to lose",
    UserSession: "last_seen_at is written by every request of the login and ended_at once; a version would turn "
                 "two tabs' simultaneous requests into conflicts",
    ApiToken: "last_used_at is written by every API request with one UPDATE; revoked_at is set once",
    PendingLogin: "ended_at is set once, by UPDATE ... WHERE ended_at IS NULL: the row count tells the one "
                  "request that used the pending login",
    AccountActivation: "ended_at is set once, by UPDATE ... WHERE ended_at IS NULL: the row count tells the one "
                       "request that used the link",
    Contribution: "a member's draft or comment as written; adopted_at is set once, in the transaction that saves "
                  "the panel's answer, whose version refuses a second adoption made at the same time",
}

NOT_VERSIONED = INSERT_ONLY | BOOKKEEPING


def _mapped_classes() -> list[type]:
    return sorted((mapper.class_ for mapper in db.Model.registry.mappers), key=lambda cls: cls.__name__)


def test_every_mutable_model_defines_a_version_column(app):
    unversioned = [cls.__name__ for cls in _mapped_classes()
                   if cls.__mapper__.version_id_col is None and cls not in NOT_VERSIONED]
    assert unversioned == [], "Mutable models without a version column (add app.db.Versioned and a migration)"
    for cls in _mapped_classes():
        column = cls.__mapper__.version_id_col
        if column is not None:
            assert (column.name, column.nullable) == ("version", False), cls.__name__


def test_the_exception_list_is_current(app):
    mapped = set(_mapped_classes())
    assert [cls.__name__ for cls in NOT_VERSIONED if cls not in mapped] == []
    assert [cls.__name__ for cls in NOT_VERSIONED if cls.__mapper__.version_id_col is not None] == []
    assert all(reason.strip() for reason in NOT_VERSIONED.values())


@pytest.fixture(autouse=True)
def _insert_only_rows_stay_unchanged():
    """Fail a test of this module when a flush updates a row of an insert-only table."""
    changed: list[str] = []

    def check(session, _context, _instances) -> None:
        for obj in session.dirty:
            state = sa_inspect(obj)
            if type(obj) in INSERT_ONLY and any(state.attrs[column.key].history.has_changes()
                                                for column in state.mapper.column_attrs):
                changed.append(f"UPDATE {type(obj).__name__} {state.identity}")

    event.listen(Session, "before_flush", check)
    yield
    event.remove(Session, "before_flush", check)
    assert changed == [], "Rows of insert-only tables were changed; give the model a version column"


# Reading forms the way a browser does -------------------------------------------------------------------

class _Forms(HTMLParser):
    """Every POST form on a page: its action and the values a browser would submit (name → list of values)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                fields.setdefault(name, [])
                if "checked" in attrs:   # as a browser sends it: "on" without a value, an empty value as ""
                    fields[name].append(attrs["value"] if attrs.get("value") is not None else "on")
            elif kind not in ("submit", "button", "file"):
                fields[name] = [attrs.get("value") or ""]
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]
        elif tag == "select" and name:
            self._select = {"name": name, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            self._select["options"].append(value)
            if "selected" in attrs:
                self._select["selected"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self.forms[-1]["fields"][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            value = self.forms[-1]["fields"][self._textarea][0]
            # A browser drops the one line break that follows <textarea>.
            self.forms[-1]["fields"][self._textarea] = [re.sub(r"^\r?\n", "", value)]
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select = self._select
            chosen = select["selected"] or select["options"][:1]
            self.forms[-1]["fields"][select["name"]] = chosen
            self._select = None


def form_fields(html: str, action: str) -> dict[str, list[str]]:
    parser = _Forms()
    parser.feed(html)
    found = [form["fields"] for form in parser.forms if form["action"].split("?")[0] == action]
    assert found, f"no form posting to {action} on the page"
    return {name: list(values) for name, values in found[0].items()}


def conflict_panels(html: str) -> str:
    """The «Lagret versjon» panels of a conflict page."""
    return "".join(re.findall(r'<section[^>]*aria-labelledby="lagret-[^"]*".*?</section>', html, re.DOTALL))


def _errors(response) -> str:
    """What a refused save says (the error summary), for assertion messages."""
    html = response.get_data(as_text=True)
    summary = re.findall(r'<div class="error-summary".*?</div>', html, re.DOTALL)
    return f"{response.status_code}: " + (re.sub(r"<[^>]+>|\s+", " ", summary[0]) if summary else html[-2000:])


def error_summary(html: str) -> list[str]:
    """The items of a page's error summary, as text."""
    summary = re.findall(r'<div class="error-summary".*?</div>', html, re.DOTALL)
    items = re.findall(r"<li>(.*?)</li>", summary[0], re.DOTALL) if summary else []
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _merged(fields: dict[str, list[str]], change: dict[str, str]) -> dict[str, list[str]]:
    return {**fields, **{name: [value] for name, value in change.items()}}


# 2. The edit forms ---------------------------------------------------------------------------------------

@dataclass
class Edit:
    """One record edited by two users through one form."""

    users: tuple[int, int]
    page: str                      # the page with the form (GET)
    action: str                    # where the form posts
    model: type
    row_id: int
    attribute: str                 # what the change is about
    a: dict[str, str]              # A's change to the form
    b: dict[str, str]              # B's different change
    a_stored: object               # the attribute after A's save
    b_stored: object = None        # the attribute after B saves the conflict page again
    stored_shown: str = ""         # how the conflict page shows A's stored value
    stored_region: str = ""        # where, when not in a «Lagret versjon» panel (a regular expression)
    version_field: str = "version"
    button: bool = False           # a button on the record's page: a redirect and a flash, not a form page
    text_field: str | None = None  # a free-text field the state machine writes

    def stored(self, app):
        with app.app_context():
            row = db.session.get(self.model, self.row_id)
            return getattr(row, self.attribute), row.version


@dataclass
class Kit:
    app: object
    make_user: Callable
    make_case: Callable
    login: Callable

    def run(self, action):
        """Run service calls as one committed transaction; returns what `action` returns."""
        with self.app.app_context():
            result = action()
            db.session.commit()
            return result

    def user(self, user_id: int) -> User:
        return db.session.get(User, user_id)


@pytest.fixture
def kit(app, make_user, make_case, login) -> Kit:
    return Kit(app, make_user, make_case, login)


def _ids(row, *paths: str) -> tuple:
    """Plain values of a row made in a transaction, read before it ends (e.g. "id", "method.reference")."""
    values = []
    for path in paths:
        value = row
        for name in path.split("."):
            value = getattr(value, name)
        values.append(value)
    return tuple(values)


def _caseworkers(kit: Kit) -> tuple[int, int]:
    return (kit.make_user("abroad_caseworker", office="helse-sor-ost"),
            kit.make_user("abroad_caseworker", office="helse-sor-ost"))


def edit_case(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    case_id = kit.make_case(a)
    return Edit((a, b), f"/saker/{case_id}/endre", f"/saker/{case_id}/endre", Case, case_id, "title",
                a={"title": "Første – Kari Nordmann", "reason": "Skrivefeil"},
                b={"title": "Andre – Kari Nordmann", "reason": "Skrivefeil"},
                a_stored="Første – Kari Nordmann", b_stored="Andre – Kari Nordmann",
                stored_shown="Første – Kari Nordmann", text_field="title")


def change_case_status(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    case_id = kit.make_case(a)
    return Edit((a, b), f"/saker/{case_id}/status", f"/saker/{case_id}/status", Case, case_id, "status",
                a={"status": "B"}, b={"status": "U", "comment": "Registrert to ganger"},
                a_stored=CaseStatus.IN_PROGRESS, b_stored=CaseStatus.DISCARDED,
                stored_shown="Under behandling", stored_region=r"<p>Nåværende status:.*?</p>")


def complete_journal_follow_up(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    case_id = kit.make_case(a)
    entry_id = kit.run(lambda: cases.add_journal_entry(
        cases.get_case(case_id), entry_type=JournalEntryType.INCOMING, title="Brev fra pasienten",
        journal_date=_day(3), document_date=_day(4), party_name="Kari Nordmann", actor=kit.user(a)).id)
    return Edit((a, b), f"/saker/{case_id}", f"/saker/{case_id}/journal/{entry_id}/avskriv", JournalEntry, entry_id,
                "follow_up_method", a={"method": "TE"}, b={"method": "TLF"}, a_stored="TE", button=True)


def complete_case_deadline(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    case_id = kit.make_case(a)
    deadline_id = kit.run(lambda: case_deadlines.set_deadline(
        cases.get_case(case_id), kind="svarfrist", due_date=TODAY + timedelta(days=30), responsible_id=a,
        description="Purre på journal", actor=kit.user(a)).id)
    return Edit((a, b), f"/saker/{case_id}", f"/saker/{case_id}/frister/{deadline_id}/utfort", Deadline, deadline_id,
                "done_by_id", a={}, b={}, a_stored=a, button=True)


def _secretariat(kit: Kit) -> tuple[int, int]:
    return kit.make_user("methods_secretariat"), kit.make_user("methods_secretariat")


def _method(kit: Kit, actor: int) -> Method:
    return methods.register_method(new_method("Endoskopisk ryggkirurgi", _day(200)), actor=kit.user(actor))


def edit_method(kit: Kit) -> Edit:
    a, b = _secretariat(kit)
    method_id, reference = kit.run(lambda: _ids(_method(kit, a), "id", "reference"))
    return Edit((a, b), f"/metoder/{reference}/endre", f"/metoder/{reference}/endre", Method, method_id, "title",
                a={"title": "Endoskopisk ryggkirurgi ved prolaps"}, b={"title": "Endoskopisk ryggkirurgi ved stenose"},
                a_stored="Endoskopisk ryggkirurgi ved prolaps", b_stored="Endoskopisk ryggkirurgi ved stenose",
                stored_shown="Endoskopisk ryggkirurgi ved prolaps", text_field="title")


def _assessment(kit: Kit, actor: int) -> tuple[str, SuitabilityAssessment]:
    method = _method(kit, actor)
    assessment = assessment_services.save_assessment(
        method, AssessmentChanges(author_body="FHI", document_version="1.0", summary="Utkast", recommendation="1"),
        expected_version=None, actor=kit.user(actor))
    return method.reference, assessment


def edit_assessment(kit: Kit) -> Edit:
    a, b = _secretariat(kit)
    reference, assessment_id = kit.run(lambda: _ids(_assessment(kit, a)[1], "method.reference", "id"))
    url = f"/metoder/{reference}/egnethetsvurdering"
    return Edit((a, b), url, url, SuitabilityAssessment, assessment_id, "summary",
                a={"summary": "Forslaget gjelder sentralisering"}, b={"summary": "Forslaget gjelder desentralisering"},
                a_stored="Forslaget gjelder sentralisering", b_stored="Forslaget gjelder desentralisering",
                stored_shown="Forslaget gjelder sentralisering", text_field="summary")


TRIAL = TrialRow(population="Lumbar stenose", participants="324", intervention="Endoskopisk kirurgi",
                 control="Mikrodiskektomi", main_outcome="Oswestry Disability Index", registry_id="NCT06719037",
                 country="Kina", estimated_completion="09.2025", recruitment_status="recruiting")


def edit_trial(kit: Kit) -> Edit:
    a, b = _secretariat(kit)

    def make():
        reference, assessment = _assessment(kit, a)
        return reference, assessment_services.add_trial(assessment, TRIAL, actor=kit.user(a)).id
    reference, trial_id = kit.run(make)
    url = f"/metoder/{reference}/egnethetsvurdering/studier/{trial_id}"
    return Edit((a, b), url, url, OngoingTrial, trial_id, "recruitment_status",
                a={"recruitment_status": "completed"}, b={"recruitment_status": "terminated"},
                a_stored="completed", b_stored="terminated", stored_shown="completed",
                text_field="recruitment_status")


def edit_reference(kit: Kit) -> Edit:
    a, b = _secretariat(kit)

    def make():
        reference, assessment = _assessment(kit, a)
        row = ReferenceRow("Golan et al. 2023.")
        return reference, assessment_services.add_reference(assessment, row, actor=kit.user(a)).id
    reference, entry_id = kit.run(make)
    url = f"/metoder/{reference}/egnethetsvurdering/referanser/{entry_id}"
    return Edit((a, b), url, url, AssessmentReference, entry_id, "citation",
                a={"citation": "Golan DJ et al. 2023."}, b={"citation": "Golan D et al. 2023."},
                a_stored="Golan DJ et al. 2023.", b_stored="Golan D et al. 2023.", stored_shown="Golan DJ et al. 2023.",
                text_field="citation")


MEETING_DAYS = iter(range(7, 10_000))   # one forum meets once a day


def edit_minutes(kit: Kit) -> Edit:
    a, b = _secretariat(kit)
    meeting_id = kit.run(lambda: methods.create_meeting(
        new_meeting(Forum.BESTILLERFORUM, _day(next(MEETING_DAYS)), confirm_weekend=True), actor=kit.user(a)).id)
    url = f"/metoder/moter/{meeting_id}/referat"
    return Edit((a, b), url, url, Meeting, meeting_id, "minutes",
                a={"minutes": "Sak 031 ble utsatt."}, b={"minutes": "Sak 031 ble vedtatt."},
                a_stored="Sak 031 ble utsatt.", b_stored="Sak 031 ble vedtatt.", stored_shown="Sak 031 ble utsatt.",
                text_field="minutes")


def close_method_follow_up(kit: Kit) -> Edit:
    a, b = _secretariat(kit)

    def make():
        secretary = kit.user(a)
        method = _method(kit, a)
        for status in (MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE,
                       MethodStatus.FOR_DECISION):
            methods.change_status(method, StatusChange(status, _day(100)), actor=secretary)
        meeting = methods.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, _day(60), confirm_weekend=True),
                                         actor=secretary)
        item = methods.add_agenda_item(meeting, agenda_item(method), actor=secretary)
        decision = methods.record_forum_decision(method, forum_decision(item, _day(60)), actor=secretary)
        assignment = methods.add_follow_up(decision, follow_up("Arbeidsgruppe for indikasjoner", "RHF-ene",
                                                               TODAY + timedelta(days=90)), actor=secretary)
        return method.reference, assignment.id
    reference, follow_up_id = kit.run(make)
    return Edit((a, b), f"/metoder/{reference}", f"/metoder/{reference}/oppfolging/{follow_up_id}/status",
                FollowUpAssignment, follow_up_id, "status", a={"status": "delivered"}, b={"status": "cancelled"},
                a_stored="delivered", button=True)


def _working_group(kit: Kit, actor: int, questions=()) -> int:
    def make():
        method = _method(kit, actor)
        return working_groups.create_working_group(WorkingGroupDetails(
            title="Arbeidsgruppe", references=(method.reference,), reports_to=working_groups.APPROVING_BODY,
            questions=questions), actor=kit.user(actor)).id
    return kit.run(make)


def edit_working_group(kit: Kit) -> Edit:
    a, b = _secretariat(kit)
    group_id = _working_group(kit, a)
    url = f"/metoder/arbeidsgrupper/{group_id}/endre"
    return Edit((a, b), url, url, WorkingGroup, group_id, "title", a={"title": "Arbeidsgruppe for roboter"},
                b={"title": "Arbeidsgruppe for prostata"}, a_stored="Arbeidsgruppe for roboter",
                b_stored="Arbeidsgruppe for prostata", stored_shown="Arbeidsgruppe for roboter")


def edit_working_group_report(kit: Kit) -> Edit:
    a, b = _secretariat(kit)
    group_id = _working_group(kit, a, questions=(ReportQuestion("Samlet kapasitetsbehov"),))
    url = f"/metoder/arbeidsgrupper/{group_id}/rapport"
    return Edit((a, b), url, url, WorkingGroup, group_id, "report_answers", a={"answer_1": "Tre roboter til."},
                b={"answer_1": "Ingen nye roboter."}, a_stored={"1": "Tre roboter til."},
                b_stored={"1": "Ingen nye roboter."}, stored_shown="Tre roboter til.")


def _panel_secretariat(kit: Kit) -> tuple[int, int]:
    return kit.make_user("panel_secretariat"), kit.make_user("panel_secretariat")


def edit_member(kit: Kit) -> Edit:
    a, b = _panel_secretariat(kit)
    member_id = kit.run(lambda: panel.save_member(None, panel_member(
        name="Per Panel", hospital="St. Olavs hospital", appointing_region="helse-midt-norge", term_start=_day(300)),
        actor=kit.user(a)).id)
    url = f"/ekspertpanelet/medlemmer/{member_id}"
    return Edit((a, b), url, url, PanelMember, member_id, "hospital",
                a={"hospital": "Haukeland universitetssykehus"}, b={"hospital": "Universitetssykehuset Nord-Norge"},
                a_stored="Haukeland universitetssykehus", b_stored="Universitetssykehuset Nord-Norge",
                stored_shown="Haukeland universitetssykehus", text_field="hospital")


def edit_answers(kit: Kit) -> Edit:
    a, b = _panel_secretariat(kit)

    def make():
        secretary = kit.user(a)
        referral = panel.register_referral(panel_referral(
            municipality="Trondheim", treatments_tried="Tre linjer kjemoterapi",
            question="Finnes det aktuelle kliniske studier?", referred_on=_day(5), regional_review_on=_day(8)),
            actor=secretary)
        answer = panel.save_answer(referral, panel_answer(1, findings="Første utkast", advice=None), actor=secretary)
        return referral.case_id, answer.id
    case_id, answer_id = kit.run(make)
    url = f"/ekspertpanelet/saker/{case_id}/vurdering"
    return Edit((a, b), url, url, Answer, answer_id, "findings",
                a={"findings_1": "Ingen aktuelle studier i Norden."}, b={"findings_1": "En studie i Sverige."},
                a_stored="Ingen aktuelle studier i Norden.", b_stored="En studie i Sverige.",
                stored_shown="Ingen aktuelle studier i Norden.", version_field="version_1", text_field="findings_1")


def _application(kit: Kit, actor: int, decision: Decision | None = None, **facts) -> Application:
    application = abroad.register_application(abroad_application(
        national_id=None, birth_date=date(1994, 3, 8), municipality="Tromsø", received_on=_day(60),
        requested_treatment="Fetoskopisk laserbehandling av TTTS", requested_where="Rigshospitalet", **facts),
        actor=kit.user(actor))
    if decision is not None:
        abroad.decide(application, abroad_decision(decision, decided_on=_day(50), reasoning="Begrunnelse."),
                      actor=kit.user(actor), letter=b"%PDF-1.7 vedtak")
    return application


def plan_treatment(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    application_id, case_id = kit.run(lambda: _ids(_application(kit, a, Decision.GRANTED), "id", "case_id"))
    url = f"/utland/soknader/{case_id}/behandling"
    place = {"hospital": "Rigshospitalet", "country": "DK"}   # from the register (app/abroad/hospitals.py)
    return Edit((a, b), url, url, Application, application_id, "travel_arrangements",
                a={**place, "travel_arrangements": "Fly til København"},
                b={**place, "travel_arrangements": "Tog til København"}, a_stored="Fly til København",
                b_stored="Tog til København", stored_shown="Fly til København", text_field="travel_arrangements")


def record_experimental_basis(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    application_id, case_id = kit.run(lambda: _ids(_application(kit, a, treatment_class=TreatmentClass.EXPERIMENTAL),
                                                   "id", "case_id"))
    url = f"/utland/soknader/{case_id}/utprovende"
    return Edit((a, b), url, url, Application, application_id, "exception_grounds",
                a={"exception_grounds": "Svært sjelden tilstand."},
                b={"exception_grounds": "Ingen behandling i Norge."},
                a_stored="Svært sjelden tilstand.", b_stored="Ingen behandling i Norge.",
                stored_shown="Svært sjelden tilstand.", text_field="exception_grounds")


def edit_hospital(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    hospital_id = kit.run(lambda: db.session.scalar(select(ForeignHospital.id).where(
        ForeignHospital.name == "Skandionkliniken")))
    url = f"/utland/sykehus/{hospital_id}"
    return Edit((a, b), url, url, ForeignHospital, hospital_id, "city", a={"city": "Uppsala sentrum"},
                b={"city": "Uppsala universitetsområde"}, a_stored="Uppsala sentrum",
                b_stored="Uppsala universitetsområde", stored_shown="Uppsala sentrum", text_field="city")


def complete_treatment(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)

    def make():
        application = _application(kit, a, Decision.GRANTED)
        abroad.plan_treatment(application, abroad_plan(hospital="Rigshospitalet", country="DK"),
                              expected_version=application.version, actor=kit.user(a))
        return application.id, application.case_id
    application_id, case_id = kit.run(make)
    return Edit((a, b), f"/utland/soknader/{case_id}", f"/utland/soknader/{case_id}/avslutt", Application,
                application_id, "status", a={}, b={}, a_stored=ApplicationStatus.COMPLETED, button=True)


def correct_application(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    application_id, case_id = kit.run(lambda: _ids(_application(kit, a), "id", "case_id"))
    url = f"/utland/soknader/{case_id}/rett"
    return Edit((a, b), url, url, Application, application_id, "requested_where",
                a={"requested_where": "Karolinska", "reason": "Feil sted"},
                b={"requested_where": "Skåne", "reason": "Annet sted"}, a_stored="Karolinska", b_stored="Skåne",
                stored_shown="Karolinska", text_field="requested_where")


def correct_opinion(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)

    def make():
        application = _application(kit, a)
        opinion = abroad.request_opinion(application, abroad_opinion_request(
            requested_on=_day(59), due_on=_day(40)), actor=kit.user(a))
        return opinion.id, application.case_id
    opinion_id, case_id = kit.run(make)
    url = f"/utland/soknader/{case_id}/uttalelser/{opinion_id}/rett"
    return Edit((a, b), url, url, MedicalOpinion, opinion_id, "requested_from",
                a={"requested_from": "Fostermedisin, St. Olavs", "reason": "Feil fagmiljø"},
                b={"requested_from": "Fostermedisin, Haukeland", "reason": "Annet fagmiljø"},
                a_stored="Fostermedisin, St. Olavs", b_stored="Fostermedisin, Haukeland",
                stored_shown="Fostermedisin, St. Olavs", text_field="requested_from")


def edit_patient(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    case_id = kit.make_case(a)
    url = f"/saker/{case_id}/pasient/endre"
    return Edit((a, b), url, url, Case, case_id, "patient_name",
                a={"kind": "correction", "name": "Kari Rettet", "reason": "Skrivefeil i navnet"},
                b={"kind": "correction", "name": "Kari Annen", "reason": "En annen skrivefeil"},
                a_stored="Kari Rettet", b_stored="Kari Annen", stored_shown="Kari Rettet", text_field="name")


def end_guardian(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    case_id = kit.make_case(a)

    def make():
        guardian = patient_facts.add_guardian(cases.get_case(case_id), NewGuardian(
            name="Verge Vera", street="Storgata 1", postal_code="0155", postal_place="Oslo", valid_from=_day(300)),
            actor=kit.user(a))
        return guardian.id
    guardian_id = kit.run(make)
    prefix = f"verge{guardian_id}-"
    return Edit((a, b), f"/saker/{case_id}/pasient", f"/saker/{case_id}/pasient/verge/{guardian_id}/avslutt",
                Guardian, guardian_id, "valid_to", a={f"{prefix}valid_to": _text(_day(10))},
                b={f"{prefix}valid_to": _text(_day(5))}, a_stored=_day(10), version_field=f"{prefix}version",
                button=True)


def edit_phrase(kit: Kit) -> Edit:
    a, b = _caseworkers(kit)
    phrase_id = kit.run(lambda: abroad.add_phrase("helse-sor-ost", PhraseText(
        title="Ledsager", text="Ledsager dekkes når pasienten trenger det."), actor=kit.user(a)).id)
    url = f"/utland/standardtekster/{phrase_id}"
    return Edit((a, b), url, url, StandardPhrase, phrase_id, "title", a={"title": "Ledsager (barn)"},
                b={"title": "Ledsager (voksne)"}, a_stored="Ledsager (barn)", b_stored="Ledsager (voksne)",
                stored_shown="Ledsager (barn)", text_field="title")


EDIT_FORMS = {
    "cases.edit": edit_case,
    "abroad.edit_phrase": edit_phrase,
    "cases.edit_patient": edit_patient,
    "cases.end_guardian": end_guardian,
    "cases.change_status": change_case_status,
    "cases.complete_follow_up": complete_journal_follow_up,
    "cases.complete_deadline": complete_case_deadline,
    "methods.edit": edit_method,
    "methods.edit_assessment": edit_assessment,
    "methods.edit_trial": edit_trial,
    "methods.edit_reference": edit_reference,
    "methods.edit_minutes": edit_minutes,
    "methods.close_follow_up": close_method_follow_up,
    "methods.edit_working_group": edit_working_group,
    "methods.edit_report": edit_working_group_report,
    "panel.edit_member": edit_member,
    "panel.edit_answers": edit_answers,
    "abroad.plan_treatment": plan_treatment,
    "abroad.record_experimental_basis": record_experimental_basis,
    "abroad.edit_hospital": edit_hospital,
    "abroad.complete_treatment": complete_treatment,
    "abroad.correct_application": correct_application,
    "abroad.correct_opinion": correct_opinion,
}

# The JSON API takes the same forms; it answers a stale version with 409 JSON (tests/api/test_api.py).
NOT_WEB_UI = ("api.",)


def _code_names(code: CodeType) -> set[str]:
    """The global names a function uses, its lambdas and nested functions included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _code_names(const)
    return names


def _has_version_field(form_class: type) -> bool:
    return any(isinstance(getattr(form_class, name, None), UnboundField)
               for name in dir(form_class) if name == "version" or name.startswith("version_"))


def endpoints_with_a_version_field(app) -> dict[str, list[str]]:
    found = {}
    for url_rule in app.url_map.iter_rules():
        if "POST" not in url_rule.methods or url_rule.endpoint.startswith(NOT_WEB_UI):
            continue
        view = inspect.unwrap(app.view_functions[url_rule.endpoint])
        forms = [name for name in sorted(_code_names(view.__code__))
                 if isinstance(obj := view.__globals__.get(name), type) and issubclass(obj, FlaskForm)
                 and _has_version_field(obj)]
        if forms:
            found[url_rule.endpoint] = forms
    return found


def test_every_form_with_a_version_field_is_tested_here(app):
    found = endpoints_with_a_version_field(app)
    assert sorted(set(found) - set(EDIT_FORMS)) == [], "Add these edit forms to EDIT_FORMS"
    assert sorted(set(EDIT_FORMS) - set(found)) == [], "These endpoints no longer take a version"


@pytest.mark.parametrize("endpoint", sorted(EDIT_FORMS))
def test_two_users_edit_the_same_record_the_first_wins_the_second_sees_both_versions(kit, endpoint):
    edit = EDIT_FORMS[endpoint](kit)
    first, second = (kit.login(user) for user in edit.users)
    seen_by_first = form_fields(first.get(edit.page).get_data(as_text=True), edit.action)
    seen_by_second = form_fields(second.get(edit.page).get_data(as_text=True), edit.action)
    _, opened_at = edit.stored(kit.app)
    assert seen_by_first[edit.version_field] == seen_by_second[edit.version_field] == [str(opened_at)]

    saved = first.post(edit.action, data=_merged(seen_by_first, edit.a))
    assert saved.status_code == 302, _errors(saved)
    stored, version = edit.stored(kit.app)
    assert stored == edit.a_stored and version == opened_at + 1

    stale = second.post(edit.action, data=_merged(seen_by_second, edit.b))
    assert edit.stored(kit.app) == (edit.a_stored, version), "the stale save must not change the record"
    if edit.button:
        assert stale.status_code == 302
        assert CONFLICT in second.get(stale.headers["Location"]).get_data(as_text=True)
        return

    html = stale.get_data(as_text=True)
    assert stale.status_code == 409, _errors(stale)
    assert [CONFLICT in item for item in error_summary(html)] == [True], error_summary(html)   # nothing else
    shown = "".join(re.findall(edit.stored_region, html, re.DOTALL)) if edit.stored_region else conflict_panels(html)
    assert str(escape(edit.stored_shown)) in shown, "the conflict page shows the stored version"
    typed = form_fields(html, edit.action)
    for name, value in edit.b.items():
        assert typed[name] == [value], f"the conflict page keeps what the user typed in {name}"
    assert typed[edit.version_field] == [str(version)], "the next save is based on the version now shown"

    # Saving the conflict page again is a deliberate overwrite of the version the user has now seen.
    resaved = second.post(edit.action, data=typed)
    assert resaved.status_code == 302, _errors(resaved)
    assert edit.stored(kit.app) == (edit.b_stored, version + 1)


@pytest.mark.parametrize("endpoint", sorted(EDIT_FORMS))
def test_a_save_overtaken_between_its_version_check_and_its_update_is_refused(kit, endpoint):
    """Two requests at the same moment both pass the service's check of the version; the UPDATE ... WHERE
    version = ? (SQLAlchemy's version_id_col) decides. Simulated by bumping the row's version in the database
    just before the request flushes its change (inside its transaction, so the bump is rolled back with it)."""
    edit = EDIT_FORMS[endpoint](kit)
    client = kit.login(edit.users[1])
    fields = form_fields(client.get(edit.page).get_data(as_text=True), edit.action)
    before = edit.stored(kit.app)
    table = edit.model.__table__
    overtaken = []

    def overtake(session, _context, _instances) -> None:
        if not overtaken and any(isinstance(obj, edit.model) and sa_inspect(obj).identity == (edit.row_id,)
                                 for obj in session.dirty):
            overtaken.append(True)
            session.connection().execute(
                update(table).where(table.c.id == edit.row_id).values(version=table.c.version + 1))

    event.listen(Session, "before_flush", overtake)
    try:
        response = client.post(edit.action, data=_merged(fields, edit.b))
    finally:
        event.remove(Session, "before_flush", overtake)

    assert overtaken, "the save never reached the database"
    assert edit.stored(kit.app) == before, "nothing of the overtaken save is kept"
    if edit.button:
        assert response.status_code == 302
        assert CONFLICT in client.get(response.headers["Location"]).get_data(as_text=True)
    else:
        assert response.status_code == 409 and CONFLICT in response.get_data(as_text=True), _errors(response)
        assert form_fields(response.get_data(as_text=True), edit.action) == _merged(fields, edit.b)


# 3. Steps taken once only --------------------------------------------------------------------------------

@dataclass
class Step:
    users: tuple[int, int]
    url: str
    model: type
    row_id: int
    attribute: str
    a: dict[str, str]
    b: dict[str, str]
    a_stored: object
    refusal: str                   # the rule's message to the second user

    def stored(self, app):
        with app.app_context():
            return getattr(db.session.get(self.model, self.row_id), self.attribute)


def decide_application(kit: Kit) -> Step:
    a, b = _caseworkers(kit)
    application_id, case_id = kit.run(lambda: _ids(_application(kit, a), "id", "case_id"))
    return Step((a, b), f"/utland/soknader/{case_id}/vedtak", Application, application_id, "decision",
                a={"decision": "withdrawn", "decided_on": _text(_day(10))},
                b={"decision": "granted", "decided_on": _text(_day(10)), "reasoning": "Innvilges."},
                a_stored=Decision.WITHDRAWN, refusal="kan ikke lenger forberedes eller avgjøres")


def record_opinion(kit: Kit) -> Step:
    a, b = _caseworkers(kit)

    def make():
        application = _application(kit, a)
        opinion = abroad.request_opinion(application, abroad_opinion_request(
            requested_from="Fostermedisin, OUS", question="Er TTTS-behandling tilgjengelig i Norge?",
            requested_on=_day(40), due_on=_day(20)), actor=kit.user(a))
        return opinion.id, application.case_id
    opinion_id, case_id = kit.run(make)
    return Step((a, b), f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", MedicalOpinion, opinion_id,
                "conclusion", a={"received_on": _text(_day(30)), "conclusion": "Anbefaler behandling i København."},
                b={"received_on": _text(_day(29)), "conclusion": "Kan behandles i Norge."},
                a_stored="Anbefaler behandling i København.", refusal="allerede registrert som mottatt")


def _appeal(kit: Kit, actor: int, *, late: bool) -> Appeal:
    application = _application(kit, actor, Decision.DENIED)
    received = _day(2) if late else _day(40)
    return abroad.register_appeal(application, abroad_appeal(received_on=received, notified_on=_day(48),
                                                             grounds="Uenig."), actor=kit.user(actor))


def assess_late_appeal(kit: Kit) -> Step:
    a, b = _caseworkers(kit)
    appeal_id, case_id = kit.run(lambda: _ids(_appeal(kit, a, late=True), "id", "case_id"))
    return Step((a, b), f"/utland/klager/{case_id}/fristoversittelse", Appeal, appeal_id, "consider_late",
                a={"consider": "ja", "assessment": "Pasienten var innlagt."},
                b={"consider": "nei", "assessment": "Ingen særlige grunner."},
                a_stored=True, refusal="venter ikke på en vurdering av fristoversittelse")


def reconsider_appeal(kit: Kit) -> Step:
    a, b = _caseworkers(kit)
    appeal_id, case_id = kit.run(lambda: _ids(_appeal(kit, a, late=False), "id", "case_id"))
    return Step((a, b), f"/utland/klager/{case_id}/kontorets-behandling", Appeal, appeal_id, "status",
                a={"outcome": "reversed", "decided_on": _text(_day(20)), "reasoning": "Nye opplysninger."},
                b={"outcome": "forwarded", "decided_on": _text(_day(20)), "reasoning": "Avslaget står."},
                a_stored=AppealStatus.REVERSED_BY_OFFICE, refusal="er ikke lenger hos kontoret")


def record_board_decision(kit: Kit) -> Step:
    a, b = _caseworkers(kit)

    def make():
        appeal = _appeal(kit, a, late=False)
        abroad.reconsider(appeal, abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=_day(30),
                                                         reasoning="Avslaget står."),
                          actor=kit.user(a), letter=b"%PDF-1.7 oversendelse")
        return appeal.id, appeal.case_id
    appeal_id, case_id = kit.run(make)
    return Step((a, b), f"/utland/klager/{case_id}/nemnda", Appeal, appeal_id, "status",
                a={"outcome": "upheld", "decided_on": _text(_day(5)), "board_reference": "KN-1"},
                b={"outcome": "reversed", "decided_on": _text(_day(5)), "board_reference": "KN-2"},
                a_stored=AppealStatus.UPHELD_BY_BOARD, refusal="bare registreres når klagen er oversendt")


def withdraw_appeal(kit: Kit) -> Step:
    a, b = _caseworkers(kit)
    appeal_id, case_id = kit.run(lambda: _ids(_appeal(kit, a, late=False), "id", "case_id"))
    return Step((a, b), f"/utland/klager/{case_id}/trukket", Appeal, appeal_id, "status",
                a={"withdrawn_on": _text(_day(20))}, b={"withdrawn_on": _text(_day(19))},
                a_stored=AppealStatus.WITHDRAWN, refusal="kan ikke trekkes")


ONCE_ONLY_STEPS = {
    "abroad.decide": decide_application,
    "abroad.record_opinion": record_opinion,
    "abroad.assess_late_appeal": assess_late_appeal,
    "abroad.reconsider": reconsider_appeal,
    "abroad.board_decision": record_board_decision,
    "abroad.withdraw_appeal": withdraw_appeal,
}


@pytest.mark.parametrize("endpoint", sorted(ONCE_ONLY_STEPS))
def test_a_step_taken_once_only_is_taken_by_the_first_user_and_refused_to_the_second(kit, endpoint):
    step = ONCE_ONLY_STEPS[endpoint](kit)
    first, second = (kit.login(user) for user in step.users)
    seen_by_first = form_fields(first.get(step.url).get_data(as_text=True), step.url)
    seen_by_second = form_fields(second.get(step.url).get_data(as_text=True), step.url)

    taken = first.post(step.url, data=_merged(seen_by_first, step.a))
    assert taken.status_code == 302, _errors(taken)
    assert step.stored(kit.app) == step.a_stored

    refused = second.post(step.url, data=_merged(seen_by_second, step.b))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and step.refusal in html, _errors(refused)
    assert step.stored(kit.app) == step.a_stored


# 4. Two simulated users in random order ------------------------------------------------------------------

WORDS = st.lists(st.sampled_from(["notat", "endring", "sykehus", "Ålesund", "før", "etter", "råd", "svar"]),
                 min_size=1, max_size=4).map(" ".join)
STATE_MACHINE_FORMS = ["abroad.plan_treatment", "cases.edit", "methods.edit_minutes", "panel.edit_answers"]


@pytest.mark.parametrize("endpoint", STATE_MACHINE_FORMS)
def test_two_users_reading_and_saving_in_any_order_never_overwrite_silently(kit, endpoint):
    make = EDIT_FORMS[endpoint]
    outcomes = {"saved": 0, "refused": 0}

    class TwoUsers(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.edit = make(kit)
            assert self.edit.text_field is not None
            self.clients = [kit.login(user) for user in self.edit.users]
            self.forms: list[dict | None] = [None, None]   # the form as each user has it open
            self.value, self.version = self.edit.stored(kit.app)
            self.saves = 0

        def _open(self, user: int) -> None:
            html = self.clients[user].get(self.edit.page).get_data(as_text=True)
            self.forms[user] = form_fields(html, self.edit.action)
            assert self.forms[user][self.edit.version_field] == [str(self.version)], "a page shows the latest"

        @rule(user=st.sampled_from([0, 1]))
        def open_the_form(self, user: int) -> None:
            self._open(user)

        @rule(user=st.sampled_from([0, 1]), words=WORDS)
        def save(self, user: int, words: str) -> None:
            if self.forms[user] is None:
                self._open(user)
            self.saves += 1
            text = f"{words} {self.saves}"          # every save is a real change
            based_on = int(self.forms[user][self.edit.version_field][0])
            response = self.clients[user].post(
                self.edit.action, data=_merged(self.forms[user], {**self.edit.a, self.edit.text_field: text}))
            if based_on == self.version:
                assert response.status_code == 302, _errors(response)
                self.value, self.version = text, self.version + 1
                self.forms[user] = None             # back on the record's page
                outcomes["saved"] += 1
            else:
                html = response.get_data(as_text=True)
                assert response.status_code == 409 and CONFLICT in html, "a stale save was not refused"
                self.forms[user] = form_fields(html, self.edit.action)
                assert self.forms[user][self.edit.text_field] == [text]
                assert self.forms[user][self.edit.version_field] == [str(self.version)]
                outcomes["refused"] += 1

        @invariant()
        def the_database_holds_the_last_accepted_save(self) -> None:
            assert self.edit.stored(kit.app) == (self.value, self.version)

    run_state_machine_as_test(TwoUsers, settings=settings(
        max_examples=6, stateful_step_count=12, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    assert outcomes["saved"] and outcomes["refused"], f"both outcomes must occur: {outcomes}"
