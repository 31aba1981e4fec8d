"""Stored text comes back as text (ASVS 1.2.1, 3.2.2): a script and attribute-breaking payload saved in a case
title, a method's name and an application's free text is escaped on every page that shows it, and printed
literally (as characters, not markup) in the PDF letter."""
from datetime import date, timedelta

from markupsafe import escape

from app.auth.models import User
from app.extensions import db
from app.methods import services as methods
from app.methods.models import MethodType, SubmissionKind
from tests.factories import new_method
from tests.pdf import pdf_text
from tests.security.test_mass_assignment import _application_form, _new_application

PAYLOAD = """<script>alert(1)</script>"'><img src=x onerror=alert(1)>"""
ESCAPED = str(escape(PAYLOAD))   # &lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img src=x onerror=…&gt;


def _assert_escaped(client, url: str, times: int = 1) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "onerror=alert(1)>" not in html, url
    assert html.count(ESCAPED) >= times, f"{url}: the payload is not shown, escaped"
    return html


def test_a_case_title_with_markup_is_escaped_wherever_it_is_shown(login, make_user, make_case):
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    case_id = make_case(worker_id)
    worker = login(worker_id)
    assert worker.post(f"/saker/{case_id}/endre", data={
        "title": PAYLOAD, "responsible_id": str(worker_id), "version": "1", "reason": PAYLOAD}).status_code == 302
    for url in (f"/saker/{case_id}", "/saker", f"/saker?q={PAYLOAD[:20]}", f"/saker/{case_id}/endre"):
        _assert_escaped(worker, url)


def test_a_method_name_with_markup_is_escaped_on_the_internal_and_public_pages(app, login, make_user):
    secretariat_id = make_user("methods_secretariat")
    with app.app_context():
        method = methods.register_method(new_method(
            PAYLOAD, date(2025, 5, 2), reference="ID2025_777", method_type=MethodType.DRUG,
            submission_kind=SubmissionKind.REQUEST, organisation=PAYLOAD), actor=db.session.get(User, secretariat_id))
        db.session.commit()
        reference = method.reference
    secretariat = login(secretariat_id)
    for url in ("/metoder/", f"/metoder/{reference}", f"/metoder/{reference}/endre", "/"):
        _assert_escaped(secretariat, url)
    public = app.test_client()
    for url in ("/nye-metoder/", f"/nye-metoder/{reference}"):
        _assert_escaped(public, url)


def test_application_text_with_markup_is_escaped_on_the_pages_and_literal_in_the_letter(app, login, make_user):
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    worker = login(worker_id)
    case_id = _new_application(worker, _application_form(
        patient_name="Nora " + PAYLOAD, applicant=PAYLOAD, referring_doctor=PAYLOAD, requested_treatment=PAYLOAD,
        requested_where=PAYLOAD))
    _assert_escaped(worker, f"/utland/soknader/{case_id}", times=3)
    _assert_escaped(worker, "/utland/soknader")
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "denied", "decided_on": f"{date.today() - timedelta(days=5):%d.%m.%Y}",
        "legal_basis": "Pbrl. § 2-4a andre ledd", "reasoning": PAYLOAD}).status_code == 302
    _assert_escaped(worker, f"/utland/soknader/{case_id}", times=4)
    link = worker.get(f"/utland/soknader/{case_id}/vedtaksbrev.pdf")
    pdf = worker.get(link.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    # WeasyPrint would have parsed markup into elements; printed as text, every character is there.
    assert text.count(PAYLOAD) >= 2, text
    _assert_escaped(worker, f"/saker/{case_id}")
