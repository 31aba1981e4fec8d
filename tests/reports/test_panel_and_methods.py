"""The expert panel's annual report (the panel's mandate, part VII) and the Nye Metoder statistics, from
case-level rows."""
import json
from datetime import date
from io import BytesIO
from itertools import count

import pytest
from openpyxl import load_workbook

from app.cases.models import Case, CaseKind, CaseStatus, Patient
from app.extensions import db
from app.methods.models import (
    AgendaItem,
    Commission,
    DecidedBy,
    DecisionOutcome,
    Forum,
    ForumDecision,
    Meeting,
    Method,
    MethodStatus,
    MethodType,
    OrderingDecision,
    OrderingKind,
    Submission,
    SubmissionKind,
)
from app.methods.statistics import methods_figures, percentile
from app.panel.models import (
    Ending,
    Feedback,
    Outcome,
    PanelMember,
    PrincipledQuestion,
    Referral,
    ReferralStatus,
    RefusalGround,
    Statement,
)
from app.panel.statistics import panel_figures, report_due
from app.reports.jobs import produce
from app.reports.registry import ReportRequest, get_kind
from tests.pdf import pdf_text

_numbers = count(900_000)


def _case(kind: CaseKind, on: date, unit: str, patient: Patient | None = None) -> Case:
    number = next(_numbers)
    facts = {} if patient is None else {   # the patient as registered with the case
        "person": patient, "patient_name": patient.name, "patient_birth_date": patient.birth_date,
        "patient_municipality": patient.municipality, "patient_home_region": patient.home_region}
    case = Case(number=f"{on.year}/{number}", year=on.year, sequence=number, kind=kind, title="Sak – ******",
                public_title="Sak – ******", status=CaseStatus.IN_PROGRESS, unit=unit, case_date=on, **facts)
    db.session.add(case)
    db.session.flush()
    return case


def _referral(region: str, referred_on: date, *, icd10: str = "C56", complete_on: date | None = None,
              sent: list[date] = (), outcome: Outcome | None = None,
              municipality: str | None = "0301 Oslo") -> Referral:
    patient = Patient(name="Pasient", birth_date=date(1960, 1, 1), municipality=municipality, home_region=region)
    case = _case(CaseKind.PANEL_REFERRAL, referred_on, "ekspertpanelet", patient)
    complete_on = complete_on or referred_on
    referral = Referral(case_id=case.id, referring_trust="Helse Bergen HF", referring_doctor="Lege",
                        referred_on=referred_on, from_regional_hospital=True, icd10=icd10, condition="Tilstand",
                        treatments_tried="Behandling", question="Spørsmål", complete_on=complete_on, due_on=complete_on,
                        status=ReferralStatus.STATEMENT_SENT if sent else ReferralStatus.UNDER_ASSESSMENT,
                        outcome=outcome)
    db.session.add(referral)
    db.session.flush()
    for day in sent:
        db.session.add(Statement(referral_id=referral.id, sent_on=day, recipients=["Behandlende lege"], summary="Råd"))
    return referral


