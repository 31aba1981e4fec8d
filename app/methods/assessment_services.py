"""Rules of the suitability assessment (egnethetsvurdering, the FHI/DMP form) and its
table of ongoing clinical trials (4.2).

The assessment is one document per method, drafted by the secretariat on FHI's or DMP's behalf:
saved with optimistic locking, every field checked against the form's vocabulary. Services add
and flush, never commit; every change leaves an audit row on the method's case.
"""
import dataclasses
import re
from dataclasses import dataclass, fields, make_dataclass
from datetime import date

from sqlalchemy import select

from app.cases.interface import (  # registry_kind and registry_url are part of this module's surface
    get_case,
    registry_kind,  # noqa: F401  (re-exported for the assessment pages)
    registry_url,  # noqa: F401
    validate_registry_id,
)
from app.core.audit import AuditAction, apply_changes, record_change
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from app.methods.models import Method, MethodStatus, MethodType, OngoingTrial, SuitabilityAssessment
from app.methods.services import ASPECTS, follow_record

APPROVALS = {"markedsforingstillatelse": "Markedsføringstillatelse", "fda": "FDA godkjenning", "ce": "CE-merking"}
FINANCING = {"spesialisthelsetjenesten": "Spesialisthelsetjenesten", "folketrygd": "Folketrygd",
             "kommune": "Kommune", "annet": "Annet"}
USAGE_STAGES = {"under_utvikling": "Under utvikling", "under_innforing": "Under innføring",
                "revurdering": "Revurdering"}
USAGE_SCOPES = {"brukes_i_norge": "Brukes i Norge", "brukes_i_eu": "Brukes i EU/EØS",
                "ny_indikasjon": "Ny/endret indikasjon", "ny_metode": "Ny/endret metode"}
RECOMMENDATIONS = {
    1: "Fullstendig metodevurdering",
    2: "Metodevurdering basert på innsendt dokumentasjon fra produsent/leverandør",
    3: "Metodevurdering uten innsendt dokumentasjon, med forenklet metodisk tilnærming",
}
AUTHOR_BODIES = {"FHI": "Folkehelseinstituttet (FHI)", "DMP": "Direktoratet for medisinske produkter (DMP)"}

# The labels templates need (a template global, see assessment_views.py).
VOCABULARY = {"approvals": APPROVALS, "financing": FINANCING, "usage_stage": USAGE_STAGES,
              "usage_scope": USAGE_SCOPES, "recommendation": RECOMMENDATIONS, "aspects": ASPECTS,
              "author_body": AUTHOR_BODIES}

LIST_FIELDS = {"approvals": (APPROVALS, "status for godkjenning"), "financing": (FINANCING, "finansieringsansvar"),
               "usage_stage": (USAGE_STAGES, "status for bruk"), "usage_scope": (USAGE_SCOPES, "bruk"),
               "recommended_aspects": (ASPECTS, "aspekt")}
TEXT_FIELDS = (
    "summary", "pico_population", "pico_comparator", "pico_intervention", "pico_outcome", "suggested_experts",
    "approval_comment", "usage_comment", "simplified_approach", "recommendation_comment",
    "points_method", "points_documentation", "points_health_economics", "points_recommendation", "links",
    "description_principle", "description_benefit", "description_safety", "description_population",
    "description_current_treatment", "description_health_economics",
    "relevant_studies", "hta_national", "hta_international", "method_alerts",
)
ASSESSMENT_FIELDS = ("author_body", "document_version", *TEXT_FIELDS, *LIST_FIELDS, "recommendation",
                     "systematic_reviews_count")

