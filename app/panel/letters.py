"""The panel's letters: the advisory statement, and the letter refusing a referral as outside the mandate, recording
that it was withdrawn, or closing it. Each PDF is rendered from the record as it stands (after the rules, so a
refused step costs no PDF) and filed with it by the service. The pages, the API and the demo data send them through
here. The addressees and copies come from services.letter_recipients."""
from app.core.regions import unit_contact
from app.panel import services
from app.panel.commands import EndReferral, NewStatement
from app.pdf import render_pdf


def send_statement_with_letter(case, referral, command: NewStatement, *, actor):
    """Render the statement letter (signed by `actor` for the secretariat) and send it."""
    pdf = render_pdf("panel/pdf/statement.html", case=case, patient=case.patient, referral=referral,
                     recipients=services.letter_recipients(case, referral, command.sent_on), sent_on=command.sent_on,
                     summary=command.summary, sender=actor.name, participants=services.participant_names(referral),
                     contact=unit_contact(case.unit))
    return services.send_statement(referral, command, actor=actor, pdf=pdf)


def end_with_letter(case, referral, command: EndReferral, *, actor):
    """Check the ending, render its letter (signed by `actor`) and record it."""
    services.check_ending(referral, command)
    pdf = render_pdf("panel/pdf/ending.html", case=case, patient=case.patient, referral=referral, command=command,
                     heading=services.ENDINGS[command.status][0], sender=actor.name,
                     recipients=services.letter_recipients(case, referral, command.ended_on),
                     contact=unit_contact(case.unit))
    return services.end_referral(referral, command, actor=actor, pdf=pdf)
