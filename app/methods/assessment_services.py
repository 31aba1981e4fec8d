"""Rules of the suitability assessment (egnethetsvurdering, the FHI/DMP form), its table of ongoing
clinical trials (4.2) and its numbered reference list (cited from the text as [1], [1, 3] or [2–4]).

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
from app.core.checks import Problems
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from app.methods import citations
from app.methods.assessment_layout import LABELS
from app.methods.models import (
    AssessmentReference,
    Method,
    MethodStatus,
    MethodType,
    OngoingTrial,
    SimplifiedApproach,
    SuitabilityAssessment,
)
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
SIMPLIFIED_APPROACHES = {approach.value: approach.label for approach in SimplifiedApproach}
AUTHOR_BODIES = {"FHI": "Folkehelseinstituttet (FHI)", "DMP": "Direktoratet for medisinske produkter (DMP)"}

# The labels templates need (a template global, see assessment_views.py).
VOCABULARY = {"approvals": APPROVALS, "financing": FINANCING, "usage_stage": USAGE_STAGES,
              "usage_scope": USAGE_SCOPES, "recommendation": RECOMMENDATIONS, "aspects": ASPECTS,
              "author_body": AUTHOR_BODIES, "simplified_approach": SIMPLIFIED_APPROACHES}

LIST_FIELDS = {"approvals": (APPROVALS, "status for godkjenning"), "financing": (FINANCING, "finansieringsansvar"),
               "usage_stage": (USAGE_STAGES, "status for bruk"), "usage_scope": (USAGE_SCOPES, "bruk"),
               "recommended_aspects": (ASPECTS, "aspekt")}
TEXT_FIELDS = (
    "summary", "pico_population", "pico_comparator", "pico_intervention", "pico_outcome", "suggested_experts",
    "approval_comment", "usage_comment", "recommendation_comment",
    "points_method", "points_documentation", "points_health_economics", "points_recommendation", "links",
    "description_principle", "description_benefit", "description_safety", "description_population",
    "description_current_treatment", "description_health_economics",
    "relevant_studies", "hta_national", "hta_international", "method_alerts",
)
ASSESSMENT_FIELDS = ("author_body", "document_version", *TEXT_FIELDS, *LIST_FIELDS, "recommendation",
                     "simplified_approach", "systematic_reviews_count")

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
MAX_LENGTHS = {"document_version": 20, "registry_id": 32, "country": 100,
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


def _simplified_approach(value) -> SimplifiedApproach | None:
    if value is None or value == "":
        return None
    if isinstance(value, SimplifiedApproach):
        return value
    if value in SIMPLIFIED_APPROACHES:
        return SimplifiedApproach(value)
    raise InvalidInput(f"Velg forenklet metodisk tilnærming fra listen: {', '.join(SIMPLIFIED_APPROACHES.values())}.",
                       field="simplified_approach")


def clean_assessment(changes: AssessmentChanges) -> dict:
    """The fields given, checked against the form's vocabulary and rules; every refused field at once
    (InvalidInputs), each naming its field."""
    values = {name: getattr(changes, name) for name in ASSESSMENT_FIELDS if getattr(changes, name) is not KEEP}
    clean = {}
    problems = Problems()
    for field, value in values.items():
        with problems.check():
            if field in TEXT_FIELDS:
                clean[field] = _text(value, field)
            elif field in LIST_FIELDS:
                allowed, what = LIST_FIELDS[field]
                clean[field] = _choices(value, allowed, field, what)
    if "author_body" in values:
        body = (values["author_body"] or "").strip()
        if body in AUTHOR_BODIES:
            clean["author_body"] = body
        else:
            problems.errors.append(InvalidInput("Velg hvem som har utarbeidet egnethetsvurderingen: FHI eller DMP.",
                                                field="author_body"))
    if "document_version" in values:
        with problems.check():
            clean["document_version"] = _text(values["document_version"], "document_version")
            if clean["document_version"] is None:
                raise InvalidInput("Fyll inn dokumentversjon, f.eks. 1.0.", field="document_version")
    with problems.check():
        if "recommendation" in values:
            clean["recommendation"] = _recommendation(values["recommendation"])
    with problems.check():
        if "simplified_approach" in values:
            clean["simplified_approach"] = _simplified_approach(values["simplified_approach"])
    with problems.check():
        if "systematic_reviews_count" in values:
            clean["systematic_reviews_count"] = _whole_number(
                values["systematic_reviews_count"], "systematic_reviews_count",
                "Antall systematiske oversikter må være et helt tall, 0 eller mer.", minimum=0)
    problems.done()
    return clean


def _check_citations(clean: dict, count: int) -> None:
    """Every citation in the text fields given cites an entry of the reference list (of `count` entries)."""
    problems = Problems()
    for field in TEXT_FIELDS:
        for message in citations.citation_problems(clean.get(field), count):
            problems.errors.append(InvalidInput(message, field=field))
    problems.done()


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
    _check_citations(clean, len(assessment.references) if assessment is not None else 0)
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


@dataclass(frozen=True)
class ReferenceRow:
    """An entry of the reference list as typed (the service checks it)."""

    citation: str | None = None
    url: str | None = None


DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
CITATION_MAX, URL_MAX = 2000, 500


def reference_link(url: str | None) -> str | None:
    """Where an entry's URL or DOI leads: the address itself, or the DOI at doi.org."""
    if not url:
        return None
    return url if ADDRESS.match(url) else f"https://doi.org/{url}"


