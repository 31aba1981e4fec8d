"""Atomicity under fault injection (quality goal A9): every service function that writes is run as the unit
of work a view runs (the service call, then one commit), first with an error injected at its first write point,
then at its second, and so on until a run gets through. After every failed run the database holds exactly what
it held before the call: the same rows in every table (a count and a hash of all rows per table).

A write point is a flush with pending changes (the SQLAlchemy `before_flush` session event; the commit's own
flush counts) or an INSERT, UPDATE or DELETE statement the service sends through the session (the counters'
UPDATE ... RETURNING, the import's bulk inserts). After the fault the test does what the app does with an
unexpected error: the session is rolled back (app/error_pages.py) and removed at the end of the request.

The per-test transaction of tests/conftest.py makes every commit a SAVEPOINT release inside one outer
transaction, and the checksums are read on that same connection, after the rollback: they show exactly what a
real request would have left committed, including anything a service committed halfway.

A guard keeps the list complete: every public function of the service modules is either covered by a case here
or named in NOT_WRITING with the reason it writes nothing.
"""
import hashlib
import importlib
import inspect
import itertools
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest
from markupsafe import Markup
from sqlalchemy import event, select, text, update

from app.abroad import importing
from app.abroad import letters as abroad_letters
from app.abroad import services as abroad
from app.abroad.commands import AppealWithdrawal, CostReversal, ExperimentalBasis, PartDecision, PhraseText
from app.abroad.models import (
    Appeal,
    Application,
    BoardOutcome,
    CostCategory,
    CostEntry,
    Decision,
    DecisionItem,
    MedicalOpinion,
    OfficeOutcome,
    StandardPhrase,
    TreatmentClass,
)
from app.admin import access_log
from app.auth import services as accounts
from app.auth.models import ApiToken, PendingLogin, User, UserSession
from app.cases import bulk, deadlines, documents, patient_facts, public_journal
from app.cases import services as cases
from app.cases.commands import NewGuardian, PatientFactsUpdate
from app.cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    Deadline,
    Document,
    FactsEntryKind,
    Guardian,
    JournalEntry,
    JournalEntryType,
    Patient,
    PatientDiscrepancy,
)
from app.cases.public_journal import AccessRequest
from app.core.roles import Role
from app.db import utcnow
from app.demo import synthetic_national_id
from app.extensions import db
from app.forms import Upload
from app.methods import assessment_services as assessments
from app.methods import meeting_papers, working_groups
from app.methods import services as methods
from app.methods.assessment_services import AssessmentChanges, ReferenceRow, TrialRow
from app.methods.commands import (
    MethodDetails,
    NewInput,
    NewMember,
    NewPriceNote,
    NewReport,
    NewSubmission,
    ReportAnswers,
    ReportQuestion,
    StatusChange,
    WorkingGroupDetails,
)
from app.methods.models import (
    AgendaItem,
    AssessmentReference,
    Commission,
    CommissionReport,
    DecisionOutcome,
    FollowUpAssignment,
    Forum,
    ForumDecision,
    Meeting,
    MeetingPaperKind,
    MemberRole,
    Method,
    MethodStatus,
    MethodType,
    NominatingBody,
    OngoingTrial,
    OrderingKind,
    SubmissionKind,
    SuitabilityAssessment,
    WorkingGroup,
)
from app.panel import services as panel
from app.panel.models import (
    Advice,
    Classification,
    Contribution,
    Outcome,
    PanelMember,
    Referral,
    TreatmentItem,
)
from app.reports import publishing
from tests import factories
from tests.abroad.fixtures.import_files import (
    APPEAL_COLUMNS,
    COST_COLUMNS,
    application_row,
    application_rows,
    to_csv,
)
from tests.factories import (
    abroad_appeal,
    abroad_application,
    abroad_board_decision,
    abroad_correction,
    abroad_cost,
    abroad_decision,
    abroad_late_assessment,
    abroad_opinion_correction,
    abroad_opinion_received,
    abroad_opinion_request,
    abroad_plan,
    abroad_reconsideration,
    agenda_item,
    follow_up,
    forum_decision,
    new_meeting,
    new_method,
    ordering_decision,
)

PASSWORD = "korrekt-hest-batteri-stift"
PDF = b"%PDF-1.7 brev til pasienten"
TODAY = date(2026, 11, 20)

SERVICE_MODULES = [
    "app.cases.services", "app.cases.documents", "app.cases.deadlines", "app.methods.services",
    "app.methods.meeting_papers", "app.methods.working_groups",
    "app.methods.assessment_services", "app.panel.services", "app.abroad.services", "app.abroad.letters",
    "app.abroad.importing", "app.abroad.importing.reading", "app.abroad.importing.results", "app.cases.bulk",
    "app.auth.services", "app.cases.patient_facts", "app.reports.publishing", "app.cases.public_journal",
    "app.admin.access_log",
]

NOT_WRITING = {
    "app.cases.services.get_case": "reads one case",
    "app.cases.services.actor_id": "a value",
    "app.cases.public_journal.party_screening_text": "a text",
    "app.cases.public_journal.post_screening": "a value",
    "app.cases.public_journal.journal_party": "a value",
    "app.cases.public_journal.public_journal_entries": "a query",
    "app.cases.public_journal.public_posts": "a value",
    "app.cases.public_journal.requested_posts": "a query",
    "app.cases.public_journal.check_access_request": "a check that raises",
    "app.cases.public_journal.request_text": "a text",
    "app.admin.access_log.check_period": "a check that raises",
    "app.admin.access_log.check_request": "the request's rules",
    "app.admin.access_log.access_log": "a query, translated",
    "app.admin.access_log.known_patient": "builds the registered patient",
    "app.admin.access_log.request_received_on": "a query",
    "app.admin.access_log.first_registered": "a query",
    "app.admin.access_log.ensure_request": "a check that raises",
    "app.admin.access_log.answer_letter": "renders the letter after the checks; file_answer files it",
    "app.admin.access_log.registered_requests": "a query",
    "app.cases.services.ensure_open": "a check that raises",
    "app.cases.services.ensure_version": "a check that raises",
    "app.cases.services.screened_title": "computes a title",
    "app.cases.services.differing_facts": "compares values",
    "app.cases.services.check_address": "a check that raises",
    "app.cases.patient_facts.facts_on": "a query",
    "app.cases.patient_facts.history": "a query",
    "app.cases.patient_facts.guardians": "a query",
    "app.cases.patient_facts.letter_addressees": "a query",
    "app.cases.patient_facts.letter_facts": "a query",
    "app.cases.documents.filed_documents": "a query",
    "app.cases.documents.filed_contents": "reads the documents' stored bytes",
    "app.abroad.letters.copies": "names a letter's copies",
    "app.abroad.letters.part_lines": "states a partial grant's items as its letter shows them",
    "app.abroad.letters.decision_letter": "renders the letter after the checks; decide_with_letter files it",
    "app.abroad.letters.forwarding_letter": "renders the letter; reconsider_with_letter files it",
    "app.abroad.letters.reconsideration_letter": "renders the letter after the checks; reconsider_with_letter files it",
    "app.abroad.letters.late_assessment_letter": "renders the letter after the checks; assess_late_with_letter "
                                                 "files it",
    "app.abroad.services.late_appeal_limit": "arithmetic on calendar dates",
    "app.abroad.services.check_withdrawal": "the withdrawal's rules",
    "app.abroad.letters.preview_or_file": "a page's step: the writing is decide_with_letter or reconsider_with_letter",
    "app.abroad.services.appeal_title": "computes a title",
    "app.abroad.services.office_phrases": "a query",
    "app.abroad.letters.insert_phrase": "fills a form field",
    "app.abroad.letters.chosen_attachments": "reads the ticked documents",
    "app.cases.patient_facts.age_on": "arithmetic",
    "app.cases.patient_facts.check_facts_update": "the patient facts' rules (a query for the registrations)",
    "app.cases.patient_facts.check_guardian": "the guardian's rules",
    "app.cases.services.check_journal_entry": "a journal post's rules",
    "app.cases.services.open_discrepancies": "builds a query",
    "app.cases.documents.storage": "returns the storage backend",
    "app.cases.documents.check_file": "checks an upload's size and type",
    "app.cases.documents.read_version": "reads a stored file",
    "app.cases.deadlines.describe_due_date": "formats a message",
    "app.cases.deadlines.open_deadlines": "a query",
    "app.cases.deadlines.deadline_rows": "formats deadlines for the dashboard",
    "app.methods.services.manual_statuses": "lists the statuses a user may set",
    "app.panel.services.missing_findings": "lists the questions without findings",
    "app.panel.services.participant_names": "formats the participants' names",
    "app.panel.services.participant_of": "finds the user's place on a referral",
    "app.cases.deadlines.has_overdue_deadline": "builds a query clause",
    "app.methods.services.find_method": "a query",
    "app.methods.services.agenda_candidates": "a query",
    "app.methods.services.received_on": "reads a method's first submission date",
    "app.methods.meeting_papers.agenda_methods": "reads a meeting's methods",
    "app.methods.meeting_papers.decisions_by_item": "a query",
    "app.methods.meeting_papers.check_can_file": "a check that raises",
    "app.methods.meeting_papers.render_paper": "renders a PDF",
    "app.methods.meeting_papers.render_public_paper": "renders the public copy of a PDF; nothing is stored",
    "app.methods.services.format_reference": "formats an ID",
    "app.methods.services.parse_reference": "parses an ID",
    "app.methods.assessment_services.clean_assessment": "checks form values",
    "app.methods.assessment_services.clean_trial": "checks form values",
    "app.methods.assessment_services.default_author_body": "derives a value",
    "app.methods.assessment_services.find_trial": "a query",
    "app.methods.assessment_services.clean_reference": "checks form values",
    "app.methods.assessment_services.find_reference": "a query",
    "app.methods.assessment_services.reference_link": "derives a link",
    "app.methods.assessment_services.citing_fields": "reads the assessment's citations",
    "app.methods.services.similar_methods": "a query",
    "app.panel.services.check_nye_metoder": "asks app.methods.interface, writes nothing",
    "app.panel.services.find_referral": "a query",
    "app.panel.services.regions_without_members": "a query",
    "app.abroad.services.possible_duplicates": "a query",
    "app.abroad.services.appeal_deadline": "arithmetic on working days",
    "app.abroad.services.check_decision": "the decision's rules, before a letter is rendered",
    "app.abroad.services.check_application": "the registration's rules, on a form's draft",
    "app.panel.services.check_referral": "the referral's rules, on a form's draft",
    "app.panel.services.check_item": "a treatment's rules (asks app.methods.interface, writes nothing)",
    "app.panel.services.check_feedback": "the feedback's rules",
    "app.panel.services.check_statement": "the statement's rules, before its letter is rendered",
    "app.panel.services.check_principled_question": "a principled question's rules",
    "app.panel.services.check_contribution": "a member's draft or comment's rules",
    "app.methods.services.check_method": "a new method's rules, on a form's draft",
    "app.methods.services.check_meeting": "a meeting's rules (a query for the forum's meetings that day)",
    "app.methods.services.check_ordering_decision": "an ordering decision's rules",
    "app.methods.services.check_follow_up": "a follow-up assignment's rules",
    "app.methods.working_groups.answer_slots": "lists a report's questions",
    "app.methods.working_groups.answer_field": "names a form field",
    "app.methods.working_groups.working_groups_of": "a query",
    "app.methods.working_groups.check_working_group": "a working group's rules",
    "app.methods.working_groups.check_member": "a member's rules",
    "app.methods.working_groups.check_report": "a report's rules",
    "app.methods.services.check_agenda_item": "an agenda item's rules (queries)",
    "app.methods.services.check_report": "a commissioned report's rules",
    "app.methods.services.check_forum_decision": "a forum decision's rules",
    "app.abroad.services.check_correction": "the correction's rules (a query for possible duplicates)",
    "app.abroad.services.check_cost": "the cost's rules (a query for the same invoice)",
    "app.abroad.services.check_appeal": "the appeal's rules",
    "app.abroad.services.check_opinion_request": "the opinion request's rules",
    "app.abroad.services.check_opinion_received": "the received opinion's rules",
    "app.abroad.services.check_opinion_correction": "the opinion correction's rules",
    "app.abroad.services.check_treatment_plan": "the treatment plan's rules",
    "app.abroad.services.refused_parts": "a query",
    "app.abroad.services.refused_cost": "a check's message",
    "app.abroad.services.check_late_appeal": "the late-appeal assessment's rules",
    "app.abroad.services.check_board_decision": "the board decision's rules",
    "app.abroad.services.check_phrase": "a standard phrase's rules (a query for the office's titles)",
    "app.abroad.services.case_status": "a query",
    "app.methods.services.case_status": "a query",
    "app.panel.services.case_status": "a query",
    "app.panel.services.trust_named": "a query",
    "app.reports.publishing.threshold": "reads the configuration",
    "app.reports.publishing.suppressed": "a copy of a report",
    "app.reports.publishing.table_figures": "formats a report's tables",
    "app.reports.publishing.differences": "compares two sets of figures",
    "app.reports.publishing.latest_publication": "a query",
    "app.reports.publishing.may_publish": "a role check",
    "app.reports.publishing.changes_since_published": "a query and a comparison",
    "app.panel.services.health_trusts": "a query",
    "app.panel.services.regional_hospital_of": "a query",
    "app.panel.services.letter_recipients": "reads who a letter goes to",
    "app.panel.services.check_ending": "the ending's rules, on a form's draft",
    "app.cases.services.statuses_by_hand": "asks the modules for the case's status",
    "app.abroad.services.check_reconsideration": "the reconsideration's rules, before a letter is rendered",
    "app.abroad.services.ensure_may_be_granted": "the Nye Metoder rule every grant asks (reads the method status)",
    "app.abroad.services.country_name": "a lookup",
    "app.abroad.services.experimental_notice": "derives a text",
    "app.abroad.services.method_check": "asks app.methods.interface",
    "app.abroad.services.not_introduced_citation": "formats a text",
    "app.abroad.services.experimental_basis_missing": "says what a grant of experimental treatment still needs",
    "app.panel.services.check_item_documentation": "a check that raises",
    "app.methods.services.atc_code": "a check that raises, and returns the code as stored",
    "app.abroad.importing.imported_result": "reads an import's audit row",
    "app.abroad.importing.may_import": "a permission check",
    "app.abroad.importing.results.new_batch": "makes an id",
    "app.abroad.importing.reading.read_table": "parses a file",
    "app.abroad.importing.reading.count_text": "formats a number",
    "app.auth.services.api_tokens_of": "a query",
    "app.auth.services.dormant_users": "a query",
    "app.auth.services.live_sessions_of": "a query",
    "app.auth.services.live_session_counts": "a query",
    "app.auth.services.live_api_tokens_of": "a query",
    "app.auth.services.pending_login": "a query",
    "app.auth.services.totp_setup_secret": "reads the login session",
    "app.auth.services.activation_for": "a query",
}
# The login limits' attempt row is committed before the password or code is checked (app/auth/throttle.py):
# a failed request must still count as a failed attempt. It is the one write that outlives a failed unit.
COMMITTED_AHEAD = {"login_failures"}


