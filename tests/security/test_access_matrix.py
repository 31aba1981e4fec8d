"""The access matrix: every route of the web UI × {anonymous, each role, own and other office} × its
methods, against one declared table of who may use it, on the demo data. Someone outside the table gets
the login page (anonymous) or 403/404; someone in it is not refused. A new route without an entry fails
the guard. The JSON API is in the same table: its principals send their own API token instead of a session
(anonymous sends none), and an empty JSON body, so a 422 means the request got past the access check."""
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, update

from app.abroad import services as abroad_services
from app.abroad.commands import PhraseText
from app.abroad.models import Appeal, Application, CostEntry, ForeignHospital, HospitalName, MedicalOpinion
from app.admin import access_log
from app.auth import services as account_services
from app.auth.models import ApiToken, User
from app.cases import patient_facts
from app.cases.commands import NewGuardian
from app.cases.models import Case, Deadline, Document, JournalEntry, Patient, SavedFilter
from app.cases.services import PartyAddress
from app.core.audit import AuditEvent
from app.core.roles import Role
from app.extensions import db, limiter
from app.methods.models import (
    AgendaItem,
    AssessmentReference,
    Commission,
    CommissionReport,
    FollowUpAssignment,
    Forum,
    ForumDecision,
    Meeting,
    Method,
    OngoingTrial,
    WorkingGroup,
    WorkingGroupMember,
)
from app.panel import services as panel_services
from app.panel.models import Advice, Classification, PanelMember, Referral
from tests.factories import panel_contribution, panel_item

PRINCIPALS = {   # name → demo user (None: not logged in)
    "anonymous": None, "admin": "admin@helsesak.test", "methods": "metoder@helsesak.test",
    "bestillerforum": "bestillerforum@helsesak.test", "panel": "panel@helsesak.test",
    "panel_member": "panelmedlem@helsesak.test", "abroad_own": "hso@helsesak.test",
    "abroad_other": "vest@helsesak.test", "analyst": "analytiker@helsesak.test",
}
EVERYONE = set(PRINCIPALS)
USERS = EVERYONE - {"anonymous"}
CASE_ROLES = USERS - {"analyst"}                      # method cases are open to every case role
ABROAD = {"abroad_own", "abroad_other"}               # the module's own pages, each office its own cases
OWN = {"abroad_own"}                                  # the demo cases of Helse Sør-Øst's office
PANEL = {"panel"}
PANEL_READ = {"panel", "panel_member"}                # the member is assigned to the demo referral
METHODS = {"methods"}
ADMIN = {"admin"}
ANONYMOUS = {"anonymous"}

