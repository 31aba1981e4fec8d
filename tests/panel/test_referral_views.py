"""The referral pages through the test client: registering a referral (with and without the
regional-hospital review), the referral page and its audit row, who may open it, members and a
co-opted expert put on the case, the member register and the referral list."""
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth.models import User
from app.cases.models import Case
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db
from app.panel import referral_views, services
from app.panel.lists import MEMBERS, REFERRALS
from app.panel.models import PanelMember, Participant, Referral, ReferralStatus
from tests.audit import list_requests
from tests.exports import csv_rows
from tests.factories import panel_member, panel_referral_from_regional_hospital
from tests.lists import aria_sort, header_href, messages, paging_href, statements_sent

TODAY = date.today()


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _referral_form(**overrides) -> dict:
    data = {"national_id": synthetic_national_id(date(1971, 5, 5)), "patient_name": "Hanne Hagen", "birth_date": "",
            "municipality": "1508 Ålesund", "home_region": "helse-midt-norge",
            "referring_trust": "Helse Møre og Romsdal HF", "referring_department": "Kreftavdelingen",
            "referring_doctor": "Lege Lise Lund", "referred_on": f"{TODAY - timedelta(days=2):%d.%m.%Y}",
            "regional_review_by": "Kreftklinikken, St. Olavs hospital",
            "regional_review_on": f"{TODAY - timedelta(days=5):%d.%m.%Y}", "icd10": "c56",
            "condition": "Residiverende eggstokkreft med spredning",
            "treatments_tried": "Tre linjer kjemoterapi uten varig effekt",
            "question": "Finnes det aktuelle kliniske studier eller off-label behandling?", "complete_on": ""}
    return {**data, **overrides}


@pytest.fixture
def secretary_id(make_user):
    return make_user("panel_secretariat", name="Sekretær Siri")


@pytest.fixture
def secretary(login, secretary_id):
    return login(secretary_id)


@pytest.fixture
def make_referral(app, secretary_id):
    """A referral registered through the service; returns its case id."""
    def make(name: str = "Hanne Hagen", referred_days_ago: int = 2, **overrides) -> int:
        command = panel_referral_from_regional_hospital(**{
            "patient_name": name, "referring_department": None, "condition": "Eggstokkreft",
            "referred_on": TODAY - timedelta(days=referred_days_ago), "treatments_tried": "Kjemoterapi",
            "question": "Studier?", **overrides})
        with app.app_context():
            referral = services.register_referral(command, actor=db.session.get(User, secretary_id))
            db.session.commit()
            return referral.case_id
    return make


@pytest.fixture
def make_member(app, secretary_id):
    def make(name: str, region: str = "helse-vest", user_id: int | None = None, active: bool = True) -> int:
        with app.app_context():
            member = services.save_member(None, panel_member(name=name, appointing_region=region, active=active,
                                                             user_id=user_id), actor=db.session.get(User, secretary_id))
            db.session.commit()
            return member.id
    return make


def _referral(app, case_id: int) -> Referral:
    with app.app_context():
        referral = services.find_referral(case_id)
        db.session.expunge(referral)
        return referral


# Registration

def test_a_referral_with_the_regional_review_is_registered_through_the_form(app, secretary):
    assert 'name="regional_review_by"' in secretary.get("/ekspertpanelet/henvisninger/ny").get_data(as_text=True)

    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form())

    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    referral = _referral(app, case_id)
    assert (referral.icd10, referral.status, referral.from_regional_hospital) == ("C56", ReferralStatus.RECEIVED, False)
    assert referral.complete_on == TODAY - timedelta(days=2)          # defaults to the referral date
    assert referral.due_on >= referral.complete_on + timedelta(days=14)
    page = secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert "Henvisningen er registrert" in page
    assert "Gjennomgått med Kreftklinikken, St. Olavs hospital" in page
    assert "Helse Møre og Romsdal HF" in page and "Hanne Hagen" in page and "C56" in page
    assert f"{referral.due_on:%d.%m.%Y}" in page


