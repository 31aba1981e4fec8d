"""The wrong scheme (S3 § 1; forvaltningsloven § 4): an application that belongs to Helfo's EEA routes or another
body is forwarded there with a letter (PDF/UA, filed), not refused, on the page and in the API; the annual report
counts it as forwarded, and not as pending or refused."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.abroad import forwarding, services
from app.abroad.commands import Forwarding
from app.abroad.models import Application, ApplicationStatus, ForwardedTo, Stream
from app.abroad.statistics import abroad_figures, build_report
from app.auth import services as account_services
from app.auth.models import User
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from app.reports.registry import ReportRequest
from tests.factories import abroad_application
from tests.pdf import pdf_text

TODAY = date.today()
FORWARD = {"forwarded_to": "helfo_eea_refund", "forwarded_on": f"{TODAY - timedelta(days=2):%d.%m.%Y}",
           "reason": "Behandlingen er allerede gitt i Tyskland, og pasienten ber om refusjon.", "body_name": ""}


def _forwarding(**overrides) -> Forwarding:
    values = {"forwarded_to": ForwardedTo.HELFO_S2, "forwarded_on": date(2026, 10, 1),
              "reason": "Planlagt behandling i Sverige etter trygdeforordningen."}
    return Forwarding(**{**values, **overrides})


def test_the_rules_of_a_forwarding_are_checked_at_once(application, caseworker):
    with pytest.raises(InvalidInputs) as refused:
        forwarding.check_forwarding(application, _forwarding(forwarded_to=ForwardedTo.OTHER, reason=None,
                                                             forwarded_on=date(2020, 1, 1)), today=date(2026, 11, 20))
    assert {error.field for error in refused.value.errors} == {"forwarded_on", "reason", "body_name"}
    with pytest.raises(InvalidInput, match="bare for «Annen instans»"):
        forwarding.check_forwarding(application, _forwarding(body_name="NAV"), today=date(2026, 11, 20))


def test_a_pgd_application_or_a_referral_is_not_forwarded_by_the_office(register):
    pgd = register(stream=Stream.PGD, icd10="Z31.4")
    with pytest.raises(InvalidInput, match="avgjøres av andre"):
        forwarding.check_forwarding(pgd, _forwarding(), today=date(2026, 11, 20))


def test_the_forwarded_application_has_a_filed_letter_and_is_not_appealable(application, caseworker):
    forwarding.forward(application, _forwarding(), actor=caseworker, letter=b"%PDF-1.7 brev",
                       today=date(2026, 11, 20))
    assert application.status is ApplicationStatus.FORWARDED and application.decision is None
    assert application.letter_document_id is not None and not application.appealable
    with pytest.raises(InvalidInput, match="kan ikke lenger forberedes"):
        forwarding.check_forwarding(application, _forwarding(), today=date(2026, 11, 20))


def test_the_page_previews_and_files_the_letter_and_the_api_forwards_too(app, make_user, login):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost", name="Siri Saksbehandler")
    with app.app_context():
        user = db.session.get(User, user_id)
        received = TODAY - timedelta(days=20)
        first = services_register(user, received)
        second = services_register(user, received, national_id=None, birth_date=date(1980, 5, 5),
                                   patient_name="Per Annen")
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        first_id, second_id = first.case_id, second.case_id
    client = login(user_id)
    url = f"/utland/soknader/{first_id}/oversend"
    missing = client.post(url, data={**FORWARD, "forwarded_to": "other", "reason": "", "steg": "forhandsvis"})
    html = missing.get_data(as_text=True)
    assert "Oppgi instansen søknaden sendes til." in html and "Skriv hvorfor søknaden hører" in html
    preview = client.post(url, data={**FORWARD, "steg": "forhandsvis"}).get_data(as_text=True)
    assert "Søknaden er sendt videre til Helfo" in preview
    digest = preview.split('name="forhandsvist" value="', 1)[1].split('"', 1)[0]
    filed = client.post(url, data={**FORWARD, "steg": "journalfor", "forhandsvist": digest})
    assert filed.status_code == 302
    link = client.get(f"/utland/soknader/{first_id}/vedtaksbrev.pdf")
    letter = pdf_text(client.get(link.headers["Location"]).data)
    assert ("Søknaden er sendt videre til Helfo – refusjon av helsehjelp mottatt i et annet EØS-land "
            "(pasientrettighetsdirektivet 2011/24/EU)") in letter
    assert "Behandlingen er allerede gitt i Tyskland, og pasienten ber om refusjon." in letter
    assert "dette brevet er ikke et vedtak som kan påklages" in letter
    assert "Forvaltningsloven § 4 (veiledningsplikten)" in letter

    api = app.test_client().post(f"/api/v1/abroad/applications/{second_id}/forwarding",
                                 headers={"Authorization": f"Bearer {secret}"},
                                 json={"forwarded_to": "other", "forwarded_on": f"{TODAY:%Y-%m-%d}",
                                       "reason": "Gjelder behandlingsreise.", "body_name": "NAV Kontaktsenter"})
    assert api.status_code == 200, api.get_json()
    assert (api.get_json()["status"], api.get_json()["forwarded_to_name"]) == ("forwarded", "NAV Kontaktsenter")
    with app.app_context():
        statuses = db.session.scalars(select(Application.status).where(
            Application.case_id.in_([first_id, second_id]))).all()
        assert statuses == [ApplicationStatus.FORWARDED] * 2


def services_register(user, received: date, **overrides) -> Application:
    return services.register_application(abroad_application(received_on=received, **overrides), actor=user,
                                         today=TODAY)


def test_the_annual_report_counts_forwarded_not_refused_or_pending(register, caseworker):
    kept = register(received_on=date(2025, 11, 3))
    later = register(received_on=date(2025, 11, 4), national_id=None, birth_date=date(1980, 5, 5),
                     patient_name="Per Annen")
    forwarding.forward(kept, _forwarding(forwarded_on=date(2025, 11, 20)), actor=caseworker, letter=b"%PDF",
                       today=date(2026, 11, 20))
    forwarding.forward(later, _forwarding(forwarded_on=date(2026, 1, 5)), actor=caseworker, letter=b"%PDF",
                       today=date(2026, 11, 20))

    figures = abroad_figures(2025)
    assert (figures["received"], figures["granted"], figures["forwarded"]) == (2, 0, 1)
    assert figures["pending_at_year_end"] == 1      # the one forwarded in January was pending at year end
    report = build_report(ReportRequest(year=2025, region=None), lambda *_: None)
    table = report.sections[0].blocks[1]
    assert table.columns[-1].label == "Sendt videre til annen ordning"
    assert table.rows[-1][1:] == [2, 0, 0.0, 1]
    assert "1 hørte til en annen ordning og ble sendt videre dit, ikke avslått." in report.sections[0].blocks[0].text


def test_a_refund_after_treatment_is_a_stream_of_its_own(app, make_user, login):
    """S3 § 4: the common application and refund form. The office decides it (letter and appeal as for an
    application, in its own words); the annual report counts it apart from the applications."""
    user_id = make_user("abroad_caseworker", office="helse-sor-ost", name="Siri Saksbehandler")
    with app.app_context():
        refund = services.register_application(abroad_application(
            stream=Stream.REFUND, received_on=date(2025, 3, 3), requested_treatment="Refusjon av fostermedisinsk "
            "behandling i Danmark"), actor=db.session.get(User, user_id), today=TODAY)
        db.session.commit()
        case_id = refund.case_id
    client = login(user_id)
    preview = client.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "granted", "decided_on": "20.03.2025", "legal_basis": "Pbrl. § 2-4a andre ledd",
        "reasoning": "Vilkårene var oppfylt.", "steg": "forhandsvis"}).get_data(as_text=True)
    assert "Vedtak om refusjon av utgifter til behandling i utlandet" in preview
    digest = preview.split('name="forhandsvist" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "granted", "decided_on": "20.03.2025", "legal_basis": "Pbrl. § 2-4a andre ledd",
        "reasoning": "Vilkårene var oppfylt.", "steg": "journalfor", "forhandsvist": digest}).status_code == 302
    link = client.get(f"/utland/soknader/{case_id}/vedtaksbrev.pdf")
    assert "Helseforetaket refunderer de dokumenterte utgiftene" in pdf_text(client.get(link.headers["Location"]).data)
    with app.app_context():
        figures = abroad_figures(2025)
        assert figures["refunds_after_treatment"] == {"received": 1, "granted": 1}
        assert (figures["received"], figures["granted"]) == (0, 0)
