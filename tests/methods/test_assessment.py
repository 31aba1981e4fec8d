"""Rules of the suitability assessment (egnethetsvurdering) and its table of ongoing trials."""
import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from app.methods import assessment_services as assessments
from app.methods.assessment_services import AssessmentChanges as Changes
from app.methods.models import MethodType, OngoingTrial, SuitabilityAssessment
from tests.factories import trial_row


def _audit(object_type: str, object_id) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)).order_by(AuditEvent.id)))


@pytest.fixture
def method(register):
    return register()


@pytest.fixture
def assessment(method, secretary):
    return assessments.save_assessment(method, Changes(summary="Metodeforslag fra Sykehuset Telemark."),
                                       expected_version=None, actor=secretary)


def test_first_save_creates_the_assessment_with_defaults_and_an_audit_row(method, secretary):
    created = assessments.save_assessment(method, Changes(
        summary="  Metodeforslag fra Sykehuset Telemark.  ", approvals=["ce"], recommendation=1,
        recommended_aspects=["etikk", "effekt", "effekt"]), expected_version=None, actor=secretary)
    assert (created.method_id, created.author_body, created.document_version, created.version) == (
        method.id, "FHI", "1.0", 1)
    assert created.summary == "Metodeforslag fra Sykehuset Telemark."
    assert created.recommended_aspects == ["effekt", "etikk"]   # the form's order, once each
    assert method.assessment is created
    [row] = _audit("method_assessment", created.id)
    assert (row.action.value, row.case_id) == ("create", method.case_id)
    assert row.changes["approvals"] == [None, ["ce"]]


def test_a_drug_is_assessed_by_dmp_by_default(register, secretary):
    drug = register(title="Nytt legemiddel", method_type=MethodType.DRUG)
    assert assessments.save_assessment(drug, Changes(), expected_version=None, actor=secretary).author_body == "DMP"


def test_update_records_old_and_new_values(method, assessment, secretary):
    assessments.save_assessment(method, Changes(
        summary="Ny oppsummering", financing=["spesialisthelsetjenesten"], systematic_reviews_count="23"),
        expected_version=1, actor=secretary)
    assert (assessment.version, assessment.systematic_reviews_count) == (2, 23)
    update = _audit("method_assessment", assessment.id)[-1]
    assert update.action.value == "update"
    assert update.changes == {"summary": ["Metodeforslag fra Sykehuset Telemark.", "Ny oppsummering"],
                              "financing": [[], ["spesialisthelsetjenesten"]],
                              "systematic_reviews_count": [None, 23]}


def test_saving_without_changes_writes_no_audit_row(method, assessment, secretary):
    assessments.save_assessment(method, Changes(summary="Metodeforslag fra Sykehuset Telemark."),
                                expected_version=1, actor=secretary)
    assert len(_audit("method_assessment", assessment.id)) == 1
    assert assessment.version == 1


def test_a_stale_version_is_a_conflict_and_nothing_changes(method, assessment, secretary):
    assessments.save_assessment(method, Changes(summary="Første"), expected_version=1, actor=secretary)
    with pytest.raises(EditConflict, match="endret av en annen bruker"):
        assessments.save_assessment(method, Changes(summary="Andre"), expected_version=1, actor=secretary)
    assert assessment.summary == "Første"


