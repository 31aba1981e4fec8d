"""Every form validates in one round: a refused form shows the field checks' errors and the service's rules on the
fields it accepted together, and the service reports every refused input at once, so fixing what was shown never
reveals a new error on a second submit. The pages and the JSON API alike; and a correction of the diagnosis or
received date runs the possible-duplicate rule of registration."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.abroad import services
from app.abroad.commands import OpinionCorrection, TreatmentPlan
from app.abroad.models import Appeal, Application, CostEntry, MedicalOpinion
from app.auth import services as account_services
from app.auth.models import User
from app.cases.interface import Case
from app.demo import synthetic_national_id
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from tests.factories import abroad_application, abroad_correction

TODAY = date.today()
SERVICE_TODAY = date(2026, 11, 20)


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


def _form(national_id: str, **overrides) -> dict:
    data = {"national_id": national_id, "patient_name": "Nora Nordlys", "birth_date": "",
            "municipality": "5501 Tromsø", "home_region": "helse-nord", "stream": "application",
            "received_on": _day(60), "reference": "", "applicant": "Sykehuslege", "referring_doctor": "Lege Line Lie",
            "referring_hospital": "UNN Tromsø", "requested_treatment": "Fetoskopisk laserbehandling av TTTS",
            "requested_where": "Rigshospitalet", "treatment_class": "established", "icd10": "O43.0",
            "method_reference": ""}
    return {**data, **overrides}


def _errors(response) -> set[str]:
    """The fields a page shows an error at."""
    return set(re.findall(r'id="([a-z0-9_]+)-error"', response.get_data(as_text=True)))


def _registered(worker, national_id: str, **overrides) -> int:
    created = worker.post("/utland/soknader/ny", data=_form(national_id, **overrides))
    assert created.status_code == 302, created.get_data(as_text=True)[-3000:]
    return int(created.headers["Location"].rsplit("/", 1)[1])


def _api(app, client, user_id: int):
    """A function calling the JSON API with a fresh token of the user."""
    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, user_id), name="Test", days=30)
        db.session.commit()

    def call(method: str, path: str, json=None):
        return client.open(f"/api/v1{path}", method=method, json=json, headers={"Authorization": f"Bearer {secret}"})
    return call


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


# The service: every refused input at once.

def test_the_registration_service_refuses_every_bad_input_at_once(caseworker):
    with pytest.raises(InvalidInputs) as refused:
        services.register_application(abroad_application(
            received_on=SERVICE_TODAY + timedelta(days=1), icd10="X99.99", method_reference="ID1999_999",
            requested_treatment=None, patient_name=" "), actor=caseworker, today=SERVICE_TODAY)
    assert set(refused.value.by_field()) == {"received_on", "icd10", "method_reference", "requested_treatment",
                                              "patient_name"}
    assert "fram i tid" in refused.value.by_field()["received_on"][0]


def test_a_possible_duplicate_is_shown_together_with_the_other_errors(caseworker):
    services.register_application(abroad_application(received_on=date(2026, 9, 1)), actor=caseworker,
                                  today=SERVICE_TODAY)
    db.session.commit()
    before = _count()
    with pytest.raises(InvalidInputs) as refused:
        services.register_application(abroad_application(received_on=date(2026, 9, 10), requested_treatment=None),
                                      actor=caseworker, today=SERVICE_TODAY)
    assert set(refused.value.by_field()) == {"requested_treatment", "confirm_duplicate"}
    db.session.rollback()
    assert _count() == before


# The pages.

def test_the_registration_page_shows_the_forms_and_the_services_errors_together(app, worker):
    response = worker.post("/utland/soknader/ny", data=_form(
        synthetic_national_id(date(1994, 3, 8), 201), icd10="", received_on=_day(-3), requested_treatment="",
        method_reference="ID1999_999"))
    assert response.status_code == 200
    assert _errors(response) == {"icd10", "received_on", "requested_treatment", "method_reference"}
    html = response.get_data(as_text=True)
    assert "Fyll inn ICD-10-kode." in html and "Mottatt-datoen kan ikke være fram i tid." in html
    assert "Fant ingen metode i Nye Metoder med ID «ID1999_999»." in html
    with app.app_context():
        assert _count() == 0


def test_a_field_the_form_refused_is_not_told_twice(worker):
    """A date the form could not read is its own message only; the service's date rules leave it out."""
    response = worker.post("/utland/soknader/ny", data=_form(
        synthetic_national_id(date(1994, 3, 8), 202), received_on="31.02.2026", requested_treatment=""))
    assert _errors(response) == {"received_on", "requested_treatment"}
    html = response.get_data(as_text=True)
    assert "Skriv en gyldig dato som dd.mm.åååå." in html and "fram i tid" not in html


