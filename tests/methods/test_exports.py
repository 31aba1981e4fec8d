"""The method list as CSV and XLSX: exactly the filtered methods in the list's order, the way Norwegian
Excel opens them (the decision date a typed date), and the export logged."""
import re
from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from app.methods import services
from app.methods.models import DecisionOutcome, MethodType
from tests.exports import csv_rows, export_href, xlsx_sheet
from tests.factories import new_method

METHOD_LINK = re.compile(r'<td><a href="/metoder/(ID\d{4}_\d{3}[A-Z]?)">')


def _register(app, actor_id: int, title: str, method_type: MethodType, received_on: date) -> str:
    with app.app_context():
        method = services.register_method(new_method(title, received_on, method_type=method_type,
                                                     subject_areas=["Kreftsykdommer"]),
                                          actor=db.session.get(User, actor_id))
        db.session.commit()
        return method.reference


def test_the_export_holds_exactly_the_filtered_methods_in_the_lists_order(app, login, make_user):
    secretary = make_user("methods_secretariat")
    older = _register(app, secretary, "Eksporttest robotkirurgi", MethodType.PROCEDURE, date(2023, 2, 1))
    newer = _register(app, secretary, "Eksporttest laserbehandling", MethodType.PROCEDURE, date(2024, 2, 1))
    _register(app, secretary, "Eksporttest legemiddel", MethodType.DRUG, date(2024, 3, 1))
    client = login(make_user("bestillerforum"))   # a reader of the method cases

    page = client.get("/metoder/?q=Eksporttest&method_type=prosedyrer").get_data(as_text=True)
    assert METHOD_LINK.findall(page) == [newer, older]
    csv_url = export_href(page, "CSV")
    assert csv_url == "/metoder/eksport.csv?q=Eksporttest&method_type=prosedyrer"

    rows = csv_rows(client.get(csv_url))
    assert rows[0] == ["ID", "Tittel", "Metodetype", "Fagområder", "Status", "Gjeldende beslutning",
                       "Beslutningsdato"]
    assert [row[0] for row in rows[1:]] == [newer, older]
    assert rows[1][1:6] == ["Eksporttest laserbehandling", "Prosedyrer og organisatoriske tiltak", "Kreftsykdommer",
                            "Forslag mottatt", ""]

    sheet = xlsx_sheet(client.get(export_href(page, "Excel (XLSX)")))
    assert [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)] == [newer, older]


def test_the_current_decision_and_its_date_are_exported_typed(app, login, make_user, method_with_outcome):
    with app.app_context():
        reference = method_with_outcome(DecisionOutcome.NOT_INTRODUCED, reference="ID2024_091").reference
        db.session.commit()
    client = login(make_user("methods_secretariat"))
    rows = csv_rows(client.get("/metoder/eksport.csv?q=ID2024_091"))
    assert [row[0] for row in rows[1:]] == [reference]
    assert rows[1][6] == "16.06.2025"
    sheet = xlsx_sheet(client.get("/metoder/eksport.xlsx?q=ID2024_091"))
    decided = sheet.cell(2, 7)
    assert decided.is_date and decided.number_format == "dd.mm.yyyy" and decided.value.date() == date(2025, 6, 16)


def test_the_export_is_logged_and_closed_to_those_who_do_not_read_methods(app, login, make_user):
    reader = make_user("panel_member")
    csv_rows(login(reader).get("/metoder/eksport.csv?status=received"))
    with app.app_context():
        export = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == reader,
                                                             AuditEvent.action == AuditAction.EXPORT)).all()
        assert [(event.object_type, event.changes["format"], event.changes["filters"]) for event in export] == [
            ("methods", "csv", {"status": ["received"]})]
    assert login(make_user("analyst")).get("/metoder/eksport.csv").status_code == 403