# Injecting faults

class InjectedFault(Exception):
    """The error raised at the chosen write point."""


class FaultInjector:
    """Counts the write points of a unit of work and raises InjectedFault at number `at`."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.seen: list[str] = []
        self.fired = False

    def hit(self, what: str) -> None:
        self.seen.append(what)
        if len(self.seen) == self.at:
            self.fired = True
            raise InjectedFault(f"fault injected at write point {self.at} ({what})")

    def before_flush(self, session, _context, _instances) -> None:
        if session.new or session.dirty or session.deleted:
            self.hit("flush")

    def do_orm_execute(self, state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            self.hit(type(state.statement).__name__.lower())

    @contextmanager
    def installed(self):
        event.listen(db.session, "before_flush", self.before_flush)
        event.listen(db.session, "do_orm_execute", self.do_orm_execute)
        bulk_write = bulk.TableWriter.write   # the case core's bulk inserts go past the ORM (executemany, COPY)

        def write(writer, rows):
            if rows:
                self.hit(f"bulk insert into {writer.table.name}")
            return bulk_write(writer, rows)
        bulk.TableWriter.write = write
        try:
            yield self
        finally:
            bulk.TableWriter.write = bulk_write
            event.remove(db.session, "before_flush", self.before_flush)
            event.remove(db.session, "do_orm_execute", self.do_orm_execute)


def _table_digest_sql(table, dialect: str) -> str:
    """One SELECT giving the table's name, row count and all its rows as text, in primary-key order."""
    quote = db.engine.dialect.identifier_preparer.quote
    order = ", ".join(f"t.{quote(column.name)}" for column in (table.primary_key.columns or table.columns))
    if dialect == "postgresql":
        rows = f"coalesce(string_agg(t::text, E'\\n' ORDER BY {order}), '')"
        return f"SELECT '{table.name}', count(*), {rows} FROM {quote(table.name)} t"
    row = " || '|' || ".join(f"quote(t.{quote(column.name)})" for column in table.columns)
    return (f"SELECT '{table.name}', count(*), coalesce(group_concat(r, char(10)), '') FROM "
            f"(SELECT {row} AS r FROM {quote(table.name)} t ORDER BY {order})")


def checksums() -> dict[str, tuple[int, str]]:
    """Per table: the number of rows and a SHA-256 over all of them (every column, in primary-key order), read
    in one statement on the test's connection."""
    dialect = db.session.get_bind().dialect.name
    tables = [table for table in db.metadata.sorted_tables if table.name not in COMMITTED_AHEAD]
    statement = " UNION ALL ".join(_table_digest_sql(table, dialect) for table in tables)
    sums = {name: (count, hashlib.sha256(rows.encode()).hexdigest())
            for name, count, rows in db.session.execute(text(statement))}
    db.session.remove()
    assert len(sums) == len(tables)
    return sums


def changed_tables(before: dict, after: dict) -> list[str]:
    return [f"{name} ({before[name][0]} -> {after[name][0]} rows)" for name in before if before[name] != after[name]]


def run_unit(call: Callable[[], object], injector: FaultInjector) -> BaseException | None:
    """One request's unit of work: the service call and the commit; on an error, the app's rollback."""
    error = None
    with injector.installed():
        try:
            call()
            db.session.commit()
        except Exception as raised:  # noqa: BLE001 (any error: what the app's error handler sees)
            db.session.rollback()
            error = raised
    db.session.remove()  # the request ends
    return error


def caused_by_fault(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, InjectedFault):
            return True
        error = error.__cause__ or error.__context__
    return False


def assert_atomic(name: str, call: Callable[[], object]) -> int:
    """Fail the unit at write point 1, 2, ... until a run gets through; returns the number of write points."""
    db.session.commit()
    db.session.remove()
    before = checksums()
    for at in itertools.count(1):
        injector = FaultInjector(at)
        error = run_unit(call, injector)
        if not injector.fired:
            assert error is None, f"{name} failed without an injected fault: {error!r}"
            break
        assert caused_by_fault(error), (f"{name}: the fault at write point {at} ({injector.seen[-1]}) was "
                                        f"swallowed (outcome {error!r})")
        after = checksums()
        assert after == before, (f"{name}: a fault at write point {at} of {injector.seen} left changes in "
                                 f"{', '.join(changed_tables(before, after))}")
    writes = at - 1
    assert writes >= 1, f"{name} wrote nothing: its representative call is not a writing call"
    assert checksums() != before, f"{name} committed no change in its fault-free run"
    return writes


# The world the cases are built in. Every helper commits (to the test's savepoint) and returns ids: each
# attempt is a new request with a new session, so a case's call loads what it needs by id.

