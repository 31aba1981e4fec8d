"""Experimental treatment is granted only on what it rests on (issue 18, rule 7): a treatment in a clinical trial
names the trial's registry ID, one outside a trial the grounds of the exception for very rare conditions
(prioriteringsforskriften § 3). The rule holds on every path that ends in a grant (the decision, the office's
reversal on appeal), in the API and in the import."""
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import services
from app.abroad.commands import ExperimentalBasis
from app.abroad.importing import run_import
from app.abroad.models import Application, ApplicationStatus, Decision, OfficeOutcome, TreatmentClass
from app.errors import InvalidInput
from app.extensions import db
from tests.abroad.fixtures.import_files import application_row, to_csv
from tests.factories import abroad_appeal, abroad_decision, abroad_reconsideration

TODAY = date(2026, 11, 20)


def grant(application, caseworker):
    services.decide(application, abroad_decision(decided_on=date(2026, 9, 11)), actor=caseworker,
                    letter=b"%PDF-1.7", today=TODAY)


def test_a_trial_is_granted_only_with_its_registry_id(register, caseworker):
    application = register(treatment_class=TreatmentClass.TRIAL)
    with pytest.raises(InvalidInput, match="studiens registernummer er registrert") as refused:
        grant(application, caseworker)
    assert refused.value.field == "decision" and application.status is ApplicationStatus.RECEIVED
    with pytest.raises(InvalidInput) as malformed:
        services.record_experimental_basis(application, ExperimentalBasis(trial_registry_id="NCT123"),
                                           expected_version=application.version, actor=caseworker)
    assert malformed.value.field == "trial_registry_id"
    services.record_experimental_basis(application, ExperimentalBasis(trial_registry_id="nct06719037"),
                                       expected_version=application.version, actor=caseworker)
    grant(application, caseworker)
    assert (application.trial_registry_id, application.status) == ("NCT06719037", ApplicationStatus.GRANTED)


def test_outside_a_trial_the_exception_is_recorded_before_a_reversal_on_appeal_too(register, caseworker):
    application = register(treatment_class=TreatmentClass.EXPERIMENTAL)
    services.decide(application, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20),
                                                 reasoning="Behandlingen er utprøvende."),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    appeal = services.register_appeal(application, abroad_appeal(), actor=caseworker, today=TODAY)
    reversal = abroad_reconsideration(OfficeOutcome.REVERSED, reasoning="Svært sjelden tilstand.")
    with pytest.raises(InvalidInput, match="prioriteringsforskriften § 3"), db.session.begin_nested():
        # what the page and the API do with a refused save: nothing of it is kept
        services.reconsider(appeal, reversal, actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    with pytest.raises(InvalidInput) as blank:
        services.record_experimental_basis(application, ExperimentalBasis(exception_grounds=" "),
                                           expected_version=application.version, actor=caseworker)
    assert blank.value.field == "exception_grounds"
    services.record_experimental_basis(
        application, ExperimentalBasis(exception_grounds="Svært sjelden tilstand; ingen behandling i Norge."),
        expected_version=application.version, actor=caseworker)
    services.reconsider(appeal, reversal, actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert application.status is ApplicationStatus.GRANTED


def test_established_treatment_needs_neither(register, caseworker):
    application = register()
    with pytest.raises(InvalidInput, match="Etablert behandling trenger verken studie eller unntak"):
        services.record_experimental_basis(application, ExperimentalBasis(exception_grounds="x"),
                                           expected_version=application.version, actor=caseworker)
    grant(application, caseworker)
    assert application.status is ApplicationStatus.GRANTED


def test_the_import_refuses_a_granted_trial_without_its_registry_id(app_ctx, make_user):
    from app.auth.models import User
    hso = db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))
    granted = {"decision": "granted", "decision_date": "2016-03-01", "country": "DK", "hospital": "Rigshospitalet"}
    rows = [application_row(1, treatment_class="trial", **granted),
            application_row(2, treatment_class="experimental", **granted)]
    columns = [*rows[0], "trial_registry_id", "exception_grounds"]
    result = run_import("applications", to_csv(rows, columns), "import.csv", actor=hso, today=TODAY)
    assert not result.ok
    assert {(error.line, error.column) for error in result.errors} == {(2, "trial_registry_id"),
                                                                        (3, "exception_grounds")}
    rows[0]["trial_registry_id"], rows[1]["exception_grounds"] = "NCT06719037", "Svært sjelden tilstand."
    result = run_import("applications", to_csv(rows, columns), "import.csv", actor=hso, today=TODAY)
    assert result.ok, [str(error) for error in result.errors]
    stored = db.session.execute(select(Application.trial_registry_id, Application.exception_grounds)
                                .order_by(Application.received_on)).all()
    assert [tuple(row) for row in stored] == [("NCT06719037", None), (None, "Svært sjelden tilstand.")]

