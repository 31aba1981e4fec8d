"""Decisions and reconsiderations that send a letter: the rules run first, so a refused step costs no PDF,
then the letter is rendered (WeasyPrint) and filed with the step. Used by the pages and the API."""
from datetime import date

from app.abroad import services
from app.abroad.models import Appeal, Application, Decision, OfficeOutcome
from app.cases.interface import Case, get_case
from app.pdf import render_pdf


def decide_with_letter(case: Case, application: Application, *, decision: Decision, decided_on: date,
                       legal_basis: str | None, reasoning: str | None, actor, today: date | None = None) -> None:
    check = services.check_decision(application, decision=decision, decided_on=decided_on,
                                    legal_basis=legal_basis, reasoning=reasoning, today=today)
    letter = None
    if decision is not Decision.WITHDRAWN:
        letter = render_pdf("abroad/pdf/decision_letter.html", case=case, patient=case.patient,
                            application=application, decision=decision, decided_on=decided_on,
                            legal_basis=legal_basis.strip(), reasoning=reasoning.strip(),
                            citation=(check or {}).get("citation"), office=case.unit, sender=actor.name,
                            appeal_weeks=services.APPEAL_WEEKS, board=services.BOARD_NAME,
                            experimental_notice=services.experimental_notice(application))
    services.decide(application, decision=decision, decided_on=decided_on, legal_basis=legal_basis,
                    reasoning=reasoning, actor=actor, letter=letter, today=today)


def reconsider_with_letter(case: Case, appeal: Appeal, *, outcome: OfficeOutcome, decided_on: date,
                           reasoning: str | None, actor, today: date | None = None) -> None:
    services.check_reconsideration(appeal, outcome=outcome, decided_on=decided_on, reasoning=reasoning, today=today)
    letter = None
    if outcome is OfficeOutcome.FORWARDED:
        letter = render_pdf("abroad/pdf/forwarding_letter.html", case=case,
                            application_case=get_case(appeal.application.case_id), patient=case.patient,
                            appeal=appeal, application=appeal.application, forwarded_on=decided_on,
                            reasoning=reasoning.strip(), office=case.unit, sender=actor.name,
                            board=services.BOARD_NAME)
    services.reconsider(appeal, outcome=outcome, decided_on=decided_on, reasoning=reasoning, actor=actor,
                        forwarding_letter=letter, today=today)