def test_a_local_trust_without_the_regional_review_is_refused_at_the_field_and_nothing_is_saved(app, secretary):
    response = secretary.post("/ekspertpanelet/henvisninger/ny",
                              data=_referral_form(regional_review_by="", regional_review_on=""))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="regional_review_by-error"' in html and "gjennomgått med" in html
    assert 'href="#regional_review_by"' in html                      # the error summary links to the field
    assert 'value="Helse Møre og Romsdal HF"' in html                 # what was typed stays
    assert _count(app, Referral) == 0 and _count(app, Case) == 0

    from_regional = _referral_form(regional_review_by="", regional_review_on="",
                                   referring_trust="St. Olavs hospital HF")
    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=from_regional)
    assert response.status_code == 302
    assert "Henvist fra regionsykehuset" in secretary.get(response.headers["Location"]).get_data(as_text=True)


def test_bad_input_is_refused_in_bokmal_at_each_field(app, secretary):
    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form(
        national_id="15108695077", icd10="C99.9", referring_trust="St. Olavs sykehus", question=""))
    html = response.get_data(as_text=True)
    assert 'id="national_id-error"' in html and "Kontrollsifrene stemmer ikke" in html
    assert 'id="icd10-error"' in html and "ikke en gyldig ICD-10-kode" in html
    assert 'id="referring_trust-error"' in html and "Velg helseforetaket fra listen over helseforetak." in html
    assert 'id="question-error"' in html
    assert _count(app, Referral) == 0


def test_the_home_municipality_is_a_municipality_number_refused_at_the_field(app, secretary):
    page = secretary.get("/ekspertpanelet/henvisninger/ny").get_data(as_text=True)
    assert "Hjemkommune (kommunenummer)" in page and "f.eks. 4601 Bergen" in page

    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form(municipality="9901 Ålesund"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="municipality-error"' in html and 'href="#municipality"' in html
    assert "Kommunenummer 9901 finnes ikke: de to første sifrene må være et fylkesnummer." in html
    assert 'value="9901 Ålesund"' in html                              # what was typed stays

    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form(municipality="Ålesund"))
    html = response.get_data(as_text=True)
    assert 'id="municipality-error"' in html
    assert "Skriv kommunenummeret (fire siffer), gjerne fulgt av navnet, f.eks. 4601 Bergen." in html

    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form(municipality="5501 Tromsø"))
    html = response.get_data(as_text=True)
    assert 'id="home_region-error"' in html and 'id="municipality-error"' not in html
    assert "Kommunenummer 5501 ligger i Troms, som hører til Helse Nord." in html
    assert _count(app, Referral) == 0 and _count(app, Case) == 0


@pytest.mark.parametrize(("typed", "stored"), [("  1508   Ålesund ", "1508 Ålesund"), ("1508", "1508"), ("", None)])
def test_the_home_municipality_is_optional_and_stored_as_typed_without_extra_spaces(app, secretary, typed, stored):
    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form(municipality=typed))
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        patient = db.session.get(Case, referral.case_id).patient
        assert patient.municipality == stored


def test_only_the_secretariat_registers_referrals(login, make_user):
    assert login(make_user("panel_member")).get("/ekspertpanelet/henvisninger/ny").status_code == 403
    assert login(make_user("abroad_caseworker")).post("/ekspertpanelet/henvisninger/ny",
                                                      data=_referral_form()).status_code == 403


# The referral page and who may see it

def test_the_referral_page_shows_the_referral_and_writes_a_view_audit_row(app, secretary, make_referral):
    case_id = make_referral(referring_department="Gynekologisk avdeling")
    referral = _referral(app, case_id)

    response = secretary.get(f"/ekspertpanelet/saker/{case_id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Henvist fra regionsykehuset" in html and "Gynekologisk avdeling" in html and "Eggstokkreft" in html
    assert f'href="/saker/{case_id}"' in html                         # the core case page: journal, documents
    assert f'/ekspertpanelet/saker/{case_id}/medlemmer/ny' in html    # the secretariat may assign
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "view",
                                                         AuditEvent.object_type == "panel_referral"))
        case = db.session.get(Case, case_id)
    assert (row.object_id, row.case_id, row.patient_id) == (str(referral.id), case_id, case.patient_id)


