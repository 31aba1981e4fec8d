"""Issue 18 item 3 on the pages: the § 31 dismissal previewed, then filed and downloaded (pdftotext); Klagenemnda's
quashing with its fields refused in one round; the withdrawal form."""
from sqlalchemy import select

from app.abroad.models import Appeal, AppealStatus, ApplicationStatus
from app.extensions import db
from tests.abroad.test_letters import DECISION, _day, _digest, _register
from tests.pdf import pdf_text


def _appealed(app, worker, *, received: int, notified: int) -> int:
    case_id = _register(worker, national_id="", patient_name="Klara Klager", birth_date="01.01.1970")
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        **DECISION, "decision": "denied", "decided_on": _day(40)}).status_code == 302
    registered = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": _day(received), "notified_on": _day(notified)})
    assert registered.status_code == 302, registered.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(Appeal.case_id))


def test_a_late_appeal_is_dismissed_on_the_page_with_its_letter(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest", name="Siri Saksbehandler"))
    appeal_case_id = _appealed(app, worker, received=2, notified=38)
    url = f"/utland/klager/{appeal_case_id}/fristoversittelse"
    refused = worker.post(url, data={"consider": "nei", "assessment": "", "decided_on": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="assessment-error"' in page and 'id="decided_on-error"' in page
    data = {"consider": "nei", "assessment": "Ingen særlige grunner.", "decided_on": _day(1)}
    preview = worker.post(url, data={**data, "steg": "forhandsvis"}).get_data(as_text=True)
    assert "Vedtak om avvisning av klage" in preview
    filed = worker.post(url, data={**data, "steg": "journalfor", "forhandsvist": _digest(preview)})
    assert filed.status_code == 302, filed.get_data(as_text=True)
    page = worker.get(f"/utland/klager/{appeal_case_id}").get_data(as_text=True)
    assert "Last ned vedtaksbrevet om avvisning (PDF)" in page
    with app.app_context():
        appeal = db.session.scalar(select(Appeal))
        document_id = appeal.office_letter_document_id
        assert appeal.status is AppealStatus.DISMISSED_LATE
    link = f"/saker/{appeal_case_id}/dokumenter/{document_id}/versjoner/1"
    letter = pdf_text(worker.get(link).data)
    assert "Klara Klager" in letter and "Klagen avvises fordi den kom etter klagefristen" in letter
    assert "Du kan klage på vedtaket om å avvise klagen" in letter


def test_klagenemnda_quashes_on_the_page_and_the_application_is_open_again(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    appeal_case_id = _appealed(app, worker, received=20, notified=38)
    data = {"outcome": "forwarded", "decided_on": _day(10), "reasoning": "Avslaget står."}
    url = f"/utland/klager/{appeal_case_id}/kontorets-behandling"
    preview = worker.post(url, data={**data, "steg": "forhandsvis"}).get_data(as_text=True)
    assert worker.post(url, data={**data, "steg": "journalfor", "forhandsvist": _digest(preview)}).status_code == 302
    board = f"/utland/klager/{appeal_case_id}/nemnda"
    refused = worker.post(board, data={"outcome": "quashed", "decided_on": _day(2)})
    page = refused.get_data(as_text=True)
    assert 'id="summary-error"' in page and 'id="new_decision_due_on-error"' in page
    quashed = worker.post(board, data={"outcome": "quashed", "decided_on": _day(2), "summary": "Ikke godt nok opplyst.",
                                       "new_decision_due_on": _day(-30)})
    assert quashed.status_code == 302, quashed.get_data(as_text=True)
    page = worker.get(f"/utland/klager/{appeal_case_id}").get_data(as_text=True)
    assert "Opphevet og sendt tilbake til kontoret" in page and "Frist for nytt vedtak" in page
    with app.app_context():
        assert db.session.scalar(select(Appeal)).application.status is ApplicationStatus.IN_PREPARATION


def test_the_withdrawal_form_closes_the_appeal(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    appeal_case_id = _appealed(app, worker, received=20, notified=38)
    assert "Registrer at klagen er trukket" in worker.get(f"/utland/klager/{appeal_case_id}").get_data(as_text=True)
    url = f"/utland/klager/{appeal_case_id}/trukket"
    refused = worker.post(url, data={"withdrawn_on": _day(25)})
    assert refused.status_code == 200 and 'id="withdrawn_on-error"' in refused.get_data(as_text=True)
    assert worker.post(url, data={"withdrawn_on": _day(5)}).status_code == 302
    page = worker.get(f"/utland/klager/{appeal_case_id}").get_data(as_text=True)
    assert "Klagen ble trukket" in page and "Registrer at klagen er trukket" not in page
    assert worker.get(url).status_code == 200   # the form says why when posted again
    again = worker.post(url, data={"withdrawn_on": _day(5)})
    assert "kan ikke trekkes" in again.get_data(as_text=True)