@pytest.fixture
def panel_2025(app_ctx):
    answered = [  # region, home municipality, complete on, statement sent, outcome, ICD-10
        ("helse-sor-ost", "0301 Oslo", date(2025, 1, 6), date(2025, 1, 11), Outcome.OFF_LABEL, "C56"),    # 5 days
        ("helse-sor-ost", "3301", date(2025, 3, 3), date(2025, 3, 11), Outcome.OFF_LABEL, "C56"),         # 8
        ("helse-sor-ost", "Drammen", date(2025, 5, 5), date(2025, 5, 15), Outcome.STUDY_ABROAD, "C34.9"),  # 10
        ("helse-vest", "4601 Bergen", date(2025, 6, 2), date(2025, 6, 16), Outcome.ESTABLISHED_NORWAY, "C71.9"),  # 14
        ("helse-midt-norge", None, date(2025, 8, 4), date(2025, 8, 19), Outcome.NO_FURTHER_TREATMENT, "G12.2"),  # 15
    ]
    for region, municipality, complete_on, sent_on, outcome, code in answered:
        _referral(region, complete_on, complete_on=complete_on, sent=[sent_on], outcome=outcome, icd10=code,
                  municipality=municipality)
    # Received in 2024, answered (twice) in 2025 and 2026: counted once, in 2025, after 30 days.
    _referral("helse-nord", date(2024, 12, 20), complete_on=date(2024, 12, 23),
              sent=[date(2025, 1, 22), date(2026, 1, 5)], outcome=Outcome.NO_FURTHER_TREATMENT, icd10="C56",
              municipality="5501 Tromsø")
    # Received in 2025, answered in 2026: open at the end of the year.
    _referral("helse-vest", date(2025, 12, 22), sent=[date(2026, 1, 2)], outcome=Outcome.OFF_LABEL,
              municipality="4601 Bergen")
    first = db.session.query(Referral).order_by(Referral.id).first()
    db.session.add_all([
        PrincipledQuestion(referral_id=first.id, raised_on=date(2025, 3, 12),
                           text="Kan panelet anbefale behandling som er under vurdering i Nye Metoder "
                                "for en annen indikasjon?"),
        PrincipledQuestion(referral_id=first.id, raised_on=date(2024, 11, 1), text="Et spørsmål fra året før."),
        Feedback(referral_id=first.id, received_on=date(2025, 2, 20), followed="yes", summary="Fulgt."),
        PanelMember(name="Dr. Åse Ødegård", specialty="Onkologi", hospital="Oslo universitetssykehus",
                    appointing_region="helse-sor-ost", term_start=date(2022, 7, 1), term_end=date(2026, 6, 30)),
        PanelMember(name="Dr. Vidar Vik", specialty="Nevrologi", hospital="Haukeland universitetssjukehus",
                    appointing_region="helse-vest", term_start=date(2022, 7, 1), term_end=None),
        PanelMember(name="Dr. Marit Moe", specialty="Gynekologisk onkologi", hospital="St. Olavs hospital",
                    appointing_region="helse-midt-norge", term_start=date(2023, 1, 1), term_end=date(2027, 12, 31)),
        PanelMember(name="Dr. Nils Nord", specialty="Onkologi", hospital="UNN", appointing_region="helse-nord",
                    term_start=date(2020, 1, 1), term_end=date(2025, 1, 1), active=False),
    ])
    db.session.commit()


def test_the_panel_report_counts_the_cases_answered_in_the_year(panel_2025):
    data = panel_figures(2025)

    assert data["cases_received"] == 6 and data["cases_answered"] == 6 and data["open_at_year_end"] == 1
    assert data["by_region"] == {"helse-sor-ost": 3, "helse-vest": 1, "helse-midt-norge": 1, "helse-nord": 1}
    # "3301" without the name counts; free text ("Drammen") and no municipality are "Ukjent fylke".
    assert data["by_county"] == {"Oslo": 1, "Rogaland": 0, "Møre og Romsdal": 0, "Nordland": 0, "Østfold": 0,
                                 "Akershus": 0, "Buskerud": 1, "Innlandet": 0, "Vestfold": 0, "Telemark": 0,
                                 "Agder": 0, "Vestland": 1, "Trøndelag": 0, "Troms": 1, "Finnmark": 0,
                                 "Ukjent fylke": 2}
    assert data["diagnosis_groups"] == {"C00-D48": 5, "G00-G99": 1}
    assert data["outcomes"] == {"established_norway": 1, "established_abroad": 0, "study_norway": 0,
                                "study_abroad": 1, "off_label": 2, "no_further_treatment": 2}
    assert data["median_days_to_statement"] == 12          # 5, 8, 10, 14, 15, 30
    assert data["p90_days_to_statement"] == 30
    assert data["share_within_14_days"] == 0.667          # 14 days is within the deadline
    assert data["principled_questions"] == [{"raised_on": "2025-03-12", "text": "Kan panelet anbefale behandling som "
                                             "er under vurdering i Nye Metoder for en annen indikasjon?"}]
    assert data["feedback"] == {"yes": 1, "partly": 0, "no": 0}
    assert [member["name"] for member in data["members_term_ending"]] == ["Dr. Åse Ødegård"]
    assert data["regions_without_members"] == ["helse-nord"]


def test_a_refused_or_withdrawn_referral_is_counted_in_its_year_and_is_not_open_after_it(app_ctx):
    """Issue 18 item 13: a referral refused as outside the mandate or withdrawn is no longer open; one that ended
    after the year was open at its end."""
    endings = ((date(2025, 3, 1), ReferralStatus.REFUSED, date(2025, 3, 4)),
               (date(2025, 4, 1), ReferralStatus.WITHDRAWN, date(2025, 4, 9)),
               (date(2025, 12, 20), ReferralStatus.REFUSED, date(2026, 1, 3)))
    for referred_on, status, ended_on in endings:
        referral = _referral("helse-vest", referred_on)
        referral.status = status
        db.session.add(Ending(referral_id=referral.id, status=status, reason="Grunn.", ended_on=ended_on,
                              recipients=[], copies=[],
                              ground=RefusalGround.GROUP_LEVEL if status is ReferralStatus.REFUSED else None))
    db.session.flush()

    data = panel_figures(2025)

    assert (data["cases_received"], data["open_at_year_end"]) == (3, 1)
    assert (data["cases_refused"], data["cases_withdrawn"]) == (1, 1)
    assert (panel_figures(2026)["cases_refused"], panel_figures(2026)["open_at_year_end"]) == (1, 0)


