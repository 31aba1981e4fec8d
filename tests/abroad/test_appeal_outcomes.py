"""Issue 18 item 3: Klagenemnda's outcomes (upheld, reversed, partly reversed, quashed and sent back, dismissed) and
their effect on the application and on Table 6; the patient's withdrawal; the § 31 dismissal and the office's
reversal as decisions with letters (read with pdftotext); the one-year limit by calendar date."""
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import letters, services
from app.abroad.commands import AppealWithdrawal
from app.abroad.models import AppealStatus, ApplicationStatus, BoardOutcome, Decision, OfficeOutcome
from app.abroad.statistics import appeals_by_region
from app.cases.documents import read_version
from app.cases.models import Case, CaseStatus, Deadline, Document, JournalEntry
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from app.forms import Upload
from tests.factories import (
    abroad_appeal,
    abroad_board_decision,
    abroad_decision,
    abroad_late_assessment,
    abroad_reconsideration,
)
from tests.pdf import pdf_text

TODAY = date(2026, 11, 20)


def _appeal(application, caseworker, **overrides):
    return services.register_appeal(application, abroad_appeal(**overrides), actor=caseworker, today=TODAY)


def _forwarded(application, caseworker):
    appeal = _appeal(application, caseworker)
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=date(2026, 10, 8)),
                        actor=caseworker, letter=b"%PDF-1.7 oversendelse", today=TODAY)
    return appeal


def _journal(case_id: int) -> list[JournalEntry]:
    return db.session.scalars(select(JournalEntry).where(JournalEntry.case_id == case_id)
                              .order_by(JournalEntry.number_in_case)).all()


def _filed_text(document_id: int) -> str:
    document = db.session.get(Document, document_id)
    return pdf_text(read_version(document.versions[-1]))


def _table_6(region: str = "helse-nord", year: int = 2026) -> dict[str, int]:
    return appeals_by_region(year, None)[region]


# The one-year limit (forvaltningsloven § 31 third paragraph), by calendar date

@pytest.mark.parametrize(("decided_on", "last_day"), [
    (date(2024, 2, 29), date(2025, 2, 28)),   # no 29 February in 2025: the month's last day (domstolloven § 148)
    (date(2023, 3, 1), date(2024, 3, 1)),     # over 29 February 2024: 366 days, not 365
    (date(2024, 2, 28), date(2025, 2, 28)),
    (date(2025, 3, 1), date(2026, 3, 2)),     # Sunday 1 March 2026: the next working day (domstolloven § 149)
])
def test_the_one_year_limit_ends_on_the_same_date_a_year_later(decided_on, last_day):
    assert services.late_appeal_limit(decided_on) == last_day


