"""The patient pages of a case through the test client: the history, a change and a correction with their reason,
guardians, the decision letter's addressee, office scope (404 as for an unknown case) and the audit rows."""
import re
from datetime import date, timedelta

from sqlalchemy import select

from app.abroad.models import Application
from app.auth.models import User
from app.cases.models import Case, CaseKind, Guardian, PatientFactsEntry
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db
from tests.pdf import pdf_text

TODAY = date.today()
NORA = synthetic_national_id(date(1994, 3, 8))


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


def _form(**overrides) -> dict:
    data = {"national_id": NORA, "patient_name": "Nora Nordlys", "birth_date": "", "street": "Storgata 1",
            "postal_code": "9008", "postal_place": "Tromsø", "municipality": "5501 Tromsø", "home_region": "helse-nord",
            "stream": "application", "received_on": _day(60), "reference": "", "applicant": "Sykehuslege",
            "referring_doctor": "Lege Line Lie", "referring_hospital": "UNN Tromsø",
            "requested_treatment": "Fetoskopisk laserbehandling av TTTS", "requested_where": "Rigshospitalet",
            "treatment_class": "established", "icd10": "O43.0", "method_reference": ""}
    return {**data, **overrides}


def _register(client, **overrides) -> int:
    response = client.post("/utland/soknader/ny", data=_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _letter(client, case_id: int) -> str:
    link = client.get(f"/utland/soknader/{case_id}/vedtaksbrev.pdf")
    assert link.status_code == 302
    return pdf_text(client.get(link.headers["Location"]).data)


def _version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).version


def _facts(**overrides) -> dict:
    return {"kind": "change", "valid_from": _day(10), "name": "Nora Nordlys", "street": "Parkveien 5",
            "postal_code": "0350", "postal_place": "Oslo", "municipality": "0301 Oslo", "home_region": "helse-sor-ost",
            "reason": "Flyttet, melding fra pasienten", **overrides}


def test_a_moved_patient_gets_a_new_application_and_the_old_case_keeps_its_region(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    old_id = _register(worker, received_on=_day(400))
    new_id = _register(worker, street="Parkveien 5", postal_code="0350", postal_place="Oslo",
                       municipality="0301 Oslo", home_region="helse-sor-ost")

    old_page = worker.get(f"/utland/soknader/{old_id}").get_data(as_text=True)
    new_page = worker.get(f"/utland/soknader/{new_id}").get_data(as_text=True)
    assert "Helse Nord" in old_page and "Storgata 1, 9008 Tromsø" in old_page
    assert "Parkveien 5, 0350 Oslo" in new_page and "Storgata 1" not in new_page
    with app.app_context():
        old, new = db.session.get(Case, old_id), db.session.get(Case, new_id)
        assert old.patient_id == new.patient_id
        regions = dict(db.session.execute(select(Application.case_id, Application.home_region)).all())
        assert (regions[old_id], regions[new_id]) == ("helse-nord", "helse-sor-ost")
    history = worker.get(f"/saker/{new_id}/pasient").get_data(as_text=True)
    assert history.count('data-history="registration"') == 2 and "Parkveien 5" in history


def test_a_change_through_the_form_is_shown_in_the_history_and_audited(app, login, make_user):
    worker_id = make_user("abroad_caseworker", "helse-sor-ost", name="Siri Saksbehandler")
    worker = login(worker_id)
    case_id = _register(worker)
    form_page = worker.get(f"/saker/{case_id}/pasient/endre")
    assert form_page.status_code == 200 and 'value="Storgata 1"' in form_page.get_data(as_text=True)

    answer = worker.post(f"/saker/{case_id}/pasient/endre", data={**_facts(), "version": _version(app, case_id)})
    assert answer.status_code == 302
    page = worker.get(f"/saker/{case_id}/pasient").get_data(as_text=True)
    assert 'data-history="change"' in page and "Flyttet, melding fra pasienten" in page
    assert "Parkveien 5, 0350 Oslo" in page and "Siri Saksbehandler" in page
    with app.app_context():
        entry = db.session.scalar(select(PatientFactsEntry))
        assert entry.changes["street"] == ["Storgata 1", "Parkveien 5"]
        views = db.session.scalars(select(AuditEvent.changes).where(
            AuditEvent.action == AuditAction.VIEW, AuditEvent.object_type == "patient",
            AuditEvent.user_id == worker_id)).all()
        assert {"page": "pasient"} in views and {"page": "endre pasient"} in views


def test_a_correction_without_a_reason_is_refused_at_the_field_and_nothing_is_saved(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _register(worker, patient_name="Nora Nordlus")
    answer = worker.post(f"/saker/{case_id}/pasient/endre", data={
        **_facts(kind="correction", valid_from=_day(60), street="Storgata 1", postal_code="9008",
                 postal_place="Tromsø", municipality="5501 Tromsø", home_region="helse-nord", reason=""),
        "version": _version(app, case_id)})
    assert answer.status_code == 200
    assert 'id="reason-error"' in answer.get_data(as_text=True)

    answer = worker.post(f"/saker/{case_id}/pasient/endre", data={
        **_facts(kind="correction", valid_from=_day(60), street="Storgata 1", postal_code="9008",
                 postal_place="Tromsø", municipality="5501 Tromsø", home_region="helse-nord", reason="Skrivefeil"),
        "version": _version(app, case_id)})
    assert answer.status_code == 302
    page = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert "Nora Nordlys" in page and "Nora Nordlus" not in page
    history = worker.get(f"/saker/{case_id}/pasient").get_data(as_text=True)
    assert "Nora Nordlus → Nora Nordlys" in history and "Skrivefeil" in history


def test_a_stale_form_answers_409_and_saves_nothing(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _register(worker)
    answer = worker.post(f"/saker/{case_id}/pasient/endre",
                         data={**_facts(), "version": _version(app, case_id) - 1})
    assert answer.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(PatientFactsEntry)) is None


def test_another_office_gets_404_as_for_an_unknown_case_and_a_denied_row(app, login, make_user):
    case_id = _register(login(make_user("abroad_caseworker", "helse-sor-ost")))
    vest_id = make_user("abroad_caseworker", "helse-vest")
    vest = login(vest_id)
    for path in ("pasient", "pasient/endre", "pasient/verge/ny"):
        assert vest.get(f"/saker/{case_id}/{path}").status_code == 404
        assert vest.get(f"/saker/{case_id + 1000}/{path}").status_code == 404
    assert vest.post(f"/saker/{case_id}/pasient/endre", data=_facts()).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == AuditAction.DENIED,
                                                             AuditEvent.user_id == vest_id)) is not None