def test_the_panel_report_pdf_is_addressed_to_the_regions_with_the_free_text(panel_2025):
    report, files = produce(get_kind("panel"), ReportRequest(year=2025, notes={
        "members": "Helse Nord bør oppnevne et nytt medlem i 2026.", "other": "Panelet hadde to fellesmøter."}),
        lambda *_: None, formats=["pdf", "json"])
    text = pdf_text(files["pdf"])
    assert "Ekspertpanelet" in text and "Årsrapport 2025 til de regionale helseforetakene" in text
    assert "Ekspertpanelet besvarte 6 henvisninger i 2025" in text
    assert ("Mediantiden fra komplett henvisning til uttalelse var 12 dager, "
            "og 67 prosent ble besvart innen 14 dager") in text
    assert "Svulster (C00-D48)" in text and "Off-label behandling" in text
    assert "Dr. Åse Ødegård" in text and "30.06.2026" in text
    assert "Helse Nord har ingen aktive medlemmer i panelet." in text
    assert "Helse Nord bør oppnevne et nytt medlem i 2026." in text and "Panelet hadde to fellesmøter." in text
    assert "Tabell 3. Besvarte saker etter pasientens bostedsfylke 2025" in text
    assert "Ukjent fylke" in text and "Fordeling på fylke er ikke med" not in text
    assert "Fylket følger av de to første sifrene i kommunenummeret" in text      # the method notes
    assert json.loads(files["json"])["by_county"]["Ukjent fylke"] == 2
    assert report_due(2025) == date(2026, 3, 1)


