"""The inter-regional working groups (S1): the services' rules, the pages and the JSON API."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.auth import services as account_services
from app.auth.models import User
from app.cases.interface import attach_document, get_case
from app.core.audit import AuditAction, AuditEvent
from app.errors import EditConflict, InvalidInput, InvalidInputs
from app.extensions import db
from app.methods import services, working_groups
from app.methods.commands import NewMember, ReportAnswers, ReportQuestion, WorkingGroupDetails
from app.methods.models import MemberRole, NominatingBody, WorkingGroup
from app.methods.working_group_forms import questions_as_text, questions_from_text
from tests.factories import new_method

QUESTIONS = (ReportQuestion("Effekter på kvalitet og pasientsikkerhet", ("Hvordan påvirkes kvaliteten?",)),
             ReportQuestion("Fordeler og ulemper ved ulike typer inngrep",
                            ("For hvilke inngrep er det fordelaktig?", "For hvilke inngrep ikke som standard?")),
             ReportQuestion("Samlet kapasitetsbehov"))


def details(references=("ID2022_131", "ID2022_132"), **fields) -> WorkingGroupDetails:
    values = {"title": "Interregional arbeidsgruppe for kirurgiske operasjonsroboter", "references": references,
              "reports_to": working_groups.APPROVING_BODY, "approved_on": date(2025, 4, 28),
              "due_on": date(2025, 11, 1), "questions": QUESTIONS, **fields}
    return WorkingGroupDetails(**values)


@pytest.fixture
def robot_methods(secretary):
    return [services.register_method(new_method(f"Robotassistert inngrep {number}", reference=f"ID2022_{number}"),
                                     actor=secretary) for number in (131, 132, 133)]


@pytest.fixture
def group(secretary, robot_methods):
    return working_groups.create_working_group(details(), actor=secretary)


def _fields(error: Exception) -> set[str]:
    return {each.field for each in error.errors} if isinstance(error, InvalidInputs) else {error.field}


# The services

def test_one_group_covers_several_methods_and_is_found_from_each(secretary, robot_methods, group):
    assert group.references == "ID2022_131, ID2022_132"
    assert working_groups.working_groups_of(robot_methods[1]) == [group]
    assert working_groups.working_groups_of(robot_methods[2]) == []
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "method_working_group",
                                                         AuditEvent.object_id == str(group.id)))
    assert created.action is AuditAction.CREATE and created.changes["methods"] == [None, "ID2022_131, ID2022_132"]


def test_a_group_with_every_field_wrong_is_refused_with_every_error_at_once(secretary, robot_methods):
    with pytest.raises(InvalidInputs) as refused:
        working_groups.create_working_group(details(
            references=(), title=None, reports_to=" ", approved_on=date(2099, 1, 1), due_on=date(2098, 1, 1),
            questions=(ReportQuestion("", ("Et underspørsmål uten spørsmål",)),)), actor=secretary)
    assert _fields(refused.value) == {"title", "reports_to", "references", "approved_on", "due_on", "questions"}
    assert db.session.scalar(select(WorkingGroup.id)) is None


def test_an_unknown_method_is_named(secretary, robot_methods):
    with pytest.raises(InvalidInput, match="ID2022_999"):
        working_groups.create_working_group(details(references=("ID2022_131", "ID2022_999")), actor=secretary)


def test_the_basis_document_is_filed_on_one_of_the_groups_methods(secretary, robot_methods):
    def filed_on(method):
        return attach_document(get_case(method.case_id), title="Grunnlagsdokument", filename="grunnlag.txt",
                               content=b"Status for robotassistert kirurgi.\n", actor=secretary)
    elsewhere = filed_on(robot_methods[2])
    with pytest.raises(InvalidInput, match="en av metodene") as refused:
        working_groups.create_working_group(details(basis_document_id=elsewhere.id), actor=secretary)
    assert refused.value.field == "basis_document_id"
    own = filed_on(robot_methods[1])
    group = working_groups.create_working_group(details(basis_document_id=own.id,
                                                        basis_document_lead="Helse Sør-Øst RHF"), actor=secretary)
    assert (group.basis_document_id, group.basis_document_lead) == (own.id, "Helse Sør-Øst RHF")


def test_a_group_has_one_leader_and_members_nominated_by_their_bodies(secretary, group):
    working_groups.add_member(group, NewMember("Ingrid Fjell", MemberRole.LEADER, "Regional fagdirektør",
                                               NominatingBody.RHF), actor=secretary)
    surgeon = working_groups.add_member(group, NewMember(
        "Lars Haugen", MemberRole.MEMBER, nominated_by=NominatingBody.PROFESSIONAL,
        nominating_organisation="Norsk kirurgisk forening"), actor=secretary)
    with pytest.raises(InvalidInputs) as refused:
        working_groups.add_member(group, NewMember(" ", MemberRole.LEADER), actor=secretary)
    assert _fields(refused.value) == {"name", "role"}
    assert "Ingrid Fjell" in str(refused.value.errors[1])
    working_groups.remove_member(surgeon, actor=secretary)
    assert [(member.name, member.role) for member in group.members] == [("Ingrid Fjell", MemberRole.LEADER)]


def test_the_report_has_a_slot_per_sub_question_or_question_without_them(group):
    assert [key for key, _question, _sub in working_groups.answer_slots(group.report_questions)] == \
        ["1.1", "2.1", "2.2", "3"]


def test_a_report_is_saved_in_parts_and_delivered_only_when_every_question_is_answered(secretary, group):
    working_groups.record_report(group, ReportAnswers((("1.1", " Bedre. "), ("2.1", ""))),
                                 expected_version=group.version, actor=secretary)
    assert group.report_answers == {"1.1": "Bedre."} and group.report_delivered_on is None
    with pytest.raises(InvalidInputs) as refused:
        working_groups.record_report(group, ReportAnswers((("1.1", "Bedre."), ("9.9", "?")), date(2025, 4, 1)),
                                     expected_version=group.version, actor=secretary)
    assert _fields(refused.value) == {"answers", "answer_2_1", "answer_2_2", "answer_3", "delivered_on"}
    answers = (("1.1", "Bedre."), ("2.1", "Prostata."), ("2.2", "Akutt."), ("3", "Som i dag."))
    working_groups.record_report(group, ReportAnswers(answers, date(2025, 10, 30)), expected_version=group.version,
                                 actor=secretary)
    assert group.report_delivered_on == date(2025, 10, 30) and len(group.report_answers) == 4


def test_a_report_is_not_delivered_before_the_composition_and_mandate_are_approved(secretary, robot_methods):
    group = working_groups.create_working_group(details(approved_on=None, questions=(QUESTIONS[2],)),
                                                actor=secretary)
    with pytest.raises(InvalidInput, match="Interregionalt fagdirektørmøte må ha godkjent"):
        working_groups.record_report(group, ReportAnswers((("1", "Svar."),), date(2025, 10, 1)),
                                     expected_version=group.version, actor=secretary)


def test_a_stale_report_or_group_is_refused(secretary, group):
    with pytest.raises(EditConflict):
        working_groups.record_report(group, ReportAnswers(()), expected_version=group.version - 1, actor=secretary)
    with pytest.raises(EditConflict):
        working_groups.update_working_group(group, details(), expected_version=group.version - 1, actor=secretary)


def test_an_answered_question_cannot_be_dropped_but_the_methods_can_change(secretary, group):
    working_groups.record_report(group, ReportAnswers((("2.2", "Akutt."),)), expected_version=group.version,
                                 actor=secretary)
    with pytest.raises(InvalidInput, match="2.2 er besvart"):
        working_groups.update_working_group(group, details(questions=QUESTIONS[:1]), expected_version=group.version,
                                            actor=secretary)
    changes = working_groups.update_working_group(
        group, details(references=("ID2022_131", "ID2022_132", "ID2022_133")), expected_version=group.version,
        actor=secretary)
    assert changes == {"methods": ["ID2022_131, ID2022_132", "ID2022_131, ID2022_132, ID2022_133"]}


def test_the_questions_text_round_trips():
    text = ("1. Effekter på kvalitet og pasientsikkerhet\n  o Hvordan påvirkes kvaliteten?\n"
            "2) Fordeler og ulemper ved ulike typer inngrep\n- For hvilke inngrep er det fordelaktig?\n"
            "• For hvilke inngrep ikke som standard?\n\n3. Samlet kapasitetsbehov\n")
    assert questions_from_text(text) == QUESTIONS
    stored = [{"title": question.title, "sub_questions": list(question.sub_questions)} for question in QUESTIONS]
    assert questions_from_text(questions_as_text(stored)) == QUESTIONS
    assert questions_from_text("- Underspørsmål først")[0].title == ""


# The pages

@pytest.fixture
def saved_group(app, make_user):
    """A committed group on three methods, with a leader and a question answered; returns the ids."""
    secretary_id = make_user("methods_secretariat", email="sekretar@example.test")
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        for number in (131, 132, 133):
            services.register_method(new_method(f"Robotassistert inngrep {number}", reference=f"ID2022_{number}"),
                                     actor=secretary)
        group = working_groups.create_working_group(details(), actor=secretary)
        working_groups.add_member(group, NewMember("Ingrid Fjell", MemberRole.LEADER, "Regional fagdirektør",
                                                   NominatingBody.RHF), actor=secretary)
        db.session.commit()
        return {"secretary": secretary_id, "group": group.id}


def test_the_secretariat_registers_a_group_from_the_method_page(app, saved_group, login):
    client = login(saved_group["secretary"])
    page = client.get("/metoder/ID2022_133").get_data(as_text=True)
    assert "/metoder/arbeidsgrupper/ny?metode=ID2022_133" in page
    form = client.get("/metoder/arbeidsgrupper/ny?metode=ID2022_133").get_data(as_text=True)
    assert re.search(r"checked[^>]*value=\"ID2022_133\"|value=\"ID2022_133\"[^>]*checked", form)
    response = client.post("/metoder/arbeidsgrupper/ny", data={
        "title": "Arbeidsgruppe for rektumkirurgi", "references": ["ID2022_133"],
        "reports_to": "Interregionalt fagdirektørmøte", "approved_on": "28.04.2025",
        "questions": "1. Kapasitet\n- Hvilke volum trengs?"})
    assert response.status_code == 302
    group_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Godkjent i Interregionalt fagdirektørmøte 28.04.2025" in group_page and "Hvilke volum trengs?" in group_page
    assert "Arbeidsgruppe for rektumkirurgi" in client.get("/metoder/ID2022_133").get_data(as_text=True)


def test_a_refused_group_shows_every_error_in_one_round(app, saved_group, login):
    client = login(saved_group["secretary"])
    response = client.post("/metoder/arbeidsgrupper/ny", data={
        "title": "", "reports_to": "", "approved_on": "01.01.2099", "due_on": "01.01.2098",
        "questions": "- Uten spørsmål"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Fyll inn arbeidsgruppens navn.", "Fyll inn hvem arbeidsgruppen rapporterer til.",
                    "Velg minst én metode arbeidsgruppen dekker.", "Godkjenningsdatoen kan ikke være fram i tid.",
                    "Fristen kan ikke være før godkjenningen.", "Et underspørsmål må stå under et nummerert"):
        assert message in page, message
    with app.app_context():
        assert db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.id != saved_group["group"])) is None


def test_reading_a_group_names_its_members_and_is_logged(app, saved_group, login, make_user):
    reader = make_user("bestillerforum", email="bf@example.test")
    client = login(reader)
    page = client.get(f"/metoder/arbeidsgrupper/{saved_group['group']}").get_data(as_text=True)
    assert "Ingrid Fjell" in page and "Regionalt helseforetak (RHF)" in page
    assert "Skriv rapport" not in page   # a reader sees no buttons
    with app.app_context():
        logged = db.session.scalar(select(AuditEvent).where(
            AuditEvent.object_type == "method_working_group", AuditEvent.action == AuditAction.VIEW,
            AuditEvent.user_id == reader))
        assert logged is not None
    assert client.get(f"/metoder/arbeidsgrupper/{saved_group['group']}/endre").status_code == 403
    assert client.post(f"/metoder/arbeidsgrupper/{saved_group['group']}/medlemmer/ny", data={}).status_code == 403


def test_the_analyst_and_the_public_see_no_group(app, saved_group, login, make_user):
    analyst = login(make_user("analyst", email="analytiker@example.test"))
    assert analyst.get("/metoder/arbeidsgrupper").status_code == 403
    assert analyst.get(f"/metoder/arbeidsgrupper/{saved_group['group']}").status_code == 403
    public = app.test_client()
    assert public.get(f"/metoder/arbeidsgrupper/{saved_group['group']}").status_code == 302
    assert "Ingrid Fjell" not in public.get("/nye-metoder/ID2022_131").get_data(as_text=True)


def test_the_report_form_has_a_field_per_question_and_refuses_an_incomplete_delivery(app, saved_group, login):
    client = login(saved_group["secretary"])
    url = f"/metoder/arbeidsgrupper/{saved_group['group']}/rapport"
    form = client.get(url).get_data(as_text=True)
    assert "2. Fordeler og ulemper ved ulike typer inngrep" in form and 'name="answer_2_2"' in form
    with app.app_context():
        version = db.session.get(WorkingGroup, saved_group["group"]).version
    refused = client.post(url, data={"version": version, "answer_1_1": "Bedre.", "delivered_on": "30.10.2025"})
    assert refused.status_code == 200
    assert "Besvar spørsmål 2.1 før rapporten registreres som levert." in refused.get_data(as_text=True)
    assert "Bedre." in refused.get_data(as_text=True)   # what was typed is kept
    saved = client.post(url, data={"version": version, "answer_1_1": "Bedre.", "answer_3": "Som i dag."})
    assert saved.status_code == 302
    page = client.get(f"/metoder/arbeidsgrupper/{saved_group['group']}").get_data(as_text=True)
    assert "2 av 4 spørsmål besvart." in page


def test_members_are_added_and_removed_on_the_page(app, saved_group, login):
    client = login(saved_group["secretary"])
    url = f"/metoder/arbeidsgrupper/{saved_group['group']}/medlemmer/ny"
    refused = client.post(url, data={"name": "Kari Holm", "role": "leder"})
    assert "Arbeidsgruppen har allerede en leder (Ingrid Fjell)" in refused.get_data(as_text=True)
    assert client.post(url, data={"name": "Kari Holm", "role": "medlem", "nominated_by": "tillitsvalgte"}
                       ).status_code == 302
    with app.app_context():
        member = db.session.get(WorkingGroup, saved_group["group"]).members[-1]
        member_id = member.id
    assert client.post(f"/metoder/arbeidsgrupper/{saved_group['group']}/medlemmer/{member_id}/fjern"
                       ).status_code == 302
    with app.app_context():
        assert [member.name for member in db.session.get(WorkingGroup, saved_group["group"]).members] == \
            ["Ingrid Fjell"]


# The JSON API

def _api(app, user_id: int):
    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, user_id), name="Test")
        db.session.commit()
    client = app.test_client()

    def call(method: str, path: str, json=None):
        return client.open(f"/api/v1/methods/working-groups{path}", method=method, json=json,
                           headers={"Authorization": f"Bearer {secret}"})
    return call


def test_the_api_registers_a_group_and_its_report_with_the_pages_rules(app, saved_group):
    api = _api(app, saved_group["secretary"])
    refused = api("POST", "", {"title": "", "reports_to": "", "references": ["ID2022_999"]})
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"title", "reports_to", "references"}
    created = api("POST", "", {"title": "Arbeidsgruppe", "references": ["ID2022_131", "ID2022_133"],
                               "reports_to": "Interregionalt fagdirektørmøte", "approved_on": "2025-04-28",
                               "questions": "1. Kapasitet\n- Hvilke volum trengs?\n2. Rekruttering"})
    assert created.status_code == 201, created.json
    group = created.json
    assert group["methods"] == ["ID2022_131", "ID2022_133"]
    assert [slot["key"] for slot in group["report"]] == ["1.1", "2"]
    member = api("POST", f"/{group['id']}/members", {"name": "Siri Moe", "role": "medlem", "nominated_by": "fagmiljo",
                                                     "nominating_organisation": "Norsk kirurgisk forening"})
    assert member.status_code == 201 and member.json["members"][0]["nominated_by"] == "fagmiljo"
    incomplete = api("PUT", f"/{group['id']}/report", {"version": member.json["version"], "answer_1_1": "Mange.",
                                                       "delivered_on": "2025-10-30"})
    assert incomplete.status_code == 422 and list(incomplete.json["errors"]) == ["answer_2"]
    delivered = api("PUT", f"/{group['id']}/report", {"version": member.json["version"], "answer_1_1": "Mange.",
                                                      "answer_2": "Bedre.", "delivered_on": "2025-10-30"})
    assert delivered.status_code == 200 and delivered.json["report_delivered_on"] == "2025-10-30"
    stale = api("PUT", f"/{group['id']}", {"version": member.json["version"], "title": "Nytt navn",
                                           "references": ["ID2022_131"]})
    assert stale.status_code == 409


def test_the_api_lets_readers_read_and_only_the_secretariat_write(app, saved_group, make_user):
    reader = _api(app, make_user("abroad_caseworker", office="helse-sor-ost", email="hso@example.test"))
    assert [item["id"] for item in reader("GET", "").json["items"]] == [saved_group["group"]]
    shown = reader("GET", f"/{saved_group['group']}")
    assert shown.status_code == 200 and shown.json["members"][0]["name"] == "Ingrid Fjell"
    assert reader("POST", f"/{saved_group['group']}/members", {"name": "X", "role": "medlem"}).status_code == 403
    analyst = _api(app, make_user("analyst", email="analytiker@example.test"))
    assert analyst("GET", "").status_code == 403
    assert analyst("GET", f"/{saved_group['group']}").status_code == 403