def _version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Application.version).where(Application.case_id == case_id))


def _correction(app, case_id: int, **changes) -> dict:
    facts = _form("")
    names = ("stream", "received_on", "reference", "applicant", "referring_doctor", "referring_hospital",
             "requested_treatment", "requested_where", "treatment_class", "icd10", "method_reference")
    return {**{name: facts[name] for name in names}, "version": _version(app, case_id),
            "reason": "Feil fra henvisningen.", **changes}


def test_the_correction_page_shows_every_error_in_one_round(app, worker):
    case_id = _registered(worker, synthetic_national_id(date(1994, 3, 8), 203))
    response = worker.post(f"/utland/soknader/{case_id}/rett", data=_correction(
        app, case_id, reason="", icd10="X99.99", received_on=_day(-2), requested_treatment=""))
    assert response.status_code == 200
    assert _errors(response) == {"reason", "icd10", "received_on", "requested_treatment"}


def _granted(worker, national_id: str) -> int:
    case_id = _registered(worker, national_id)
    decided = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "granted", "decided_on": _day(50), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Ikke i Norge."})
    assert decided.status_code == 302
    return case_id


def test_the_decision_page_shows_every_error_in_one_round(worker):
    case_id = _registered(worker, synthetic_national_id(date(1994, 3, 8), 204))
    response = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "denied", "decided_on": "i går", "legal_basis": "", "reasoning": ""})
    assert response.status_code == 200
    assert _errors(response) == {"decided_on", "legal_basis", "reasoning"}
    response = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "", "decided_on": _day(70), "legal_basis": "", "reasoning": ""})
    assert _errors(response) == {"decision", "decided_on"}
    assert "Vedtaket kan ikke være datert før søknaden ble mottatt" in response.get_data(as_text=True)


def test_the_cost_page_shows_every_error_in_one_round(app, worker):
    case_id = _granted(worker, synthetic_national_id(date(1994, 3, 8), 205))
    response = worker.post(f"/utland/soknader/{case_id}/kostnader/ny", data={
        "entry_date": _day(70), "category": "treatment", "amount": "", "currency": "XYZ", "exchange_rate": "",
        "invoice_reference": ""})
    assert response.status_code == 200
    assert _errors(response) == {"entry_date", "amount", "currency"}
    response = worker.post(f"/utland/soknader/{case_id}/kostnader/ny", data={
        "entry_date": _day(-1), "category": "treatment", "amount": "-5", "currency": "DKK", "exchange_rate": "",
        "invoice_reference": ""})
    assert _errors(response) == {"entry_date", "amount", "exchange_rate"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0


def test_the_appeal_page_shows_every_error_in_one_round(worker):
    case_id = _registered(worker, synthetic_national_id(date(1994, 3, 8), 206))
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "denied", "decided_on": _day(50), "legal_basis": "Pbrl. § 2-4a",
        "reasoning": "Forsvarlig tilbud i Norge."}).status_code == 302
    response = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": "", "notified_on": _day(55), "grounds": ""})
    assert response.status_code == 200
    assert _errors(response) == {"received_on", "notified_on"}
    assert "Pasienten kan ikke ha mottatt vedtaket før det ble fattet" in response.get_data(as_text=True)


# The JSON API names every error at once too.

def test_the_api_names_every_error_at_once(app, client, worker_id):
    call = _api(app, client, worker_id)
    body = {**_form(synthetic_national_id(date(1994, 3, 8), 207)), "icd10": "",
            "received_on": (TODAY + timedelta(days=3)).isoformat(), "requested_treatment": "",
            "method_reference": "ID1999_999"}
    refused = call("POST", "/abroad/applications", body)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"icd10", "received_on", "requested_treatment", "method_reference"}
    body.update(icd10="O43.0", received_on=(TODAY - timedelta(days=3)).isoformat())
    refused = call("POST", "/abroad/applications", body)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"requested_treatment", "method_reference"}


# A correction of the diagnosis or received date is checked for a possible duplicate, like a registration.

