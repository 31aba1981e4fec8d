"""The case pages send as many SQL statements for a case with one journal post, medical opinion, cost,
deadline and document as for one with thirty of each: nothing is lazy-loaded once per row (N+1).

Statements are counted with an SQLAlchemy before_cursor_execute listener; no time is measured here (the
timings are in bench/detail.py).
"""
import re
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.abroad import services
from app.abroad.models import CostCategory, Decision
from app.auth.models import User
from app.cases.documents import attach_document
from app.cases.models import Case, JournalEntryType
from app.cases.services import add_journal_entry
from app.demo import synthetic_national_id
from app.extensions import db
from tests.factories import abroad_application, abroad_cost, abroad_decision, abroad_opinion_request

TODAY = date.today()
FEW, MANY = 1, 30
PAGES = ["/utland/soknader/{}", "/saker/{}"]


def _application_case(app, actor_id: int, children: int, name: str) -> int:
    """A granted application with `children` medical opinions (each an outgoing journal post and a
    deadline), costs, journal notes and documents besides the decision letter."""
    with app.app_context():
        actor = db.session.get(User, actor_id)
        application = services.register_application(abroad_application(
            national_id=None, patient_name=name, birth_date=date(1980, 5, 17), municipality="Tromsø",
            received_on=TODAY - timedelta(days=100), requested_treatment="Fetoskopisk laserbehandling av TTTS"),
            actor=actor, today=TODAY)
        for number in range(children):
            services.request_opinion(application, abroad_opinion_request(
                requested_from=f"Fagmiljø {number}", question="Er det nødvendig?",
                requested_on=TODAY - timedelta(days=90), due_on=TODAY - timedelta(days=60)), actor=actor, today=TODAY)
        services.decide(application, abroad_decision(Decision.GRANTED, decided_on=TODAY - timedelta(days=50),
                                                     reasoning="Vilkårene er oppfylt."),
                        actor=actor, letter=b"%PDF-1.7 innvilget", today=TODAY)
        case = db.session.get(Case, application.case_id)
        for number in range(children):
            services.add_cost(application, abroad_cost(entry_date=TODAY - timedelta(days=40),
                                                       category=CostCategory.TRAVEL, amount="1500", currency="NOK",
                                                       invoice_reference=f"F{number}"), actor=actor, today=TODAY)
            entry = add_journal_entry(case, entry_type=JournalEntryType.NOTE, title=f"Notat {number}",
                                      journal_date=TODAY - timedelta(days=30), actor=actor)
            attach_document(case, title=f"Notat {number}", filename=f"notat-{number}.txt",
                            content=f"Notat nummer {number}".encode(), actor=actor, journal_entry=entry)
        db.session.commit()
        return case.id


class Statements:
    """The SQL statements sent while the block runs."""

    def __enter__(self) -> "Statements":
        self.sent: list[str] = []
        sa.event.listen(sa.Engine, "before_cursor_execute", self._record)
        return self

    def _record(self, _connection, _cursor, statement, *_args) -> None:
        self.sent.append(statement)

    def __exit__(self, *_exc) -> None:
        sa.event.remove(sa.Engine, "before_cursor_execute", self._record)

    def repeated(self) -> dict[str, int]:
        """Statements sent more than once (with their FROM table), the mark of a lazy load per row."""
        counts = Counter(self.sent)
        return {_summary(statement): times for statement, times in counts.items() if times > 1}


def _summary(statement: str) -> str:
    table = re.search(r"\bFROM (\w+)", statement)
    return f"SELECT … FROM {table.group(1)}" if table else statement[:80]


def _statements(client, url: str) -> Statements:
    with Statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


@pytest.fixture
def cases(app, make_user):
    worker = make_user("abroad_caseworker", office="helse-sor-ost")
    return worker, {FEW: _application_case(app, worker, FEW, "Nora Nordlys"),
                    MANY: _application_case(app, worker, MANY, "Nils Nordlys")}


@pytest.mark.parametrize("page", PAGES)
def test_the_statement_count_of_a_case_page_does_not_grow_with_its_rows(app, login, cases, page):
    worker, case_ids = cases
    client = login(worker)
    for case_id in case_ids.values():  # the first request of a client loads what every request loads
        client.get(page.format(case_id))
    few, many = (_statements(client, page.format(case_ids[size])) for size in (FEW, MANY))
    counts = {FEW: len(few.sent), MANY: len(many.sent)}
    assert counts[MANY] == counts[FEW], (
        f"{page}: {counts[FEW]} statements with {FEW} of each row, {counts[MANY]} with {MANY}; "
        f"sent more than once: {many.repeated()}")


def test_the_cases_really_differ_in_size(app, cases):
    _worker, case_ids = cases
    with app.app_context():
        few, many = (db.session.get(Case, case_ids[size]) for size in (FEW, MANY))
        assert (len(few.journal_entries), len(few.documents)) == (FEW * 2 + 2, FEW + 1)
        assert (len(many.journal_entries), len(many.documents)) == (MANY * 2 + 2, MANY + 1)
        assert len(many.deadlines) == MANY


@pytest.mark.parametrize("url", ["/saker", "/saker/eksport.csv", "/admin/datakvalitet", "/admin/logg",
                                 "/admin/brukere"])
def test_a_list_sends_as_many_statements_for_thirty_rows_as_for_one(app, login, make_user, make_case, url):
    """A list on the engine: one count, one page query and its audit row, whatever the rows (no lazy load of a
    row's case, patient, person or registrar). A full page of ORM objects asks once more, by its key columns only,
    whether rows follow (app.listing.engine._page): at most one statement more, never one per row."""
    worker = make_user("abroad_caseworker", "helse-sor-ost")
    vest = make_user("abroad_caseworker", "helse-vest")
    admin = make_user("admin")
    client = login(admin if url.startswith("/admin") else worker)
    sent = []
    for rows in (FEW, MANY - FEW):
        for number in range(rows):
            known = synthetic_national_id(date(1950, 1, 1) + timedelta(days=len(sent) * 100 + number))
            make_case(worker, national_id=known, name="Sigrid Sørøst")
            make_case(vest, national_id=known, name="Vera Vest", home_region="helse-vest")   # a discrepancy
            make_user("analyst")
        client.get(url)   # the first request of a client loads what every request loads
        sent.append(len(_statements(client, url).sent))
    assert sent[1] - sent[0] in (0, 1), sent