class World:
    def __init__(self) -> None:
        self.serial = itertools.count(1)

    @staticmethod
    def get(model, object_id):
        return db.session.get(model, object_id)

    def user(self, role: str = "abroad_caseworker", office: str | None = None) -> int:
        role = Role(role)
        if role is Role.ABROAD_CASEWORKER and office is None:
            office = "helse-sor-ost"
        number = next(self.serial)
        user = accounts.create_user(email=f"feil{number}@test.example", name=f"Bruker {number}", role=role,
                                    office=office, password=PASSWORD)
        db.session.commit()
        return user.id

    def patient_case(self, actor_id: int, kind: CaseKind = CaseKind.ABROAD_APPLICATION) -> int:
        actor = self.get(User, actor_id)
        patient = cases.register_patient(national_id=None, name="Kari Nordmann", birth_date=date(1980, 5, 17),
                                         municipality="Oslo", home_region="helse-sor-ost", actor=actor)
        case = cases.open_case(kind=kind, title="Søknad – Kari Nordmann", patient=patient, actor=actor)
        db.session.commit()
        return case.id

    # Nye Metoder

    def method(self, secretary_id: int, status: MethodStatus = MethodStatus.RECEIVED) -> int:
        actor = self.get(User, secretary_id)
        method = methods.register_method(new_method("Endoskopisk ryggkirurgi"), actor=actor)
        path = [MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE,
                MethodStatus.FOR_DECISION]
        if status is not MethodStatus.RECEIVED:
            for step in path[:path.index(status) + 1]:
                methods.change_status(method, StatusChange(step, date(2025, 1, 6)), actor=actor)
        db.session.commit()
        return method.id

    def meeting(self, secretary_id: int, forum: Forum, day: date) -> int:
        meeting = methods.create_meeting(new_meeting(forum, day), actor=self.get(User, secretary_id))
        db.session.commit()
        return meeting.id

    def agenda_item(self, secretary_id: int, method_id: int, forum: Forum, day: date) -> int:
        item = methods.add_agenda_item(self.get(Meeting, self.meeting(secretary_id, forum, day)),
                                       agenda_item(self.get(Method, method_id)), actor=self.get(User, secretary_id))
        db.session.commit()
        return item.id

    def commission(self, secretary_id: int) -> int:
        method_id = self.method(secretary_id)
        item_id = self.agenda_item(secretary_id, method_id, Forum.BESTILLERFORUM, date(2024, 5, 27))
        method = self.get(Method, method_id)
        methods.record_ordering_decision(method, ordering_decision(self._item(item_id), aspects=["effekt"],
                                                                   decided_on=date(2024, 5, 27)),
                                         actor=self.get(User, secretary_id))
        db.session.commit()
        return self.get(Method, method_id).commissions[0].id

    def _item(self, item_id: int) -> AgendaItem:
        return self.get(AgendaItem, item_id)

    def forum_decision(self, secretary_id: int) -> int:
        method_id = self.method(secretary_id, MethodStatus.FOR_DECISION)
        item_id = self.agenda_item(secretary_id, method_id, Forum.BESLUTNINGSFORUM, date(2025, 6, 16))
        decision = methods.record_forum_decision(
            self.get(Method, method_id), forum_decision(self._item(item_id), date(2025, 6, 16)),
            actor=self.get(User, secretary_id))
        db.session.commit()
        return decision.id

    def assessment(self, secretary_id: int) -> int:
        assessment = assessments.save_assessment(self.get(Method, self.method(secretary_id)),
                                                 AssessmentChanges(summary="Kort om metoden."), expected_version=None,
                                                 actor=self.get(User, secretary_id))
        db.session.commit()
        return assessment.id

    def reference(self, secretary_id: int) -> int:
        """An assessment with two entries in its reference list, the first cited; returns the second's id."""
        assessment = self.get(SuitabilityAssessment, self.assessment(secretary_id))
        actor = self.get(User, secretary_id)
        for citation in ("Nasjonalt kvalitetsregister for ryggkirurgi. Årsrapport 2024.", "Golan et al. 2023."):
            entry = assessments.add_reference(assessment, ReferenceRow(citation), actor=actor)
        assessments.save_assessment(assessment.method, AssessmentChanges(summary="Registeret [1]."),
                                    expected_version=assessment.version, actor=actor)
        db.session.commit()
        return entry.id

    def trial(self, secretary_id: int) -> int:
        trial = assessments.add_trial(self.get(SuitabilityAssessment, self.assessment(secretary_id)), TRIAL,
                                      actor=self.get(User, secretary_id))
        db.session.commit()
        return trial.id

    # The expert panel

    def referral(self, secretary_id: int) -> int:
        referral = panel.register_referral(REFERRAL, actor=self.get(User, secretary_id), today=date(2026, 10, 2))
        db.session.commit()
        return referral.id

    def member(self, secretary_id: int, with_login: bool = True) -> int:
        member = panel.save_member(None, factories.panel_member(
            name="Per Panel", hospital="St. Olavs hospital", appointing_region="helse-midt-norge",
            term_start=date(2026, 1, 1), user_id=self.user("panel_member") if with_login else None),
            actor=self.get(User, secretary_id))
        db.session.commit()
        return member.id

    def member_on_referral(self, secretary_id: int) -> tuple[int, int]:
        """A referral with a member (with a login) on it: (referral id, the member's user id)."""
        referral_id, member_id = self.referral(secretary_id), self.member(secretary_id)
        member = self.get(PanelMember, member_id)
        panel.assign_member(self.get(Referral, referral_id), member, actor=self.get(User, secretary_id))
        db.session.commit()
        return referral_id, member.user_id

    def answered_referral(self, secretary_id: int) -> int:
        referral_id = self.referral(secretary_id)
        for question in (1, 2, 3, 4):
            panel.save_answer(self.get(Referral, referral_id), factories.panel_answer(question),
                              actor=self.get(User, secretary_id))
        db.session.commit()
        return referral_id

    def statement_sent(self, secretary_id: int) -> int:
        referral_id = self.answered_referral(secretary_id)
        panel.approve_statement(self.get(Referral, referral_id), actor=self.get(User, secretary_id))
        panel.send_statement(self.get(Referral, referral_id), factories.panel_statement(
            sent_on=date(2026, 10, 10), summary="Samlet råd.", outcome=Outcome.STUDY_ABROAD),
            actor=self.get(User, secretary_id), pdf=PDF)
        db.session.commit()
        return referral_id

    # Treatment abroad

    def application(self, caseworker_id: int, **overrides) -> int:
        application = abroad.register_application(abroad_application(**APPLICATION, **overrides),
                                                  actor=self.get(User, caseworker_id), today=TODAY)
        db.session.commit()
        return application.id

    def decided(self, caseworker_id: int, decision: Decision) -> int:
        application_id = self.application(caseworker_id)
        abroad.decide(self.get(Application, application_id),
                      abroad_decision(decision, decided_on=date(2026, 9, 20), reasoning="Begrunnelse."),
                      actor=self.get(User, caseworker_id), letter=PDF, today=TODAY)
        db.session.commit()
        return application_id

    def opinion(self, caseworker_id: int) -> int:
        opinion = abroad.request_opinion(self.get(Application, self.application(caseworker_id)), OPINION,
                                         actor=self.get(User, caseworker_id), today=TODAY)
        db.session.commit()
        return opinion.id

    def appeal(self, caseworker_id: int, received_on: date = date(2026, 10, 1)) -> int:
        appeal = abroad.register_appeal(self.get(Application, self.decided(caseworker_id, Decision.DENIED)),
                                        abroad_appeal(received_on=received_on, grounds="Uenig."),
                                        actor=self.get(User, caseworker_id), today=TODAY)
        db.session.commit()
        return appeal.id

    def forwarded_appeal(self, caseworker_id: int) -> int:
        appeal_id = self.appeal(caseworker_id)
        abroad.reconsider(self.get(Appeal, appeal_id), FORWARDED, actor=self.get(User, caseworker_id),
                          letter=PDF, today=TODAY)
        db.session.commit()
        return appeal_id

    def imported_applications(self) -> None:
        rows = [application_row(1, reference="GRANTED", decision="granted", decision_date="2020-02-01",
                                received_date="2020-01-10", country="DK", hospital="Rigshospitalet"),
                application_row(2, reference="DENIED", decision="denied", decision_date="2020-03-02",
                                received_date="2020-02-10")]
        result = importing.run_import("applications", to_csv(rows), "import.csv", actor=None, today=TODAY)
        assert result.ok, result.errors


REFERRAL = factories.panel_referral(municipality="Trondheim", condition="Residiverende eggstokkreft",
                          treatments_tried="Tre linjer kjemoterapi", question="Finnes det aktuelle kliniske studier?")
APPLICATION = {"national_id": None, "birth_date": date(1994, 3, 8), "municipality": "Tromsø",
               "requested_treatment": "Fetoskopisk laserbehandling"}
OPINION = abroad_opinion_request(requested_from="Oslo universitetssykehus",
                                 question="Er behandlingen tilgjengelig i Norge?", requested_on=date(2026, 9, 2),
                                 due_on=date(2026, 9, 16))
FORWARDED = abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=date(2026, 10, 5),
                                   reasoning="Kontoret opprettholder avslaget.")
TRIAL = TrialRow(population="Voksne med ryggsmerter", intervention="Endoskopisk kirurgi", registry_id="NCT06719037",
                 participants="120", country="Sverige", estimated_completion="09.2027")


# The cases: one representative call per public writing function (some functions have more than one)

CASES: dict[str, Callable[[World], Callable[[], object]]] = {}


def case(name: str):
    def register(setup):
        assert name not in CASES, name
        CASES[name] = setup
        return setup
    return register


def covered_function(name: str) -> str:
    return name.split("[")[0]


# The case core

@case("app.cases.services.register_patient")
def _(w):
    actor = w.user()
    return lambda: cases.register_patient(national_id=None, name="Ola Nordmann", birth_date=date(1970, 1, 2),
                                          municipality="Bergen", home_region="helse-vest", actor=w.get(User, actor))


@case("app.cases.services.register_patient[known national ID]")
def _(w):
    actor = w.user()
    number = synthetic_national_id(date(1970, 1, 3))
    cases.register_patient(national_id=number, name="Ola Nordmann", birth_date=None, municipality="Oslo",
                           home_region="helse-sor-ost", actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.register_patient(national_id=number, name="Ola Vestmann", birth_date=None,
                                          municipality=None, home_region="helse-vest", actor=w.get(User, actor))


@case("app.cases.services.find_patients")
def _(w):
    actor = w.user()
    number = synthetic_national_id(date(1970, 1, 4))
    cases.register_patient(national_id=number, name="Ola Nordmann", birth_date=None, municipality="Oslo",
                           home_region="helse-sor-ost", actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.find_patients([number], actor=w.get(User, actor), purpose="registrering")


@case("app.cases.services.find_patients_by_birth_date_and_name")
def _(w):
    actor = w.user()
    cases.register_patient(national_id=None, name="Ola Nordmann", birth_date=date(1970, 1, 5), municipality="Oslo",
                           home_region="helse-sor-ost", actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.find_patients_by_birth_date_and_name(date(1970, 1, 5), "ola nordmann",
                                                              actor=w.get(User, actor), purpose="innsynslogg")


@case("app.cases.services.open_case")
def _(w):
    actor = w.user()
    patient = cases.register_patient(national_id=None, name="Ola Nordmann", birth_date=date(1970, 1, 2),
                                     municipality="Oslo", home_region="helse-sor-ost", actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Ola Nordmann",
                                   patient=patient, actor=w.get(User, actor))


def _facts(kind: str, valid_from: date) -> PatientFactsUpdate:
    return PatientFactsUpdate(kind=FactsEntryKind(kind), valid_from=valid_from, name="Kari Vestlund",
                              street="Bryggen 2", postal_code="5003", postal_place="Bergen", municipality=None,
                              home_region="helse-sor-ost", reason="Melding fra pasienten")


@case("app.cases.patient_facts.record_facts[a change]")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: patient_facts.record_facts(w.get(Case, case_id), _facts("change", date.today()),
                                              actor=w.get(User, actor))


@case("app.cases.patient_facts.record_facts[a correction of the registration, its application too]")
def _(w):
    actor = w.user()
    application = abroad.register_application(abroad_application(**APPLICATION), actor=w.get(User, actor),
                                              today=TODAY)
    db.session.commit()
    case_id = application.case_id
    return lambda: patient_facts.record_facts(w.get(Case, case_id), _facts("correction", TODAY),
                                              actor=w.get(User, actor))


@case("app.abroad.services.correct_home_region")
def _(w):
    actor = w.user()
    application = abroad.register_application(abroad_application(**APPLICATION), actor=w.get(User, actor),
                                              today=TODAY)
    db.session.commit()
    case_id = application.case_id
    return lambda: abroad.correct_home_region(case_id, "helse-sor-ost", actor=w.get(User, actor))


@case("app.cases.patient_facts.add_guardian")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: patient_facts.add_guardian(w.get(Case, case_id), NewGuardian(
        name="Vera Verge", street="Postboks 1", postal_code="0101", postal_place="Oslo",
        valid_from=date(2020, 1, 1)), actor=w.get(User, actor))


@case("app.cases.patient_facts.end_guardian")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    guardian = patient_facts.add_guardian(w.get(Case, case_id), NewGuardian(
        name="Vera Verge", street="Postboks 1", postal_code="0101", postal_place="Oslo",
        valid_from=date(2020, 1, 1)), actor=w.get(User, actor)).id
    db.session.commit()
    return lambda: patient_facts.end_guardian(w.get(Case, case_id), w.get(Guardian, guardian),
                                              valid_to=date(2026, 1, 1), actor=w.get(User, actor))


@case("app.cases.services.mark_discrepancy_checked")
def _(w):
    actor, admin = w.user(), w.user("admin")
    number = synthetic_national_id(date(1970, 1, 7))
    for region in ("helse-sor-ost", "helse-nord"):   # the second registration disagrees: listed
        patient = cases.register_patient(national_id=number, name="Ola Nordmann", birth_date=None, municipality=None,
                                         home_region=region, actor=w.get(User, actor))
        cases.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Ola Nordmann", patient=patient,
                        actor=w.get(User, actor))
        db.session.commit()
    discrepancy = db.session.scalars(cases.open_discrepancies()).one().id
    return lambda: cases.mark_discrepancy_checked(w.get(PatientDiscrepancy, discrepancy), actor=w.get(User, admin))


@case("app.cases.services.open_case[a discrepancy for the data-quality list]")
def _(w):
    actor = w.user()
    number = synthetic_national_id(date(1970, 1, 6))
    cases.register_patient(national_id=number, name="Ola Nordmann", birth_date=None, municipality="Oslo",
                           home_region="helse-sor-ost", actor=w.get(User, actor))
    db.session.commit()
    patient = cases.register_patient(national_id=number, name="Ola Nordmann", birth_date=None, municipality=None,
                                     home_region="helse-nord", actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Ola Nordmann",
                                   patient=patient, actor=w.get(User, actor))


@case("app.cases.services.update_case")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)

    def call():
        case = w.get(Case, case_id)
        cases.update_case(case, expected_version=case.version, title="Ny tittel – Kari Nordmann", responsible_id=None,
                          reason="Feil i tittelen", actor=w.get(User, actor))
    return call


@case("app.cases.services.follow_module_status")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: cases.follow_module_status(w.get(Case, case_id), CaseStatus.IN_PROGRESS,
                                              reason="Søknaden: Under saksforberedelse", actor=w.get(User, actor))


@case("app.cases.services.change_status")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)

    def call():
        case = w.get(Case, case_id)
        cases.change_status(case, CaseStatus.DISCARDED, expected_version=case.version, comment="Registrert to ganger",
                            actor=w.get(User, actor))
    return call