MATRIX = {
    ("health", "GET"): EVERYONE,
    ("auth.login", "GET"): EVERYONE, ("auth.login", "POST"): EVERYONE,
    ("auth.second_factor", "GET"): set(), ("auth.second_factor", "POST"): set(),   # only after a password
    ("auth.logout", "POST"): USERS, ("auth.extend_session", "POST"): USERS,
    ("auth.change_password", "GET"): USERS, ("auth.change_password", "POST"): USERS,
    ("auth.api_tokens", "GET"): USERS, ("auth.api_tokens", "POST"): USERS,
    ("auth.revoke_api_token", "POST"): OWN,          # the token belongs to the Helse Sør-Øst caseworker
    ("auth.two_factor", "GET"): USERS, ("auth.two_factor", "POST"): USERS,
    ("auth.confirm_two_factor", "POST"): USERS, ("auth.cancel_two_factor", "POST"): USERS,
    ("auth.remove_two_factor", "POST"): USERS,
    ("auth.activate", "GET"): set(), ("auth.activate", "POST"): set(),   # no live link has that token
    ("auth.sessions", "GET"): USERS, ("auth.end_other_sessions", "POST"): USERS,
    ("auth.end_own_session", "POST"): set(),          # nobody has another live session with that id
    ("public_methods.index", "GET"): EVERYONE, ("public_methods.detail", "GET"): EVERYONE,
    ("public_methods.decisions_overview", "GET"): EVERYONE, ("public_methods.changes_feed", "GET"): EVERYONE,
    ("public_methods.method_feed", "GET"): EVERYONE, ("public_methods.assessment_pdf", "GET"): EVERYONE,
    ("public_journal.index", "GET"): EVERYONE, ("public_journal.export_csv", "GET"): EVERYONE,
    ("public_journal.export_xml", "GET"): EVERYONE, ("public_journal.receipt", "GET"): EVERYONE,
    ("public_journal.access_request", "GET"): EVERYONE, ("public_journal.access_request", "POST"): EVERYONE,
    ("public_methods.report_file", "GET"): EVERYONE, ("public_methods.meeting_paper", "GET"): EVERYONE,
    ("cases.dashboard", "GET"): USERS, ("cases.list_all", "GET"): USERS, ("cases.search", "GET"): USERS,
    ("cases.queue", "GET"): METHODS | PANEL | ABROAD,
    ("cases.export_list", "GET"): USERS,
    ("cases.save_filter", "POST"): USERS,            # saves a filter of one's own (the form answers, empty)
    ("cases.delete_saved_filter", "POST"): OWN,      # the saved filter belongs to the Helse Sør-Øst caseworker
    ("admin.users", "GET"): ADMIN, ("admin.new_user", "GET"): ADMIN, ("admin.new_user", "POST"): ADMIN,
    ("admin.deactivate_user", "POST"): ADMIN, ("admin.end_user_sessions", "POST"): ADMIN,
    ("admin.end_everyones_sessions", "POST"): ADMIN, ("admin.reset_two_factor", "POST"): ADMIN,
    ("admin.user_page", "GET"): ADMIN, ("admin.revoke_user_tokens", "POST"): ADMIN,
    ("admin.new_activation_link", "POST"): ADMIN,   # the spare account is activated: refused with a message
    ("admin.audit_log", "GET"): ADMIN, ("admin.seal_and_verify", "POST"): ADMIN, ("admin.audit_event", "GET"): ADMIN,
    ("admin.find_patient_access_log", "GET"): ADMIN, ("admin.find_patient_access_log", "POST"): ADMIN,
    ("admin.log_review", "GET"): ADMIN,
    ("admin.access_log_requests", "GET"): ADMIN, ("admin.new_access_log_request", "GET"): ADMIN,
    ("admin.new_access_log_request", "POST"): ADMIN,   # an empty form: refused with messages
    ("admin.access_log_request", "GET"): ADMIN, ("admin.access_log_request", "POST"): ADMIN,
    ("admin.data_quality", "GET"): ADMIN, ("admin.check_discrepancy", "POST"): ADMIN,
    ("archive.index", "GET"): ADMIN, ("archive.index", "POST"): ADMIN,   # an empty form answers with its errors
    ("archive.job", "GET"): set(), ("archive.job_status", "GET"): set(),   # no extraction of theirs exists
    ("methods.index", "GET"): CASE_ROLES, ("methods.detail", "GET"): CASE_ROLES,
    ("methods.export_methods", "GET"): CASE_ROLES,
    ("methods.assessment", "GET"): CASE_ROLES, ("methods.assessment_pdf", "GET"): CASE_ROLES,
    ("methods.meetings", "GET"): CASE_ROLES, ("methods.meeting", "GET"): CASE_ROLES,
    ("methods.meeting_paper_pdf", "GET"): CASE_ROLES,
    ("methods.new_comment", "POST"): {"methods", "bestillerforum"},
    # The working groups: read as the methods are (the group page names its members: logged), changed by the
    # secretariat; the API likewise, with a token.
    ("methods.working_groups", "GET"): CASE_ROLES, ("methods.working_group", "GET"): CASE_ROLES,
    ("methods.remove_member", "POST"): METHODS,
    ("api.methods_list_working_groups", "GET"): CASE_ROLES, ("api.methods_get_working_group", "GET"): CASE_ROLES,
    ("api.methods_create_working_group", "POST"): METHODS, ("api.methods_update_working_group", "PUT"): METHODS,
    ("api.methods_add_member", "POST"): METHODS, ("api.methods_record_report", "PUT"): METHODS,
    ("abroad.index", "GET"): ABROAD, ("abroad.applications", "GET"): ABROAD, ("abroad.appeals", "GET"): ABROAD,
    ("abroad.export_applications", "GET"): ABROAD, ("abroad.queue", "GET"): ABROAD,
    ("abroad.new_application", "GET"): ABROAD, ("abroad.new_application", "POST"): ABROAD,
    ("abroad.phrases", "GET"): ABROAD, ("abroad.phrases", "POST"): ABROAD,   # each office its own phrases
    ("abroad.edit_phrase", "GET"): OWN, ("abroad.edit_phrase", "POST"): OWN,   # a Helse Sør-Øst office's phrase
    # The register of foreign hospitals is common to the offices (no personal data).
    ("abroad.hospital_register", "GET"): ABROAD, ("abroad.hospital_register", "POST"): ABROAD,
    ("abroad.edit_hospital", "GET"): ABROAD, ("abroad.edit_hospital", "POST"): ABROAD,
    ("abroad.review_hospital_name", "POST"): ABROAD, ("abroad.merge_hospital", "POST"): ABROAD,
    ("panel.index", "GET"): PANEL_READ, ("panel.referral", "GET"): PANEL_READ,
    ("panel.export_referrals", "GET"): PANEL_READ,
    ("panel.members", "GET"): PANEL_READ, ("panel.statement_pdf", "GET"): set(),   # the demo referral has none
    ("panel.ending_pdf", "GET"): set(),                                              # nor an ending
    ("abroad.import_upload", "GET"): ABROAD | ADMIN, ("abroad.import_upload", "POST"): ABROAD | ADMIN,
    ("abroad.import_job", "GET"): set(), ("abroad.import_job_status", "GET"): set(),   # no job of theirs exists
    ("abroad.import_errors", "GET"): set(),
    ("reports.index", "GET"): {"analyst"} | ABROAD | PANEL | METHODS,
    ("reports.show_order", "GET"): set(), ("reports.order_status", "GET"): set(),      # no order of theirs exists
    ("reports.retry", "POST"): set(), ("reports.publish", "POST"): set(),
    ("reports.publications", "GET"): {"analyst"} | ABROAD | PANEL | METHODS,
    ("reports.publication", "GET"): set(), ("reports.publication_file", "GET"): set(),   # none is published
    # The JSON API (tokens). The report asked for is the whole country's: only the analyst reads that.
    ("api.openapi", "GET"): EVERYONE, ("api.methods_list_methods", "GET"): EVERYONE,
    ("api.methods_get_method", "GET"): EVERYONE, ("api.methods_list_changes", "GET"): EVERYONE,
    ("api.methods_get_method_changes", "GET"): EVERYONE,
    ("api.abroad_list_applications", "GET"): ABROAD, ("api.abroad_create_application", "POST"): ABROAD,
    ("api.abroad_list_appeals", "GET"): ABROAD,
    ("api.panel_list_referrals", "GET"): PANEL_READ, ("api.panel_get_referral", "GET"): PANEL_READ,
    ("api.panel_end_referral", "POST"): PANEL,
    ("api.reports_get_report", "GET"): {"analyst"},
}
for _endpoint, _method in (("api.abroad_get_application", "GET"), ("api.abroad_decide", "POST"),
                           ("api.abroad_add_cost", "POST"), ("api.abroad_plan_treatment", "PUT"),
                           ("api.abroad_create_appeal", "POST"), ("api.abroad_get_appeal", "GET"),
                           ("api.abroad_assess_late_appeal", "POST"), ("api.abroad_reconsider", "POST"),
                           ("api.abroad_board_decision", "POST"), ("api.abroad_correct_application", "PUT"),
                           ("api.abroad_reverse_cost", "POST"), ("api.abroad_record_experimental_basis", "PUT"),
                           ("api.abroad_request_opinion", "POST"), ("api.abroad_record_opinion", "POST"),
                           ("api.abroad_forward_application", "POST"), ("api.abroad_withdraw_appeal", "POST")):
    MATRIX[(_endpoint, _method)] = OWN