def _old_refusal(register, caseworker, decided_on: date, patient: str):
    application = register(received_on=date(decided_on.year, 1, 10), national_id=None, patient_name=patient,
                           birth_date=date(1970, 1, 1), municipality=None, home_region="helse-nord")
    services.decide(application, abroad_decision(Decision.DENIED, decided_on=decided_on, legal_basis="x",
                                                 reasoning="y"), actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    return application


def test_a_late_appeal_on_the_calendar_anniversary_may_be_considered_and_one_day_later_not(register, caseworker):
    over_leap_day = _old_refusal(register, caseworker, date(2023, 3, 1), "Pasient En")
    appeal = _appeal(over_leap_day, caseworker, received_on=date(2024, 3, 1), notified_on=date(2023, 3, 3))
    services.assess_late_appeal(appeal, abroad_late_assessment(True, assessment="Innlagt på sykehus."),
                                actor=caseworker, today=TODAY)   # 366 days after the decision: still in time
    assert appeal.consider_late is True

    leap_day = _old_refusal(register, caseworker, date(2024, 2, 29), "Pasient To")
    late = _appeal(leap_day, caseworker, received_on=date(2025, 3, 1), notified_on=date(2024, 3, 4))
    with pytest.raises(InvalidInput, match=r"siste dag var 28\.02\.2025") as refused:
        services.check_late_appeal(late, abroad_late_assessment(True, assessment="Syk."), today=TODAY)
    assert refused.value.field == "consider"


# The § 31 dismissal: a decision with its letter

def test_a_late_appeal_dismissed_is_a_decision_with_a_letter_and_appeal_information(denied, caseworker):
    appeal = _appeal(denied, caseworker, received_on=date(2026, 10, 26), notified_on=date(2026, 9, 22))
    case = db.session.get(Case, appeal.case_id)
    with pytest.raises(InvalidInputs) as refused:   # one round: the assessment and the date together
        letters.late_assessment_letter(case, appeal, abroad_late_assessment(False, assessment=" ", decided_on=None),
                                       actor=caseworker, today=TODAY)
    assert set(refused.value.by_field()) == {"assessment", "decided_on"}
    with pytest.raises(InvalidInput, match="før den kom inn"):
        services.check_late_appeal(appeal, abroad_late_assessment(False, decided_on=date(2026, 10, 25)), today=TODAY)

    letters.assess_late_with_letter(case, appeal, abroad_late_assessment(
        False, assessment="Pasienten har ikke oppgitt grunner til at klagen kom for sent."),
        actor=caseworker, today=TODAY)
    assert (appeal.status, appeal.office_outcome, appeal.office_decided_on) == (
        AppealStatus.DISMISSED_LATE, OfficeOutcome.DISMISSED_LATE, date(2026, 11, 16))
    outgoing = [entry for entry in _journal(case.id) if entry.entry_type.value == "U"]
    assert [entry.title for entry in outgoing] == ["Vedtak om avvisning av klage – klagen kom for sent"]
    incoming = next(entry for entry in _journal(case.id) if entry.entry_type.value == "I")
    assert incoming.follow_up_done_at is not None   # the dismissal answers the complaint
    text = _filed_text(appeal.office_letter_document_id)
    assert "Vedtak om avvisning av klage" in text and "Klagen avvises fordi den kom etter klagefristen" in text
    assert "fristen gikk ut 20.10.2026" in text and "Pasienten har ikke oppgitt grunner" in text
    assert "Forvaltningsloven § 33 andre ledd, jf. §§ 29 og 31" in text
    assert "Du kan klage på vedtaket om å avvise klagen" in text and "fire uker fra du mottok dette brevet" in text
    assert "None" not in text
    assert denied.status is ApplicationStatus.DENIED
    assert _table_6()["dismissed_late"] == 1


def test_a_late_appeal_considered_after_all_files_no_letter(denied, caseworker):
    appeal = _appeal(denied, caseworker, received_on=date(2026, 10, 26), notified_on=date(2026, 9, 22))
    case = db.session.get(Case, appeal.case_id)
    assert letters.assess_late_with_letter(case, appeal, abroad_late_assessment(True), actor=caseworker,
                                           today=TODAY) is None
    assert (appeal.status, appeal.office_outcome, appeal.office_letter_document_id) == (
        AppealStatus.RECEIVED, None, None)


# The office's reversal (forvaltningsloven § 33): a decision letter

def test_the_offices_reversal_files_a_decision_letter_with_appeal_information(denied, caseworker):
    appeal = _appeal(denied, caseworker)
    case = db.session.get(Case, appeal.case_id)
    with pytest.raises(InvalidInput, match="Vedtaksbrevet mangler"):
        services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.REVERSED, reasoning="Ny dokumentasjon."),
                            actor=caseworker, letter=None, today=TODAY)
    letters.reconsider_with_letter(case, appeal, abroad_reconsideration(
        OfficeOutcome.REVERSED, decided_on=date(2026, 10, 8), reasoning="Ny dokumentasjon viser at tilbudet ikke "
        "finnes i Norge."), actor=caseworker, today=TODAY)
    assert (appeal.status, denied.status) == (AppealStatus.REVERSED_BY_OFFICE, ApplicationStatus.GRANTED)
    outgoing = [entry for entry in _journal(case.id) if entry.entry_type.value == "U"]
    assert [entry.title for entry in outgoing] == ["Vedtak omgjort – søknaden innvilges"]
    assert outgoing[0].documents and outgoing[0].documents[0].id == appeal.office_letter_document_id
    text = _filed_text(appeal.office_letter_document_id)
    assert "Vedtak etter klage – vedtaket er omgjort" in text and "Søknaden er innvilget." in text
    assert "tilbudet ikke finnes i Norge" in text and "jf. forvaltningsloven § 33 andre ledd" in text
    assert "Du kan klage på det nye vedtaket" in text and "None" not in text