def test_correcting_the_diagnosis_into_a_duplicate_needs_the_confirmation(caseworker):
    first = services.register_application(abroad_application(received_on=date(2026, 9, 1)), actor=caseworker,
                                          today=SERVICE_TODAY)
    second = services.register_application(abroad_application(received_on=date(2026, 9, 10), icd10="C50.9"),
                                           actor=caseworker, today=SERVICE_TODAY)
    db.session.commit()
    with pytest.raises(services.PossibleDuplicate) as refused:
        services.correct_application(second, abroad_correction(second, icd10="O43.9"),
                                     expected_version=second.version, actor=caseworker, today=SERVICE_TODAY)
    assert refused.value.field == "confirm_duplicate" and "Kryss av for å lagre rettingen likevel" in str(refused.value)
    assert [duplicate.number for duplicate in refused.value.duplicates] == [db.session.get(Case, first.case_id).number]
    db.session.rollback()
    second = db.session.get(Application, second.id)
    assert second.icd10 == "C50.9"
    services.correct_application(second, abroad_correction(second, icd10="O43.9", confirm_duplicate=True),
                                 expected_version=second.version, actor=caseworker, today=SERVICE_TODAY)
    assert second.icd10 == "O43.9"


def test_correcting_the_received_date_into_the_window_needs_the_confirmation(caseworker):
    services.register_application(abroad_application(received_on=date(2026, 9, 1)), actor=caseworker,
                                  today=SERVICE_TODAY)
    second = services.register_application(abroad_application(received_on=date(2026, 10, 15)), actor=caseworker,
                                           today=SERVICE_TODAY)
    db.session.commit()
    with pytest.raises(services.PossibleDuplicate):
        services.correct_application(second, abroad_correction(second, received_on=date(2026, 9, 20)),
                                     expected_version=second.version, actor=caseworker, today=SERVICE_TODAY)


def test_a_correction_of_other_facts_asks_nothing_and_an_application_is_not_its_own_duplicate(caseworker):
    application = services.register_application(abroad_application(received_on=date(2026, 9, 1)),
                                                 actor=caseworker, today=SERVICE_TODAY)
    services.register_application(abroad_application(received_on=date(2026, 9, 5), confirm_duplicate=True),
                                  actor=caseworker, today=SERVICE_TODAY)
    db.session.commit()
    services.correct_application(application, abroad_correction(application, applicant="Fastlege"),
                                 expected_version=application.version, actor=caseworker, today=SERVICE_TODAY)
    alone = services.register_application(abroad_application(
        national_id=synthetic_national_id(date(1990, 1, 1), 300), received_on=date(2026, 9, 1)),
        actor=caseworker, today=SERVICE_TODAY)
    services.correct_application(alone, abroad_correction(alone, icd10="O43.9", received_on=date(2026, 9, 3)),
                                 expected_version=alone.version, actor=caseworker, today=SERVICE_TODAY)
    assert (alone.icd10, alone.received_on) == ("O43.9", date(2026, 9, 3))


def test_the_correction_page_asks_for_the_confirmation_of_a_duplicate(app, worker):
    national_id = synthetic_national_id(date(1994, 3, 8), 208)
    _registered(worker, national_id, received_on=_day(60))
    case_id = _registered(worker, national_id, received_on=_day(50), icd10="C50.9")
    form = worker.get(f"/utland/soknader/{case_id}/rett").get_data(as_text=True)
    assert 'name="confirm_duplicate"' not in form
    shown = worker.post(f"/utland/soknader/{case_id}/rett", data=_correction(app, case_id, received_on=_day(50)))
    assert shown.status_code == 200 and _errors(shown) == {"confirm_duplicate"}
    assert "Mulig dobbeltregistrering" in shown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Application.icd10).where(Application.case_id == case_id)) == "C50.9"
    confirmed = worker.post(f"/utland/soknader/{case_id}/rett", data=_correction(
        app, case_id, received_on=_day(50), confirm_duplicate="y"))
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Application.icd10).where(Application.case_id == case_id)) == "O43.0"


def test_the_api_correction_refuses_a_duplicate_without_the_flag(app, client, worker_id, login):
    national_id = synthetic_national_id(date(1994, 3, 8), 209)
    worker = login(worker_id)
    _registered(worker, national_id, received_on=_day(60))
    case_id = _registered(worker, national_id, received_on=_day(50), icd10="C50.9")
    call = _api(app, client, worker_id)
    body = {**_correction(app, case_id, icd10="O43.0"), "received_on": (TODAY - timedelta(days=50)).isoformat()}
    refused = call("PUT", f"/abroad/applications/{case_id}/correction", body)
    assert refused.status_code == 422 and "Mulig dobbeltregistrering" in refused.json["errors"]["confirm_duplicate"][0]
    confirmed = call("PUT", f"/abroad/applications/{case_id}/correction", {**body, "confirm_duplicate": True})
    assert confirmed.status_code == 200, confirmed.json
    with app.app_context():
        assert db.session.scalar(select(Application.icd10).where(Application.case_id == case_id)) == "O43.0"


