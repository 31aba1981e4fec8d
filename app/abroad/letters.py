"""Decisions and reconsiderations that send a letter: the rules run first, so a refused step costs no PDF,
then the letter is rendered (WeasyPrint) and filed with the step. Used by the pages and the API."""
from datetime import date

from app.abroad import services
from app.abroad.commands import NewDecision, Reconsideration
from app.abroad.models import Appeal, Application, Decision, OfficeOutcome
from app.cases.interface import Case, get_case, letter_addressees
from app.pdf import render_pdf


def decide_with_letter(case: Case, application: Application, command: NewDecision, *, actor,
                       today: date | None = None) -> None:
    check = services.check_decision(application, command, today=today)
    letter = None
    if command.decision is not Decision.WITHDRAWN:
        letter = render_pdf("abroad/pdf/decision_letter.html", case=case, patient=case.patient,
                            addressees=letter_addressees(case, command.decided_on),
                            application=application, decision=command.decision, decided_on=command.decided_on,
                            legal_basis=command.legal_basis, reasoning=command.reasoning,
                            citation=(check or {}).get("citation"), office=case.unit, sender=actor.name,
                            appeal_weeks=services.APPEAL_WEEKS, board=services.BOARD_NAME,
                            experimental_notice=services.experimental_notice(application))
    services.decide(application, command, actor=actor, letter=letter, today=today)


def reconsider_with_letter(case: Case, appeal: Appeal, command: Reconsideration, *, actor,
                           today: date | None = None) -> None:
    services.check_reconsideration(appeal, command, today=today)
    letter = None
    if command.outcome is OfficeOutcome.FORWARDED:
        letter = render_pdf("abroad/pdf/forwarding_letter.html", case=case,
                            application_case=get_case(appeal.application.case_id), patient=case.patient,
                            appeal=appeal, application=appeal.application, forwarded_on=command.decided_on,
                            reasoning=command.reasoning, office=case.unit, sender=actor.name,
                            board=services.BOARD_NAME)
    services.reconsider(appeal, command, actor=actor, forwarding_letter=letter, today=today)