# The demo PGD application is Helse Vest's (its office records the approval).
MATRIX[("api.abroad_record_pgd_approval", "POST")] = {"abroad_other"}
MATRIX[("abroad.record_pgd_approval", "GET")] = MATRIX[("abroad.record_pgd_approval", "POST")] = {"abroad_other"}
for _fmt in ("pdf", "xlsx", "json"):
    MATRIX[(f"reports.download /rapporter/bestillinger/<int:order_id>/rapport.{_fmt}", "GET")] = set()
for _path, _readers in (("utenlandsbehandling", ABROAD), ("ekspertpanelet", PANEL), ("nye-metoder", METHODS)):
    for _suffix in ("", "<int:year>"):
        for _method in ("GET", "POST"):   # the analyst reads every report; each secretariat and office its own
            MATRIX[(f"reports.order /rapporter/{_path}/{_suffix}", _method)] = {"analyst"} | _readers
# The rest by pattern of use: these endpoints change a case of the scope's owner (GET shows the form).
for _endpoint in ("methods.edit", "methods.change_status", "methods.new_submission", "methods.new_input",
                  "methods.edit_assessment", "methods.new_trial", "methods.edit_trial", "methods.new_price_note",
                  "methods.new_ordering_decision", "methods.new_report", "methods.new_decision",
                  "methods.new_follow_up", "methods.new_method", "methods.new_meeting", "methods.new_agenda_item",
                  "methods.edit_minutes", "methods.new_working_group", "methods.edit_working_group",
                  "methods.new_member", "methods.edit_report", "methods.new_reference", "methods.edit_reference"):
    MATRIX[(_endpoint, "GET")] = MATRIX[(_endpoint, "POST")] = METHODS