@case("app.cases.services.change_status_by_hand")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)

    def call():
        case = w.get(Case, case_id)
        cases.change_status_by_hand(case, CaseStatus.DISCARDED, expected_version=case.version,
                                    comment="Registrert to ganger", actor=w.get(User, actor))
    return call


@case("app.cases.bulk.record_changes")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    patient_id = w.get(Case, case_id).patient_id
    return lambda: bulk.record_changes([bulk.Change("case", case_id, case_id, patient_id, {"note": [None, "a"]}),
                                        bulk.Change("case", case_id, case_id, patient_id, {"note": [None, "b"]})],
                                       user=w.get(User, actor), note={"import_batch": [None, "b1"]})


@case("app.cases.services.add_journal_entry")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: cases.add_journal_entry(w.get(Case, case_id), entry_type=JournalEntryType.INCOMING,
                                           title="Epikrise", party_name="UNN", actor=w.get(User, actor))


@case("app.cases.services.insert_case")
def _(w):
    actor = w.user()
    return lambda: cases.insert_case(kind=CaseKind.METHOD, title="Metode", unit="nye-metoder", patient=None,
                                     responsible_id=None, case_date=None, actor=w.get(User, actor))


@case("app.cases.public_journal.register_access_request")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    entry = cases.add_journal_entry(w.get(Case, case_id), entry_type=JournalEntryType.OUTGOING, title="Brev",
                                    party_name="UNN", actor=w.get(User, actor))
    db.session.commit()
    request = AccessRequest(unit=entry.case.unit, name="Journalist Jensen", email="jensen@avis.example",
                            posts=entry.registration_number, message="Helst som PDF.")
    return lambda: public_journal.register_access_request(request)


@case("app.cases.services.complete_follow_up")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    entry_id = cases.add_journal_entry(w.get(Case, case_id), entry_type=JournalEntryType.INCOMING, title="Brev",
                                       party_name="UNN", actor=w.get(User, actor)).id
    db.session.commit()

    def call():
        entry = w.get(JournalEntry, entry_id)
        cases.complete_follow_up(entry, method="TE", expected_version=entry.version, actor=w.get(User, actor))
    return call


@case("app.abroad.services.add_phrase")
def _(w):
    actor = w.user()
    return lambda: abroad.add_phrase("helse-sor-ost", PhraseText(title="Ny", text="Tekst."), actor=w.get(User, actor))


@case("app.abroad.services.update_phrase")
def _(w):
    actor = w.user()
    phrase_id = abroad.add_phrase("helse-sor-ost", PhraseText(title="Gammel", text="Tekst."),
                                  actor=w.get(User, actor)).id
    db.session.commit()

    def call():
        phrase = w.get(StandardPhrase, phrase_id)
        abroad.update_phrase(phrase, PhraseText(title="Gammel", text="Ny tekst."), expected_version=phrase.version,
                             actor=w.get(User, actor))
    return call


@case("app.cases.services.answer_incoming")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    cases.add_journal_entry(w.get(Case, case_id), entry_type=JournalEntryType.INCOMING, title="Søknad",
                            party_name="UNN", actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.answer_incoming(w.get(Case, case_id), actor=w.get(User, actor))


@case("app.cases.services.assign_user")
def _(w):
    secretary, member = w.user("panel_secretariat"), w.user("panel_member")
    case_id = w.patient_case(secretary, CaseKind.PANEL_REFERRAL)
    return lambda: cases.assign_user(w.get(Case, case_id), w.get(User, member), actor=w.get(User, secretary))


@case("app.cases.services.assign_responsible")
def _(w):
    actor, colleague = w.user(), w.user()
    case_id = w.patient_case(actor)
    return lambda: cases.assign_responsible(w.get(Case, case_id), colleague, actor=w.get(User, actor))


@case("app.cases.documents.attach_document")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: documents.attach_document(w.get(Case, case_id), title="Epikrise", filename="epikrise.pdf",
                                             content=PDF, actor=w.get(User, actor))


@case("app.cases.documents.add_version")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    document_id = documents.attach_document(w.get(Case, case_id), title="Notat", filename="notat.txt",
                                            content=b"Versjon 1", actor=w.get(User, actor)).id
    db.session.commit()
    return lambda: documents.add_version(w.get(Document, document_id), filename="notat.txt", content=b"Versjon 2",
                                         actor=w.get(User, actor))


@case("app.cases.deadlines.set_deadline")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: deadlines.set_deadline(w.get(Case, case_id), kind="svarfrist",
                                          due_date=date.today() + timedelta(30), responsible_id=None,
                                          description="Svar til pasienten", actor=w.get(User, actor))


def _deadline(w, actor: int) -> int:
    deadline = deadlines.set_deadline(w.get(Case, w.patient_case(actor)), kind="svarfrist",
                                      due_date=date.today() + timedelta(30), responsible_id=None, description=None,
                                      actor=w.get(User, actor))
    db.session.commit()
    return deadline.id


@case("app.cases.deadlines.complete_deadline")
def _(w):
    actor = w.user()
    deadline_id = _deadline(w, actor)

    def call():
        deadline = w.get(Deadline, deadline_id)
        deadlines.complete_deadline(deadline, expected_version=deadline.version, actor=w.get(User, actor))
    return call


@case("app.cases.deadlines.close_deadline")
def _(w):
    actor = w.user()
    deadline_id = _deadline(w, actor)
    return lambda: deadlines.close_deadline(deadline_id, actor=w.get(User, actor))


@case("app.cases.services.record_review")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    return lambda: cases.record_review(w.get(Case, case_id), "case", case_id, subject="Ny beslutning i Nye Metoder",
                                       flag="Ny beslutning i Nye Metoder for ID2024_090.", note="Ingen endring.",
                                       actor=w.get(User, actor))


@case("app.cases.services.archive_posts")
def _(w):
    actor = w.user()
    case_id = w.patient_case(actor)
    cases.add_journal_entry(w.get(Case, case_id), entry_type=JournalEntryType.NOTE, title="Notat",
                            actor=w.get(User, actor))
    db.session.commit()
    return lambda: cases.archive_posts(w.get(Case, case_id), w.get(User, actor))


# Nye Metoder

@case("app.methods.services.register_method")
def _(w):
    actor = w.user("methods_secretariat")
    return lambda: methods.register_method(new_method("Robotassistert kirurgi", date(2025, 2, 3),
                                                      organisation="Helse Bergen"), actor=w.get(User, actor))


@case("app.methods.services.register_method[imported ID]")
def _(w):
    actor = w.user("methods_secretariat")
    return lambda: methods.register_method(new_method(
        "Legemiddel X", date(2019, 2, 3), method_type=MethodType.DRUG, reference="ID2019_004A",
        submission_kind=SubmissionKind.REQUEST, organisation="Leverandør AS"), actor=w.get(User, actor))


@case("app.methods.services.update_method")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)

    def call():
        method = w.get(Method, method_id)
        methods.update_method(method, MethodDetails(title="Endoskopisk ryggkirurgi (ny tittel)",
                                                    method_type=MethodType.PROCEDURE, subject_areas=("Nevrologi",),
                                                    indication="Prolaps"),
                              expected_version=method.version, actor=w.get(User, actor))
    return call


@case("app.methods.services.change_status")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.change_status(w.get(Method, method_id), StatusChange(
        MethodStatus.SUITABILITY, date(2024, 4, 2), comment="Egnethetsvurdering bestilt"), actor=w.get(User, actor))


@case("app.methods.services.set_status_by_hand")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.set_status_by_hand(w.get(Method, method_id), StatusChange(
        MethodStatus.OPEN_FOR_INPUT, date(2024, 4, 2)), actor=w.get(User, actor))


@case("app.methods.services.follow_record")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.follow_record(w.get(Method, method_id), MethodStatus.SUITABILITY, date(2024, 4, 2),
                                         comment="Egnethetsvurdering registrert", actor=w.get(User, actor))


@case("app.methods.services.add_submission")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.add_submission(w.get(Method, method_id), NewSubmission(
        kind=SubmissionKind.REQUEST, organisation="Leverandør AS", received_on=date(2024, 4, 2)),
        actor=w.get(User, actor))


@case("app.methods.services.add_input")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.add_input(w.get(Method, method_id), NewInput(
        sender="Pasientforeningen", received_on=date(2024, 4, 2), summary="Støtter forslaget."),
        actor=w.get(User, actor))


@case("app.methods.services.add_comment")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.add_comment(w.get(Method, method_id), text="Avventer svar fra FHI.",
                                       actor=w.get(User, actor))


@case("app.methods.services.create_meeting")
def _(w):
    actor = w.user("methods_secretariat")
    return lambda: methods.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2024, 5, 27),
                                                      proposal_deadline=date(2024, 5, 1),
                                                      input_deadline=date(2024, 5, 10)), actor=w.get(User, actor))


@case("app.methods.services.add_agenda_item")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    meeting_id = w.meeting(actor, Forum.BESTILLERFORUM, date(2024, 5, 27))
    return lambda: methods.add_agenda_item(w.get(Meeting, meeting_id), agenda_item(w.get(Method, method_id)),
                                           actor=w.get(User, actor))


