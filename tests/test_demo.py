from datetime import date

from sqlalchemy import func, select

from app.abroad.demo_data import HISTORY_YEARS
from app.abroad.models import Appeal, Application, CostEntry
from app.auth.models import User
from app.cases.documents import read_version
from app.cases.models import Case, CaseKind, Document, DocumentVersion, JournalEntry, JournalEntryType
from app.cases.patient_facts import letter_addressees
from app.demo import DEMO_USERS
from app.extensions import db
from app.methods import demo_data as methods_demo
from app.methods.models import MemberRole, Method, MethodStatus, WorkingGroup
from app.methods.statistics import methods_figures
from app.panel import demo_data as panel_demo
from app.panel.models import Contribution, ContributionKind, Referral, ReferralStatus, Statement
from app.panel.statistics import panel_figures
from app.reports.model import COUNT, Table
from app.reports.registry import ReportRequest, report_kinds
from tests.pdf import pdf_text


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_load_is_idempotent_and_covers_every_role_and_office(app, demo_rows):
    runner = app.test_cli_runner()
    with app.app_context():
        migrated = _row_counts()   # what the migrations put in (e.g. the archive classes)
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "hso@helsesak.test" in first.output and "demo-passord-2026" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == len(DEMO_USERS)
        units = set(db.session.scalars(select(Case.unit).where(Case.kind == CaseKind.ABROAD_APPLICATION)))
        assert units == {"helse-sor-ost", "helse-vest", "helse-midt-norge"}
        cases = db.session.scalar(select(func.count(Case.id)))
        counts = _row_counts()
    assert f"({cases} nye saker)" in first.output and "(0 nye saker)" in second.output
    # The other tests take the demo from the `demo` fixture, which restores the rows of one load made per run.
    assert counts == {name: migrated[name] + len(rows) for name, rows in demo_rows.items()}


def test_the_demo_has_years_of_history_at_every_office_so_the_reports_show_figures(app, demo):
    this_year = date.today().year
    with app.app_context():
        year = func.extract("year", Application.received_on)
        per_year = {int(each): (count, offices) for each, count, offices in db.session.execute(
            select(year, func.count(), func.count(Application.office.distinct())).group_by(year)).all()}
        outcomes = set(db.session.scalars(select(Appeal.status).distinct()))
        costs = db.session.scalar(select(func.count(CostEntry.id)))
    for year in range(this_year - HISTORY_YEARS, this_year):
        applications, offices = per_year[year]
        assert 100 <= applications <= 200 and offices == 3, (year, per_year[year])
    assert costs > 1000
    assert {"upheld_by_board", "reversed_by_board", "reversed_by_office", "dismissed_late", "withdrawn",
            "quashed_by_board"} <= {status.value for status in outcomes}


def test_the_demo_letters_are_the_real_rendered_letters(app, demo):
    with app.app_context():
        versions = db.session.scalars(select(DocumentVersion).join(Document).join(Case, Document.case_id == Case.id)
                                      .join(JournalEntry, Document.journal_entry_id == JournalEntry.id)
                                      .where(Case.kind.not_in((CaseKind.PANEL_REFERRAL, CaseKind.METHOD)))
                                      .where(JournalEntry.entry_type == JournalEntryType.OUTGOING))
        texts = [pdf_text(read_version(version)) for version in versions]
        received = db.session.scalar(select(func.count(Document.id)).join(JournalEntry).where(   # papers received
            JournalEntry.entry_type == JournalEntryType.INCOMING))
        # Beslutningsforum 17.03.2025's notice and minutes, filed on the case of each of Sak 031-2025's methods (the
        # methods' other documents are text files: the working group's basis document and a report's public version).
        papers = [pdf_text(read_version(version)) for version in db.session.scalars(
            select(DocumentVersion).join(Document).join(Case, Document.case_id == Case.id)
            .where(Case.kind == CaseKind.METHOD, DocumentVersion.mime_type == "application/pdf"))]
        statement = db.session.scalars(select(Statement).order_by(Statement.id.desc())).first()
        statement_text = pdf_text(read_version(db.session.scalars(select(DocumentVersion).where(
            DocumentVersion.document_id == statement.document_id)).one()))
        referral = db.session.get(Referral, statement.referral_id)
    # six refusals, a partial grant, three forwardings to Klagenemnda, a late appeal's dismissal, and an application
    # sent on to the scheme it belongs to (the PGD grant is the approving body's, with no letter from the office)
    assert len(texts) == 12
    assert received == 4                   # a statement, an invoice, an appeal letter and an access request
    assert len(papers) == 6 and sum("Protokoll fra møte i Beslutningsforum 17.03.2025" in text for text in papers) == 3
    # The panel's statements are the letters rendered from the statement as sent.
    assert referral.referring_doctor in statement_text and statement.summary[:40] in statement_text
    assert sum("Du kan klage på vedtaket" in text for text in texts) == 8
    assert sum("Søknaden er delvis innvilget." in text and "Du kan klage på det som er avslått" in text
               for text in texts) == 1
    assert sum("Klagenemnda for behandling i utlandet" in text and "Oversendelse" in text for text in texts) == 3
    assert sum("Vedtak om avvisning av klage" in text for text in texts) == 1