class _Keep:
    """The default of an AssessmentChanges field left out: the stored value stays."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()
AssessmentChanges = make_dataclass(
    "AssessmentChanges", [(name, object, dataclasses.field(default=KEEP)) for name in ASSESSMENT_FIELDS], frozen=True,
    namespace={"__doc__": "What save_assessment takes: the fields as typed (the service checks and converts "
                          "them); a field left out keeps its stored value."})


@dataclass(frozen=True)
class TrialRow:
    """A row of table 4.2 as typed (the service checks and converts it)."""

    population: str | None = None
    participants: int | str | None = None
    intervention: str | None = None
    control: str | None = None
    main_outcome: str | None = None
    registry_id: str | None = None
    country: str | None = None
    estimated_completion: str | None = None
    recruitment_status: str | None = None


TRIAL_FIELDS = tuple(each.name for each in fields(TrialRow))

COMPLETION_PATTERN = re.compile(r"^(?:(?:0[1-9]|1[0-2])\.)?(?:19|20)\d{2}$")   # 09.2025 or 2030
MAX_LENGTHS = {"document_version": 20, "simplified_approach": 100, "registry_id": 32, "country": 100,
               "estimated_completion": 20, "recruitment_status": 100}


def _text(value, field: str) -> str | None:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    limit = MAX_LENGTHS.get(field)
    if text and limit and len(text) > limit:
        raise InvalidInput(f"Teksten kan være høyst {limit} tegn.", field=field)
    return text or None


def _choices(values, allowed: dict, field: str, what: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    values = [value for value in (values or []) if value]
    unknown = [str(value) for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(f"Ukjent {what}: {', '.join(unknown)}.", field=field)
    return [key for key in allowed if key in values]   # the form's order, no duplicates


def _whole_number(value, field: str, message: str, minimum: int) -> int | None:
    """An int or the digits of one (as typed in a form); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise InvalidInput(message, field=field)
    if number < minimum:
        raise InvalidInput(message, field=field)
    return number


def _recommendation(value) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, bool):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number in RECOMMENDATIONS and str(number) == str(value).strip():
            return number
    raise InvalidInput("Velg bestillingsanbefaling 1, 2 eller 3.", field="recommendation")


def clean_assessment(changes: AssessmentChanges) -> dict:
    """The fields given, checked against the form's vocabulary and rules, or InvalidInput naming the field."""
    values = {name: getattr(changes, name) for name in ASSESSMENT_FIELDS if getattr(changes, name) is not KEEP}
    clean = {}
    for field, value in values.items():
        if field in TEXT_FIELDS:
            clean[field] = _text(value, field)
        elif field in LIST_FIELDS:
            allowed, what = LIST_FIELDS[field]
            clean[field] = _choices(value, allowed, field, what)
    if "author_body" in values:
        body = (values["author_body"] or "").strip()
        if body not in AUTHOR_BODIES:
            raise InvalidInput("Velg hvem som har utarbeidet egnethetsvurderingen: FHI eller DMP.",
                               field="author_body")
        clean["author_body"] = body
    if "document_version" in values:
        clean["document_version"] = _text(values["document_version"], "document_version")
        if clean["document_version"] is None:
            raise InvalidInput("Fyll inn dokumentversjon, f.eks. 1.0.", field="document_version")
    if "recommendation" in values:
        clean["recommendation"] = _recommendation(values["recommendation"])
    if "systematic_reviews_count" in values:
        clean["systematic_reviews_count"] = _whole_number(
            values["systematic_reviews_count"], "systematic_reviews_count",
            "Antall systematiske oversikter må være et helt tall, 0 eller mer.", minimum=0)
    return clean


def _check_recommendation(recommendation: int | None, aspects: list[str], simplified_approach: str | None) -> None:
    if aspects and recommendation != 1:
        raise InvalidInput("Aspekter kan bare velges når anbefalingen er 1: Fullstendig metodevurdering.",
                           field="recommended_aspects")
    if simplified_approach and recommendation != 3:
        raise InvalidInput("Forenklet metodisk tilnærming kan bare fylles inn når anbefalingen er 3: "
                           "Metodevurdering uten innsendt dokumentasjon.", field="simplified_approach")


def default_author_body(method: Method) -> str:
    """The Norwegian Medical Products Agency (DMP) assesses drugs, the Institute of Public Health (FHI)
    everything else."""
    return "DMP" if method.method_type is MethodType.DRUG else "FHI"