@case("app.methods.services.take_up_again")
def _(w):
    actor = w.user("methods_secretariat")
    item_id = w.agenda_item(actor, w.method(actor), Forum.BESTILLERFORUM, date(2024, 5, 27))
    later_id = w.meeting(actor, Forum.BESTILLERFORUM, date(2024, 6, 24))
    return lambda: methods.take_up_again(w.get(Meeting, later_id), w._item(item_id), actor=w.get(User, actor))


@case("app.methods.services.remove_agenda_item")
def _(w):
    actor = w.user("methods_secretariat")
    item_id = w.agenda_item(actor, w.method(actor), Forum.BESTILLERFORUM, date(2024, 5, 27))
    return lambda: methods.remove_agenda_item(w._item(item_id), actor=w.get(User, actor), today=date(2024, 5, 1))


@case("app.methods.meeting_papers.file_paper")
def _(w):
    actor = w.user("methods_secretariat")
    item_id = w.agenda_item(actor, w.method(actor), Forum.BESTILLERFORUM, date(2024, 5, 27))
    return lambda: meeting_papers.file_paper(w._item(item_id).meeting, MeetingPaperKind.NOTICE, pdf=PDF,
                                             published=True, actor=w.get(User, actor), today=date(2024, 5, 20))


@case("app.methods.services.record_ordering_decision")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    item_id = w.agenda_item(actor, method_id, Forum.BESTILLERFORUM, date(2024, 5, 27))
    return lambda: methods.record_ordering_decision(
        w.get(Method, method_id), ordering_decision(w._item(item_id), OrderingKind.FULL_HTA,
                                                    decided_on=date(2024, 5, 27), due_on=date(2025, 5, 27)),
        actor=w.get(User, actor))


@case("app.methods.services.add_report")
def _(w):
    actor = w.user("methods_secretariat")
    commission_id = w.commission(actor)
    return lambda: methods.add_report(w.get(Commission, commission_id), NewReport(
        title="Fullstendig metodevurdering", delivered_on=date(2024, 12, 2)), actor=w.get(User, actor))


@case("app.methods.services.publish_report")
def _(w):
    actor = w.user("methods_secretariat")
    commission = w.get(Commission, w.commission(actor))
    document = documents.attach_document(w.get(Case, commission.method.case_id), title="Rapport",
                                         filename="rapport.pdf", content=PDF, actor=w.get(User, actor))
    report_id = methods.add_report(commission, NewReport(title="Fullstendig metodevurdering",
                                                         delivered_on=date(2024, 12, 2), document_id=document.id),
                                   actor=w.get(User, actor)).id
    db.session.commit()
    return lambda: methods.publish_report(w.get(CommissionReport, report_id), actor=w.get(User, actor))


@case("app.methods.services.add_price_note")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: methods.add_price_note(w.get(Method, method_id), NewPriceNote(
        received_on=date(2024, 6, 1), content="Konfidensiell pris."), actor=w.get(User, actor))


@case("app.methods.services.record_forum_decision")
def _(w):
    """The decision is signalled to the panel and to treatment abroad, which flag their open cases on the
    method in the same unit of work."""
    secretary, panel_secretary, caseworker = (w.user("methods_secretariat"), w.user("panel_secretariat"),
                                              w.user("abroad_caseworker"))
    method_id = w.method(secretary, MethodStatus.FOR_DECISION)
    reference = w.get(Method, method_id).reference
    item_id = w.agenda_item(secretary, method_id, Forum.BESLUTNINGSFORUM, date(2025, 6, 16))
    panel.add_item(w.get(Referral, w.referral(panel_secretary)), factories.panel_item(
        question=2, treatment="Behandling X", classification=Classification.ESTABLISHED, method_reference=reference),
        actor=w.get(User, panel_secretary))
    db.session.commit()
    w.application(caseworker, method_reference=reference)
    return lambda: methods.record_forum_decision(
        w.get(Method, method_id), forum_decision(w._item(item_id), date(2025, 6, 16), DecisionOutcome.NOT_INTRODUCED,
                                                 points=["Metoden innføres ikke."]), actor=w.get(User, secretary))


@case("app.methods.services.add_follow_up")
def _(w):
    actor = w.user("methods_secretariat")
    decision_id = w.forum_decision(actor)
    return lambda: methods.add_follow_up(w.get(ForumDecision, decision_id), follow_up(
        "Arbeidsgruppe", "RHF-ene", date(2025, 11, 1), members=[{"name": "Anne", "role": "Leder"}],
        mandate_questions=["Hvem?"]), actor=w.get(User, actor))


@case("app.methods.services.close_follow_up")
def _(w):
    actor = w.user("methods_secretariat")
    assignment_id = methods.add_follow_up(w.get(ForumDecision, w.forum_decision(actor)),
                                          follow_up("Arbeidsgruppe", "RHF-ene", date(2025, 11, 1)),
                                          actor=w.get(User, actor)).id
    db.session.commit()

    def call():
        assignment = w.get(FollowUpAssignment, assignment_id)
        methods.close_follow_up(assignment, status="delivered", expected_version=assignment.version,
                                actor=w.get(User, actor))
    return call


def _working_group(w, actor: int) -> int:
    method = w.get(Method, w.method(actor))
    group = working_groups.create_working_group(WorkingGroupDetails(
        title="Arbeidsgruppe", references=(method.reference,), reports_to=working_groups.APPROVING_BODY,
        approved_on=date(2025, 4, 28), questions=(ReportQuestion("Samlet kapasitetsbehov"),)),
        actor=w.get(User, actor))
    working_groups.add_member(group, NewMember("Ingrid Fjell", MemberRole.LEADER), actor=w.get(User, actor))
    db.session.commit()
    return group.id


@case("app.methods.working_groups.create_working_group")
def _(w):
    actor = w.user("methods_secretariat")
    reference = w.get(Method, w.method(actor)).reference
    return lambda: working_groups.create_working_group(WorkingGroupDetails(
        title="Arbeidsgruppe", references=(reference,), reports_to=working_groups.APPROVING_BODY),
        actor=w.get(User, actor))


@case("app.methods.working_groups.update_working_group")
def _(w):
    actor = w.user("methods_secretariat")
    group_id = _working_group(w, actor)
    other = w.get(Method, w.method(actor)).reference

    def call():
        group = w.get(WorkingGroup, group_id)
        working_groups.update_working_group(group, WorkingGroupDetails(
            title="Ny tittel", references=(group.methods[0].reference, other), reports_to="Fagdirektørene",
            questions=(ReportQuestion("Samlet kapasitetsbehov"),)),
            expected_version=group.version, actor=w.get(User, actor))
    return call


@case("app.methods.working_groups.add_member")
def _(w):
    actor = w.user("methods_secretariat")
    group_id = _working_group(w, actor)
    return lambda: working_groups.add_member(w.get(WorkingGroup, group_id), NewMember(
        "Lars Haugen", MemberRole.MEMBER, nominated_by=NominatingBody.PROFESSIONAL), actor=w.get(User, actor))


@case("app.methods.working_groups.remove_member")
def _(w):
    actor = w.user("methods_secretariat")
    group_id = _working_group(w, actor)
    return lambda: working_groups.remove_member(w.get(WorkingGroup, group_id).members[0], actor=w.get(User, actor))


@case("app.methods.working_groups.record_report")
def _(w):
    actor = w.user("methods_secretariat")
    group_id = _working_group(w, actor)

    def call():
        group = w.get(WorkingGroup, group_id)
        working_groups.record_report(group, ReportAnswers((("1", "Tre roboter til."),), date(2025, 10, 30)),
                                     expected_version=group.version, actor=w.get(User, actor))
    return call


@case("app.methods.services.update_minutes")
def _(w):
    actor = w.user("methods_secretariat")
    meeting_id = w.meeting(actor, Forum.BESTILLERFORUM, date(2024, 5, 27))

    def call():
        meeting = w.get(Meeting, meeting_id)
        methods.update_minutes(meeting, minutes="Referat fra møtet.", expected_version=meeting.version,
                               actor=w.get(User, actor))
    return call


@case("app.methods.assessment_services.save_assessment")
def _(w):
    actor = w.user("methods_secretariat")
    method_id = w.method(actor)
    return lambda: assessments.save_assessment(
        w.get(Method, method_id), AssessmentChanges(summary="Kort om metoden.", recommendation="1",
                                                    recommended_aspects=["effekt"]),
        expected_version=None, actor=w.get(User, actor))


@case("app.methods.assessment_services.save_assessment[update]")
def _(w):
    actor = w.user("methods_secretariat")
    assessment_id = w.assessment(actor)

    def call():
        assessment = w.get(SuitabilityAssessment, assessment_id)
        assessments.save_assessment(assessment.method, AssessmentChanges(summary="Oppdatert.", document_version="1.1"),
                                    expected_version=assessment.version, actor=w.get(User, actor))
    return call


@case("app.methods.assessment_services.add_trial")
def _(w):
    actor = w.user("methods_secretariat")
    assessment_id = w.assessment(actor)
    return lambda: assessments.add_trial(w.get(SuitabilityAssessment, assessment_id), TRIAL, actor=w.get(User, actor))


def _trial_call(function, w, trial_id: int, actor: int, **kwargs):
    """update_trial/remove_trial, with the trial's version when the function takes one."""
    trial = w.get(OngoingTrial, trial_id)
    if "expected_version" in inspect.signature(function).parameters:
        kwargs["expected_version"] = trial.version
    return function(trial, actor=w.get(User, actor), **kwargs)


@case("app.methods.assessment_services.update_trial")
def _(w):
    actor = w.user("methods_secretariat")
    trial_id = w.trial(actor)
    return lambda: _trial_call(assessments.update_trial, w, trial_id, actor,
                               row=replace(TRIAL, participants="240", country="Danmark"))


@case("app.methods.assessment_services.remove_trial")
def _(w):
    actor = w.user("methods_secretariat")
    trial_id = w.trial(actor)
    return lambda: _trial_call(assessments.remove_trial, w, trial_id, actor)


@case("app.methods.assessment_services.add_reference")
def _(w):
    actor = w.user("methods_secretariat")
    assessment_id = w.assessment(actor)
    return lambda: assessments.add_reference(w.get(SuitabilityAssessment, assessment_id),
                                             ReferenceRow("Golan et al. 2023.", "10.1186/s13018-023-03547-x"),
                                             actor=w.get(User, actor))


@case("app.methods.assessment_services.update_reference")
def _(w):
    actor = w.user("methods_secretariat")
    entry_id = w.reference(actor)

    def call():
        entry = w.get(AssessmentReference, entry_id)
        assessments.update_reference(entry, ReferenceRow("Golan DJ et al. 2023."), expected_version=entry.version,
                                     actor=w.get(User, actor))
    return call


@case("app.methods.assessment_services.move_reference")
def _(w):
    actor = w.user("methods_secretariat")
    entry_id = w.reference(actor)
    return lambda: assessments.move_reference(w.get(AssessmentReference, entry_id), -1, actor=w.get(User, actor))


@case("app.methods.assessment_services.remove_reference")
def _(w):
    actor = w.user("methods_secretariat")
    entry_id = w.reference(actor)
    return lambda: assessments.remove_reference(w.get(AssessmentReference, entry_id), actor=w.get(User, actor))