def test_a_method_case_has_no_patient_page(app, login, make_user, make_case):
    secretariat_id = make_user("methods_secretariat")
    case_id = make_case(secretariat_id, kind=CaseKind.METHOD, title="Metode")
    assert login(secretariat_id).get(f"/saker/{case_id}/pasient").status_code == 404


def test_a_guardian_added_and_ended_and_the_decision_letter_goes_to_the_guardian(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _register(worker)
    refused = worker.post(f"/saker/{case_id}/pasient/verge/ny", data={
        "name": "Verge Vik", "street": "Postboks 12", "postal_code": "92", "postal_place": "Tromsø",
        "valid_from": _day(100), "valid_to": ""})
    assert refused.status_code == 200 and 'id="postal_code-error"' in refused.get_data(as_text=True)
    added = worker.post(f"/saker/{case_id}/pasient/verge/ny", data={
        "name": "Verge Vik", "street": "Postboks 12", "postal_code": "9251", "postal_place": "Tromsø",
        "valid_from": _day(100), "valid_to": ""})
    assert added.status_code == 302
    assert "Verge Vik" in worker.get(f"/saker/{case_id}/pasient").get_data(as_text=True)

    decided = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "denied", "decided_on": _day(5), "legal_basis": "Pbrl. § 2-4a andre ledd",
        "reasoning": "Tilbudet i Norge er faglig forsvarlig."})
    assert decided.status_code == 302
    letter = _letter(worker, case_id)
    assert "Verge Vik Postboks 12 9251 Tromsø" in letter and "Nora Nordlys, født 08.03.1994" in letter
    assert "Storgata 1" not in letter

    with app.app_context():
        guardian = db.session.scalar(select(Guardian))
        guardian_id, version = guardian.id, guardian.version
    ended = worker.post(f"/saker/{case_id}/pasient/verge/{guardian_id}/avslutt", data={
        f"verge{guardian_id}-valid_to": _day(1), f"verge{guardian_id}-version": version})
    assert ended.status_code == 302
    with app.app_context():
        assert db.session.get(Guardian, guardian_id).valid_to == TODAY - timedelta(days=1)
        assert db.session.scalar(select(AuditEvent.changes).where(
            AuditEvent.object_type == "guardian", AuditEvent.action == AuditAction.UPDATE))["valid_to"][0] is None


def test_the_decision_letter_goes_to_the_patient_at_the_registered_address(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _register(worker)
    worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "denied", "decided_on": _day(5), "legal_basis": "Pbrl. § 2-4a andre ledd",
        "reasoning": "Tilbudet i Norge er faglig forsvarlig."})
    letter = _letter(worker, case_id)
    assert "Nora Nordlys Storgata 1 9008 Tromsø" in letter


def test_a_registration_with_half_an_address_is_refused_at_the_field(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    answer = worker.post("/utland/soknader/ny", data=_form(postal_code=""))
    assert answer.status_code == 200 and 'id="postal_code-error"' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Case.id)) is None
        assert db.session.scalar(select(User.id).where(User.office == "helse-sor-ost")) is not None


def _errors(response) -> set[str]:
    """The fields a page shows an error at."""
    return set(re.findall(r'id="([a-z0-9_]+)-error"', response.get_data(as_text=True)))


def test_the_patient_form_shows_every_error_in_one_round_and_saves_nothing(app, login, make_user):
    """The form's own checks (a missing reason) and the service's rules (half an address, a municipality of
    another region, a date before the birth) in one round."""
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _register(worker)
    answer = worker.post(f"/saker/{case_id}/pasient/endre", data={
        **_facts(valid_from="01.01.1990", street="Parkveien 5", postal_code="035", postal_place="",
                 municipality="4601 Bergen", reason=""), "version": _version(app, case_id)})
    assert answer.status_code == 200
    assert _errors(answer) == {"valid_from", "postal_code", "postal_place", "home_region", "reason"}
    html = answer.get_data(as_text=True)
    assert "Datoen kan ikke være før pasientens fødselsdato." in html and "«035» er ikke et postnummer" in html
    with app.app_context():
        assert db.session.scalar(select(PatientFactsEntry)) is None


def test_the_guardian_form_shows_every_error_in_one_round_and_saves_nothing(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _register(worker)
    answer = worker.post(f"/saker/{case_id}/pasient/verge/ny", data={
        "name": "", "street": "Postboks 12", "postal_code": "92", "postal_place": "Tromsø",
        "valid_from": _day(100), "valid_to": _day(200)})
    assert answer.status_code == 200
    assert _errors(answer) == {"name", "postal_code", "valid_to"}
    with app.app_context():
        assert db.session.scalar(select(Guardian)) is None
