"""The panel's advisory statement as a letter: the PDF is rendered from the statement as it stands and filed
with it (services.send_statement). The page and the demo history send statements through here."""
from app.core.regions import unit_contact
from app.panel import services
from app.panel.commands import NewStatement
from app.pdf import render_pdf


def send_statement_with_letter(case, referral, command: NewStatement, *, actor):
    """Render the statement letter (signed by `actor` for the secretariat) and send it."""
    pdf = render_pdf("panel/pdf/statement.html", case=case, patient=case.patient, referral=referral,
                     recipients=command.recipients, sent_on=command.sent_on, summary=command.summary,
                     sender=actor.name, participants=services.participant_names(referral),
                     contact=unit_contact(case.unit))
    return services.send_statement(referral, command, actor=actor, pdf=pdf)