MATRIX[("methods.remove_trial", "POST")] = MATRIX[("methods.close_follow_up", "POST")] = METHODS
MATRIX[("methods.move_reference", "POST")] = MATRIX[("methods.remove_reference", "POST")] = METHODS
MATRIX[("api.methods_create_method", "POST")] = METHODS
MATRIX[("methods.take_up_again", "POST")] = MATRIX[("methods.remove_agenda_item", "POST")] = METHODS
MATRIX[("methods.file_meeting_paper", "POST")] = MATRIX[("methods.publish_report", "POST")] = METHODS
for _endpoint in ("panel.new_referral", "panel.new_member", "panel.edit_member", "panel.assign_member",
                  "panel.add_expert", "panel.edit_answers", "panel.new_item", "panel.new_statement",
                  "panel.new_feedback", "panel.new_principled_question", "panel.withdraw_item",
                  "panel.review_method_flag", "panel.end_referral"):
    MATRIX[(_endpoint, "GET")] = MATRIX[(_endpoint, "POST")] = PANEL
for _endpoint in ("abroad.request_opinion", "abroad.record_opinion", "abroad.decide", "abroad.plan_treatment",
                  "abroad.new_cost", "abroad.new_appeal", "abroad.assess_late_appeal", "abroad.reconsider",
                  "abroad.board_decision", "abroad.correct_application", "abroad.correct_opinion",
                  "abroad.reverse_cost", "abroad.review_method_flag", "abroad.record_experimental_basis",
                  "abroad.forward_application", "abroad.withdraw_appeal"):
    MATRIX[(_endpoint, "GET")] = MATRIX[(_endpoint, "POST")] = OWN
for _endpoint in ("abroad.application", "abroad.appeal", "abroad.decision_letter", "abroad.forwarding_letter",
                  "abroad.board_bundle", "cases.detail", "cases.download_document", "cases.patient"):
    MATRIX[(_endpoint, "GET")] = OWN
MATRIX[("abroad.complete_treatment", "POST")] = OWN
MATRIX[("cases.assign_responsible", "POST")] = OWN   # assigns the office's case (empty form: refused, back)
for _endpoint in ("cases.edit", "cases.change_status", "cases.new_journal_entry", "cases.new_document",
                  "cases.new_document_version", "cases.new_deadline", "cases.edit_patient", "cases.new_guardian"):
    MATRIX[(_endpoint, "GET")] = MATRIX[(_endpoint, "POST")] = OWN
MATRIX[("cases.assign", "GET")] = MATRIX[("cases.assign", "POST")] = PANEL   # decision-based access to a referral
# Only a member on the referral drafts and comments; the secretariat adopts a draft and approves the statement.
MATRIX[("panel.new_contribution", "GET")] = MATRIX[("panel.new_contribution", "POST")] = {"panel_member"}
MATRIX[("panel.adopt_draft", "POST")] = MATRIX[("panel.approve_statement", "POST")] = PANEL
for _endpoint in ("cases.complete_deadline", "cases.complete_follow_up", "cases.print_journal",
                  "cases.end_guardian"):
    MATRIX[(_endpoint, "POST")] = OWN


