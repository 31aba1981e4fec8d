"""The case's history: every change of the case and its records read from the audit log, newest first, in
bokmål labels, with dates, times, coded values and names shown as on the rest of the page."""
from datetime import date

from app.auth.models import User
from app.cases import deadlines, services
from app.cases.history import case_history
from app.cases.models import Case, CaseStatus
from app.extensions import db


def test_the_history_names_fields_and_shows_values_as_the_page_does(app, app_ctx, make_user, make_case):
    actor = db.session.get(User, make_user(name="Siri Saksbehandler"))
    case = db.session.get(Case, make_case(actor.id))
    deadline = deadlines.set_deadline(case, kind="uttalelse", due_date=date(2026, 12, 14), responsible_id=None,
                                      description=None, actor=actor, today=date(2026, 12, 1))
    deadlines.complete_deadline(deadline, expected_version=deadline.version, actor=actor)
    services.change_status(case, CaseStatus.IN_PROGRESS, expected_version=case.version, comment=None, actor=actor)
    history = case_history(case)
    status, done, created_deadline = history[0], history[1], history[2]
    assert (status.record, status.action, status.who) == ("Sak", "Endring", "Siri Saksbehandler")
    assert [(change.label, change.old, change.new) for change in status.changes][0] == (
        "Status", "Opprettet", "Under behandling")
    assert done.record == "Frist" and done.changes[0].label == "Utført" and " kl. " in done.changes[0].new
    assert ("Forfall", "–", "14.12.2026") in [(c.label, c.old, c.new) for c in created_deadline.changes]
    assert history[-1].record == "Sak" and history[-1].action == "Oppretting"