def test_the_panel_report_workbook_has_the_county_table(panel_2025):
    _report, files = produce(get_kind("panel"), ReportRequest(year=2025), lambda *_: None, formats=["xlsx"])
    workbook = load_workbook(BytesIO(files["xlsx"]))
    counties = workbook["Fylke"]
    assert [cell.value for cell in counties[1]] == ["Fylke", "Saker", "Andel"]
    rows = {row[0]: row[1:] for row in counties.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 17                                                  # 15 counties, unknown, the sum
    assert rows["Oslo"] == (1, pytest.approx(0.167)) and rows["Troms"] == (1, pytest.approx(0.167))
    assert rows["Finnmark"] == (0, 0.0) and rows["Ukjent fylke"] == (2, pytest.approx(0.333))
    assert rows["Sum"] == (6, 1.0)
    assert workbook.sheetnames.index("Fylke") == workbook.sheetnames.index("Bosted") + 1


def _method(reference: str, method_type: MethodType, submissions: list[tuple[SubmissionKind, date]]) -> Method:
    year, sequence = int(reference[2:6]), int(reference[7:])
    case = _case(CaseKind.METHOD, submissions[0][1], "nye-metoder")
    method = Method(case_id=case.id, reference=reference, year=year, sequence=sequence, title=reference,
                    method_type=method_type, status=MethodStatus.ASSESSMENT, subject_areas=[], tags=[])
    db.session.add(method)
    db.session.flush()
    for kind, day in submissions:
        db.session.add(Submission(method_id=method.id, kind=kind, organisation="Avsender", received_on=day))
    return method


def _ordering(method: Method, kind: OrderingKind, on: date) -> OrderingDecision:
    meeting = Meeting(forum=Forum.BESTILLERFORUM, meeting_date=on)
    db.session.add(meeting)
    db.session.flush()
    item = AgendaItem(meeting_id=meeting.id, methods=[method], forum=Forum.BESTILLERFORUM, year=on.year,
                      number=next(_numbers) % 1000, title=method.title)
    db.session.add(item)
    db.session.flush()
    decision = OrderingDecision(method_id=method.id, agenda_item_id=item.id, kind=kind, decided_on=on, aspects=[])
    db.session.add(decision)
    db.session.flush()
    return decision


def _decision(method: Method, on: date, outcome: DecisionOutcome, by=DecidedBy.BESLUTNINGSFORUM, amends=None):
    decision = ForumDecision(method_id=method.id, decided_by=by, decided_on=on, outcome=outcome, points=["Punkt"],
                             supersedes_id=amends.id if amends else None)
    db.session.add(decision)
    db.session.flush()
    return decision


@pytest.fixture
def methods_2025(app_ctx):
    robot = _method("ID2024_131", MethodType.PROCEDURE, [(SubmissionKind.PROPOSAL, date(2024, 1, 10))])
    ordering = _ordering(robot, OrderingKind.FULL_HTA, date(2024, 3, 1))
    db.session.add(Commission(method_id=robot.id, ordering_decision_id=ordering.id, kind=OrderingKind.FULL_HTA,
                              assessing_body="FHI", started_on=date(2024, 3, 1), delivered_on=date(2025, 1, 31)))
    first = _decision(robot, date(2025, 3, 17), DecisionOutcome.INTRODUCED_WITH_CONDITIONS)
    _decision(robot, date(2025, 4, 28), DecisionOutcome.INTRODUCED_WITH_CONDITIONS, amends=first)
    spine = _method("ID2025_102", MethodType.PROCEDURE, [(SubmissionKind.PROPOSAL, date(2025, 2, 3))])
    _ordering(spine, OrderingKind.FULL_HTA, date(2025, 4, 10))
    device = _method("ID2025_007", MethodType.DEVICE, [(SubmissionKind.ALERT, date(2025, 1, 6))])
    _ordering(device, OrderingKind.NOT_COMMISSIONED, date(2025, 2, 20))
    drug = _method("ID2023_050", MethodType.DRUG, [(SubmissionKind.REQUEST, date(2023, 5, 2)),
                                                   (SubmissionKind.REQUEST, date(2025, 9, 1))])
    drug_ordering = _ordering(drug, OrderingKind.SINGLE_TECHNOLOGY, date(2023, 9, 1))
    db.session.add(Commission(method_id=drug.id, ordering_decision_id=drug_ordering.id,
                              kind=OrderingKind.SINGLE_TECHNOLOGY, assessing_body="DMP", started_on=date(2023, 9, 1),
                              delivered_on=date(2024, 11, 1)))
    _decision(drug, date(2025, 6, 16), DecisionOutcome.NOT_INTRODUCED, by=DecidedBy.MEDICAL_DIRECTORS)
    db.session.commit()


def test_the_methods_statistics_count_submissions_decisions_and_days_between_stages(methods_2025):
    data = methods_figures(2025)

    assert list(data["submissions_by_year"]) == ["2021", "2022", "2023", "2024", "2025"]
    assert data["submissions_by_year"]["2025"] == {
        "forslag": {"legemidler": 0, "utstyr": 0, "prosedyrer": 1},
        "anmodning": {"legemidler": 1, "utstyr": 0, "prosedyrer": 0},
        "metodevarsel": {"legemidler": 0, "utstyr": 1, "prosedyrer": 0}}
    assert data["submissions_by_year"]["2024"]["forslag"]["prosedyrer"] == 1
    assert data["ordering_decisions"] == {"full_hta": 1, "single_technology": 0, "simplified": 0, "mini_hta_local": 0,
                                          "not_commissioned": 1, "other_commission": 0}
    assert data["forum_decisions"] == {"introduced": 0, "introduced_with_conditions": 2, "not_introduced": 1}
    assert data["forum_decision_amendments"] == 1 and data["forum_decisions_by_medical_directors"] == 1
    assert data["stage_days"] == {
        "received_to_ordering": {"count": 2, "median": 55.5, "p90": 66},     # 66 and 45 days
        "ordering_to_delivered": {"count": 1, "median": 336, "p90": 336},
        "delivered_to_decision": {"count": 2, "median": 136, "p90": 227},    # 45 and 227
        "received_to_decision": {"count": 2, "median": 604, "p90": 776},     # 432 and 776
    }


def test_the_methods_report_has_its_tables_in_every_format(methods_2025):
    report, files = produce(get_kind("methods"), ReportRequest(year=2025), lambda *_: None, formats=["pdf", "xlsx"])
    assert [table.sheet for table in report.tables] == ["Innkomne etter metodetype", "Innkomne per år", "Bestillinger",
                                                        "Beslutninger", "Saksbehandlingstid"]
    text = pdf_text(files["pdf"])
    assert "Nye Metoder" in text and "Prosedyrer og organisatoriske tiltak" in text
    assert "Innføres med vilkår/begrensninger" in text and "Av disse var 1 endringer" in text
    assert files["xlsx"].startswith(b"PK")


def test_percentiles_use_the_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5], 0.9) == 5
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([45, 67], 0.9) == 67