def test_a_flagged_referral_shows_the_flag(app, secretary, make_referral):
    case_id = make_referral()
    with app.app_context():
        services.find_referral(case_id).flag = "Ny beslutning i Nye Metoder for ID2024_090: Ikke innført."
        db.session.commit()
    assert "Ny beslutning i Nye Metoder for ID2024_090" in secretary.get(
        f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "Ny beslutning i Nye Metoder" in secretary.get("/ekspertpanelet/").get_data(as_text=True)


def test_a_panel_member_sees_only_the_cases_assigned_to_them(app, login, make_user, secretary, make_referral,
                                                             make_member):
    member_user = make_user("panel_member")
    member_id = make_member("Anna Onkolog", user_id=member_user)
    case_id = make_referral()
    member = login(member_user)

    assert member.get(f"/ekspertpanelet/saker/{case_id}").status_code == 404
    assert _count(app, AuditEvent, AuditEvent.action == "denied", AuditEvent.case_id == case_id) == 1
    assert "Hanne Hagen" not in member.get("/ekspertpanelet/").get_data(as_text=True)

    assert secretary.post(f"/ekspertpanelet/saker/{case_id}/medlemmer/ny",
                          data={"member_id": member_id}).status_code == 302

    page = member.get(f"/ekspertpanelet/saker/{case_id}")
    assert page.status_code == 200 and "Anna Onkolog" in page.get_data(as_text=True)
    assert "/medlemmer/ny" not in page.get_data(as_text=True)          # a member reads, the secretariat assigns
    assert "Hanne Hagen" in member.get("/ekspertpanelet/").get_data(as_text=True)
    assert member.get(f"/ekspertpanelet/saker/{case_id}/eksperter/ny").status_code == 403


@pytest.mark.parametrize("role", ["abroad_caseworker", "analyst", "methods_secretariat", "bestillerforum", "admin"])
def test_roles_outside_the_panel_get_403_on_the_list_and_404_on_a_referral(app, login, make_user, make_referral, role):
    case_id = make_referral()
    outsider = login(make_user(role))

    assert outsider.get("/ekspertpanelet/").status_code == 403
    assert outsider.get("/ekspertpanelet/medlemmer").status_code == 403
    assert outsider.get(f"/ekspertpanelet/saker/{case_id}").status_code == 404
    assert outsider.post(f"/ekspertpanelet/saker/{case_id}/medlemmer/ny", data={"member_id": 1}).status_code == 404
    assert _count(app, AuditEvent, AuditEvent.action == "denied", AuditEvent.case_id == case_id) == 2


def test_a_case_that_is_not_a_referral_answers_404(login, make_user, make_case, secretary):
    abroad_case = make_case(make_user("abroad_caseworker", "helse-vest"), home_region="helse-vest")
    assert secretary.get(f"/ekspertpanelet/saker/{abroad_case}").status_code == 404


# Members and experts on the case

@pytest.mark.parametrize("path", ["medlemmer/ny", "eksperter/ny"])
def test_the_participant_forms_name_the_patient_and_are_logged_fresh_and_refused(app, secretary, make_referral,
                                                                                 path):
    """Both forms show the case title, which names the patient: opening one, and a refused post that shows it
    again, each write a view row for the patient (Normen)."""
    case_id = make_referral()
    with app.app_context():
        patient_id = db.session.scalar(select(Case.patient_id).where(Case.id == case_id))

    def views() -> int:
        return _count(app, AuditEvent, AuditEvent.action == AuditAction.VIEW, AuditEvent.patient_id == patient_id)

    before = views()
    page = secretary.get(f"/ekspertpanelet/saker/{case_id}/{path}").get_data(as_text=True)
    assert "Hanne Hagen" in page and views() == before + 1
    refused = secretary.post(f"/ekspertpanelet/saker/{case_id}/{path}", data={"member_id": "", "name": ""})
    assert refused.status_code == 200 and "Hanne Hagen" in refused.get_data(as_text=True)
    assert views() == before + 2


def test_two_members_and_a_co_opted_expert_are_put_on_the_case(app, secretary, make_referral, make_member):
    case_id = make_referral()
    anna, bjorn = make_member("Anna Onkolog"), make_member("Bjørn Kirurg", region="helse-nord")
    make_member("Cato Pensjonert", region="helse-sor-ost", active=False)
    make_member("Dina Nevrolog", region="helse-sor-ost")

    form = secretary.get(f"/ekspertpanelet/saker/{case_id}/medlemmer/ny").get_data(as_text=True)
    assert "Anna Onkolog" in form and "Bjørn Kirurg" in form and "Cato Pensjonert" not in form  # active only
    for member_id in (anna, bjorn):
        assert secretary.post(f"/ekspertpanelet/saker/{case_id}/medlemmer/ny",
                              data={"member_id": member_id}).status_code == 302
    assert "Anna Onkolog" not in secretary.get(f"/ekspertpanelet/saker/{case_id}/medlemmer/ny").get_data(as_text=True)
    again = secretary.post(f"/ekspertpanelet/saker/{case_id}/medlemmer/ny", data={"member_id": anna})
    assert again.status_code == 200 and "Velg et aktivt medlem" in again.get_data(as_text=True)

    refused = secretary.post(f"/ekspertpanelet/saker/{case_id}/eksperter/ny", data={"name": "Dr. Ekspert"})
    assert 'id="specialty-error"' in refused.get_data(as_text=True)
    assert secretary.post(f"/ekspertpanelet/saker/{case_id}/eksperter/ny", data={
        "name": "Dr. Ekspert", "specialty": "Gynekologisk onkologi", "hospital": "Radiumhospitalet"}).status_code == 302

    referral = _referral(app, case_id)
    assert referral.status is ReferralStatus.UNDER_ASSESSMENT
    with app.app_context():
        participants = db.session.scalars(select(Participant).where(Participant.referral_id == referral.id)
                                          .order_by(Participant.id)).all()
        assert [(p.member_id, p.expert_name) for p in participants] == [(anna, None), (bjorn, None),
                                                                        (None, "Dr. Ekspert")]
    page = secretary.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "Bjørn Kirurg" in page and "Helse Nord" in page
    assert "Dr. Ekspert" in page and "Radiumhospitalet" in page and "Innleid ekspert" in page


# The member register

def test_the_register_warns_about_regions_without_an_active_member(app, login, make_user, secretary, make_member):
    make_member("Per Passiv", region="helse-nord", active=False)
    member_user = make_user("panel_member", name="Anna Innlogget")
    response = secretary.post("/ekspertpanelet/medlemmer/ny", data={
        "name": "Anna Onkolog", "specialty": "Onkologi", "hospital": "Haukeland universitetssjukehus",
        "appointing_region": "helse-vest", "term_start": "01.01.2024", "term_end": "", "active": "y",
        "user_id": member_user})
    assert response.status_code == 302

    page = login(make_user("panel_member")).get("/ekspertpanelet/medlemmer").get_data(as_text=True)
    assert "Helse Nord er ikke representert i panelet." in page
    assert "Helse Sør-Øst er ikke representert i panelet." in page
    assert "Helse Vest er ikke representert" not in page
    assert "Anna Onkolog" in page and "Anna Innlogget" in page and "Per Passiv" in page
    with app.app_context():
        assert db.session.scalar(select(PanelMember.user_id).where(PanelMember.name == "Anna Onkolog")) == member_user


def test_member_edits_use_the_version_and_a_stale_form_is_refused(app, secretary, make_member):
    member_id = make_member("Anna Onkolog")
    data = {"name": "Anna Onkolog", "specialty": "Onkologi", "hospital": "Haukeland", "appointing_region": "helse-vest",
            "term_start": "01.01.2024", "term_end": "31.12.2027", "user_id": "0", "version": "1"}
    assert 'value="1"' in secretary.get(f"/ekspertpanelet/medlemmer/{member_id}").get_data(as_text=True)

    assert secretary.post(f"/ekspertpanelet/medlemmer/{member_id}", data=data).status_code == 302
    stale = secretary.post(f"/ekspertpanelet/medlemmer/{member_id}", data={**data, "specialty": "Nevrologi"})

    assert stale.status_code == 409 and "Lagret versjon" in stale.get_data(as_text=True)
    with app.app_context():
        member = db.session.get(PanelMember, member_id)
        assert (member.specialty, member.active, member.term_end, member.version) == (
            "Onkologi", False, date(2027, 12, 31), 2)
    assert secretary.get("/ekspertpanelet/medlemmer/999999").status_code == 404


def test_only_the_secretariat_changes_the_register(login, make_user, make_member):
    member = login(make_user("panel_member"))
    assert member.get("/ekspertpanelet/medlemmer/ny").status_code == 403
    assert member.get(f"/ekspertpanelet/medlemmer/{make_member('Anna Onkolog')}").status_code == 403


# The referral list

def test_the_list_shows_due_dates_filters_by_status_and_overdue_and_logs_the_list(app, secretary, secretary_id,
                                                                                 make_referral, make_member):
    fresh = make_referral("Frida Fersk")
    late = make_referral("Olav Overtid", referred_days_ago=30)
    assigned = make_referral("Mona Medlem")
    secretary.post(f"/ekspertpanelet/saker/{assigned}/medlemmer/ny", data={"member_id": make_member("Anna Onkolog")})

    html = secretary.get("/ekspertpanelet/").get_data(as_text=True)
    for case_id in (fresh, late, assigned):
        assert f"{_referral(app, case_id).due_on:%d.%m.%Y}" in html
    assert html.count("Forfalt") == 1 and "St. Olavs hospital HF" in html
    with app.app_context():
        assert list_requests(secretary_id, "panel_referrals")[-1] == (
            "panel_referrals", sorted([fresh, late, assigned]))

    under_assessment = secretary.get("/ekspertpanelet/?status=under_assessment").get_data(as_text=True)
    assert "Mona Medlem" in under_assessment and "Frida Fersk" not in under_assessment
    received = secretary.get("/ekspertpanelet/?status=received").get_data(as_text=True)
    assert "Frida Fersk" in received and "Olav Overtid" in received and "Mona Medlem" not in received
    overdue = secretary.get("/ekspertpanelet/?overdue=y").get_data(as_text=True)
    assert "Olav Overtid" in overdue and "Frida Fersk" not in overdue
    assert "3 henvisninger" in secretary.get("/ekspertpanelet/?mine=y").get_data(as_text=True)  # registered by me


# The lists on the list engine (app.panel.lists): sortable headers, bad input as messages, paging by the links

REFERRAL_NAME = re.compile(r"<td>(Henvist [A-Za-zÆØÅæøå]+)</td>")
MEMBER_NAME = re.compile(r"<tr>\s*<td>([^<]+)</td>")


@pytest.fixture
def three_referrals(app, make_referral):
    """Berit's answer deadline comes first, then Cecilie's, then Anna's; Cecilie's referral is closed."""
    cases = {name: make_referral(name, referred_days_ago=days)
             for name, days in [("Henvist Anna", 2), ("Henvist Berit", 30), ("Henvist Cecilie", 10)]}
    with app.app_context():
        db.session.execute(update(Referral).where(Referral.case_id == cases["Henvist Cecilie"])
                           .values(status=ReferralStatus.CLOSED))
        db.session.commit()
    return cases


def _referral_names(html: str) -> list[str]:
    return REFERRAL_NAME.findall(html)


def test_the_referral_list_shows_the_open_ones_first_by_deadline_and_sorts_by_a_header_both_ways(secretary,
                                                                                               three_referrals):
    assert _referral_names(secretary.get("/ekspertpanelet/").get_data(as_text=True)) == [
        "Henvist Berit", "Henvist Anna", "Henvist Cecilie"]
    received = secretary.get("/ekspertpanelet/?status=received").get_data(as_text=True)
    by_name = header_href(received, "Pasient")
    assert "status=received" in by_name and "sort=pasient" in by_name
    ascending = secretary.get(by_name).get_data(as_text=True)
    assert _referral_names(ascending) == ["Henvist Anna", "Henvist Berit"] and aria_sort(ascending, "Pasient") == \
        "ascending"
    descending = secretary.get(header_href(ascending, "Pasient")).get_data(as_text=True)
    assert _referral_names(descending) == ["Henvist Berit", "Henvist Anna"]
    assert aria_sort(descending, "Pasient") == "descending" and "status=received" in header_href(descending, "Status")
    by_deadline = secretary.get(header_href(secretary.get("/ekspertpanelet/").get_data(as_text=True), "Svarfrist"))
    assert _referral_names(by_deadline.get_data(as_text=True)) == ["Henvist Berit", "Henvist Cecilie", "Henvist Anna"]


def test_an_unknown_referral_filter_value_or_cursor_gives_a_message_and_the_whole_list(secretary, three_referrals):
    page = secretary.get("/ekspertpanelet/?status=tull&mine=kanskje").get_data(as_text=True)
    assert messages(page) == [
        "«tull» er ikke en gyldig verdi for status. Listen vises uten dette filteret.",
        "«kanskje» er ikke en gyldig verdi for «Bare mine saker». Listen vises uten dette filteret."]
    assert len(_referral_names(page)) == 3
    for cursor in ("tull", "apne_forst~0~2026-02-30~1", "-apne_forst~0~2026-01-01~1", "apne_forst~0~1"):
        page = secretary.get("/ekspertpanelet/", query_string={"etter": cursor}).get_data(as_text=True)
        assert messages(page) == ["Lenken til neste eller forrige side er ugyldig eller utløpt. Listen vises fra "
                                  "begynnelsen."], cursor
        assert len(_referral_names(page)) == 3


def test_the_referral_list_pages_forward_and_back_across_the_open_and_the_closed(monkeypatch, secretary,
                                                                                three_referrals):
    monkeypatch.setattr(referral_views, "REFERRALS", replace(REFERRALS, per_page=1))
    client_pages, url = [], "/ekspertpanelet/"
    while url:
        html = secretary.get(url).get_data(as_text=True)
        client_pages.append(_referral_names(html))
        url = paging_href(html, "next")
    assert client_pages == [["Henvist Berit"], ["Henvist Anna"], ["Henvist Cecilie"]]
    back = secretary.get(paging_href(html, "prev")).get_data(as_text=True)
    assert _referral_names(back) == ["Henvist Anna"]
    assert _referral_names(secretary.get(paging_href(back, "prev")).get_data(as_text=True)) == ["Henvist Berit"]


def test_the_export_follows_the_lists_sort_with_the_same_columns(secretary, three_referrals):
    rows = csv_rows(secretary.get("/ekspertpanelet/eksport.csv?sort=-pasient"))
    assert rows[0] == ["Saksnummer", "Pasient", "Fødselsdato", "Henvisende helseforetak", "Henvisende lege",
                       "Mottatt", "Svarfrist", "Status", "Ny beslutning i Nye Metoder"]
    assert [row[1] for row in rows[1:]] == ["Henvist Cecilie", "Henvist Berit", "Henvist Anna"]
    assert [row[7] for row in rows[1:]] == ["Avsluttet", "Mottatt", "Mottatt"]


def test_the_api_lists_the_newest_referral_first_and_pages_by_the_cursor(monkeypatch, app, secretary_id,
                                                                         three_referrals):
    from app.auth import services as account_services
    from app.panel import api as panel_api

    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, secretary_id), name="Test")
        db.session.commit()
    client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    newest_first = [three_referrals[name] for name in ("Henvist Anna", "Henvist Cecilie", "Henvist Berit")]
    listed = client.get("/api/v1/panel/referrals", headers=headers).get_json()
    assert [item["case_id"] for item in listed["items"]] == newest_first and listed["total"] == 3
    assert listed["items"][0]["patient"]["name"] == "Henvist Anna" and "national_id" in listed["items"][0]["patient"]
    assert listed["items"][0]["statements_sent"] == [] and listed["messages"] == []
    monkeypatch.setattr(panel_api, "REFERRALS", replace(REFERRALS, per_page=2))
    first = client.get("/api/v1/panel/referrals", headers=headers).get_json()
    second = client.get("/api/v1/panel/referrals", query_string={"etter": first["next_cursor"]},
                        headers=headers).get_json()
    assert [item["case_id"] for item in first["items"] + second["items"]] == newest_first
    open_ones = client.get("/api/v1/panel/referrals", query_string={"status": "received", "sort": "svarfrist"},
                           headers=headers).get_json()
    assert [item["case_id"] for item in open_ones["items"]] == [three_referrals["Henvist Berit"],
                                                                 three_referrals["Henvist Anna"]]