def test_the_reconsideration_offers_only_its_own_outcomes(denied, caseworker):
    appeal = _appeal(denied, caseworker)
    with pytest.raises(InvalidInput, match="Velg utfallet") as refused:
        services.check_reconsideration(appeal, abroad_reconsideration(OfficeOutcome.DISMISSED_LATE), today=TODAY)
    assert refused.value.field == "outcome"


# Klagenemnda's outcomes

def test_a_partial_reversal_says_what_was_changed_and_grants_the_refusal(denied, caseworker):
    appeal = _forwarded(denied, caseworker)
    with pytest.raises(InvalidInput, match="Skriv hva nemnda endret") as refused:
        services.check_board_decision(appeal, abroad_board_decision(BoardOutcome.PARTLY_REVERSED), today=TODAY)
    assert refused.value.field == "summary"
    services.record_board_decision(appeal, abroad_board_decision(
        BoardOutcome.PARTLY_REVERSED, summary="Behandlingen dekkes; ledsager dekkes ikke."), actor=caseworker,
        today=TODAY)
    assert (appeal.status, denied.status, denied.decision) == (
        AppealStatus.PARTLY_REVERSED_BY_BOARD, ApplicationStatus.GRANTED, Decision.DENIED)
    assert appeal.board_summary == "Behandlingen dekkes; ledsager dekkes ikke."
    steps = _table_6()
    assert (steps["board_partly_reversed"], steps["board_reversed"], steps["received"]) == (1, 0, 1)


def test_a_dismissal_by_the_board_leaves_the_decision_standing(denied, caseworker):
    appeal = _forwarded(denied, caseworker)
    services.record_board_decision(appeal, abroad_board_decision(BoardOutcome.DISMISSED,
                                                                 summary="Klagen kom for sent til nemnda."),
                                   actor=caseworker, today=TODAY)
    assert (appeal.status, denied.status) == (AppealStatus.DISMISSED_BY_BOARD, ApplicationStatus.DENIED)
    assert db.session.get(Case, appeal.case_id).status is CaseStatus.FINISHED_BY_CASEWORKER
    assert _table_6()["board_dismissed"] == 1