def test_the_opinion_request_page_shows_every_error_in_one_round(worker):
    case_id = _registered(worker, synthetic_national_id(date(1994, 3, 8), 210))
    response = worker.post(f"/utland/soknader/{case_id}/uttalelser/ny", data={
        "requested_from": "", "question": "Er behandlingen nødvendig?", "requested_on": _day(70), "due_on": _day(75)})
    assert response.status_code == 200
    assert _errors(response) == {"requested_from", "requested_on", "due_on"}
    assert "Forespørselen kan ikke være sendt før søknaden ble mottatt." in response.get_data(as_text=True)


# The steps after the registration: every refused field at once, on the page and in the API, nothing written.

def _opinion_id(app, worker, case_id: int, received: bool = False) -> int:
    asked = worker.post(f"/utland/soknader/{case_id}/uttalelser/ny", data={
        "requested_from": "Fostermedisin, OUS", "question": "Er behandlingen nødvendig?", "requested_on": _day(58),
        "due_on": _day(45)})
    assert asked.status_code == 302
    with app.app_context():
        opinion_id = db.session.scalar(select(MedicalOpinion.id).join(Application).where(
            Application.case_id == case_id))
    if received:
        assert worker.post(f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", data={
            "received_on": _day(50), "conclusion": "Anbefaler behandling."}).status_code == 302
    return opinion_id


def _opinion(app, opinion_id: int) -> tuple:
    with app.app_context():
        opinion = db.session.get(MedicalOpinion, opinion_id)
        return opinion.requested_from, opinion.received_on, opinion.conclusion, opinion.version


def test_the_received_opinion_page_shows_every_error_in_one_round(app, worker):
    case_id = _registered(worker, synthetic_national_id(date(1994, 3, 8), 211))
    opinion_id = _opinion_id(app, worker, case_id)
    response = worker.post(f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", data={
        "received_on": _day(59), "conclusion": ""})
    assert response.status_code == 200
    assert _errors(response) == {"received_on", "conclusion"}
    assert "Uttalelsen kan ikke være mottatt før forespørselen ble sendt" in response.get_data(as_text=True)
    response = worker.post(f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", data={
        "received_on": _day(-2), "conclusion": ""})
    assert _errors(response) == {"received_on", "conclusion"}
    assert "Mottatt-datoen kan ikke være fram i tid." in response.get_data(as_text=True)
    assert _opinion(app, opinion_id)[1:3] == (None, None)


def test_the_opinion_correction_page_shows_every_error_in_one_round(app, worker):
    case_id = _registered(worker, synthetic_national_id(date(1994, 3, 8), 212))
    opinion_id = _opinion_id(app, worker, case_id, received=True)
    before = _opinion(app, opinion_id)
    response = worker.post(f"/utland/soknader/{case_id}/uttalelser/{opinion_id}/rett", data={
        "requested_from": "Fostermedisin, St. Olavs hospital", "question": "", "received_on": _day(-3),
        "conclusion": "", "reason": "", "version": before[3]})
    assert response.status_code == 200
    assert _errors(response) == {"question", "received_on", "conclusion", "reason"}
    assert "Mottatt-datoen kan ikke være fram i tid." in response.get_data(as_text=True)
    assert _opinion(app, opinion_id) == before


def test_an_unchanged_opinion_correction_says_so_with_the_other_errors():
    """The opinion as stored, corrected without a change: said in the same round as a missing reason would be,
    not after it."""
    opinion = MedicalOpinion(requested_from="OUS", question="Nødvendig?", requested_on=date(2026, 9, 2))
    with pytest.raises(InvalidInputs) as refused:
        services.check_opinion_correction(opinion, OpinionCorrection(
            requested_from="", question="Nødvendig?", reason=None, received_on=date(2026, 9, 3)))
    assert set(refused.value.by_field()) == {"requested_from", "reason", "received_on"}
    with pytest.raises(InvalidInput, match="Ingen opplysninger er endret"):
        services.check_opinion_correction(opinion, OpinionCorrection(
            requested_from="OUS", question="Nødvendig?", reason="Sjekket."))


def test_the_treatment_plan_service_and_api_name_every_error_at_once(app, client, worker, worker_id):
    case_id = _granted(worker, synthetic_national_id(date(1994, 3, 8), 213))
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        with pytest.raises(InvalidInputs) as refused:
            services.check_treatment_plan(application, TreatmentPlan(
                hospital=" ", country="XX", planned_start=date(2026, 10, 5), planned_end=date(2026, 10, 1)))
        assert set(refused.value.by_field()) == {"hospital", "country", "planned_end"}
    page = worker.post(f"/utland/soknader/{case_id}/behandling", data={
        "hospital": "", "country": "", "planned_start": _day(10), "planned_end": _day(12),
        "version": _version(app, case_id)})
    assert page.status_code == 200
    assert _errors(page) == {"hospital", "country", "planned_end"}
    call = _api(app, client, worker_id)
    refused = call("PUT", f"/abroad/applications/{case_id}/treatment-plan", {
        "hospital": "", "country": "XX", "planned_start": (TODAY - timedelta(days=10)).isoformat(),
        "planned_end": (TODAY - timedelta(days=12)).isoformat(), "version": _version(app, case_id)})
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"hospital", "country", "planned_end"}
    with app.app_context():
        assert db.session.scalar(select(Application.hospital).where(Application.case_id == case_id)) is None