@dataclass
class Fixtures:
    users: dict[str, int]
    tokens: dict[str, str]                    # principal → the secret of an API token of theirs
    token_ids: list[int]
    values: dict[str, dict[str, int | str]]   # endpoint prefix → URL arguments


def principals_and_urls(app) -> Fixtures:
    """The demo users and the ids each route's URL is filled with."""
    users = {name: db.session.scalar(select(User.id).where(User.email == email))
             for name, email in PRINCIPALS.items() if email}

    def case_of(patient_name: str, model):
        return db.session.scalar(select(model).join(Case, Case.id == model.case_id).join(
            Patient, Patient.id == Case.patient_id).where(Patient.name == patient_name))

    open_application = case_of("Nils Nordlending", Application)
    with_costs = case_of("Kari Nordmann", Application)
    refused = case_of("Per Klagesen", Application)
    pgd = case_of("Ola Bergen", Application)
    appeal = case_of("Per Klagesen", Appeal)
    referral = case_of("Hanne Hagen", Referral)
    item = panel_services.add_item(referral, panel_item(
        question=2, treatment="Matrisestudie", classification=Classification.ESTABLISHED,
        advice=Advice.NOT_RECOMMENDED), actor=db.session.get(User, users["panel"]))
    contribution = panel_services.add_contribution(referral, panel_contribution(),
                                                   actor=db.session.get(User, users["panel_member"]))
    spare = account_services.create_user(email="reserve@helsesak.test", name="Reserve Bruker", role=Role.ANALYST,
                                         office=None, password="reserve-passord-2026")
    token, _secret = account_services.create_api_token(db.session.get(User, users["abroad_own"]), name="Matrise")
    saved_filter = SavedFilter(user_id=users["abroad_own"], endpoint="abroad.applications", name="Matrise",
                               query="stream=pgd")
    guardian = patient_facts.add_guardian(db.session.get(Case, open_application.case_id), NewGuardian(
        name="Verge Matrise", street="Postboks 1", postal_code="0101", postal_place="Oslo",
        valid_from=date(2020, 1, 1)), actor=db.session.get(User, users["abroad_own"]))
    db.session.add(saved_filter)
    access_log_request = access_log.register_request(
        db.session.get(Patient, db.session.get(Case, with_costs.case_id).patient_id), name="Kari Nordmann",
        received_on=date(2026, 1, 5), address=PartyAddress("Storgata 1", "0155", "Oslo"),
        actor=db.session.get(User, users["admin"]), today=date(2026, 1, 5))
    phrase = abroad_services.add_phrase("helse-sor-ost", PhraseText(title="Matrise", text="Tekst."),
                                        actor=db.session.get(User, users["abroad_own"]))
    db.session.commit()
    common = {"reference": "ID2025_102", "user_id": spare.id, "discrepancy_id": 1, "token_id": token.id,
              "phrase_id": phrase.id, "hospital_id": db.session.scalar(select(ForeignHospital.id).limit(1)),
              "name_id": db.session.scalar(select(HospitalName.id).limit(1)),
              "filter_id": saved_filter.id, "event_id": db.session.scalar(select(func.min(AuditEvent.id))),
              "meeting_id": db.session.scalar(select(Meeting.id).limit(1)),
              "trial_id": db.session.scalar(select(OngoingTrial.id).limit(1)),
              "reference_id": db.session.scalar(select(AssessmentReference.id).limit(1)), "direction": "ned",
              "follow_up_id": db.session.scalar(select(FollowUpAssignment.id).limit(1)),
              "member_id": db.session.scalar(select(PanelMember.id).limit(1)),
              "decision_id": db.session.scalar(select(ForumDecision.id).limit(1)),
              "commission_id": db.session.scalar(select(Commission.id).limit(1)),
              "patient_id": db.session.get(Case, open_application.case_id).patient_id, "year": 2020,
              # Report orders and import jobs of someone else: nobody but their owner sees them (tests/reports,
              # tests/abroad/test_import.py); here no such order exists, so everyone gets 404.
              "order_id": 999_999, "number": 999_999, "session_id": 999_999, "fmt": "csv", "kind": "abroad",
              "token": "ingen-slik-aktiveringslenke"}
    letter = db.session.get(Document, refused.letter_document_id)
    on_open_case = {"case_id": open_application.case_id,
                    "opinion_id": db.session.scalar(select(MedicalOpinion.id).where(
                        MedicalOpinion.application_id == open_application.id)),
                    "deadline_id": db.session.scalar(select(Deadline.id).where(
                        Deadline.case_id == open_application.case_id)),
                    "entry_id": db.session.scalar(select(JournalEntry.id).where(
                        JournalEntry.case_id == open_application.case_id)),
                    "document_id": letter.id, "version_number": 1, "statement_id": 1, "guardian_id": guardian.id}
    follow_up = db.session.scalars(select(FollowUpAssignment).limit(1)).one()
    decision = db.session.get(ForumDecision, follow_up.decision_id)
    commission = db.session.scalars(select(Commission).limit(1)).one()
    made = {name: account_services.create_api_token(db.session.get(User, user_id), name="Matrise")
            for name, user_id in users.items()}
    db.session.commit()
    return Fixtures(users, {name: secret for name, (_row, secret) in made.items()},
                    [row.id for row, _secret in made.values()], {
        "": {**common, **on_open_case},
        "abroad.appeal": {**common, "case_id": appeal.case_id},
        "cost": {**on_open_case, **common, "case_id": with_costs.case_id,
                 "cost_id": db.session.scalar(select(CostEntry.id).where(CostEntry.application_id == with_costs.id))},
        "refused": {**on_open_case, **common, "case_id": refused.case_id},
        "pgd": {**common, "case_id": pgd.case_id},
        "panel.": {**common, "case_id": referral.case_id, "statement_id": 1, "item_id": item.id,
                   "contribution_id": contribution.id},
        "follow_up": {**common, "reference": db.session.get(Method, decision.method_id).reference,
                      "decision_id": decision.id, "follow_up_id": follow_up.id},
        "commission": {**common, "reference": db.session.get(Method, commission.method_id).reference,
                       "commission_id": commission.id},
        "published_assessment": {**common, "reference": "ID2024_090"},   # ID2025_102's is still a draft
        "agenda": {**common, "kind": "innkalling", "item_id": db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.meeting_id == common["meeting_id"]).limit(1))},
        "publication": {**common, "publication_id": 999_999, "fmt": "pdf"},
        "working_group": {**common, "group_id": db.session.scalar(select(WorkingGroup.id).limit(1)),
                          "member_id": db.session.scalar(select(WorkingGroupMember.id).limit(1))},
        "access_log": {**common, "case_id": access_log_request.id},
        # The demo's published report file, and the papers published for Beslutningsforum 17.03.2025 (S1).
        "published_report": {**common, "reference": "ID2024_090", "report_id": db.session.scalar(
            select(CommissionReport.id).where(CommissionReport.published)), "commission_id": db.session.scalar(
            select(CommissionReport.commission_id).where(CommissionReport.published))},
        "published_paper": {**common, "kind": "innkalling", "meeting_id": db.session.scalar(
            select(Meeting.id).where(Meeting.forum == Forum.BESLUTNINGSFORUM,
                                     Meeting.meeting_date == date(2025, 3, 17)))},
    })


