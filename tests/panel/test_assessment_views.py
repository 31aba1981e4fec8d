"""The panel's assessment through the web: the four questions with per-answer locking, treatment items
checked against Nye Metoder, the advisory statement as a journaled PDF letter, follow-up, and who may
see and change it."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.cases.models import Case, JournalEntry
from app.core.audit import AuditEvent
from app.extensions import db
from app.methods.models import DecisionOutcome
from app.panel import services
from app.panel.models import (
    QUESTIONS,
    Feedback,
    PrincipledQuestion,
    Referral,
    ReferralStatus,
    Statement,
    TreatmentItem,
)
from tests.factories import panel_member, panel_referral
from tests.pdf import pdf_text

TODAY = date.today()


@pytest.fixture
def secretary_id(make_user):
    return make_user("panel_secretariat")


@pytest.fixture
def case_id(app, secretary_id):
    with app.app_context():
        referral = services.register_referral(panel_referral(), actor=db.session.get(User, secretary_id),
                                              today=date(2026, 10, 2))
        db.session.commit()
        return referral.case_id


@pytest.fixture
def client(login, secretary_id):
    return login(secretary_id)


def _answers(case_id: int, versions: dict[int, int] | None = None, **texts) -> dict:
    """Form data for the four questions: findings_N / advice_N from `texts`, versions default 0."""
    data = {}
    for question in QUESTIONS:
        data[f"findings_{question}"] = texts.get(f"findings_{question}", "")
        data[f"advice_{question}"] = texts.get(f"advice_{question}", "")
        data[f"version_{question}"] = str((versions or {}).get(question, 0))
    return data


def _complete_assessment(client, case_id: int) -> None:
    texts = {f"findings_{q}": f"Funn til spørsmål {q}: vurdert av panelet." for q in QUESTIONS}
    texts["findings_1"] = ("Etablert behandling er gitt i tråd med nasjonalt handlingsprogram; ytterligere "
                           "behandling i Norge er ikke aktuelt.")
    data = _answers(case_id, advice_2="Pasienten bør henvises til studien i Sverige.", **texts)
    response = client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def _approve(client, case_id: int) -> None:
    """The secretariat approves the statement as it stands (it is sent only when approved)."""
    response = client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/godkjenn")
    assert response.status_code == 302 and response.headers["Location"].endswith("#uttalelser")


def _referral(app, case_id: int):
    with app.app_context():
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case_id))
        return {"id": referral.id, "status": referral.status, "outcome": referral.outcome,
                "answers": {a.question: (a.findings, a.advice, a.version) for a in referral.answers},
                "items": [(item.treatment, item.advice.value, item.methods_check) for item in referral.items]}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# The four questions

def test_the_four_questions_are_shown_saved_and_shown_on_the_referral_page(app, client, case_id):
    page = client.get(f"/ekspertpanelet/saker/{case_id}/vurdering")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for number, text in QUESTIONS.items():
        assert f">{number}. {text}</h2>" in html
        assert f'name="version_{number}" type="hidden" value="0"' in html
    assert html.count(">Funn<span") == 4 and html.count(">Råd<span") == 4

    response = client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(
        case_id, findings_1="Tre linjer kjemoterapi er gitt; etablert behandling er uttømt.",
        advice_1="Ingen ytterligere etablert behandling anbefales.", findings_3="Ingen off-label-alternativer."))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/ekspertpanelet/saker/{case_id}#vurdering"
    stored = _referral(app, case_id)
    assert stored["answers"] == {
        1: ("Tre linjer kjemoterapi er gitt; etablert behandling er uttømt.",
            "Ingen ytterligere etablert behandling anbefales.", 1),
        3: ("Ingen off-label-alternativer.", None, 1)}      # blank questions 2 and 4: nothing saved
    assert stored["status"] is ReferralStatus.UNDER_ASSESSMENT
    shown = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "etablert behandling er uttømt." in shown and "Ingen off-label-alternativer." in shown
    assert "Ikke vurdert ennå" in shown    # questions 2 and 4
    form = client.get(f"/ekspertpanelet/saker/{case_id}/vurdering").get_data(as_text=True)
    assert 'name="version_1" type="hidden" value="1"' in form and "etablert behandling er uttømt." in form
    with app.app_context():
        views = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "view", AuditEvent.case_id == case_id, AuditEvent.object_type == "panel_referral"))
    assert views >= 3    # every page showing the case is logged with the patient


def test_an_answer_saved_by_someone_else_meanwhile_is_a_conflict_shown_beside_what_was_typed(app, client,
                                                                                         case_id):
    client.post(f"/ekspertpanelet/saker/{case_id}/vurdering",
                data=_answers(case_id, findings_1="Første versjon.", findings_2="Studie vurdert."))
    # Another secretary saves question 1 (version 1 -> 2) while this user has the page open at version 1.
    client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(
        case_id, {1: 1, 2: 1}, findings_1="Lagret av kollega.", findings_2="Studie vurdert."))

    response = client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(
        case_id, {1: 1, 2: 1}, findings_1="Det jeg skrev.", findings_2="Studie vurdert på nytt.",
        findings_4="Nytt funn til spørsmål 4."))

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Lagret versjon av spørsmål 1 (versjon 2)" in html and "Lagret av kollega." in html
    assert "Det jeg skrev." in html and "Nytt funn til spørsmål 4." in html      # what was typed is kept
    assert "spørsmål 2 (versjon" not in html                                   # question 2 did not conflict
    assert 'name="version_1" type="hidden" value="2"' in html                 # based on the stored version now
    stored = _referral(app, case_id)
    assert stored["answers"] == {1: ("Lagret av kollega.", None, 2), 2: ("Studie vurdert.", None, 1)}

    again = client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(
        case_id, {1: 2, 2: 1}, findings_1="Det jeg skrev.", findings_2="Studie vurdert på nytt."))
    assert again.status_code == 302
    assert _referral(app, case_id)["answers"][1] == ("Det jeg skrev.", None, 3)


def test_a_new_answer_someone_else_created_meanwhile_is_a_conflict(app, client, case_id):
    client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(case_id, findings_3="Kollegaens funn."))
    response = client.post(f"/ekspertpanelet/saker/{case_id}/vurdering",
                           data=_answers(case_id, findings_3="Mitt funn."))    # opened before: version 0
    assert response.status_code == 409 and "Kollegaens funn." in response.get_data(as_text=True)
    assert _referral(app, case_id)["answers"] == {3: ("Kollegaens funn.", None, 1)}


# Treatment items and the Nye Metoder rule

ITEM = {"question": "2", "treatment": "Studie av PARP-hemmer ved residiverende eggstokkreft",
        "classification": "clinical_trial", "advice": "recommended", "method_reference": "",
        "registry_id": "NCT06719037", "country": "Sverige", "inclusion_criteria": "ECOG 0–1, platinasensitiv",
        "note": ""}


def test_a_trial_item_is_saved_with_its_registry_id_and_an_invalid_one_is_refused_at_the_field(app, client,
                                                                                               case_id):
    refused = client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny", data={**ITEM, "registry_id": "NCT123"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    field = re.search(r'<p class="field-error" id="registry_id-error">(.*?)</p>', html, re.DOTALL)
    assert field and "ikke et gyldig studienummer" in field.group(1)
    assert _count(app, TreatmentItem) == 0

    form = client.get(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny?sporsmal=2").get_data(as_text=True)
    assert '<option selected value="2">' in form
    saved = client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny", data=ITEM)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/saker/{case_id}#behandlinger")
    assert _referral(app, case_id)["items"] == [(ITEM["treatment"], "recommended", None)]
    with app.app_context():
        item = db.session.scalar(select(TreatmentItem))
        assert (item.registry_id, item.country, item.nordic) == ("NCT06719037", "Sverige", True)
    shown = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "NCT06719037, Sverige (Norden)" in shown and "I klinisk studie" in shown


def test_recommending_a_method_not_introduced_is_refused_at_the_advice_and_it_may_be_mentioned(
        app, client, case_id, method_with_outcome):
    with app.app_context():
        method_with_outcome(DecisionOutcome.NOT_INTRODUCED)
        db.session.commit()
    item = {**ITEM, "question": "3", "treatment": "Legemiddel X off-label", "classification": "off_label",
            "evidence_of_effect": "Fase II-studie.",
            "registry_id": "", "country": "", "inclusion_criteria": "", "method_reference": "id2024_090"}

    refused = client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny", data=item)

    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    advice = re.search(r'<fieldset class="field choice-group has-error" id="advice".*?</fieldset>', html, re.DOTALL)
    assert advice, "the refusal is shown in the advice group"
    assert re.search(r"Beslutningsforum besluttet 16\.06\.2025 at ID2024_090 .* ikke skal innføres", advice.group(0))
    assert "unntaksordningen" in advice.group(0)
    assert 'value="Legemiddel X off-label"' in html         # what was typed stays
    assert _count(app, TreatmentItem) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "panel_item")) == 0

    mentioned = client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny",
                            data={**item, "advice": "mentioned_exception_scheme"})
    assert mentioned.status_code == 302
    assert _referral(app, case_id)["items"] == [
        ("Legemiddel X off-label", "mentioned_exception_scheme",
         {"reference": "ID2024_090", "state": "not_introduced", "decided_on": "2025-06-16"})]
    shown = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "ID2024_090: Ikke innført (Beslutningsforum) 16.06.2025" in shown
    assert "Omtalt, med henvisning til unntaksordningen" in shown


# The statement

def test_the_statement_is_refused_before_all_four_questions_have_findings(app, client, case_id):
    client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(case_id, findings_1="Funn."))
    page = client.get(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny").get_data(as_text=True)
    assert "spørsmål 2, 3, 4 mangler funn" in page

    response = client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege Lise Lund", "sent_on": TODAY.strftime("%d.%m.%Y"), "summary": "Råd.",
        "outcome": "off_label"})

    assert response.status_code == 200
    assert "Vurderingen er ikke ferdig: spørsmål 2, 3, 4 mangler funn." in response.get_data(as_text=True)
    assert _count(app, Statement) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.case_id == case_id)) == 0
    assert _referral(app, case_id)["status"] is ReferralStatus.UNDER_ASSESSMENT


def test_the_statement_is_sent_as_a_journaled_pdf_letter(app, client, case_id):
    _complete_assessment(client, case_id)
    client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny", data=ITEM)
    _approve(client, case_id)
    form = client.get(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny").get_data(as_text=True)
    # The mandate (S4 parts IV and V): to the patient and the treating doctor, copies to the trust where the patient
    # lives and the regional hospital; the form shows them and asks nothing.
    assert "<li>Til: Hanne Hagen</li>" in form
    assert "<li>Til: Lege Lise Lund, Kreftavdelingen, Helse Møre og Romsdal HF</li>" in form
    assert "<li>Kopi til: Helse Møre og Romsdal HF</li>" in form and "<li>Kopi til: St. Olavs hospital HF</li>" in form
    assert 'name="recipients"' not in form
    assert f'value="{TODAY:%d.%m.%Y}"' in form

    response = client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "sent_on": TODAY.strftime("%d.%m.%Y"),
        "summary": "Ekspertpanelet anbefaler å vurdere inklusjon i studien i Sverige.",
        "outcome": "study_abroad"})

    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/saker/{case_id}#uttalelser")
    with app.app_context():
        statement = db.session.scalar(select(Statement))
        entry = db.session.get(JournalEntry, statement.journal_entry_id)
        case = db.session.get(Case, case_id)
        assert statement.recipients == ["Hanne Hagen", "Lege Lise Lund, Kreftavdelingen, Helse Møre og Romsdal HF"]
        assert statement.copies == ["Helse Møre og Romsdal HF", "St. Olavs hospital HF"]
        assert (entry.case_id, entry.entry_type.value, entry.journal_date) == (case_id, "U", TODAY)
        assert entry.party_name == "Hanne Hagen; Lege Lise Lund, Kreftavdelingen, Helse Møre og Romsdal HF"
        document = entry.documents[0]
        assert (document.id, document.current_version.mime_type) == (statement.document_id, "application/pdf")
        statement_id, document_id, case_number = statement.id, document.id, case.number
    referral = _referral(app, case_id)
    assert (referral["status"], referral["outcome"].value) == (ReferralStatus.STATEMENT_SENT, "study_abroad")

    link = client.get(f"/ekspertpanelet/saker/{case_id}/uttalelse/{statement_id}.pdf")
    assert link.status_code == 302
    assert link.headers["Location"] == f"/saker/{case_id}/dokumenter/{document_id}/versjoner/1"
    pdf = client.get(link.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Ekspertpanelet – Helse Bergen HF" in text
    assert "Postadresse: Postboks 1400, 5021 Bergen · E-post: ekspertpanelet@helse-bergen.no" in text
    assert "Dato Vår ref. Til Til Henvist av" in text
    assert (f"{TODAY:%d.%m.%Y} {case_number} Hanne Hagen Lege Lise Lund, Kreftavdelingen, Helse Møre og Romsdal HF "
            "(behandlende lege)") in text
    assert "Kopi til Helse Møre og Romsdal HF St. Olavs hospital HF" in text
    assert "Hanne Hagen, født 05.05.1971" in text
    assert "Finnes det aktuelle kliniske studier eller off-label behandling?" in text
    for number, question in QUESTIONS.items():
        assert f"{number}. {question}" in text
    assert "Funn til spørsmål 4: vurdert av panelet." in text
    assert "Etablert behandling er gitt i tråd med nasjonalt handlingsprogram" in text
    assert "Studie av PARP-hemmer ved residiverende eggstokkreft" in text and "NCT06719037, Sverige" in text
    assert "I klinisk studie" in text and "Anbefales" in text
    assert "Ekspertpanelet anbefaler å vurdere inklusjon i studien i Sverige." in text
    assert ("Uttalelsene fra Ekspertpanelet er rådgivende. Behandlende lege er ansvarlig for eventuell videre "
            "behandling.") in text
    assert "Helse Møre og Romsdal HF" in text   # æøå render

    shown = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert f"/ekspertpanelet/saker/{case_id}/uttalelse/{statement_id}.pdf" in shown
    assert "Klinisk studie i utlandet" in shown
    # Sent: the assessment is closed for changes, and a second statement is refused.
    closed = client.post(f"/ekspertpanelet/saker/{case_id}/vurdering", data=_answers(
        case_id, {q: 1 for q in QUESTIONS}, **{f"findings_{q}": "Endret." for q in QUESTIONS}))
    assert closed.status_code == 200 and "kan ikke endres" in closed.get_data(as_text=True)


def test_statement_pdf_of_another_case_is_not_found(app, client, case_id, secretary_id):
    _complete_assessment(client, case_id)
    _approve(client, case_id)
    client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege", "sent_on": TODAY.strftime("%d.%m.%Y"), "summary": "Råd.", "outcome": "off_label"})
    with app.app_context():
        statement_id = db.session.scalar(select(Statement.id))
        other = services.register_referral(panel_referral(patient_name="Per Persen"),
                                           actor=db.session.get(User, secretary_id), today=date(2026, 10, 2))
        db.session.commit()
        other_case = other.case_id
    assert client.get(f"/ekspertpanelet/saker/{other_case}/uttalelse/{statement_id}.pdf").status_code == 404


# Follow-up

def test_feedback_after_the_statement_and_principled_questions_are_recorded(app, client, case_id):
    early = client.post(f"/ekspertpanelet/saker/{case_id}/tilbakemelding/ny", data={
        "received_on": TODAY.strftime("%d.%m.%Y"), "followed": "yes", "summary": "Fulgt."})
    assert early.status_code == 200 and "etter at uttalelsen er sendt" in early.get_data(as_text=True)
    assert _count(app, Feedback) == 0

    _complete_assessment(client, case_id)
    _approve(client, case_id)
    client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege Lise Lund", "sent_on": TODAY.strftime("%d.%m.%Y"), "summary": "Off-label anbefales.",
        "outcome": "off_label"})
    missing = client.post(f"/ekspertpanelet/saker/{case_id}/tilbakemelding/ny", data={
        "received_on": TODAY.strftime("%d.%m.%Y"), "summary": "Avslått."})
    assert missing.status_code == 200 and "Velg om rådet ble fulgt." in missing.get_data(as_text=True)
    feedback = client.post(f"/ekspertpanelet/saker/{case_id}/tilbakemelding/ny", data={
        "received_on": TODAY.strftime("%d.%m.%Y"), "followed": "partly",
        "summary": "Off-label ble avslått av sykehuset av kostnadshensyn."})
    assert feedback.status_code == 302 and feedback.headers["Location"].endswith("#oppfolging")

    question = client.post(f"/ekspertpanelet/saker/{case_id}/prinsipielle-sporsmal/ny", data={
        "raised_on": TODAY.strftime("%d.%m.%Y"), "text": "Kostnad som grunn til å avslå off-label-råd."})
    assert question.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(Feedback))
        assert (stored.followed, stored.summary) == ("partly", "Off-label ble avslått av sykehuset av kostnadshensyn.")
        assert db.session.scalar(select(PrincipledQuestion.text)) == "Kostnad som grunn til å avslå off-label-råd."
    shown = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "Delvis fulgt" in shown and "Kostnad som grunn til å avslå off-label-råd." in shown

    empty = client.post(f"/ekspertpanelet/saker/{case_id}/prinsipielle-sporsmal/ny", data={
        "raised_on": TODAY.strftime("%d.%m.%Y"), "text": " "})
    assert empty.status_code == 200 and "Beskriv problemstillingen." in empty.get_data(as_text=True)
    assert _count(app, PrincipledQuestion) == 1


# Access

WRITE_ROUTES = ["vurdering", "behandlinger/ny", "uttalelse/ny", "tilbakemelding/ny", "prinsipielle-sporsmal/ny"]


@pytest.mark.parametrize("role", ["bestillerforum", "abroad_caseworker", "panel_member"])
@pytest.mark.parametrize("path", [*WRITE_ROUTES, "uttalelse/1.pdf"])
def test_users_outside_the_panel_case_get_404(app, login, make_user, case_id, role, path):
    outsider = login(make_user(role))     # a panel member not assigned to the case is outside it too
    for method in ("GET", "POST") if path != "uttalelse/1.pdf" else ("GET",):
        response = outsider.open(f"/ekspertpanelet/saker/{case_id}/{path}", method=method, data={"version_1": "0"})
        assert response.status_code == 404, f"{method} {path} answered {response.status_code} to {role}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.case_id == case_id)) >= 1


def test_an_assigned_panel_member_sees_the_assessment_but_may_not_change_it(app, login, make_user, client,
                                                                          case_id, secretary_id):
    member_user = make_user("panel_member")
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        member = services.save_member(None, panel_member(user_id=member_user), actor=secretary)
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case_id))
        services.assign_member(referral, member, actor=secretary)
        db.session.commit()
    _complete_assessment(client, case_id)
    _approve(client, case_id)
    client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege", "sent_on": TODAY.strftime("%d.%m.%Y"), "summary": "Råd.", "outcome": "off_label"})
    with app.app_context():
        statement_id = db.session.scalar(select(Statement.id))
    member_client = login(member_user)

    page = member_client.get(f"/ekspertpanelet/saker/{case_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Funn til spørsmål 4: vurdert av panelet." in html
    assert f"/ekspertpanelet/saker/{case_id}/vurdering" not in html       # no links to the forms
    assert member_client.get(f"/ekspertpanelet/saker/{case_id}/uttalelse/{statement_id}.pdf").status_code == 302
    for path in WRITE_ROUTES:
        for method in ("GET", "POST"):
            response = member_client.open(f"/ekspertpanelet/saker/{case_id}/{path}", method=method,
                                          data={"text": "x", "findings_1": "Medlemmets funn."})
            assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
    assert _referral(app, case_id)["answers"][1][0].startswith("Etablert behandling er gitt")
    assert _count(app, PrincipledQuestion) == 0


# Every form validates in one round: the form's own errors and the service's rules together, nothing saved.

def _errors(response) -> set[str]:
    return set(re.findall(r'id="([a-z0-9_]+)-error"', response.get_data(as_text=True)))


def test_an_item_shows_every_error_in_one_round(app, client, case_id):
    response = client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny", data={
        **ITEM, "question": "", "registry_id": "NCT123", "country": "", "method_reference": "ID1999_999"})
    assert response.status_code == 200
    assert _errors(response) == {"question", "registry_id", "country", "method_reference"}
    assert _count(app, TreatmentItem) == 0


def test_feedback_and_a_principled_question_show_every_error_in_one_round(app, client, case_id):
    _complete_assessment(client, case_id)
    _approve(client, case_id)
    client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege Lise Lund", "sent_on": TODAY.strftime("%d.%m.%Y"), "summary": "Off-label anbefales.",
        "outcome": "off_label"})
    future = date(TODAY.year + 1, 1, 1).strftime("%d.%m.%Y")
    feedback = client.post(f"/ekspertpanelet/saker/{case_id}/tilbakemelding/ny", data={
        "received_on": future, "summary": ""})
    assert feedback.status_code == 200
    assert _errors(feedback) == {"received_on", "followed", "summary"}
    question = client.post(f"/ekspertpanelet/saker/{case_id}/prinsipielle-sporsmal/ny", data={
        "raised_on": future, "text": ""})
    assert question.status_code == 200
    assert _errors(question) == {"raised_on", "text"}
    assert (_count(app, Feedback), _count(app, PrincipledQuestion)) == (0, 0)


def test_a_statement_shows_every_error_in_one_round(app, client, case_id):
    _complete_assessment(client, case_id)
    _approve(client, case_id)
    response = client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege Lise Lund", "sent_on": "01.01.2020", "summary": "", "outcome": ""})
    assert response.status_code == 200
    assert _errors(response) == {"sent_on", "summary", "outcome"}
    assert _count(app, Statement) == 0