def save_assessment(method: Method, changes: AssessmentChanges, *, expected_version: int | None,
                    actor) -> SuitabilityAssessment:
    """Create the method's suitability assessment (expected_version None) or update it (the version
    the user opened). Fields left out of `changes` keep their value. Raises InvalidInput or EditConflict."""
    assessment = method.assessment
    if assessment is not None and expected_version != assessment.version:
        done = "opprettet" if expected_version is None else "endret"
        raise EditConflict(f"Egnethetsvurderingen er {done} av en annen bruker etter at du åpnet den. Ingenting er "
                           "lagret. Se gjeldende versjon nedenfor og gjør endringen på nytt.")
    if assessment is None and expected_version is not None:
        raise EditConflict("Egnethetsvurderingen du endret finnes ikke lenger. Ingenting er lagret.")
    clean = clean_assessment(changes)

    def current(field: str):
        if field in clean:
            return clean[field]
        return getattr(assessment, field) if assessment is not None else None

    _check_recommendation(current("recommendation"), current("recommended_aspects") or [],
                          current("simplified_approach"))
    case = get_case(method.case_id)
    if assessment is None:
        clean.setdefault("author_body", default_author_body(method))
        clean.setdefault("document_version", "1.0")
        assessment = SuitabilityAssessment(method=method, **clean)
        db.session.add(assessment)
        db.session.flush()
        record_change(AuditAction.CREATE, "method_assessment", assessment.id, case=case, user=actor,
                      changes={field: [None, value] for field, value in clean.items() if value not in (None, [])})
        follow_record(method, MethodStatus.SUITABILITY, date.today(), comment="Egnethetsvurdering registrert",
                      actor=actor)
        return assessment
    changes = apply_changes(assessment, clean)
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "method_assessment", assessment.id, case=case, user=actor,
                      changes=changes)
    return assessment


def clean_trial(row: TrialRow) -> dict:
    clean = {name: _text(getattr(row, name), name) for name in TRIAL_FIELDS if name != "participants"}
    if not clean["population"]:
        raise InvalidInput("Fyll inn populasjonen.", field="population")
    if not clean["intervention"]:
        raise InvalidInput("Fyll inn intervensjonen.", field="intervention")
    clean["registry_id"] = validate_registry_id(clean["registry_id"])
    if clean["estimated_completion"] and not COMPLETION_PATTERN.match(clean["estimated_completion"]):
        raise InvalidInput("Skriv forventet ferdigstillelse som mm.åååå (f.eks. 09.2025) eller bare året.",
                           field="estimated_completion")
    clean["participants"] = _whole_number(row.participants, "participants",
                                          "Antall deltakere må være et positivt heltall.", minimum=1)
    return clean


def add_trial(assessment: SuitabilityAssessment, row: TrialRow, *, actor) -> OngoingTrial:
    """Add a row to table 4.2 Pågående kliniske studier."""
    clean = clean_trial(row)
    trial = OngoingTrial(assessment_id=assessment.id, **clean)
    db.session.add(trial)
    db.session.flush()
    db.session.expire(assessment, ["trials"])
    record_change(AuditAction.CREATE, "method_ongoing_trial", trial.id, case=get_case(assessment.method.case_id),
                  user=actor, changes={field: [None, value] for field, value in clean.items() if value is not None})
    return trial


def update_trial(trial: OngoingTrial, row: TrialRow, *, actor, expected_version: int | None = None) -> dict:
    """Change a trial row; with `expected_version` (the version the user opened) a save based on an
    older version is refused."""
    if expected_version is not None and trial.version != expected_version:
        raise EditConflict("Studien er endret av en annen bruker etter at du åpnet den. Ingenting er lagret. "
                           "Se gjeldende versjon nedenfor og gjør endringen på nytt.")
    clean = clean_trial(row)
    changes = {}
    for field, new in clean.items():
        old = getattr(trial, field)
        if old != new:
            changes[field] = [old, new]
            setattr(trial, field, new)
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "method_ongoing_trial", trial.id, case=_trial_case(trial), user=actor,
                      changes=changes)
    return changes


def remove_trial(trial: OngoingTrial, actor) -> None:
    """Take a row out of the table: it is part of a document being drafted. The audit row keeps it."""
    case = _trial_case(trial)
    assessment_id = trial.assessment_id
    changes = {field: [getattr(trial, field), None] for field in TRIAL_FIELDS if getattr(trial, field) is not None}
    record_change(AuditAction.UPDATE, "method_ongoing_trial", trial.id, case=case, user=actor,
                  changes={"removed": [False, True], **changes})
    db.session.delete(trial)
    db.session.flush()
    assessment = db.session.get(SuitabilityAssessment, assessment_id)
    if assessment is not None:
        db.session.expire(assessment, ["trials"])


def find_trial(method: Method, trial_id: int) -> OngoingTrial | None:
    """A trial row of this method's assessment (None for another method's row)."""
    return db.session.scalar(select(OngoingTrial).join(SuitabilityAssessment).where(
        OngoingTrial.id == trial_id, SuitabilityAssessment.method_id == method.id))


def _trial_case(trial: OngoingTrial):
    assessment = db.session.get(SuitabilityAssessment, trial.assessment_id)
    return get_case(assessment.method.case_id)