FIXTURE_OF = {   # which demo objects an endpoint's URL names (the default: the open application)
    **dict.fromkeys(("abroad.appeal", "abroad.assess_late_appeal", "abroad.reconsider", "abroad.board_decision",
                     "abroad.forwarding_letter", "abroad.board_bundle", "abroad.withdraw_appeal",
                     "api.abroad_get_appeal", "api.abroad_assess_late_appeal", "api.abroad_withdraw_appeal",
                     "api.abroad_reconsider", "api.abroad_board_decision"), "abroad.appeal"),
    # the refused demo application is experimental treatment outside a trial
    **dict.fromkeys(("api.abroad_create_appeal", "abroad.record_experimental_basis",
                     "api.abroad_record_experimental_basis"), "refused"),
    **dict.fromkeys(("abroad.record_pgd_approval", "api.abroad_record_pgd_approval"), "pgd"),
    **dict.fromkeys(("abroad.reverse_cost", "api.abroad_reverse_cost"), "cost"),
    **dict.fromkeys(("abroad.decision_letter", "cases.download_document", "cases.new_document_version"), "refused"),
    **dict.fromkeys(("methods.new_follow_up", "methods.close_follow_up"), "follow_up"),
    "methods.new_report": "commission", "methods.publish_report": "published_report",
    "cases.assign": "panel.", "methods.remove_agenda_item": "agenda",
    "methods.meeting_paper_pdf": "agenda", "admin.access_log_request": "access_log",
    "public_methods.assessment_pdf": "published_assessment",
    "public_methods.report_file": "published_report", "public_methods.meeting_paper": "published_paper",
    **dict.fromkeys(("reports.publication", "reports.publication_file"), "publication"),
    **dict.fromkeys(("methods.working_group", "methods.edit_working_group", "methods.new_member",
                     "methods.remove_member", "methods.edit_report", "api.methods_get_working_group",
                     "api.methods_update_working_group", "api.methods_add_member", "api.methods_record_report"),
                    "working_group"),
}


