"""Issue 18 items 13–15: the referring trust is chosen from the reference list of trusts and regional hospitals; a
referral is refused as outside the mandate, withdrawn or closed, each with a reason and a filed letter (page and
API); the panel's letters go to the patient and the treating doctor with copies to the home trust and the regional
hospital (the mandate, S4 parts I, III, IV and V)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.auth import services as account_services
from app.auth.models import User
from app.cases.models import Case, CaseStatus, Deadline, JournalEntry
from app.errors import Conflict, InvalidInput, InvalidInputs
from app.extensions import db
from app.panel import services
from app.panel.models import Ending, HealthTrust, ReferralStatus, RefusalGround
from tests.factories import panel_answer, panel_referral, panel_refusal, panel_statement
from tests.pdf import pdf_text

TODAY = date.today()
PDF = b"%PDF-1.4\n%%EOF"


@pytest.fixture
def secretary(app_ctx, make_user):
    return db.session.get(User, make_user("panel_secretariat", name="Sekretær Siri"))


@pytest.fixture
def referral(secretary):
    return services.register_referral(panel_referral(referred_on=TODAY - timedelta(days=3)), actor=secretary)


# Item 15: the reference list of trusts and regional hospitals

def test_each_region_has_one_regional_hospital_in_the_reference_list(app_ctx):
    regional = db.session.execute(select(HealthTrust.region, HealthTrust.regional_hospital)
                                  .where(HealthTrust.regional_hospital.is_not(None))).all()
    assert sorted(regional) == [("helse-midt-norge", "St. Olavs hospital"),
                                ("helse-nord", "Universitetssykehuset Nord-Norge"),
                                ("helse-sor-ost", "Oslo universitetssykehus"),
                                ("helse-vest", "Haukeland universitetssjukehus")]
    assert services.trust_named("Helse Møre og Romsdal HF").region == "helse-midt-norge"
    assert services.regional_hospital_of("helse-vest").name == "Helse Bergen HF"


def test_the_regional_hospital_condition_follows_from_the_list_not_from_a_declaration(secretary):
    unlisted = panel_referral(referring_trust="Mitt eget sykehus")
    with pytest.raises(InvalidInput, match="fra listen over helseforetak") as refused:
        services.register_referral(unlisted, actor=secretary, today=date(2026, 10, 2))
    assert refused.value.field == "referring_trust"
    # A local trust must have the review; the message names its region's regional hospital.
    with pytest.raises(InvalidInputs) as missing:
        services.register_referral(panel_referral(regional_review_by=None, regional_review_on=None),
                                   actor=secretary, today=date(2026, 10, 2))
    assert "regionsykehuset (St. Olavs hospital)" in str(missing.value)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    # The regional hospital itself needs none, and what was typed about a review is not kept.
    from_regional = services.register_referral(panel_referral(referring_trust="Helse Bergen HF"),
                                               actor=secretary, today=date(2026, 10, 2))
    assert from_regional.from_regional_hospital is True and from_regional.regional_review_by is None
    assert from_regional.referring_trust_record.name == "Helse Bergen HF"


def test_an_unlisted_home_trust_is_refused(secretary):
    with pytest.raises(InvalidInput, match="fra listen") as refused:
        services.register_referral(panel_referral(home_trust="Bostedssykehuset"), actor=secretary,
                                   today=date(2026, 10, 2))
    assert refused.value.field == "home_trust"


def test_the_form_offers_the_list_and_refuses_another_trust_at_the_field(app, login, make_user):
    client = login(make_user("panel_secretariat"))
    page = client.get("/ekspertpanelet/henvisninger/ny").get_data(as_text=True)
    assert '<option value="Helse Bergen HF">Helse Bergen HF (Helse Vest, regionsykehus)</option>' in page
    assert 'name="from_regional_hospital"' not in page


# Item 14: addressees and copies

def test_letters_go_to_the_patient_and_the_doctor_with_copies_to_the_home_trust_and_the_regional_hospital(
        secretary):
    referral = services.register_referral(panel_referral(
        referring_trust="Oslo universitetssykehus HF", home_trust="Nordlandssykehuset HF", home_region="helse-nord",
        municipality="1804 Bodø"), actor=secretary, today=date(2026, 10, 2))
    case = db.session.get(Case, referral.case_id)
    recipients = services.letter_recipients(case, referral, date(2026, 10, 2))
    assert recipients.names == ["Hanne Hagen", "Lege Lise Lund, Kreftavdelingen, Oslo universitetssykehus HF"]
    assert recipients.copies == ["Nordlandssykehuset HF", "Universitetssykehuset Nord-Norge HF"]
    # Without a home trust the referring trust is taken; one that is the regional hospital is copied once.
    own = services.register_referral(panel_referral(referring_trust="St. Olavs hospital HF"), actor=secretary,
                                     today=date(2026, 10, 2))
    assert services.letter_recipients(db.session.get(Case, own.case_id), own, date(2026, 10, 2)).copies == [
        "St. Olavs hospital HF"]


def test_the_statement_keeps_its_addressees_and_copies(referral, secretary):
    for question in (1, 2, 3, 4):
        services.save_answer(referral, panel_answer(question), actor=secretary)
    services.approve_statement(referral, actor=secretary)
    statement = services.send_statement(referral, panel_statement(), actor=secretary, pdf=PDF)
    assert statement.recipients == ["Hanne Hagen", "Lege Lise Lund, Kreftavdelingen, Helse Møre og Romsdal HF"]
    assert statement.copies == ["Helse Møre og Romsdal HF", "St. Olavs hospital HF"]


def test_the_list_shows_the_referral_date_as_received(app, login, make_user):
    secretary_id = make_user("panel_secretariat")
    with app.app_context():
        services.register_referral(panel_referral(referred_on=date(2026, 9, 14), regional_review_on=date(2026, 9, 10)),
                                   actor=db.session.get(User, secretary_id), today=date(2026, 10, 2))
        db.session.commit()
    page = login(secretary_id).get("/ekspertpanelet/").get_data(as_text=True)
    assert "<td>14.09.2026</td>" in page and f"<td>{TODAY:%d.%m.%Y}</td>" not in page


# Item 13: refusal, withdrawal and closing

def test_a_refusal_needs_the_ground_and_the_reason_all_refused_at_once(referral, secretary):
    with pytest.raises(InvalidInputs) as refused:
        services.end_referral(referral, panel_refusal(ground=None, reason=None, ended_on=TODAY + timedelta(days=1)),
                              actor=secretary, pdf=PDF)
    assert set(refused.value.by_field()) == {"ground", "reason", "ended_on"}
    assert referral.status is ReferralStatus.RECEIVED
    assert db.session.scalar(select(func.count()).select_from(Ending)) == 0


def test_a_refused_referral_files_its_letter_closes_the_deadline_and_the_case(referral, secretary):
    ending = services.end_referral(referral, panel_refusal(), actor=secretary, pdf=PDF)
    entry = db.session.get(JournalEntry, ending.journal_entry_id)
    case = db.session.get(Case, referral.case_id)
    assert (referral.status, case.status) == (ReferralStatus.REFUSED, CaseStatus.CLOSED)
    assert entry.entry_type.value == "U" and entry.title.startswith("Henvisningen avvises – utenfor")
    assert entry.documents[0].id == ending.document_id
    assert db.session.get(Deadline, referral.deadline_id).done_at is not None
    assert (ending.ground, ending.copies) == (RefusalGround.ESTABLISHED_NOT_TRIED,
                                              ["Helse Møre og Romsdal HF", "St. Olavs hospital HF"])
    # Set once, by the service: nothing ends it again, and the assessment is closed.
    with pytest.raises(Conflict, match="allerede «avvist"):
        services.end_referral(referral, panel_refusal(status=ReferralStatus.CLOSED, ground=None), actor=secretary,
                              pdf=PDF)
    with pytest.raises(InvalidInput, match="kan ikke endres"):
        services.save_answer(referral, panel_answer(1), actor=secretary)


def test_after_the_statement_a_referral_is_closed_not_refused_or_withdrawn(referral, secretary):
    for question in (1, 2, 3, 4):
        services.save_answer(referral, panel_answer(question), actor=secretary)
    services.approve_statement(referral, actor=secretary)
    services.send_statement(referral, panel_statement(), actor=secretary, pdf=PDF)
    for status in (ReferralStatus.REFUSED, ReferralStatus.WITHDRAWN):
        with pytest.raises(InvalidInput, match="bare avsluttes"):
            services.end_referral(referral, panel_refusal(status=status), actor=secretary, pdf=PDF)
    services.end_referral(referral, panel_refusal(status=ReferralStatus.CLOSED, ground=RefusalGround.NEW_METHOD,
                                                  reason="Tilbakemeldingen er mottatt."), actor=secretary, pdf=PDF)
    assert referral.status is ReferralStatus.CLOSED
    assert referral.ending.ground is None          # a ground belongs to a refusal only


def test_only_an_ending_status_can_be_set(referral, secretary):
    with pytest.raises(InvalidInput, match="Velg om henvisningen avvises") as refused:
        services.end_referral(referral, panel_refusal(status=ReferralStatus.STATEMENT_SENT), actor=secretary, pdf=PDF)
    assert refused.value.field == "status"


def _case_id(app, secretary_id) -> int:
    with app.app_context():
        referral = services.register_referral(panel_referral(referred_on=TODAY - timedelta(days=3)),
                                               actor=db.session.get(User, secretary_id))
        db.session.commit()
        return referral.case_id


def test_the_page_refuses_a_referral_with_a_letter_that_quotes_the_mandate(app, login, make_user):
    secretary_id = make_user("panel_secretariat", name="Sekretær Siri")
    case_id = _case_id(app, secretary_id)
    client = login(secretary_id)
    url = f"/ekspertpanelet/saker/{case_id}/avslutning"
    form = client.get(url).get_data(as_text=True)
    assert "<li>Kopi til: St. Olavs hospital HF</li>" in form

    refused = client.post(url, data={"status": "refused", "ground": "", "reason": "",
                                     "ended_on": f"{TODAY:%d.%m.%Y}"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="ground-error"' in html and 'id="reason-error"' in html

    response = client.post(url, data={"status": "refused", "ground": "group_level", "ended_on": f"{TODAY:%d.%m.%Y}",
                                      "reason": "Spørsmålet gjelder et legemiddel for en pasientgruppe."})
    assert response.status_code == 302 and response.headers["Location"].endswith("#avslutning")
    page = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "Avvist (utenfor mandatet)" in page and "Spørsmålet gjelder behandlingsmetoder på gruppenivå" in page
    link = client.get(f"/ekspertpanelet/saker/{case_id}/avslutning.pdf")
    text = pdf_text(client.get(link.headers["Location"]).data)
    assert "Henvisningen avvises – utenfor ekspertpanelets mandat" in text
    assert "Spørsmålet gjelder behandlingsmetoder på gruppenivå." in text
    assert ("Mandatet del IV: Ekspertpanelet skal ikke behandle spørsmål om innføring av nye metoder, eller bruk av "
            "behandlingsmetoder på gruppenivå.") in text
    assert "Spørsmålet gjelder et legemiddel for en pasientgruppe." in text
    assert "Hanne Hagen Lege Lise Lund, Kreftavdelingen, Helse Møre og Romsdal HF (behandlende lege)" in text
    assert "Kopi til Helse Møre og Romsdal HF St. Olavs hospital HF" in text
    assert "Sekretær Siri, sekretariatet for ekspertpanelet" in text


def test_the_api_records_a_withdrawal_with_its_letter_and_refuses_bad_input_in_bokmal(app, make_user):
    secretary_id = make_user("panel_secretariat")
    case_id = _case_id(app, secretary_id)
    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, secretary_id), name="Test")
        db.session.commit()
    api, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/panel/referrals/{case_id}/ending"

    bad = api.post(url, json={"status": "withdrawn", "reason": " ", "ended_on": f"{TODAY:%d.%m.%Y}"}, headers=headers)
    assert bad.status_code == 422 and "Skriv begrunnelsen." in bad.get_data(as_text=True)

    response = api.post(url, json={"status": "withdrawn", "reason": "Henvisende lege trakk henvisningen.",
                                   "ended_on": f"{TODAY:%d.%m.%Y}"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "withdrawn" and body["ending"]["reason"] == "Henvisende lege trakk henvisningen."
    assert body["ending"]["copies"] == ["Helse Møre og Romsdal HF", "St. Olavs hospital HF"]
    with app.app_context():
        ending = db.session.scalar(select(Ending))
        assert ending.document_id is not None
        case = db.session.get(Case, case_id)
        assert case.status is CaseStatus.CLOSED


def test_a_panel_member_cannot_end_a_referral(app, login, make_user):
    case_id = _case_id(app, make_user("panel_secretariat"))
    member = login(make_user("panel_member"))
    assert member.get(f"/ekspertpanelet/saker/{case_id}/avslutning").status_code == 404