def test_the_demo_working_group_covers_the_three_robot_surgery_methods(app, demo):
    """S1: one group for ID2022_131–133, approved 28.4.25, led from Helse Midt-Norge, its basis document on
    ID2022_131's case and its report under way."""
    with app.app_context():
        group = db.session.scalars(select(WorkingGroup)).one()
        assert group.references == "ID2022_131, ID2022_132, ID2022_133"
        assert group.approved_on == date(2025, 4, 28) and group.due_on == date(2025, 11, 1)
        assert len(group.report_questions) == 9 and 0 < len(group.report_answers) < 15
        assert db.session.get(Document, group.basis_document_id).case_id == group.methods[0].case_id
        assert {member.role for member in group.members} == set(MemberRole)
        assert [member.position for member in group.members if member.role is MemberRole.LEADER] == [
            "Regional fagdirektør, Helse Midt-Norge RHF"]


def _count_cells(table: Table) -> int:
    counted = [index for index, column in enumerate(table.columns) if column.kind == COUNT]
    return sum(row[index] or 0 for row in table.rows for index in counted)


def test_every_report_of_the_last_full_year_shows_figures(app, demo):
    last_year = date.today().year - 1
    with app.app_context():
        for kind in report_kinds():
            report = kind.build(ReportRequest(year=last_year), lambda percent, step: None)
            tables = [part for section in report.sections for part in section.blocks if isinstance(part, Table)]
            assert tables and _count_cells(tables[0]) > 0, kind.name
            assert sum(_count_cells(table) > 0 for table in tables) >= len(tables) // 2, kind.name


def test_the_panel_history_answers_a_few_dozen_referrals_a_year_with_approved_statements(app, demo):
    this_year = date.today().year
    with app.app_context():
        figures = {year: panel_figures(year) for year in range(this_year - panel_demo.HISTORY_YEARS, this_year)}
        statements = db.session.execute(select(Statement, Referral).join(Referral)).all()
        drafts = db.session.scalars(select(Contribution).join(Referral).where(
            Contribution.kind == ContributionKind.DRAFT, Referral.status == ReferralStatus.UNDER_ASSESSMENT)).all()
    low, high = panel_demo.HISTORY_PER_YEAR
    for year, data in figures.items():
        assert low - 2 <= data["cases_answered"] <= high + 2, (year, data["cases_answered"])
        assert data["median_days_to_statement"] and sum(data["feedback"].values()) > 0, year
        assert data["principled_questions"], year
        assert sum(count for name, count in data["by_county"].items() if name != "Ukjent fylke") > 0, year
    outcomes = {key for data in figures.values() for key, count in data["outcomes"].items() if count}
    assert len(outcomes) >= 5
    assert all(referral.statement_approved_at is not None for _statement, referral in statements)
    assert all(statement.sent_on >= referral.complete_on for statement, referral in statements)
    assert len(drafts) >= 2 and all(draft.adopted_at for draft in drafts)   # a member's drafts, taken in


def test_the_methods_history_goes_through_every_stage_and_the_status_follows_the_records(app, demo):
    this_year = date.today().year
    with app.app_context():
        last = methods_figures(this_year - 1)
        methods = db.session.scalars(select(Method)).all()
        statuses = {method.status for method in methods}
        followed = all(method.status_changes[-1].to_status is method.status for method in methods)
        dated = all(change.on <= date.today() for method in methods for change in method.status_changes)
        first = methods_figures(this_year - methods_demo.HISTORY_YEARS)
    assert sum(sum(kinds.values()) for kinds in last["submissions_by_year"][str(this_year - 1)].values()) > 0
    assert sum(last["ordering_decisions"].values()) > 0 and sum(last["forum_decisions"].values()) > 0
    assert last["stage_days"]["received_to_decision"]["count"] > 0
    assert sum(sum(kinds.values()) for kinds in first["submissions_by_year"][str(this_year - 10)].values()) > 0
    assert {MethodStatus.DECIDED, MethodStatus.NOT_COMMISSIONED, MethodStatus.CLOSED, MethodStatus.ASSESSMENT,
            MethodStatus.SUITABILITY} <= statuses
    assert followed and dated


def test_the_demo_patients_have_addresses_and_the_child_s_letters_go_to_the_guardians(app, demo):
    with app.app_context():
        cases = db.session.scalars(select(Case).where(Case.kind == CaseKind.ABROAD_APPLICATION)).all()
        child = next(case for case in cases if case.patient_name == "Ingrid Trønder")
        addressees = letter_addressees(child, date.today())
    without_address = [case.number for case in cases if not case.patient_street]
    assert not without_address, without_address[:5]
    assert {addressee.role for addressee in addressees} == {"guardian"} and len(addressees) == 2
    assert all(addressee.address_lines == ["Elvegata 17", "7010 Trondheim"] for addressee in addressees)