def _denied_and_appealed(worker, national_id: str, *, received_days_ago: int = 60, decided_days_ago: int = 50,
                         appealed_days_ago: int = 40) -> int:
    case_id = _registered(worker, national_id, received_on=_day(received_days_ago))
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "denied", "decided_on": _day(decided_days_ago), "legal_basis": "Pbrl. § 2-4a",
        "reasoning": "Forsvarlig tilbud i Norge."}).status_code == 302
    appealed = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": _day(appealed_days_ago), "notified_on": _day(decided_days_ago - 2), "grounds": "Uenig."})
    assert appealed.status_code == 302
    return int(appealed.headers["Location"].rsplit("/", 1)[1])


def _appeal_row(app, appeal_case_id: int) -> tuple:
    with app.app_context():
        appeal = db.session.scalar(select(Appeal).where(Appeal.case_id == appeal_case_id))
        return appeal.status, appeal.consider_late, appeal.office_outcome, appeal.board_outcome


def test_the_late_appeal_assessment_shows_every_error_in_one_round(app, client, worker, worker_id):
    appeal_id = _denied_and_appealed(worker, synthetic_national_id(date(1994, 3, 8), 214), received_days_ago=420,
                                     decided_days_ago=400, appealed_days_ago=10)
    before = _appeal_row(app, appeal_id)
    response = worker.post(f"/utland/klager/{appeal_id}/fristoversittelse", data={"consider": "ja", "assessment": ""})
    assert response.status_code == 200
    assert _errors(response) == {"consider", "assessment"}
    assert "mer enn ett år etter vedtaket" in response.get_data(as_text=True)
    refused = _api(app, client, worker_id)("POST", f"/abroad/appeals/{appeal_id}/late-assessment",
                                           {"consider": "ja", "assessment": ""})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"consider", "assessment"}
    assert _appeal_row(app, appeal_id) == before


def test_the_reconsideration_shows_every_error_in_one_round(app, client, worker, worker_id):
    appeal_id = _denied_and_appealed(worker, synthetic_national_id(date(1994, 3, 8), 215))
    before = _appeal_row(app, appeal_id)
    response = worker.post(f"/utland/klager/{appeal_id}/kontorets-behandling", data={
        "outcome": "", "decided_on": _day(45), "reasoning": "", "steg": "forhandsvis"})
    assert response.status_code == 200
    assert _errors(response) == {"outcome", "decided_on", "reasoning"}
    assert "Kontorets behandling kan ikke være datert før klagen kom inn" in response.get_data(as_text=True)
    refused = _api(app, client, worker_id)("POST", f"/abroad/appeals/{appeal_id}/reconsideration", {
        "outcome": "forwarded", "decided_on": (TODAY + timedelta(days=2)).isoformat(), "reasoning": ""})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"decided_on", "reasoning"}
    assert _appeal_row(app, appeal_id) == before


def test_the_board_decision_shows_every_error_in_one_round(app, client, worker, worker_id):
    appeal_id = _denied_and_appealed(worker, synthetic_national_id(date(1994, 3, 8), 216))
    assert worker.post(f"/utland/klager/{appeal_id}/kontorets-behandling", data={
        "outcome": "forwarded", "decided_on": _day(30), "reasoning": "Avslaget står."}).status_code == 302
    before = _appeal_row(app, appeal_id)
    response = worker.post(f"/utland/klager/{appeal_id}/nemnda", data={
        "outcome": "", "decided_on": _day(35), "board_reference": ""})
    assert response.status_code == 200
    assert _errors(response) == {"outcome", "decided_on"}
    assert "Nemndas avgjørelse kan ikke være datert før klagen ble oversendt" in response.get_data(as_text=True)
    refused = _api(app, client, worker_id)("POST", f"/abroad/appeals/{appeal_id}/board-decision", {
        "outcome": "", "decided_on": (TODAY + timedelta(days=2)).isoformat()})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"outcome", "decided_on"}
    assert _appeal_row(app, appeal_id) == before