def test_a_quashed_decision_goes_back_to_the_office_with_a_deadline_and_the_new_one_is_appealable(
        denied, caseworker):
    appeal = _forwarded(denied, caseworker)
    with pytest.raises(InvalidInputs) as refused:   # both missing, in one round
        services.check_board_decision(appeal, abroad_board_decision(BoardOutcome.QUASHED), today=TODAY)
    assert set(refused.value.by_field()) == {"summary", "new_decision_due_on"}
    with pytest.raises(InvalidInput, match="tilbake i tid"):
        services.check_board_decision(appeal, abroad_board_decision(
            BoardOutcome.QUASHED, summary="x", new_decision_due_on=date(2026, 11, 19)), today=TODAY)

    services.record_board_decision(appeal, abroad_board_decision(
        BoardOutcome.QUASHED, summary="Kontoret må innhente uttalelse fra fagmiljøet.",
        new_decision_due_on=date(2027, 1, 8)), actor=caseworker, today=TODAY)
    assert (appeal.status, denied.status) == (AppealStatus.QUASHED_BY_BOARD, ApplicationStatus.IN_PREPARATION)
    application_case = db.session.get(Case, denied.case_id)
    assert application_case.status is CaseStatus.IN_PROGRESS
    deadline = db.session.get(Deadline, appeal.new_decision_deadline_id)
    assert (deadline.case_id, deadline.due_date, deadline.done_at) == (denied.case_id, date(2027, 1, 8), None)
    assert any("opphevet av Klagenemnda" in entry.title for entry in _journal(denied.case_id))
    assert not denied.appealable

    services.decide(denied, abroad_decision(Decision.GRANTED, decided_on=TODAY, legal_basis="x", reasoning="y"),
                    actor=caseworker, letter=b"%PDF-1.7 nytt vedtak", today=TODAY)
    assert deadline.done_at is not None   # the new decision closes the deadline
    assert denied.appealable
    second = _appeal(denied, caseworker, received_on=TODAY, notified_on=TODAY)
    assert second.against_grant and not appeal.against_grant
    # The first appeal still concerns, and is counted by, the refusal it complained of.
    assert (appeal.appealed_decision, appeal.appealed_decided_on) == (Decision.DENIED, date(2026, 9, 20))
    steps = _table_6()
    assert (steps["received"], steps["board_quashed"], steps["against_grant"]) == (1, 1, 1)


# Withdrawal

def test_an_appeal_withdrawn_at_the_office_closes_the_appeal_case(denied, caseworker):
    appeal = _appeal(denied, caseworker)
    with pytest.raises(InvalidInput, match="før den kom inn") as refused:
        services.withdraw_appeal(appeal, AppealWithdrawal(withdrawn_on=date(2026, 9, 30)), actor=caseworker,
                                 today=TODAY)
    assert refused.value.field == "withdrawn_on"
    services.withdraw_appeal(appeal, AppealWithdrawal(
        withdrawn_on=date(2026, 10, 5), file=Upload("trekk.txt", b"Jeg trekker klagen.")), actor=caseworker,
        today=TODAY)
    case = db.session.get(Case, appeal.case_id)
    assert (appeal.status, appeal.withdrawn_on, case.status) == (
        AppealStatus.WITHDRAWN, date(2026, 10, 5), CaseStatus.CLOSED)
    entries = _journal(case.id)
    withdrawal = entries[-1]
    assert (withdrawal.title, withdrawal.entry_type.value, withdrawal.party_name) == (
        "Klagen er trukket", "I", case.patient.name)
    assert withdrawal.documents and all(entry.follow_up_method == "TE" for entry in entries)
    assert denied.status is ApplicationStatus.DENIED and denied.appealable   # the decision stands
    with pytest.raises(InvalidInput, match="kan ikke trekkes"):
        services.withdraw_appeal(appeal, AppealWithdrawal(withdrawn_on=date(2026, 10, 6)), actor=caseworker,
                                 today=TODAY)
    assert _table_6()["withdrawn"] == 1


def test_an_appeal_withdrawn_at_klagenemnda_is_told_by_the_board(denied, caseworker):
    appeal = _forwarded(denied, caseworker)
    with pytest.raises(InvalidInput, match="før den ble oversendt nemnda"):
        services.check_withdrawal(appeal, AppealWithdrawal(withdrawn_on=date(2026, 10, 7)), today=TODAY)
    services.withdraw_appeal(appeal, AppealWithdrawal(withdrawn_on=date(2026, 11, 2)), actor=caseworker,
                             today=TODAY)
    withdrawal = _journal(appeal.case_id)[-1]
    assert (withdrawal.title, withdrawal.party_name) == ("Klagen er trukket (meldt av Klagenemnda)",
                                                         services.BOARD_NAME)
    assert appeal.status is AppealStatus.WITHDRAWN
    with pytest.raises(InvalidInput, match="oversendt Klagenemnda"):
        services.check_board_decision(appeal, abroad_board_decision(), today=TODAY)