# The expert panel

@case("app.panel.services.review_method_flag")
def _(w):
    secretary = w.user("panel_secretariat")
    referral_id = w.referral(secretary)
    w.get(Referral, referral_id).flag = "Ny beslutning i Nye Metoder for ID2024_090."
    db.session.commit()
    return lambda: panel.review_method_flag(w.get(Referral, referral_id), "Brev til sykehuset.",
                                            actor=w.get(User, secretary))


@case("app.panel.services.register_referral")
def _(w):
    actor = w.user("panel_secretariat")
    return lambda: panel.register_referral(REFERRAL, actor=w.get(User, actor), today=date(2026, 10, 2))


@case("app.panel.services.save_member")
def _(w):
    actor, login = w.user("panel_secretariat"), w.user("panel_member")
    member = factories.panel_member(name="Per Panel", term_start=date(2026, 1, 1), user_id=login)
    return lambda: panel.save_member(None, member, actor=w.get(User, actor))


@case("app.panel.services.save_member[update]")
def _(w):
    actor = w.user("panel_secretariat")
    member_id = w.member(actor, with_login=False)

    def call():
        member = w.get(PanelMember, member_id)
        panel.save_member(member, factories.panel_member(
            name=member.name, specialty="Hematologi", hospital=member.hospital,
            appointing_region=member.appointing_region, term_start=member.term_start, term_end=date(2029, 12, 31)),
            actor=w.get(User, actor), expected_version=member.version)
    return call


@case("app.panel.services.assign_member")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id, member_id = w.referral(actor), w.member(actor)
    return lambda: panel.assign_member(w.get(Referral, referral_id), w.get(PanelMember, member_id),
                                       actor=w.get(User, actor))


@case("app.panel.services.add_expert")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.referral(actor)
    expert = factories.panel_expert(specialty="Gynekologisk kreft")
    return lambda: panel.add_expert(w.get(Referral, referral_id), expert, actor=w.get(User, actor))


@case("app.panel.services.save_answer")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.referral(actor)
    return lambda: panel.save_answer(w.get(Referral, referral_id), factories.panel_answer(
        1, findings="Etablert behandling er gitt.", advice="Ingen videre etablert behandling."),
        actor=w.get(User, actor))


@case("app.panel.services.add_item")
def _(w):
    secretary, methods_secretary = w.user("panel_secretariat"), w.user("methods_secretariat")
    referral_id = w.referral(secretary)
    reference = w.get(Method, w.method(methods_secretary)).reference
    return lambda: panel.add_item(w.get(Referral, referral_id), factories.panel_item(
        question=2, treatment="PARP-hemmer i studie", classification=Classification.CLINICAL_TRIAL,
        advice=Advice.NOT_RECOMMENDED, method_reference=reference, registry_id="NCT06719037", country="Sverige"),
        actor=w.get(User, secretary))


@case("app.panel.services.withdraw_item")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.referral(actor)
    item_id = panel.add_item(w.get(Referral, referral_id), factories.panel_item(
        question=2, treatment="Behandling X", classification=Classification.ESTABLISHED,
        advice=Advice.NOT_RECOMMENDED), actor=w.get(User, actor)).id
    db.session.commit()
    return lambda: panel.withdraw_item(w.get(Referral, referral_id), w.get(TreatmentItem, item_id),
                                       factories.panel_withdrawal("Feilregistrert."), actor=w.get(User, actor))


@case("app.panel.services.send_statement")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.answered_referral(actor)
    panel.approve_statement(w.get(Referral, referral_id), actor=w.get(User, actor))
    db.session.commit()
    return lambda: panel.send_statement(w.get(Referral, referral_id), factories.panel_statement(
        sent_on=date(2026, 10, 10), summary="Samlet råd.",
        outcome=Outcome.STUDY_ABROAD), actor=w.get(User, actor), pdf=PDF)


@case("app.panel.services.end_referral")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.referral(actor)
    return lambda: panel.end_referral(w.get(Referral, referral_id), factories.panel_refusal(ended_on=date(2026, 10, 5)),
                                      actor=w.get(User, actor), pdf=PDF, today=date(2026, 10, 6))


def _panel_report_2025():
    from app.panel.statistics import build_report
    from app.reports.registry import ReportRequest

    return build_report(ReportRequest(year=2025), lambda *_: None)


@case("app.reports.publishing.publish_report")
def _(w):
    from app.reports.registry import get_kind

    actor = w.user("panel_secretariat")
    return lambda: publishing.publish_report(get_kind("panel"), _panel_report_2025(), w.get(User, actor), None,
                                             today=TODAY)


@case("app.reports.publishing.publish")
def _(w):
    from app.reports.orders import Order
    from app.reports.registry import get_kind

    class FinishedJob:
        """A finished report job as the queue holds it."""

        @staticmethod
        def return_value():
            return {"report": _panel_report_2025(), "files": {}}

    actor = w.user("panel_secretariat")
    order = Order(id=1, kind=get_kind("panel"), year=2025, region=None, notes={}, user_id=actor, ordered_at=utcnow(),
                  state="finished", percent=100, step="Ferdig", error=None, job=FinishedJob())
    return lambda: publishing.publish(order, w.get(User, actor), None, today=TODAY)


@case("app.panel.services.approve_statement")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.answered_referral(actor)
    return lambda: panel.approve_statement(w.get(Referral, referral_id), actor=w.get(User, actor))


@case("app.panel.services.add_contribution")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id, member_user_id = w.member_on_referral(actor)
    return lambda: panel.add_contribution(w.get(Referral, referral_id), factories.panel_contribution(),
                                          actor=w.get(User, member_user_id))


@case("app.panel.services.adopt_draft")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id, member_user_id = w.member_on_referral(actor)
    contribution_id = panel.add_contribution(w.get(Referral, referral_id), factories.panel_contribution(),
                                             actor=w.get(User, member_user_id)).id
    db.session.commit()
    return lambda: panel.adopt_draft(w.get(Referral, referral_id), w.get(Contribution, contribution_id),
                                     actor=w.get(User, actor))


@case("app.panel.services.record_feedback")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.statement_sent(actor)
    return lambda: panel.record_feedback(w.get(Referral, referral_id), factories.panel_feedback(
        received_on=date(2026, 10, 20), summary="Pasienten er inkludert i studien."), actor=w.get(User, actor))


@case("app.panel.services.add_principled_question")
def _(w):
    actor = w.user("panel_secretariat")
    referral_id = w.referral(actor)
    return lambda: panel.add_principled_question(w.get(Referral, referral_id), factories.panel_principled_question(
        text="Dekning av studiedeltakelse", raised_on=date(2026, 10, 5)), actor=w.get(User, actor))


@case("app.panel.services.flag_referrals_for_method")
def _(w):
    secretary, methods_secretary = w.user("panel_secretariat"), w.user("methods_secretariat")
    reference = w.get(Method, w.method(methods_secretary)).reference
    panel.add_item(w.get(Referral, w.referral(secretary)), factories.panel_item(
        question=2, treatment="Behandling X", classification=Classification.ESTABLISHED,
        advice=Advice.NOT_RECOMMENDED, method_reference=reference), actor=w.get(User, secretary))
    db.session.commit()
    return lambda: panel.flag_referrals_for_method(reference)


# Treatment abroad

@case("app.abroad.services.record_experimental_basis")
def _(w):
    actor = w.user()
    application_id = w.application(actor, treatment_class=TreatmentClass.TRIAL)

    def call():
        application = w.get(Application, application_id)
        abroad.record_experimental_basis(application, ExperimentalBasis(trial_registry_id="NCT06719037"),
                                         expected_version=application.version, actor=w.get(User, actor))
    return call


@case("app.abroad.services.review_method_flag")
def _(w):
    actor = w.user()
    application_id = w.application(actor)
    w.get(Application, application_id).flag = "Ny beslutning i Nye Metoder for ID2024_090."
    db.session.commit()
    return lambda: abroad.review_method_flag(w.get(Application, application_id), "Ingen endring.",
                                             actor=w.get(User, actor))


@case("app.abroad.services.file_letter")
def _(w):
    actor = w.user()
    application_id = w.application(actor)

    def call():
        application = w.get(Application, application_id)
        abroad.file_letter(application, w.get(Case, application.case_id), title="Brev til pasienten",
                           document_title="Brev", filename="brev", dated=TODAY, letter=b"%PDF-1.7 brev",
                           actor=w.get(User, actor))
    return call


@case("app.abroad.services.register_application")
def _(w):
    actor = w.user()
    return lambda: abroad.register_application(abroad_application(**APPLICATION), actor=w.get(User, actor),
                                               today=TODAY)


@case("app.abroad.services.request_opinion")
def _(w):
    actor = w.user()
    application_id = w.application(actor)
    return lambda: abroad.request_opinion(w.get(Application, application_id), OPINION, actor=w.get(User, actor),
                                          today=TODAY)


@case("app.abroad.services.record_opinion")
def _(w):
    actor = w.user()
    opinion_id = w.opinion(actor)

    def call():
        opinion = w.get(MedicalOpinion, opinion_id)
        kwargs = {"expected_version": opinion.version} if "expected_version" in inspect.signature(
            abroad.record_opinion).parameters else {}
        abroad.record_opinion(opinion, abroad_opinion_received(conclusion="Ikke tilgjengelig i Norge."),
                              actor=w.get(User, actor), today=TODAY, **kwargs)
    return call


@case("app.abroad.services.decide")
def _(w):
    actor = w.user()
    opinion_id = w.opinion(actor)   # its open deadline is closed by the decision
    application_id = w.get(MedicalOpinion, opinion_id).application_id
    grant = abroad_decision(Decision.GRANTED, decided_on=date(2026, 9, 20), reasoning="Begrunnelse.")
    return lambda: abroad.decide(w.get(Application, application_id), grant, actor=w.get(User, actor), letter=PDF,
                                 today=TODAY)


@case("app.abroad.services.decide[partial]")
def _(w):
    actor = w.user()
    application_id = w.application(actor)
    partial = abroad_decision(Decision.PARTIAL, decided_on=date(2026, 9, 20), reasoning="Begrunnelse.", parts=(
        PartDecision(item=DecisionItem.TREATMENT, granted=True),
        PartDecision(item=DecisionItem.COMPANION, granted=False, reason="Ikke nødvendig."),
        PartDecision(item=DecisionItem.HOSPITAL, granted=False, reason="Kortere ventetid.",
                     instead_hospital="Karolinska Universitetssjukhuset")))
    return lambda: abroad.decide(w.get(Application, application_id), partial, actor=w.get(User, actor), letter=PDF,
                                 today=TODAY)


@case("app.abroad.services.decide[withdrawn]")
def _(w):
    actor = w.user()
    application_id = w.application(actor)
    return lambda: abroad.decide(w.get(Application, application_id),
                                 abroad_decision(Decision.WITHDRAWN, decided_on=date(2026, 9, 20), legal_basis=None,
                                                 reasoning=None),
                                 actor=w.get(User, actor), letter=None, today=TODAY)