def test_the_member_register_lists_the_active_first_by_region_and_sorts_and_pages(monkeypatch, login, make_user,
                                                                                  secretary, make_member):
    make_member("Per Passiv", region="helse-nord", active=False)
    make_member("Vera Vestlending", region="helse-vest")
    make_member("Mads Midtnorsk", region="helse-midt-norge")
    register = secretary.get("/ekspertpanelet/medlemmer").get_data(as_text=True)
    assert MEMBER_NAME.findall(register) == ["Mads Midtnorsk", "Vera Vestlending", "Per Passiv"]
    assert '<span class="visually-hidden">Handlinger</span>' in register
    by_name = secretary.get(header_href(register, "Navn")).get_data(as_text=True)
    assert MEMBER_NAME.findall(by_name) == ["Mads Midtnorsk", "Per Passiv", "Vera Vestlending"]
    by_name_down = secretary.get(header_href(by_name, "Navn")).get_data(as_text=True)
    assert MEMBER_NAME.findall(by_name_down) == ["Vera Vestlending", "Per Passiv", "Mads Midtnorsk"]
    assert aria_sort(by_name_down, "Navn") == "descending"
    member_view = login(make_user("panel_member")).get("/ekspertpanelet/medlemmer?sort=tull").get_data(as_text=True)
    assert messages(member_view) == ["Listen kan ikke sorteres slik. Den vises i vanlig rekkefølge."]
    assert len(MEMBER_NAME.findall(member_view)) == 3 and "Handlinger" not in member_view

    monkeypatch.setattr(referral_views, "MEMBERS", replace(MEMBERS, per_page=2))
    first = secretary.get("/ekspertpanelet/medlemmer").get_data(as_text=True)
    second = secretary.get(paging_href(first, "next")).get_data(as_text=True)
    assert MEMBER_NAME.findall(first) + MEMBER_NAME.findall(second) == [
        "Mads Midtnorsk", "Vera Vestlending", "Per Passiv"]
    assert MEMBER_NAME.findall(secretary.get(paging_href(second, "prev")).get_data(as_text=True)) == [
        "Mads Midtnorsk", "Vera Vestlending"]