def clean_reference(row: ReferenceRow) -> dict:
    """The entry's citation (required) and its address or DOI (optional; a DOI is stored as 10.…/…), every
    refused input at once."""
    problems = Problems()
    citation, url = _text(row.citation, "citation"), _text(row.url, "url")
    if not citation:
        problems.errors.append(InvalidInput("Skriv referansen (forfatter, tittel, kilde og år).", field="citation"))
    elif len(citation) > CITATION_MAX:
        problems.errors.append(InvalidInput(f"Referansen kan være høyst {CITATION_MAX} tegn.", field="citation"))
    if url and (doi := DOI.match(url)):
        url = doi.group(1)
    elif url and not ADDRESS.match(url):
        problems.errors.append(InvalidInput("Skriv en adresse som begynner med https:// eller en DOI som "
                                            "10.1186/s13018-023-03547-x.", field="url"))
    if url and len(url) > URL_MAX:
        problems.errors.append(InvalidInput(f"Adressen kan være høyst {URL_MAX} tegn.", field="url"))
    problems.done()
    return {"citation": citation, "url": url}


def _reference_case(assessment: SuitabilityAssessment):
    return get_case(assessment.method.case_id)


def add_reference(assessment: SuitabilityAssessment, row: ReferenceRow, *, actor) -> AssessmentReference:
    """Add an entry at the end of the reference list: it takes the next number, so no citation changes."""
    clean = clean_reference(row)
    reference = AssessmentReference(assessment_id=assessment.id, position=len(assessment.references) + 1, **clean)
    db.session.add(reference)
    db.session.flush()
    db.session.expire(assessment, ["references"])
    record_change(AuditAction.CREATE, "method_assessment_reference", reference.id, case=_reference_case(assessment),
                  user=actor, changes={"position": [None, reference.position],
                                       **{field: [None, value] for field, value in clean.items() if value}})
    return reference


def update_reference(reference: AssessmentReference, row: ReferenceRow, *, expected_version: int, actor) -> dict:
    """Change an entry's text or address; its number (and so every citation of it) stays."""
    if reference.version != expected_version:
        raise EditConflict("Referansen er endret av en annen bruker etter at du åpnet den. Ingenting er lagret. "
                           "Se gjeldende versjon nedenfor og gjør endringen på nytt.")
    changes = apply_changes(reference, clean_reference(row))
    if changes:
        db.session.flush()
        assessment = db.session.get(SuitabilityAssessment, reference.assessment_id)
        record_change(AuditAction.UPDATE, "method_assessment_reference", reference.id,
                      case=_reference_case(assessment), user=actor, changes=changes)
    return changes


def _renumber_text(assessment: SuitabilityAssessment, new_number, *, actor) -> None:
    """Rewrite the citations in every text field after the list's numbers changed (new_number(old))."""
    rewritten = {field: citations.renumber(getattr(assessment, field), new_number) for field in TEXT_FIELDS}
    changes = apply_changes(assessment, rewritten)
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "method_assessment", assessment.id, case=_reference_case(assessment),
                      user=actor, changes=changes)


def move_reference(reference: AssessmentReference, step: int, *, actor) -> None:
    """Swap an entry with the one above (step -1) or below (+1); the citations of both follow in the text.
    The first entry cannot move up nor the last down."""
    assessment = db.session.get(SuitabilityAssessment, reference.assessment_id)
    entries = assessment.references
    here = entries.index(reference)
    there = here + step
    if step not in (-1, 1) or not 0 <= there < len(entries):
        raise InvalidInput("Referansen står allerede først." if step < 0 else "Referansen står allerede sist.")
    other = entries[there]
    old, new = reference.position, other.position
    reference.position, other.position = new, old
    _renumber_text(assessment, lambda number: {old: new, new: old}.get(number, number), actor=actor)
    db.session.flush()
    db.session.expire(assessment, ["references"])
    record_change(AuditAction.UPDATE, "method_assessment_reference", reference.id, case=_reference_case(assessment),
                  user=actor, changes={"position": [old, new]})


def citing_fields(assessment: SuitabilityAssessment, number: int) -> list[str]:
    """The labels of the text fields that cite entry `number`."""
    return [LABELS[field] for field in TEXT_FIELDS if number in citations.cited(getattr(assessment, field))]


def remove_reference(reference: AssessmentReference, *, actor) -> None:
    """Take an entry out of the list; the later ones move up a number and their citations follow. An entry
    the text cites cannot go (InvalidInput naming where): the text would cite something else."""
    assessment = db.session.get(SuitabilityAssessment, reference.assessment_id)
    removed = reference.position
    if where := citing_fields(assessment, removed):
        raise InvalidInput(f"Referanse [{removed}] er sitert i {', '.join(f'«{label}»' for label in where)}. "
                           "Fjern eller endre sitatet først.")
    record_change(AuditAction.UPDATE, "method_assessment_reference", reference.id, case=_reference_case(assessment),
                  user=actor, changes={"removed": [False, True], "position": [removed, None],
                                       "citation": [reference.citation, None], "url": [reference.url, None]})
    db.session.delete(reference)
    db.session.flush()
    db.session.expire(assessment, ["references"])
    for later in assessment.references:
        if later.position > removed:
            later.position -= 1
    _renumber_text(assessment, lambda number: number - 1 if number > removed else number, actor=actor)
    db.session.flush()


def find_reference(method: Method, reference_id: int) -> AssessmentReference | None:
    """An entry of this method's reference list (None for another method's entry)."""
    return db.session.scalar(select(AssessmentReference).join(SuitabilityAssessment).where(
        AssessmentReference.id == reference_id, SuitabilityAssessment.method_id == method.id))