@case("app.abroad.letters.decide_with_letter")
def _(w):
    actor = w.user()
    application_id = w.application(actor)

    def call():
        application = w.get(Application, application_id)
        abroad_letters.decide_with_letter(w.get(Case, application.case_id), application, abroad_decision(
            Decision.DENIED, decided_on=date(2026, 9, 20), reasoning="Tilbudet i Norge er forsvarlig."),
            actor=w.get(User, actor))
    return call


@case("app.abroad.services.plan_treatment")
def _(w):
    actor = w.user()
    application_id = w.decided(actor, Decision.GRANTED)

    def call():
        application = w.get(Application, application_id)
        abroad.plan_treatment(application, abroad_plan(planned_start=date(2026, 10, 1), planned_end=date(2026, 10, 10),
                                                       travel_arrangements="Fly", stay_arrangements="Hotell",
                                                       companion="Ektefelle"),
                              expected_version=application.version, actor=w.get(User, actor))
    return call


@case("app.abroad.services.complete_treatment")
def _(w):
    actor = w.user()
    application_id = w.decided(actor, Decision.GRANTED)
    application = w.get(Application, application_id)
    abroad.plan_treatment(application, abroad_plan(), expected_version=application.version, actor=w.get(User, actor))
    db.session.commit()

    def call():
        application = w.get(Application, application_id)
        abroad.complete_treatment(application, expected_version=application.version, actor=w.get(User, actor))
    return call


@case("app.abroad.services.add_cost")
def _(w):
    actor = w.user()
    application_id = w.decided(actor, Decision.GRANTED)
    return lambda: abroad.add_cost(w.get(Application, application_id), abroad_cost(
        entry_date=date(2026, 10, 2), category=CostCategory.TREATMENT, amount="10000", currency="DKK",
        exchange_rate="1.6", invoice_reference="F-1"), actor=w.get(User, actor), today=TODAY)


@case("app.abroad.services.reverse_cost")
def _(w):
    actor = w.user()
    application_id = w.decided(actor, Decision.GRANTED)
    cost_id = abroad.add_cost(w.get(Application, application_id), abroad_cost(
        entry_date=date(2026, 10, 2), invoice_reference="F-1"), actor=w.get(User, actor), today=TODAY).id
    db.session.commit()
    return lambda: abroad.reverse_cost(w.get(CostEntry, cost_id), CostReversal(reason="Feil faktura."),
                                       actor=w.get(User, actor))


@case("app.abroad.services.correct_application")
def _(w):
    """A decided fact: the correction writes the application, a note on the decision and the audit row."""
    actor = w.user()
    application_id = w.decided(actor, Decision.GRANTED)

    def call():
        application = w.get(Application, application_id)
        abroad.correct_application(application, abroad_correction(application, icd10="O43.1"),
                                   expected_version=application.version, actor=w.get(User, actor), today=TODAY)
    return call


@case("app.abroad.services.correct_opinion")
def _(w):
    actor = w.user()
    opinion_id = w.opinion(actor)

    def call():
        opinion = w.get(MedicalOpinion, opinion_id)
        abroad.correct_opinion(opinion, abroad_opinion_correction(opinion, question="Er behandlingen nødvendig?"),
                               expected_version=opinion.version, actor=w.get(User, actor), today=TODAY)
    return call


@case("app.abroad.services.register_appeal")
def _(w):
    actor = w.user()
    application_id = w.decided(actor, Decision.DENIED)
    return lambda: abroad.register_appeal(w.get(Application, application_id),
                                          abroad_appeal(grounds="Uenig i vurderingen."),
                                          actor=w.get(User, actor), today=TODAY)


@case("app.abroad.services.assess_late_appeal")
def _(w):
    actor = w.user()
    appeal_id = w.appeal(actor, received_on=date(2026, 11, 15))
    return lambda: abroad.assess_late_appeal(w.get(Appeal, appeal_id), abroad_late_assessment(
        False, assessment="Ingen grunn til å se bort fra fristen."), actor=w.get(User, actor), letter=PDF,
        today=TODAY)


@case("app.abroad.letters.assess_late_with_letter")
def _(w):
    actor = w.user()
    appeal_id = w.appeal(actor, received_on=date(2026, 11, 15))

    def call():
        appeal = w.get(Appeal, appeal_id)
        abroad_letters.assess_late_with_letter(w.get(Case, appeal.case_id), appeal, abroad_late_assessment(
            False, assessment="Ingen grunn til å se bort fra fristen."), actor=w.get(User, actor), today=TODAY)
    return call


@case("app.abroad.services.withdraw_appeal")
def _(w):
    actor = w.user()
    appeal_id = w.forwarded_appeal(actor)
    return lambda: abroad.withdraw_appeal(w.get(Appeal, appeal_id), AppealWithdrawal(
        withdrawn_on=date(2026, 11, 2), file=Upload("trekk.txt", b"Jeg trekker klagen.")), actor=w.get(User, actor),
        today=TODAY)


@case("app.abroad.services.reconsider")
def _(w):
    actor = w.user()
    appeal_id = w.appeal(actor)
    return lambda: abroad.reconsider(w.get(Appeal, appeal_id), FORWARDED, actor=w.get(User, actor),
                                     letter=PDF, today=TODAY)


@case("app.abroad.services.reconsider[reversed]")
def _(w):
    actor = w.user()
    appeal_id = w.appeal(actor)
    return lambda: abroad.reconsider(w.get(Appeal, appeal_id), abroad_reconsideration(
        OfficeOutcome.REVERSED, decided_on=date(2026, 10, 5), reasoning="Ny dokumentasjon."),
        actor=w.get(User, actor), letter=b"%PDF-1.7", today=TODAY)


@case("app.abroad.letters.reconsider_with_letter")
def _(w):
    actor = w.user()
    appeal_id = w.appeal(actor)

    def call():
        appeal = w.get(Appeal, appeal_id)
        abroad_letters.reconsider_with_letter(w.get(Case, appeal.case_id), appeal, FORWARDED,
                                              actor=w.get(User, actor))
    return call


@case("app.abroad.services.record_board_decision")
def _(w):
    actor = w.user()
    appeal_id = w.forwarded_appeal(actor)
    return lambda: abroad.record_board_decision(w.get(Appeal, appeal_id), abroad_board_decision(
        BoardOutcome.REVERSED, decided_on=date(2026, 10, 20), board_reference="KN-2026-17"),
        actor=w.get(User, actor), today=TODAY)


@case("app.abroad.services.record_board_decision[quashed]")
def _(w):
    actor = w.user()
    appeal_id = w.forwarded_appeal(actor)
    return lambda: abroad.record_board_decision(w.get(Appeal, appeal_id), abroad_board_decision(
        BoardOutcome.QUASHED, decided_on=date(2026, 10, 20), summary="Ikke godt nok opplyst.",
        new_decision_due_on=date(2026, 12, 18)), actor=w.get(User, actor), today=TODAY)


@case("app.abroad.services.flag_applications_for_method")
def _(w):
    caseworker, secretary = w.user(), w.user("methods_secretariat")
    reference = w.get(Method, w.method(secretary)).reference
    w.application(caseworker, method_reference=reference)
    return lambda: abroad.flag_applications_for_method(reference)


# The bulk import: its writes are bulk statements, each a write point

@case("app.abroad.importing.run_import")
def _(w):
    actor = w.user()
    data = to_csv(application_rows(12))
    return lambda: importing.run_import("applications", data, "import.csv", actor=w.get(User, actor), today=TODAY)


@case("app.abroad.importing.run_import[costs]")
def _(w):
    w.imported_applications()
    data = to_csv([{"application_reference": "GRANTED", "date": "2020-03-01", "category": "treatment",
                    "amount_nok": "125000"}], COST_COLUMNS)
    return lambda: importing.run_import("costs", data, "kostnader.csv", actor=None, today=TODAY)


@case("app.abroad.importing.run_import[appeals]")
def _(w):
    w.imported_applications()
    data = to_csv([{"application_reference": "DENIED", "received_date": "2020-03-10", "office_outcome": "reversed",
                    "office_decision_date": "2020-03-20", "board_outcome": "", "board_decision_date": ""}],
                  APPEAL_COLUMNS)
    return lambda: importing.run_import("appeals", data, "klager.csv", actor=None, today=TODAY)


@case("app.abroad.importing.import_file")
def _(w):
    actor = w.user()
    data = to_csv(application_rows(5))
    return lambda: importing.import_file("applications", data, "import.csv", actor=w.get(User, actor), today=TODAY)


@case("app.abroad.importing.import_table")
def _(w):
    actor = w.user()
    table = importing.read_table(to_csv(application_rows(5)), "import.csv")
    return lambda: importing.import_table("applications", table, actor=w.get(User, actor), today=TODAY)


# Accounts, login sessions and API tokens

@case("app.auth.services.create_user")
def _(w):
    admin = w.user("admin")
    return lambda: accounts.create_user(email="ny@test.example", name="Ny Bruker", role=Role.ANALYST, office=None,
                                        password=PASSWORD, actor=w.get(User, admin))


@case("app.auth.services.authenticate")
def _(w):
    """A failed login is logged at once (record_access commits), even when the request fails later."""
    user = w.user()
    email = w.get(User, user).email
    return lambda: accounts.authenticate(email, "feil-passord-helt-sikkert")


@case("app.auth.services.start_session")
def _(w):
    user = w.user()
    return lambda: accounts.start_session(w.get(User, user))


def _logged_in(w, user_id: int) -> tuple[int, str]:
    user = w.get(User, user_id)
    token = accounts.start_session(user)
    db.session.commit()
    return user.current_session.id, token


def _with_session(w, user_id: int, session_id: int) -> User:
    user = w.get(User, user_id)
    user.current_session = w.get(UserSession, session_id)
    return user


@case("app.auth.services.end_session")
def _(w):
    user = w.user()
    session_id, _token = _logged_in(w, user)
    return lambda: accounts.end_session(_with_session(w, user, session_id))


@case("app.auth.services.end_all_sessions")
def _(w):
    user = w.user()
    _logged_in(w, user)
    _logged_in(w, user)
    return lambda: accounts.end_all_sessions(w.get(User, user), "deactivated")


@case("app.auth.services.change_password")
def _(w):
    user = w.user()
    session_id, _token = _logged_in(w, user)
    _logged_in(w, user)   # another browser, ended by the change
    return lambda: accounts.change_password(_with_session(w, user, session_id), current_password=PASSWORD,
                                            new_password="et-helt-nytt-langt-passord")


@case("app.auth.services.reset_two_factor")
def _(w):
    admin, user = w.user("admin"), w.user()
    w.get(User, user).totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()
    _logged_in(w, user)
    return lambda: accounts.reset_two_factor(w.get(User, user), actor=w.get(User, admin))


@case("app.auth.services.end_sessions_by_admin")
def _(w):
    admin, user = w.user("admin"), w.user()
    _logged_in(w, user)
    return lambda: accounts.end_sessions_by_admin(w.get(User, user), actor=w.get(User, admin))


@case("app.auth.services.end_own_session")
def _(w):
    user = w.user()
    session_id, _token = _logged_in(w, user)
    return lambda: accounts.end_own_session(w.get(User, user), w.get(UserSession, session_id))


@case("app.auth.services.end_everyones_sessions")
def _(w):
    admin, user = w.user("admin"), w.user()
    _logged_in(w, user)
    return lambda: accounts.end_everyones_sessions(actor=w.get(User, admin))