def _url(endpoint: str, rule, fixtures: Fixtures) -> str:
    key = FIXTURE_OF.get(endpoint, "panel." if endpoint.startswith(("panel.", "api.panel_")) else "")
    values = fixtures.values[key]
    return rule.build({name: values[name] for name in rule.arguments - set(rule.defaults or {})},
                      append_unknown=False)[1]


def _routes(app):
    """(name, method, rule) for every route; a name is the endpoint, or the endpoint and the path
    when one endpoint serves several paths (the report kinds)."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    shared = {rule.endpoint for rule in rules if sum(other.endpoint == rule.endpoint for other in rules) > 1}
    for rule in sorted(rules, key=lambda rule: rule.rule):
        name = f"{rule.endpoint} {rule.rule}" if rule.endpoint in shared else rule.endpoint
        for method in sorted(rule.methods & {"GET", "POST", "PUT"}):
            yield name, method, rule


def observe(app, fixtures: Fixtures, login, methods=("GET", "POST", "PUT"),
            inspect=None) -> dict[tuple[str, str], set[str]]:
    """Who was let in, per route and method (GET before POST, so a POST's effect cannot hide a GET).
    Only the given methods are tried; `inspect(principal, endpoint, method, response)` sees every answer."""
    seen: dict[tuple[str, str], set[str]] = {}
    for endpoint, method, rule in _routes(app):
        if method not in methods:
            continue
        url = _url(rule.endpoint, rule, fixtures)
        if rule.endpoint.startswith("api."):
            with app.app_context():   # "log out everyone", tried among the admin's routes, revoked every token
                db.session.execute(update(ApiToken).where(ApiToken.id.in_(fixtures.token_ids)).values(revoked_at=None))
                db.session.commit()
        for principal, user_id in [("anonymous", None), *fixtures.users.items()]:
            limiter.reset()   # the login limits would otherwise refuse the later principals
            if rule.endpoint.startswith("api."):
                headers = {"Authorization": f"Bearer {fixtures.tokens[principal]}"} if user_id else {}
                response = app.test_client().open(url, method=method, headers=headers,
                                                  json={} if method != "GET" else None)
            else:
                client = login(user_id) if user_id else app.test_client()
                response = client.open(url, method=method, data={})
            if inspect is not None:
                inspect(principal, endpoint, method, response)
            to_login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
            # A logged-in user's logout also ends at the login page.
            refused = response.status_code in (401, 403, 404) or (
                to_login and (principal == "anonymous" or endpoint != "auth.logout"))
            if not refused:
                seen.setdefault((endpoint, method), set()).add(principal)
            seen.setdefault((endpoint, method), set())
    return seen


def test_every_route_has_an_entry_in_the_matrix(app):
    routes = {(endpoint, method) for endpoint, method, _rule in _routes(app)}
    assert sorted(routes - set(MATRIX)) == [], "routes without an entry in MATRIX"
    assert sorted(set(MATRIX) - routes) == [], "MATRIX entries for routes that no longer exist"


@pytest.mark.slow
def test_only_the_declared_principals_get_in(app, demo, login):
    with app.app_context():
        fixtures = principals_and_urls(app)
    observed = observe(app, fixtures, login)
    wrong = {route: {"declared": sorted(MATRIX.get(route, set())), "observed": sorted(principals)}
             for route, principals in observed.items() if principals != MATRIX.get(route, set())}
    assert not wrong, "\n".join(f"{route}: {difference}" for route, difference in sorted(wrong.items()))
    anonymous_only = [route for route, principals in observed.items() if principals == ANONYMOUS]
    assert not anonymous_only


# Every list declared for the list engine, by the routes that run it (a new list must be added here).
LIST_ROUTES = {
    "abroad_applications": ("abroad.applications", "api.abroad_list_applications", "abroad.export_applications"),
    "abroad_appeals": ("abroad.appeals", "api.abroad_list_appeals"),
    "abroad_queue": ("abroad.queue",),
    "case_list": ("cases.list_all", "cases.export_list"),
    "case_queue": ("cases.queue",),
    "methods": ("methods.index", "methods.export_methods"),
    "public_methods": ("public_methods.index", "api.methods_list_methods"),
    "public_journal": ("public_journal.index", "public_journal.export_csv"),
    "method_meetings": ("methods.meetings",),
    "method_working_groups": ("methods.working_groups", "api.methods_list_working_groups"),
    "panel_referrals": ("panel.index", "api.panel_list_referrals", "panel.export_referrals"),
    "panel_members": ("panel.members",),
    "report_publications": ("reports.publications",),
    "audit_log": ("admin.audit_log",),
    "data_quality": ("admin.data_quality",),
    "users": ("admin.users",),
    "report_orders": ("reports.index",),
}


def test_every_declared_list_has_its_routes_in_the_sorting_matrix(app):
    from tests.test_lists import _declared_lists
    assert sorted(spec.name for spec in _declared_lists().values()) == sorted(LIST_ROUTES)
    endpoints = {endpoint for endpoint, _method, _rule in _routes(app)}
    assert {endpoint for routes in LIST_ROUTES.values() for endpoint in routes} <= endpoints


@pytest.mark.slow
def test_sorting_a_list_by_any_column_lets_in_exactly_the_principals_of_the_list(app, demo, login):
    """Each sortable column, both ways, on every list's page, API list and export: the same principals as the
    matrix's get in, and each of them gets the list in that order (no «cannot be sorted» message)."""
    from tests.test_lists import _declared_lists
    with app.app_context():
        fixtures = principals_and_urls(app)
    specs = {spec.name: spec for spec in _declared_lists().values()}
    rules = {rule.endpoint: rule for _name, _method, rule in _routes(app)}
    wrong = []
    for name, endpoints in LIST_ROUTES.items():
        sorts = [prefix + column.key for column in specs[name].columns if column.sort is not None
                 for prefix in ("", "-")]
        for endpoint in endpoints:
            rule = rules[endpoint]
            url = _url(endpoint, rule, fixtures) if "fmt" not in rule.arguments else rule.build(
                {"fmt": "csv"}, append_unknown=False)[1]
            for principal, user_id in [("anonymous", None), *fixtures.users.items()]:
                limiter.reset()
                if endpoint.startswith("api."):
                    headers = {"Authorization": f"Bearer {fixtures.tokens[principal]}"} if user_id else {}
                    client, open_kwargs = app.test_client(), {"headers": headers}
                else:
                    client, open_kwargs = (login(user_id) if user_id else app.test_client()), {}
                allowed = principal in MATRIX[(endpoint, "GET")]
                for sort in sorts:
                    response = client.get(url, query_string={"sort": sort}, **open_kwargs)
                    let_in = response.status_code == 200 and b"/login" not in response.headers.get(
                        "Location", "").encode()
                    refused_message = "Listen kan ikke sorteres slik" in response.get_data(as_text=True)
                    if let_in != allowed or (allowed and refused_message):
                        wrong.append(f"{endpoint}?sort={sort} as {principal}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
