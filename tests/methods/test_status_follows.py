"""A method's status follows from what is recorded (assessment, agenda items, ordering decision, report,
decision), and the method's core case status follows the method's: through the pages, seen in the API."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import Case, CaseStatus, CaseStatusChange
from app.errors import InvalidInput
from app.extensions import db
from app.methods import services
from app.methods.commands import StatusChange
from app.methods.models import AgendaItem, Commission, MethodStatus
from tests.factories import new_method

PDF = b"%PDF-1.4\n%%EOF\n"


def _state(app, reference: str) -> tuple[MethodStatus, CaseStatus]:
    with app.app_context():
        method = services.find_method(reference)
        return method.status, db.session.get(Case, method.case_id).status


def _saved(client, url: str, data: dict, **kwargs) -> str:
    response = client.post(url, data=data, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _meeting(client, forum: str, day: str) -> int:
    location = _saved(client, "/metoder/moter/ny", {"forum": forum, "meeting_date": day})
    return int(location.split("#")[0].rstrip("/").rsplit("/", 1)[-1])


def _agenda(app, client, meeting_id: int, reference: str) -> int:
    _saved(client, f"/metoder/moter/{meeting_id}/saker/ny", {"references": reference, "number": ""})
    with app.app_context():
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)
                                 .order_by(AgendaItem.id.desc()))


def test_each_record_moves_the_method_and_its_case_and_the_api_shows_it(app, client, login, make_user):
    secretary_id = make_user("methods_secretariat")
    with app.app_context():
        reference = services.register_method(new_method("Robotassistert kirurgi", date(2024, 3, 4)),
                                             actor=db.session.get(User, secretary_id)).reference
        db.session.commit()
    page = login(secretary_id)
    assert _state(app, reference) == (MethodStatus.RECEIVED, CaseStatus.CREATED)

    _saved(page, f"/metoder/{reference}/egnethetsvurdering", {
        "version": "0", "document_version": "1.0", "author_body": "DMP", "summary": "Kort oppsummering."})
    assert _state(app, reference) == (MethodStatus.SUITABILITY, CaseStatus.IN_PROGRESS)
    assert client.get(f"/api/v1/methods/{reference}").get_json()["status"] == "suitability"

    item_id = _agenda(app, page, _meeting(page, "bestillerforum", "27.05.2024"), reference)
    assert _state(app, reference)[0] is MethodStatus.AWAITING_ORDERING

    _saved(page, f"/metoder/{reference}/bestilling/ny", {
        "agenda_item_id": str(item_id), "kind": "single_technology", "assessing_body": "DMP", "decided_on": "",
        "due_on": "01.06.2027", "reasoning": ""})
    assert _state(app, reference) == (MethodStatus.ASSESSMENT, CaseStatus.IN_PROGRESS)

    with app.app_context():
        commission_id = db.session.scalar(select(Commission.id))
    _saved(page, f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/ny", {
        "title": "Metodevurdering", "delivered_on": "02.12.2024", "file": (io.BytesIO(PDF), "rapport.pdf")},
        content_type="multipart/form-data")
    assert _state(app, reference)[0] is MethodStatus.CLEARANCE
    assert client.get(f"/api/v1/methods/{reference}").get_json()["status"] == "clearance"

    decision_item = _agenda(app, page, _meeting(page, "beslutningsforum", "17.03.2025"), reference)
    assert _state(app, reference)[0] is MethodStatus.FOR_DECISION

    _saved(page, f"/metoder/{reference}/beslutninger/ny", {
        "amends_id": "", "decided_by": "beslutningsforum", "agenda_item_id": str(decision_item),
        "decided_on": "17.03.2025", "outcome": "introduced", "preamble": "", "points": "Metoden innføres.",
        "conditions": "", "valid_from": ""})
    assert _state(app, reference) == (MethodStatus.DECIDED, CaseStatus.FINISHED_BY_CASEWORKER)
    assert client.get(f"/api/v1/methods/{reference}").get_json()["status"] == "decided"
    with app.app_context():
        case_id = services.find_method(reference).case_id
        history = db.session.scalars(select(CaseStatusChange).where(CaseStatusChange.case_id == case_id)
                                     .order_by(CaseStatusChange.id)).all()
        assert [(change.from_status, change.to_status) for change in history] == [
            (None, CaseStatus.CREATED), (CaseStatus.CREATED, CaseStatus.IN_PROGRESS),
            (CaseStatus.IN_PROGRESS, CaseStatus.FINISHED_BY_CASEWORKER)]
        assert history[-1].by_id == secretary_id


def test_the_status_page_offers_only_what_no_record_drives(app, login, make_user):
    secretary_id = make_user("methods_secretariat")
    with app.app_context():
        reference = services.register_method(new_method(), actor=db.session.get(User, secretary_id)).reference
        db.session.commit()
    page = login(secretary_id)
    form = page.get(f"/metoder/{reference}/status").get_data(as_text=True)
    assert 'value="open_for_input"' in form and 'value="closed"' in form
    assert 'value="suitability"' not in form and 'value="awaiting_ordering"' not in form

    refused = page.post(f"/metoder/{reference}/status", data={"status": "suitability", "on": "01.04.2024"})
    assert refused.status_code == 200 and _state(app, reference)[0] is MethodStatus.RECEIVED
    _saved(page, f"/metoder/{reference}/status", {"status": "open_for_input", "on": "01.04.2024"})
    assert _state(app, reference) == (MethodStatus.OPEN_FOR_INPUT, CaseStatus.IN_PROGRESS)
    _saved(page, f"/metoder/{reference}/status", {"status": "closed", "on": "02.04.2024"})
    assert _state(app, reference) == (MethodStatus.CLOSED, CaseStatus.CLOSED)


def test_the_service_refuses_by_hand_a_status_a_record_drives(app_ctx, make_user):
    secretary = db.session.get(User, make_user("methods_secretariat"))
    method = services.register_method(new_method(), actor=secretary)
    with pytest.raises(InvalidInput, match="egnethetsvurdering") as refused:
        services.set_status_by_hand(method, StatusChange(MethodStatus.SUITABILITY, date(2024, 4, 1)), actor=secretary)
    assert refused.value.field == "status" and method.status is MethodStatus.RECEIVED


def test_the_proposal_form_shows_every_error_in_one_round(app, login, make_user):
    """The form's own checks and the service's rules on the fields it accepted are shown together."""
    page = login(make_user("methods_secretariat"))
    response = page.post("/metoder/ny", data={
        "title": "", "method_type": "prosedyrer", "kind": "forslag", "organisation": "Sykehuset Telemark",
        "received_on": f"{date.today().replace(year=date.today().year + 1):%d.%m.%Y}",
        "earlier_reference": "ID2018_999", "atc_code": "L1FF02"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert set(re.findall(r'id="([a-z0-9_]+)-error"', html)) == {"title", "received_on", "earlier_reference",
                                                                 "atc_code"}
    assert "«L1FF02» er ikke en ATC-kode." in html
    assert "Mottatt-datoen kan ikke være fram i tid." in html and "Fant ingen metode med ID ID2018_999." in html