@case("app.auth.services.set_active")
def _(w):
    admin, user = w.user("admin"), w.user()
    _logged_in(w, user)
    return lambda: accounts.set_active(w.get(User, user), False, actor=w.get(User, admin))


@case("app.auth.services.load_session_user")
def _(w):
    """A session seen more than a minute ago is touched (and committed) when it is used."""
    user = w.user()
    session_id, token = _logged_in(w, user)
    db.session.execute(update(UserSession).where(UserSession.id == session_id)
                       .values(last_seen_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    return lambda: accounts.load_session_user(token)


@case("app.auth.services.load_session_user[idle]")
def _(w):
    user = w.user()
    session_id, token = _logged_in(w, user)
    db.session.execute(update(UserSession).where(UserSession.id == session_id)
                       .values(last_seen_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    return lambda: accounts.load_session_user(token)


@case("app.auth.services.create_api_token")
def _(w):
    user = w.user()
    return lambda: accounts.create_api_token(w.get(User, user), name="Arkivuttrekk", days=30)


@case("app.auth.services.revoke_api_token")
def _(w):
    user = w.user()
    token_id = accounts.create_api_token(w.get(User, user), name="Arkivuttrekk")[0].id
    db.session.commit()
    return lambda: accounts.revoke_api_token(w.get(ApiToken, token_id), actor=w.get(User, user))


@case("app.auth.services.user_for_api_token")
def _(w):
    user = w.user()
    _token, secret = accounts.create_api_token(w.get(User, user), name="Arkivuttrekk")
    db.session.commit()
    return lambda: accounts.user_for_api_token(secret)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _with_second_factor(w, user: int) -> str:
    """Turn two-factor login on for `user`; returns the authenticator's secret."""
    w.get(User, user).totp_secret = TOTP_SECRET
    db.session.commit()
    return TOTP_SECRET


@case("app.auth.services.reauthenticate")
def _(w):
    """With a second factor: the code's step is the change (the attempt row is committed ahead)."""
    user = w.user()
    secret = _with_second_factor(w, user)
    session_id, _token = _logged_in(w, user)
    return lambda: accounts.reauthenticate(_with_session(w, user, session_id), password=PASSWORD,
                                           code=pyotp.TOTP(secret).now())


@case("app.auth.services.issue_api_token")
def _(w):
    user = w.user()
    return lambda: accounts.issue_api_token(w.get(User, user), name="Arkivuttrekk", days=30, password=PASSWORD)


@case("app.auth.services.revoke_api_tokens")
def _(w):
    admin, user = w.user("admin"), w.user()
    for name in ("Arkivuttrekk", "Rapport"):
        accounts.create_api_token(w.get(User, user), name=name)
    db.session.commit()
    return lambda: accounts.revoke_api_tokens(w.get(User, user), actor=w.get(User, admin), reason="revoked_by_admin")


@case("app.auth.services.start_pending_login")
def _(w):
    user = w.user()
    return lambda: accounts.start_pending_login(w.get(User, user), "/saker")


@case("app.auth.services.finish_pending_login")
def _(w):
    """A first login: the app is set up with the pending login's secret, and the pending login is used up."""
    user = w.user()
    accounts.start_pending_login(w.get(User, user), None)
    db.session.commit()

    def call():
        pending = db.session.scalars(select(PendingLogin).where(PendingLogin.user_id == user)).one()
        return accounts.finish_pending_login(pending, pyotp.TOTP(pending.setup_secret).now())
    return call


@case("app.auth.services.start_totp_setup")
def _(w):
    user = w.user()
    session_id, _token = _logged_in(w, user)
    return lambda: accounts.start_totp_setup(_with_session(w, user, session_id), password=PASSWORD)


@case("app.auth.services.finish_totp_setup")
def _(w):
    user = w.user()
    session_id, _token = _logged_in(w, user)
    _logged_in(w, user)   # another browser, ended by the change
    secret = TOTP_SECRET
    w.get(UserSession, session_id).totp_setup_secret = secret
    w.get(UserSession, session_id).totp_setup_at = utcnow()
    db.session.commit()
    return lambda: accounts.finish_totp_setup(_with_session(w, user, session_id), code=pyotp.TOTP(secret).now())


@case("app.auth.services.remove_two_factor")
def _(w):
    user = w.user()
    secret = _with_second_factor(w, user)
    session_id, _token = _logged_in(w, user)
    return lambda: accounts.remove_two_factor(_with_session(w, user, session_id), password=PASSWORD,
                                              code=pyotp.TOTP(secret).now())


@case("app.auth.services.invite_user")
def _(w):
    admin = w.user("admin")
    return lambda: accounts.invite_user(email="ny@test.example", name="Ny Bruker", role=Role.ANALYST, office=None,
                                        actor=w.get(User, admin))


@case("app.auth.services.issue_activation")
def _(w):
    """A second link: the first one ends."""
    admin = w.user("admin")
    user = accounts.invite_user(email="ny@test.example", name="Ny Bruker", role=Role.ANALYST, office=None,
                                actor=w.get(User, admin))[0].id
    db.session.commit()
    return lambda: accounts.issue_activation(w.get(User, user), actor=w.get(User, admin))


@case("app.auth.services.activate_account")
def _(w):
    admin = w.user("admin")
    _user, token = accounts.invite_user(email="ny@test.example", name="Ny Bruker", role=Role.ANALYST, office=None,
                                        actor=w.get(User, admin))
    db.session.commit()
    return lambda: accounts.activate_account(token, password="et-eget-langt-passord")


# The patient's access log (the admin)

def _access_log_request(w, admin: int) -> int:
    patient_id = w.get(Case, w.patient_case(w.user())).patient_id
    case = access_log.register_request(w.get(Patient, patient_id), name="Kari Nordmann", received_on=TODAY,
                                       address=cases.PartyAddress("Storgata 1", "0155", "Oslo"),
                                       actor=w.get(User, admin), today=TODAY)
    db.session.commit()
    return case.id


@case("app.admin.access_log.register_request")
def _(w):
    admin = w.user("admin")
    patient_id = w.get(Case, w.patient_case(w.user())).patient_id
    return lambda: access_log.register_request(
        w.get(Patient, patient_id), name="Kari Nordmann", received_on=TODAY,
        address=cases.PartyAddress("Storgata 1", "0155", "Oslo"), upload=("foresporsel.pdf", PDF),
        actor=w.get(User, admin), today=TODAY)


@case("app.admin.access_log.file_answer")
def _(w):
    admin = w.user("admin")
    case_id = _access_log_request(w, admin)
    letter = access_log.Letter("Innsyn i logg", Markup("<p>Loggen.</p>"), missing_address=False)
    return lambda: access_log.file_answer(w.get(Case, case_id), access_log.Period(TODAY, TODAY), letter,
                                          actor=w.get(User, admin), today=TODAY)


# The tests

@pytest.fixture
def world(app, app_ctx, monkeypatch):
    # Every faulted run leaves its login attempt counted (COMMITTED_AHEAD); the limit is tested elsewhere.
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "1000 per 15 minutes")
    # The letter pages' PDFs are not what is tested here: render a fixed one (the write path is the same).
    monkeypatch.setattr(abroad_letters, "pdf_from_html", lambda *_args, **_kwargs: PDF)
    monkeypatch.setattr(access_log, "pdf_from_html", lambda *_args, **_kwargs: PDF)
    return World()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_fault_at_any_write_point_leaves_the_database_as_it_was(name, world):
    call = CASES[name](world)
    assert_atomic(name, call)


def test_every_public_writing_service_function_has_a_fault_injection_case():
    covered = {covered_function(name) for name in CASES}
    public = set()
    for module_name in SERVICE_MODULES:
        module = importlib.import_module(module_name)
        public |= {f"{module_name}.{name}" for name, function in inspect.getmembers(module, inspect.isfunction)
                   if function.__module__ == module_name and not name.startswith("_")}
    assert sorted(public - covered - set(NOT_WRITING)) == [], "add a case above, or a reason to NOT_WRITING"
    assert sorted(covered & set(NOT_WRITING)) == []
    assert sorted((covered | set(NOT_WRITING)) - public) == [], "stale names: the function is gone or renamed"


def stored_files(root: Path) -> list[Path]:
    """The document files under a local storage directory (named by their SHA-256)."""
    return sorted(path for path in root.rglob("*") if path.is_file() and len(path.name) == 64)


def test_a_document_file_is_not_left_behind_when_its_unit_of_work_fails(world, app, tmp_path, monkeypatch):
    """Local file storage writes the file before the commit (so a committed version always has its file); a
    unit of work that fails afterwards must not leave a patient's document on disk that no record points to."""
    monkeypatch.setitem(app.config, "DOCUMENT_STORAGE", "local")
    monkeypatch.setitem(app.config, "DOCUMENT_DIR", str(tmp_path))
    actor = world.user()
    case_id = world.patient_case(actor)
    existing = documents.attach_document(world.get(Case, case_id), title="Tidligere", filename="brev.pdf",
                                         content=PDF, actor=world.get(User, actor)).id
    db.session.commit()

    def files() -> list[Path]:
        return stored_files(tmp_path)

    stored = files()
    assert len(stored) == 1

    def call():
        epicrisis = documents.attach_document(world.get(Case, case_id), title="Epikrise", filename="epikrise.txt",
                                              content=b"Epikrise for Kari Nordmann", actor=world.get(User, actor))
        # the same new content again (the unit's own file, used twice), then that of a stored file (shared)
        documents.add_version(epicrisis, filename="epikrise.txt", content=b"Epikrise for Kari Nordmann",
                              actor=world.get(User, actor))
        documents.add_version(world.get(Document, existing), filename="brev.pdf", content=PDF,
                              actor=world.get(User, actor))

    writes = 0
    for at in itertools.count(1):
        injector = FaultInjector(at)
        error = run_unit(call, injector)
        if not injector.fired:
            assert error is None
            break
        writes += 1
        assert files() == stored, f"a fault at write point {at} left a file behind"
    assert writes >= 2
    after = files()
    assert len(after) == 2 and set(stored) < set(after)
    version = world.get(Document, existing).current_version
    assert documents.read_version(version) == PDF


def test_a_new_file_another_transaction_has_used_since_is_kept(app, tmp_path):
    """Two uploads of the same content at the same time: the first one's rollback leaves the file for the
    second, which has committed a version that points to it."""
    storage = documents.LocalDirectoryStorage(tmp_path)
    content = b"Samme innhold, lastet opp to ganger"
    sha256 = hashlib.sha256(content).hexdigest()
    with app.app_context():
        db.session.connection()   # a transaction has begun
        storage.put(sha256, content)
        with app.app_context():   # another request, with its own session
            db.session.connection()
            storage.put(sha256, content)
            db.session.commit()
        db.session.rollback()
    assert stored_files(tmp_path) == [tmp_path / sha256[:2] / sha256[2:4] / sha256]
    assert storage.get(sha256) == content

    with app.app_context():
        db.session.connection()
        storage.put(hashlib.sha256(b"Bare denne").hexdigest(), b"Bare denne")
        db.session.rollback()
    assert len(stored_files(tmp_path)) == 1
