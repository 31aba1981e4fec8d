"""Every list on the engine (app.listing) sends as many SQL statements for a page of several rows as for a page of
one: one count, one page query, the list's audit event where it shows patients, and what its page always reads,
never one statement per row (N+1). The lists with such a test of their own are named in COVERED_ELSEWHERE; the
rest are checked here, and a list declared later without either fails the last test.

Statements are counted with an SQLAlchemy before_cursor_execute listener; no time is measured here (the timings
are in bench/list_vs_raw.py and bench/lists.py)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.abroad import services as abroad_services
from app.auth.models import User
from app.cases import services as case_services
from app.cases.models import Case, JournalEntryType
from app.extensions import db
from app.methods import services as method_services
from app.methods import working_groups
from app.methods.commands import WorkingGroupDetails
from app.methods.models import Forum
from app.panel import services as panel_services
from app.reports.models import PublishedReport, ReportOrder
from app.reports.registry import readable_kinds
from tests.factories import abroad_application, new_meeting, new_method, panel_member
from tests.lists import statements_sent
from tests.test_lists import _declared_lists

COVERED_ELSEWHERE = {
    "abroad_applications": "tests/abroad/test_application_list.py",
    "abroad_appeals": "tests/abroad/test_appeal_list.py",
    "panel_referrals": "tests/panel/test_referral_views.py",
    "case_list": "tests/test_query_counts.py",
    "audit_log": "tests/test_query_counts.py",
    "data_quality": "tests/test_query_counts.py",
    "users": "tests/test_query_counts.py",
}


def _abroad_case(actor, number: int) -> None:
    abroad_services.register_application(abroad_application(
        national_id=None, patient_name=f"Liste Pasient {number}", birth_date=date(1970, 1, 1) + timedelta(days=number),
        municipality=None, home_region="helse-sor-ost"), actor=actor)


def _method(actor, number: int) -> None:
    method_services.register_method(new_method(title=f"Metode nummer {number}"), actor=actor)


def _public_post(actor, number: int) -> None:
    """A method's case with its proposal journaled today: one post of the public journal."""
    method = method_services.register_method(new_method(title=f"Journalført metode {number}"), actor=actor)
    case_services.add_journal_entry(db.session.get(Case, method.case_id), entry_type=JournalEntryType.INCOMING,
                                    title=f"Forslag nummer {number}", party_name="Sykehuset Telemark",
                                    journal_date=date.today(), actor=actor)


def _working_group(actor, number: int) -> None:
    method = method_services.register_method(new_method(title=f"Metode i gruppe {number}"), actor=actor)
    working_groups.create_working_group(WorkingGroupDetails(
        title=f"Arbeidsgruppe {number}", references=(method.reference,), reports_to="Interregionalt fagdirektørmøte"),
        actor=actor)


def _meeting(actor, number: int) -> None:
    method_services.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2025, 1, 6) + timedelta(weeks=number)),
                                   actor=actor)


def _member(actor, number: int) -> None:
    panel_services.save_member(None, panel_member(name=f"Medlem Nummer{number}", appointing_region="helse-vest"),
                               actor=actor)


def _order(actor, number: int) -> None:
    db.session.add(ReportOrder(kind=readable_kinds(actor)[0].name, year=2020 + number, region=None, notes={},
                               user_id=actor.id))


def _publication(actor, number: int) -> None:
    db.session.add(PublishedReport(kind=readable_kinds(actor)[0].name, year=2010 + number, region=None, version=1,
                                   published_by_id=actor.id, threshold=5, figures=[], pdf=b"%PDF-1.7", xlsx=b"PK"))


@dataclass(frozen=True)
class Checked:
    role: str
    urls: tuple[str, ...]
    add_row: Callable[[User, int], None]   # one more row of the list, made as (and visible to) the user


LISTS = {
    "case_queue": Checked("abroad_caseworker", ("/saker/arbeidsko",), _abroad_case),
    "abroad_queue": Checked("abroad_caseworker", ("/utland/arbeidsko",), _abroad_case),
    "methods": Checked("methods_secretariat", ("/metoder/", "/metoder/eksport.csv"), _method),
    "public_methods": Checked("methods_secretariat", ("/nye-metoder/",), _method),
    "method_meetings": Checked("methods_secretariat", ("/metoder/moter",), _meeting),
    "method_working_groups": Checked("methods_secretariat", ("/metoder/arbeidsgrupper",), _working_group),
    "public_journal": Checked("methods_secretariat", ("/offentlig-journal/", "/offentlig-journal/journal.csv"),
                              _public_post),
    "panel_members": Checked("panel_secretariat", ("/ekspertpanelet/medlemmer",), _member),
    "report_orders": Checked("analyst", ("/rapporter/",), _order),
    "report_publications": Checked("analyst", ("/rapporter/publisert/",), _publication),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_sends_as_many_statements_for_several_rows_as_for_one(app, login, make_user, name):
    checked = LISTS[name]
    user_id = make_user(checked.role, "helse-sor-ost" if checked.role == "abroad_caseworker" else None)
    client = login(user_id)

    def add_rows(first: int, count: int) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            for number in range(first, first + count):
                checked.add_row(actor, number)
            db.session.commit()

    add_rows(0, 1)
    one = {url: statements_sent(client, url) for url in checked.urls}
    add_rows(1, 4)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(_declared_spec(name).query(
            db.session.get(User, user_id)).subquery())) == 5, "the rows added are not the list's"
    assert {url: statements_sent(client, url) for url in checked.urls} == one


def _declared_spec(name: str):
    return next(spec for spec in _declared_lists().values() if spec.name == name)


def test_every_declared_list_has_its_statements_counted():
    declared = {spec.name for spec in _declared_lists().values()}
    assert declared == set(LISTS) | set(COVERED_ELSEWHERE), declared ^ (set(LISTS) | set(COVERED_ELSEWHERE))