def test_the_referral_lists_send_as_many_statements_for_three_referrals_as_for_one(app, secretary, secretary_id,
                                                                                  make_referral):
    from app.auth import services as account_services

    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, secretary_id), name="Test")
        db.session.commit()
    api, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    urls = {"/ekspertpanelet/": secretary, "/ekspertpanelet/eksport.csv": secretary, "/api/v1/panel/referrals": api}
    make_referral("Henvist Anna")
    one = {url: statements_sent(client, url, headers=headers) for url, client in urls.items()}
    make_referral("Henvist Berit")
    make_referral("Henvist Cecilie")
    assert {url: statements_sent(client, url, headers=headers) for url, client in urls.items()} == one


def test_the_referral_form_shows_every_error_in_one_round(app, secretary):
    """The form's own checks and the service's rules on the fields it accepted are shown together."""
    response = secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form(
        referring_doctor="", referred_on=f"{TODAY + timedelta(days=3):%d.%m.%Y}", regional_review_by="",
        regional_review_on="", complete_on=f"{TODAY - timedelta(days=30):%d.%m.%Y}"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert set(re.findall(r'id="([a-z0-9_]+)-error"', html)) == {
        "referring_doctor", "referred_on", "regional_review_by", "regional_review_on", "complete_on"}
    assert "Henvisningsdatoen kan ikke være fram i tid." in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
