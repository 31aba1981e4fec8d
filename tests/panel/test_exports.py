"""The referral list as CSV and XLSX: exactly the filtered referrals in the list's order, the way
Norwegian Excel opens them, every patient in it logged; a panel member exports only their own."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import Case
from app.cases.services import assign_user
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from app.panel import services
from tests.audit import list_requests
from tests.exports import csv_rows, export_href, xlsx_sheet
from tests.factories import panel_referral_from_regional_hospital

TODAY = date.today()
REFERRAL_ROW = re.compile(r'<td><a href="/ekspertpanelet/saker/(\d+)">')


@pytest.fixture
def secretary_id(make_user):
    return make_user("panel_secretariat", name="Sekretær Siri")


@pytest.fixture
def make_referral(app, secretary_id):
    """A referral from the regional hospital, registered through the service; returns its case id."""
    def make(name: str, referred_days_ago: int) -> int:
        with app.app_context():
            referral = services.register_referral(panel_referral_from_regional_hospital(
                patient_name=name, municipality=None, referring_department=None,
                referred_on=TODAY - timedelta(days=referred_days_ago), condition="Eggstokkreft",
                treatments_tried="Kjemoterapi", question="Studier?"), actor=db.session.get(User, secretary_id))
            db.session.commit()
            return referral.case_id
    return make


def _numbers(app, case_ids: list[int]) -> list[str]:
    with app.app_context():
        by_id = dict(db.session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())
    return [by_id[case_id] for case_id in case_ids]


def test_the_export_holds_exactly_the_filtered_referrals_in_the_lists_order(app, login, secretary_id,
                                                                           make_referral):
    overdue = [make_referral("Otto Overtid", 40), make_referral("Olga Overtid", 30)]
    make_referral("Nina Nylig", 1)
    client = login(secretary_id)
    page = client.get("/ekspertpanelet/?overdue=y").get_data(as_text=True)
    listed = [int(case_id) for case_id in REFERRAL_ROW.findall(page)]
    assert sorted(listed) == sorted(overdue)
    csv_url = export_href(page, "CSV")
    assert csv_url == "/ekspertpanelet/eksport.csv?overdue=y"

    rows = csv_rows(client.get(csv_url))
    assert rows[0] == ["Saksnummer", "Pasient", "Fødselsdato", "Henvisende helseforetak", "Henvisende lege",
                       "Mottatt", "Svarfrist", "Status", "Ny beslutning i Nye Metoder"]
    assert [row[0] for row in rows[1:]] == _numbers(app, listed)
    assert [row[1] for row in rows[1:]] == ["Otto Overtid", "Olga Overtid"]   # the earlier deadline first
    # «Mottatt» is the referral's date (40 days ago), not the day the secretariat registered it.
    referred = TODAY - timedelta(days=40)
    assert rows[1][2] == "05.05.1971" and rows[1][5] == f"{referred:%d.%m.%Y}" and rows[1][8] == "nei"

    sheet = xlsx_sheet(client.get(export_href(page, "Excel (XLSX)")))
    assert [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)] == _numbers(app, listed)
    for column in (3, 6, 7):   # birth date, received, answer deadline
        assert sheet.cell(2, column).is_date and sheet.cell(2, column).number_format == "dd.mm.yyyy"
    assert sheet.cell(2, 3).value.date() == date(1971, 5, 5)

    everything = csv_rows(client.get("/ekspertpanelet/eksport.csv"))
    assert len(everything) == 4


def test_every_patient_in_the_export_is_logged(app, login, secretary_id, make_referral):
    exported = [make_referral("Lars Logg", 3), make_referral("Lise Logg", 2)]
    csv_rows(login(secretary_id).get("/ekspertpanelet/eksport.csv"))
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == secretary_id)).all()
        export = [event for event in events if event.action is AuditAction.EXPORT]
        assert [(event.object_type, event.changes["format"], event.changes["rows"]) for event in export] == [
            ("panel_referrals", "csv", 2)]
        assert list_requests(secretary_id, "panel_referrals_export_csv") == [
            ("panel_referrals_export_csv", sorted(exported))]


def test_a_panel_member_exports_only_the_referrals_they_are_assigned_to(app, login, make_user, secretary_id,
                                                                        make_referral):
    assigned, _other = make_referral("Tildelt Pasient", 3), make_referral("Annen Pasient", 3)
    member = make_user("panel_member")
    with app.app_context():
        assign_user(db.session.get(Case, assigned), db.session.get(User, member),
                    actor=db.session.get(User, secretary_id))
        db.session.commit()
    rows = csv_rows(login(member).get("/ekspertpanelet/eksport.csv"))
    assert [row[1] for row in rows[1:]] == ["Tildelt Pasient"]
    assert login(make_user("abroad_caseworker")).get("/ekspertpanelet/eksport.csv").status_code == 403