def test_creating_when_someone_else_already_created_it_is_a_conflict(method, assessment, secretary):
    with pytest.raises(EditConflict, match="opprettet av en annen bruker"):
        assessments.save_assessment(method, Changes(summary="Min"), expected_version=None, actor=secretary)
    assert db.session.scalar(select(SuitabilityAssessment.summary)) == "Metodeforslag fra Sykehuset Telemark."


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"approvals": ["ce", "ema"]}, "approvals", "Ukjent status for godkjenning: ema"),
    ({"financing": ["privat"]}, "financing", "Ukjent finansieringsansvar: privat"),
    ({"usage_stage": ["utfaset"]}, "usage_stage", "Ukjent status for bruk: utfaset"),
    ({"usage_scope": ["brukes_i_usa"]}, "usage_scope", "Ukjent bruk: brukes_i_usa"),
    ({"recommendation": 4}, "recommendation", "Velg bestillingsanbefaling 1, 2 eller 3"),
    ({"recommendation": "to"}, "recommendation", "Velg bestillingsanbefaling 1, 2 eller 3"),
    ({"recommendation": 1, "recommended_aspects": ["pris"]}, "recommended_aspects", "Ukjent aspekt: pris"),
    ({"recommendation": 2, "recommended_aspects": ["effekt"]}, "recommended_aspects",
     "bare velges når anbefalingen er 1"),
    ({"recommended_aspects": ["effekt"]}, "recommended_aspects", "bare velges når anbefalingen er 1"),
    ({"recommendation": 1, "simplified_approach": "effekt_sikkerhet"}, "simplified_approach",
     "bare fylles inn når anbefalingen er 3"),
    ({"author_body": "SLV"}, "author_body", "FHI eller DMP"),
    ({"document_version": "  "}, "document_version", "Fyll inn dokumentversjon"),
    ({"systematic_reviews_count": -1}, "systematic_reviews_count", "0 eller mer"),
    ({"systematic_reviews_count": "mange"}, "systematic_reviews_count", "helt tall"),
    ({"simplified_approach": "Forenklet vurdering", "recommendation": 3}, "simplified_approach",
     "Velg forenklet metodisk tilnærming fra listen"),
])
def test_values_outside_the_forms_vocabulary_are_refused_at_their_field(method, secretary, values, field, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        assessments.save_assessment(method, Changes(**values), expected_version=None, actor=secretary)
    assert refused.value.field == field
    assert db.session.scalar(select(SuitabilityAssessment.id)) is None


@pytest.mark.parametrize(("values", "expected"), [
    ({"recommendation": 1, "recommended_aspects": ["effekt", "sikkerhet", "helseokonomi", "organisasjon", "etikk"]},
     {"recommendation": 1}),
    ({"recommendation": 2}, {"recommendation": 2}),
    ({"recommendation": "3", "simplified_approach": "effekt_sikkerhet"}, {"recommendation": 3}),
    ({"recommendation": None}, {"recommendation": None}),
    ({"systematic_reviews_count": 0}, {"systematic_reviews_count": 0}),
])
def test_allowed_recommendations_and_counts(method, secretary, values, expected):
    saved = assessments.save_assessment(method, Changes(**values), expected_version=None, actor=secretary)
    assert {field: getattr(saved, field) for field in expected} == expected


def test_aspects_are_checked_against_the_stored_recommendation(method, assessment, secretary):
    assessments.save_assessment(method, Changes(recommendation=1, recommended_aspects=["effekt"]),
                                expected_version=1, actor=secretary)
    with pytest.raises(InvalidInput) as refused:
        assessments.save_assessment(method, Changes(recommendation=2), expected_version=2, actor=secretary)
    assert refused.value.field == "recommended_aspects"
    changed = assessments.save_assessment(method, Changes(recommendation=2, recommended_aspects=[]),
                                          expected_version=2, actor=secretary)
    assert (changed.recommendation, changed.recommended_aspects) == (2, [])


def test_unknown_field_names_are_a_programming_error():
    with pytest.raises(TypeError, match="price"):
        Changes(price=1)


@pytest.mark.parametrize(("registry_id", "stored", "kind"), [
    ("NCT06719037", "NCT06719037", "ClinicalTrials.gov"),
    (" nct06615518 ", "NCT06615518", "ClinicalTrials.gov"),
    ("2020-001234-12", "2020-001234-12", "EudraCT"),
    ("2023-500001-12-00", "2023-500001-12-00", "EU CT"),
])
def test_valid_registry_ids(assessment, secretary, registry_id, stored, kind):
    trial = assessments.add_trial(assessment, trial_row(registry_id=registry_id), actor=secretary)
    assert trial.registry_id == stored
    assert assessments.registry_kind(trial.registry_id) == kind


@pytest.mark.parametrize("registry_id", ["NCT123", "NCT067190371", "06719037", "2020-01234-12", "2020-001234-1",
                                         "2023-400001-12-00", "2023-500001-12-0", "ISRCTN12345678", ""])
def test_invalid_registry_ids_are_refused_in_bokmal(assessment, secretary, registry_id):
    with pytest.raises(InvalidInput, match="ikke et gyldig studienummer") as refused:
        assessments.add_trial(assessment, trial_row(registry_id=registry_id), actor=secretary)
    assert refused.value.field == "registry_id"
    assert db.session.scalar(select(OngoingTrial.id)) is None


@pytest.mark.parametrize(("values", "field"), [
    ({"participants": 0}, "participants"),
    ({"participants": -5}, "participants"),
    ({"participants": "mange"}, "participants"),
    ({"participants": 2.5}, "participants"),
    ({"population": " "}, "population"),
    ({"intervention": ""}, "intervention"),
    ({"estimated_completion": "september 2025"}, "estimated_completion"),
    ({"estimated_completion": "13.2025"}, "estimated_completion"),
])
def test_invalid_trial_rows_are_refused_at_their_field(assessment, secretary, values, field):
    with pytest.raises(InvalidInput) as refused:
        assessments.add_trial(assessment, trial_row(**values), actor=secretary)
    assert refused.value.field == field


def test_participants_and_completion_are_optional(assessment, secretary):
    trial = assessments.add_trial(assessment, trial_row(participants="", estimated_completion="2030", control="  "),
                                  actor=secretary)
    assert (trial.participants, trial.estimated_completion, trial.control) == (None, "2030", None)
    assert assessments.add_trial(assessment, trial_row(participants="220"), actor=secretary).participants == 220


def test_trials_are_added_updated_and_removed_with_audit_rows(method, assessment, secretary):
    trial = assessments.add_trial(assessment, trial_row(), actor=secretary)
    assert assessment.trials == [trial]
    changes = assessments.update_trial(trial, trial_row(recruitment_status="active, not recruiting"),
                                       actor=secretary)
    assert changes == {"recruitment_status": ["recruiting", "active, not recruiting"]}
    trial_id = trial.id
    assessments.remove_trial(trial, actor=secretary)
    assert assessment.trials == []
    assert db.session.get(OngoingTrial, trial_id) is None
    rows = _audit("method_ongoing_trial", trial_id)
    assert [row.action.value for row in rows] == ["create", "update", "update"]
    assert all(row.case_id == method.case_id for row in rows)
    assert rows[-1].changes["removed"] == [False, True]
    assert rows[-1].changes["registry_id"] == ["NCT06719037", None]


def test_find_trial_only_finds_the_methods_own_rows(register, method, assessment, secretary):
    trial = assessments.add_trial(assessment, trial_row(), actor=secretary)
    other = register(title="Annen metode")
    assessments.save_assessment(other, Changes(), expected_version=None, actor=secretary)
    assert assessments.find_trial(method, trial.id) is trial
    assert assessments.find_trial(other, trial.id) is None
    assert assessments.find_trial(method, trial.id + 1000) is None


def test_registry_urls():
    assert assessments.registry_url("NCT06719037") == "https://clinicaltrials.gov/study/NCT06719037"
    assert assessments.registry_url("2020-001234-12").endswith("query=2020-001234-12")
    assert assessments.registry_url("NCT123") is None
