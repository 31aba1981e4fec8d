"""Rules of the expert panel (as its mandate sets them): referrals, participants, the four questions, the Nye Metoder
rule for recommendations, the advisory statement, feedback and outcome.

Services add and flush, never commit. Nye Metoder is consulted only through app.methods.interface.
"""
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.cases.interface import (
    Addressee,
    Case,
    CaseKind,
    CaseStatus,
    JournalEntryType,
    add_journal_entry,
    assign_user,
    attach_document,
    close_deadline,
    ensure_version,
    follow_module_status,
    get_case,
    letter_addressees,
    open_case,
    record_review,
    register_patient,
    set_deadline,
    validate_icd10,
    validate_registry_id,
)
from app.core.audit import AuditAction, apply_changes, record_change
from app.core.checks import Problems, not_in_future, require, require_fields
from app.core.regions import REGIONS
from app.db import utcnow
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.methods.interface import (
    MethodState,
    MethodStatusInfo,
    decision_change,
    method_references_in,
    method_status,
    methods_named_in,
)
from app.panel.commands import (
    AnswerText,
    EndReferral,
    ItemWithdrawal,
    MemberDetails,
    NewContribution,
    NewExpert,
    NewFeedback,
    NewItem,
    NewPrincipledQuestion,
    NewReferral,
    NewStatement,
)
from app.panel.models import (
    QUESTIONS,
    Advice,
    Answer,
    Classification,
    Contribution,
    ContributionKind,
    Ending,
    Feedback,
    HealthTrust,
    PanelMember,
    Participant,
    PrincipledQuestion,
    Referral,
    ReferralStatus,
    Statement,
    TreatmentItem,
)

ANSWER_DAYS = 14   # the panel aims to answer within 14 days of a complete referral
NORDIC_COUNTRIES = {"norge", "sverige", "danmark", "finland", "island"}
FOLLOWED = {"yes": "Fulgt", "partly": "Delvis fulgt", "no": "Ikke fulgt"}
_OPEN = (ReferralStatus.RECEIVED, ReferralStatus.UNDER_ASSESSMENT)


def _ensure_open(referral: Referral) -> None:
    if referral.status not in _OPEN:
        raise InvalidInput(f"Henvisningen er «{referral.status.label.lower()}» og kan ikke endres.")


REFERRAL_REQUIRED = {"referring_trust": "Fyll inn henvisende helseforetak.",
                     "referring_doctor": "Fyll inn henvisende lege.",
                     "condition": "Beskriv den alvorlige, livsforkortende tilstanden.",
                     "treatments_tried": "Beskriv etablert behandling som er forsøkt, og effekten av den.",
                     "question": "Fyll inn spørsmålet til ekspertpanelet."}


def trust_named(name: str | None) -> HealthTrust | None:
    """The trust of that name in the reference list (None: not on it)."""
    return db.session.scalar(select(HealthTrust).where(HealthTrust.name == name)) if name else None


def health_trusts() -> list[HealthTrust]:
    """The reference list the referral chooses from, by region and name."""
    return list(db.session.scalars(select(HealthTrust).order_by(HealthTrust.region, HealthTrust.name)))


def regional_hospital_of(region: str) -> HealthTrust:
    """The region's regional hospital (one per region in the reference list)."""
    return db.session.scalars(select(HealthTrust).where(HealthTrust.region == region,
                                                        HealthTrust.regional_hospital.is_not(None))).one()


def _listed_trust(name: str | None, field: str) -> HealthTrust:
    trust = trust_named(name)
    if trust is None:
        raise InvalidInput("Velg helseforetaket fra listen over helseforetak.", field=field)
    return trust


def _referral_problems(command: NewReferral, today: date) -> Problems:
    """The referral's rules, each refusal collected (a value that is None was refused by the form, or is
    missing: the required ones are told so). The referring trust and the patient's home trust are chosen from the
    reference list of trusts; a referral from another trust than its region's regional hospital needs the review
    with the regional hospital (who and when; the mandate, S4 part III)."""
    problems = Problems()
    for field, message in REFERRAL_REQUIRED.items():
        with problems.check():
            require(getattr(command, field), field, message)
    referred_on, trust = command.referred_on, None
    if command.referring_trust is not None:
        with problems.check():
            trust = _listed_trust(command.referring_trust, "referring_trust")
    if command.home_trust is not None:
        with problems.check():
            _listed_trust(command.home_trust, "home_trust")
    if referred_on is not None:
        with problems.check():
            not_in_future(referred_on, "referred_on", "Henvisningsdatoen", today)
    if trust is not None and not trust.is_regional_hospital:
        regional = regional_hospital_of(trust.region).regional_hospital
        with problems.check():
            require(command.regional_review_by, "regional_review_by", f"{trust.name} er ikke regionsykehuset. "
                    f"Oppgi hvem ved regionsykehuset ({regional}) pasientens situasjon er gjennomgått med.")
        if command.regional_review_on is None:
            problems.errors.append(InvalidInput(f"Oppgi når pasientens situasjon ble gjennomgått med "
                                                f"regionsykehuset ({regional}).", field="regional_review_on"))
        elif referred_on is not None and command.regional_review_on > referred_on:
            problems.errors.append(InvalidInput("Gjennomgangen med regionsykehuset må være gjort før henvisningen.",
                                                field="regional_review_on"))
    complete_on = command.complete_on or referred_on
    if complete_on is not None and referred_on is not None and (complete_on < referred_on or complete_on > today):
        problems.errors.append(InvalidInput("Datoen henvisningen ble komplett må være mellom henvisningsdatoen og "
                                            "i dag.", field="complete_on"))
    if command.icd10 is not None:
        with problems.check():
            validate_icd10(command.icd10)
    return problems


def check_referral(command: NewReferral, *, today: date | None = None) -> None:
    """Every rule of a referral that needs no patient on file, every refusal at once (app.forms.submitted)."""
    _referral_problems(command, today or date.today()).done()


def register_referral(command: NewReferral, *, actor, today: date | None = None) -> Referral:
    """Register a referral as a screened panel case with the 14-day answer deadline (_referral_problems), every
    refused input at once."""
    problems = _referral_problems(command, today or date.today())
    with problems.check():
        patient = register_patient(national_id=command.national_id, name=command.patient_name,
                                   birth_date=command.birth_date, municipality=command.municipality,
                                   home_region=command.home_region, actor=actor)
    problems.done()
    referred_on, trust = command.referred_on, trust_named(command.referring_trust)
    from_regional_hospital = trust.is_regional_hospital
    complete_on = command.complete_on or referred_on
    code = validate_icd10(command.icd10)
    case = open_case(kind=CaseKind.PANEL_REFERRAL, title=f"Henvisning til ekspertpanelet – {patient.name}",
                     patient=patient, actor=actor, case_date=referred_on)
    due_on = complete_on + timedelta(days=ANSWER_DAYS)
    deadline = set_deadline(case, kind="uttalelse", due_date=due_on, responsible_id=None,
                            description="Ekspertpanelets uttalelse (14 dager)", actor=actor, today=complete_on)
    referral = Referral(
        case_id=case.id, referring_trust=trust.name, referring_trust_id=trust.id,
        home_trust_id=(trust_named(command.home_trust) or trust).id, referring_department=command.referring_department,
        referring_doctor=command.referring_doctor, referred_on=referred_on,
        from_regional_hospital=from_regional_hospital,
        regional_review_by=None if from_regional_hospital else command.regional_review_by,
        regional_review_on=None if from_regional_hospital else command.regional_review_on, icd10=code,
        condition=command.condition, treatments_tried=command.treatments_tried, question=command.question,
        complete_on=complete_on, due_on=deadline.due_date, deadline_id=deadline.id, status=ReferralStatus.RECEIVED)
    db.session.add(referral)
    db.session.flush()
    record_change(AuditAction.CREATE, "panel_referral", referral.id, case=case, user=actor,
                  changes={"icd10": [None, code], "referring_trust": [None, command.referring_trust]})
    return referral


def case_status(case_id: int) -> CaseStatus | None:
    """The core case's status that the referral of `case_id` gives it (None: no referral's case)."""
    status = db.session.scalar(select(Referral.status).where(Referral.case_id == case_id))
    return status.case_status if status is not None else None


def find_referral(case_id: int) -> Referral | None:
    return db.session.scalar(select(Referral).where(Referral.case_id == case_id))


# Panel members

def save_member(member: PanelMember | None, command: MemberDetails, *, actor,
                expected_version: int | None = None) -> PanelMember:
    """Register a member (member None) or edit one, checked against the version the form was opened at."""
    if command.appointing_region not in REGIONS:
        raise InvalidInput("Velg regionen som oppnevnte medlemmet.", field="appointing_region")
    if command.term_end and command.term_end < command.term_start:
        raise InvalidInput("Oppnevningen kan ikke slutte før den begynner.", field="term_end")
    require_fields(command, {"name": "Fyll inn navn.", "specialty": "Fyll inn fagområde.",
                       "hospital": "Fyll inn universitetssykehus."})
    values = asdict(command)
    if member is None:
        member = PanelMember(**values)
        db.session.add(member)
        action, changes = AuditAction.CREATE, {"name": [None, command.name]}
    else:
        ensure_version(member, expected_version)
        changes = apply_changes(member, values)
        action = AuditAction.UPDATE
    db.session.flush()
    record_change(action, "panel_member", member.id, user=actor, changes=changes)
    return member


def regions_without_members() -> list[str]:
    """Regions with no active member: the mandate requires all four to be represented."""
    represented = set(db.session.scalars(select(PanelMember.appointing_region).where(PanelMember.active.is_(True))))
    return [region for region in REGIONS if region not in represented]


def assign_member(referral: Referral, member: PanelMember, *, actor) -> Participant:
    """Put a member on the case; a member with a login gets access to exactly this case."""
    _ensure_open(referral)
    if not member.active:
        raise InvalidInput(f"{member.name} er ikke aktivt medlem av panelet.", field="member_id")
    if any(participant.member_id == member.id for participant in referral.participants):
        raise InvalidInput(f"{member.name} er allerede med på saken.", field="member_id")
    participant = Participant(referral_id=referral.id, member_id=member.id, member=member)
    db.session.add(participant)
    if member.user_id:
        assign_user(get_case(referral.case_id), db.session.get(User, member.user_id), actor=actor)
    _start_assessment(referral, actor=actor)
    db.session.flush()
    db.session.expire(referral, ["participants"])
    record_change(AuditAction.CREATE, "panel_participant", participant.id, case=get_case(referral.case_id),
                  user=actor, changes={"member": [None, member.name]})
    return participant


def add_expert(referral: Referral, command: NewExpert, *, actor) -> Participant:
    """A co-opted expert for this case only (the mandate lets the panel add specific expertise)."""
    _ensure_open(referral)
    require_fields(command, {"name": "Fyll inn ekspertens navn.", "specialty": "Fyll inn fagområde."})
    participant = Participant(referral_id=referral.id, expert_name=command.name,
                              expert_specialty=command.specialty, expert_hospital=command.hospital)
    db.session.add(participant)
    db.session.flush()
    db.session.expire(referral, ["participants"])
    record_change(AuditAction.CREATE, "panel_participant", participant.id, case=get_case(referral.case_id),
                  user=actor, changes={"expert": [None, participant.expert_name]})
    return participant


def _set_status(referral: Referral, status: ReferralStatus, *, actor) -> None:
    """The referral's status, and the core case's status that follows from it."""
    referral.status = status
    follow_module_status(get_case(referral.case_id), status.case_status, actor=actor,
                         reason=f"Henvisningen: {status.label}")


def _start_assessment(referral: Referral, *, actor) -> None:
    if referral.status is ReferralStatus.RECEIVED:
        _set_status(referral, ReferralStatus.UNDER_ASSESSMENT, actor=actor)


# The four questions

def save_answer(referral: Referral, command: AnswerText, *, actor, expected_version: int | None = None) -> Answer:
    """Save the findings and advice on one question, checked against the version the form was opened at."""
    _ensure_open(referral)
    question, findings, advice = command.question, command.findings, command.advice
    if question not in QUESTIONS:
        raise InvalidInput("Ukjent spørsmål.", field="question")
    answer = referral.answer(question)
    if answer is None:
        answer = Answer(referral_id=referral.id, question=question, findings=findings, advice=advice)
        db.session.add(answer)
        changes = {"findings": [None, findings], "advice": [None, advice]}
    else:
        ensure_version(answer, expected_version)
        changes = apply_changes(answer, {"findings": findings, "advice": advice})
    _start_assessment(referral, actor=actor)
    db.session.flush()
    db.session.expire(referral, ["answers"])
    if changes:
        record_change(AuditAction.UPDATE, "panel_answer", answer.id, case=get_case(referral.case_id), user=actor,
                      changes={"question": [None, question], **changes})
        _withdraw_approval(referral, actor=actor)
    return answer


def _refuse_recommending(status: MethodStatusInfo) -> None:
    if status.state is MethodState.NOT_INTRODUCED:
        raise InvalidInput(
            f"Kan ikke anbefales: Beslutningsforum besluttet {status.decided_on:%d.%m.%Y} at {status.reference} "
            f"{status.title} ikke skal innføres. Behandlingen kan omtales med henvisning til unntaksordningen.",
            field="advice")
    if status.state is MethodState.UNDER_ASSESSMENT:
        raise InvalidInput(
            f"Kan ikke anbefales: {status.reference} {status.title} er under vurdering i Nye Metoder. "
            "Behandlingen kan omtales med henvisning til unntaksordningen.", field="advice")


def _named(statuses: list[MethodStatusInfo]) -> str:
    return ", ".join(f"{status.reference} {status.title}" for status in statuses)


def check_nye_metoder(method_reference: str | None, advice: Advice, treatment: str | None = None) -> dict | None:
    """The mandate's rule: no recommendation of a treatment under assessment in Nye Metoder or one
    Beslutningsforum decided not to introduce; it may be mentioned with reference to the exception
    scheme. A treatment whose description names a method (its ID, generic name or a product name) must be
    linked to it, so the rule cannot be passed by leaving the optional link empty; every method it names is
    checked, with the status now. Returns the check to store with the item."""
    unknown = [reference for reference in method_references_in(treatment)
               if method_status(reference).reference is None]
    if unknown:
        raise InvalidInput(f"Behandlingen nevner {', '.join(unknown)}, men Nye Metoder har ingen metode med den "
                           "ID-en. Rett ID-en i beskrivelsen.", field="treatment")
    named = methods_named_in(treatment)
    reference = (method_reference or "").strip().upper()
    if named and not reference:
        raise InvalidInput(f"Behandlingen nevner {_named(named)} i Nye Metoder. Fyll inn metode-ID-en "
                           f"({', '.join(status.reference for status in named)}), så kontrolleres statusen.",
                           field="method_reference")
    if named and reference not in {status.reference for status in named}:
        raise InvalidInput(f"Behandlingen nevner {_named(named)}, ikke {reference}. Koble behandlingen til metoden "
                           "den gjelder.", field="method_reference")
    if not reference:
        return None
    status = method_status(reference)
    if status.reference is None:
        raise InvalidInput(f"Fant ingen metode i Nye Metoder med ID {method_reference}.", field="method_reference")
    if advice is Advice.RECOMMENDED:
        for concerned in (status, *named):
            _refuse_recommending(concerned)
    return {"reference": status.reference, "state": status.state.value,
            "decided_on": status.decided_on.isoformat() if status.decided_on else None}


# What the national guide to experimental treatment asks of the trust before it gives experimental treatment
# outside a study; advice that points there records each of them.
TRUST_REQUIREMENTS = {
    "trust_decided_by": "Oppgi hvem i helseforetaket som beslutter behandlingen (inntil fagdirektøren).",
    "funding": "Beskriv finansieringen: innenfor helseforetakets rammer, pasienten betaler ikke.",
    "consent": "Beskriv informasjonen til pasienten og det skjerpede samtykket.",
    "treatment_plan": "Beskriv behandlingsplanen.",
    "knowledge_generation": "Beskriv hva som samles inn for kunnskapsgenerering.",
}


def check_item_documentation(command: NewItem) -> None:
    """The guide to experimental treatment, all refusals in one round: experimental treatment outside a study
    (off-label use that is experimental included) and undocumented treatment are never «Anbefales» (experimental
    treatment is as a rule given in clinical studies); off-label advice names the evidence of its effect; advice
    that points to experimental treatment outside a study records what the trust must have in place."""
    problems = Problems()
    classification = command.classification
    if classification is None:   # refused by the form
        return
    if command.advice is Advice.RECOMMENDED and (classification.experimental_outside_study
                                                 or classification is Classification.UNDOCUMENTED):
        problems.errors.append(InvalidInput(
            f"Behandling som er «{classification.label.lower()}» kan ikke anbefales: utprøvende behandling gis som "
            "hovedregel i kliniske studier. Velg «Anbefales ikke», eller omtal den med henvisning til "
            "unntaksordningen.", field="advice"))
    if classification.off_label and command.advice is not Advice.NOT_RECOMMENDED:
        with problems.check():
            require(command.evidence_of_effect, "evidence_of_effect",
                    "Beskriv dokumentasjonen av effekt for off-label-bruken.")
    if classification.experimental_outside_study and command.advice is Advice.MENTIONED_EXCEPTION_SCHEME:
        for field, message in TRUST_REQUIREMENTS.items():
            with problems.check():
                require(getattr(command, field), field, message)
    problems.done()


def check_item(referral: Referral, command: NewItem) -> tuple[str | None, dict | None]:
    """Everything a treatment considered must satisfy, every refused field at once (a value that is None was
    refused by the form). Returns the registry ID as stored and the Nye Metoder check to store."""
    _ensure_open(referral)
    problems = Problems()
    if command.question not in QUESTIONS:
        problems.errors.append(InvalidInput("Velg hvilket spørsmål behandlingen hører til.", field="question"))
    with problems.check():
        require(command.treatment, "treatment", "Beskriv behandlingen.")
    registry_id = command.registry_id
    if command.classification is Classification.CLINICAL_TRIAL or registry_id:
        with problems.check():
            registry_id = validate_registry_id(registry_id)
    if command.classification is Classification.CLINICAL_TRIAL:
        with problems.check():
            require(command.country, "country", "Oppgi landet studien foregår i.")
    with problems.check():
        check_item_documentation(command)
    check = None
    with problems.check():
        check = check_nye_metoder(command.method_reference, command.advice, command.treatment)
    problems.done()
    return registry_id, check


def add_item(referral: Referral, command: NewItem, *, actor) -> TreatmentItem:
    """A treatment considered under one of the four questions, checked against Nye Metoder (check_item)."""
    registry_id, check = check_item(referral, command)
    item = TreatmentItem(
        referral_id=referral.id, question=command.question, treatment=command.treatment,
        classification=command.classification, advice=command.advice,
        method_reference=check["reference"] if check else None, registry_id=registry_id, country=command.country,
        nordic=(command.country or "").casefold() in NORDIC_COUNTRIES,
        inclusion_criteria=command.inclusion_criteria, note=command.note,
        evidence_of_effect=command.evidence_of_effect,
        **{field: getattr(command, field) for field in TRUST_REQUIREMENTS}, methods_check=check)
    db.session.add(item)
    _start_assessment(referral, actor=actor)
    db.session.flush()
    db.session.expire(referral, ["items"])
    record_change(AuditAction.CREATE, "panel_item", item.id, case=get_case(referral.case_id), user=actor,
                  changes={"treatment": [None, command.treatment], "advice": [None, command.advice.value],
                           "nye_metoder": [None, check]})
    _withdraw_approval(referral, actor=actor)
    return item


def withdraw_item(referral: Referral, item: TreatmentItem, command: ItemWithdrawal, *, actor) -> TreatmentItem:
    """Items are insert-only: a wrong one (a recommendation Nye Metoder no longer allows, a mistake) is withdrawn
    with a reason before the statement is sent, and a corrected one recorded. It stays on the case, marked, and is
    left out of the statement."""
    if item.referral_id != referral.id:
        raise InvalidInput("Behandlingen hører ikke til denne henvisningen.")
    if referral.status not in _OPEN:
        raise Conflict(f"Henvisningen er «{referral.status.label.lower()}». En behandling kan ikke trekkes tilbake "
                       "etter at uttalelsen er sendt.")
    if item.withdrawn:
        raise Conflict(f"«{item.treatment}» er allerede trukket tilbake.")
    require_fields(command, {"reason": "Skriv hvorfor behandlingen trekkes tilbake."})
    reason = command.reason
    item.withdrawn_at, item.withdrawn_by_id, item.withdrawn_reason = utcnow(), actor.id, reason
    db.session.flush()
    record_change(AuditAction.UPDATE, "panel_item", item.id, case=get_case(referral.case_id), user=actor,
                  changes={"withdrawn": [False, True], "withdrawn_reason": [None, reason]})
    _withdraw_approval(referral, actor=actor)
    return item


# The members' drafts and comments, and the secretariat's approval

def participant_of(referral: Referral, user) -> Participant | None:
    """The user's place on the referral as a member of the panel (None: not one of its participants)."""
    return next((participant for participant in referral.participants
                 if participant.member is not None and participant.member.user_id == user.id), None)


def check_contribution(referral: Referral, command: NewContribution, *, actor) -> None:
    """Only the members the secretariat put on the case take part; a draft has findings or advice, a comment its
    text: every refused field at once (a value that is None was refused by the form)."""
    _ensure_open(referral)
    if participant_of(referral, actor) is None:
        raise InvalidInput("Bare medlemmer som er satt på saken, kan skrive utkast og kommentarer.")
    problems = Problems()
    if command.question not in QUESTIONS:
        problems.errors.append(InvalidInput("Velg hvilket spørsmål bidraget gjelder.", field="question"))
    if command.kind is ContributionKind.DRAFT and not (command.findings or command.advice):
        problems.errors.append(InvalidInput("Skriv funn eller råd i utkastet.", field="findings"))
    elif command.kind is ContributionKind.COMMENT:
        with problems.check():
            require(command.comment, "comment", "Skriv kommentaren.")
    problems.done()


def add_contribution(referral: Referral, command: NewContribution, *, actor) -> Contribution:
    """A member on the referral drafts the findings and advice on a question, or comments on it. Only the
    members the secretariat put on the case take part (decision-based access); the answer itself changes only
    when the secretariat adopts a draft."""
    check_contribution(referral, command, actor=actor)
    values = ({"findings": command.findings, "advice": command.advice} if command.kind is ContributionKind.DRAFT
              else {"comment": command.comment})
    contribution = Contribution(referral_id=referral.id, question=command.question, kind=command.kind,
                                author_id=actor.id, **values)
    db.session.add(contribution)
    _start_assessment(referral, actor=actor)
    db.session.flush()
    db.session.expire(referral, ["contributions"])
    record_change(AuditAction.CREATE, "panel_contribution", contribution.id, case=get_case(referral.case_id),
                  user=actor, changes={"kind": [None, command.kind.value], "question": [None, command.question],
                                       **{field: [None, value] for field, value in values.items() if value}})
    return contribution


def adopt_draft(referral: Referral, contribution: Contribution, *, actor) -> Answer:
    """The secretariat takes a member's draft as the panel's findings and advice on its question."""
    _ensure_open(referral)
    if contribution.referral_id != referral.id or contribution.kind is not ContributionKind.DRAFT:
        raise InvalidInput("Utkastet hører ikke til denne henvisningen.")
    if contribution.adopted_at is not None:
        raise Conflict("Utkastet er allerede tatt inn i vurderingen.")
    current = referral.answer(contribution.question)
    # What the draft leaves out (findings or advice) stays as the panel has it.
    findings = contribution.findings if contribution.findings is not None else (current and current.findings)
    advice = contribution.advice if contribution.advice is not None else (current and current.advice)
    answer = save_answer(referral, AnswerText(contribution.question, findings, advice),
                         actor=actor, expected_version=current.version if current else None)
    contribution.adopted_at, contribution.adopted_by_id = utcnow(), actor.id
    db.session.flush()
    record_change(AuditAction.UPDATE, "panel_contribution", contribution.id, case=get_case(referral.case_id),
                  user=actor, changes={"adopted": [False, True]})
    return answer


def missing_findings(referral: Referral) -> list[int]:
    return [question for question in QUESTIONS
            if not ((answer := referral.answer(question)) is not None and answer.findings)]


def _ensure_complete(referral: Referral) -> None:
    if missing := missing_findings(referral):
        raise InvalidInput(f"Vurderingen er ikke ferdig: spørsmål {', '.join(map(str, missing))} mangler funn.")


def approve_statement(referral: Referral, *, actor) -> None:
    """The secretariat approves the statement as it stands (the answers and treatments) before it is sent."""
    _ensure_open(referral)
    if referral.statement_approved_at is not None:
        raise Conflict("Uttalelsen er allerede godkjent.")
    _ensure_complete(referral)
    _recheck_recommendations(referral)
    referral.statement_approved_at, referral.statement_approved_by_id = utcnow(), actor.id
    db.session.flush()
    record_change(AuditAction.UPDATE, "panel_referral", referral.id, case=get_case(referral.case_id), user=actor,
                  changes={"statement_approved_at": [None, referral.statement_approved_at]})


def _withdraw_approval(referral: Referral, *, actor) -> None:
    """A change to the answers or treatments after the approval withdraws it: the statement is approved again."""
    if referral.statement_approved_at is None:
        return
    changes = {"statement_approved_at": [referral.statement_approved_at, None]}
    referral.statement_approved_at = referral.statement_approved_by_id = None
    db.session.flush()
    record_change(AuditAction.UPDATE, "panel_referral", referral.id, case=get_case(referral.case_id), user=actor,
                  changes=changes)


def participant_names(referral: Referral) -> list[str]:
    """The members and co-opted experts who took part, as the statement names them."""
    return [", ".join(part for part in (
        (participant.expert_name, participant.expert_specialty, participant.expert_hospital) if participant.is_expert
        else (participant.member.name, participant.member.specialty, participant.member.hospital)) if part)
        for participant in referral.participants]


# Statement, outcome and follow-up

def _recheck_recommendations(referral: Referral) -> None:
    """Nye Metoder may have decided since an item was recorded: every recommended treatment still given (not
    withdrawn) is checked again, with the status now, before the statement goes out."""
    refused = []
    for item in referral.current_items:
        if item.advice is not Advice.RECOMMENDED:
            continue
        try:
            check_nye_metoder(item.method_reference, item.advice, item.treatment)
        except InvalidInput as error:
            refused.append(f"«{item.treatment}» (spørsmål {item.question}): {error} Trekk tilbake «{item.treatment}» "
                           "under «Behandlinger som er vurdert», og registrer en rettet behandling.")
    if refused:
        raise InvalidInput("Uttalelsen kan ikke sendes, fordi den anbefaler behandlinger Nye Metoder ikke tillater å "
                           "anbefale nå. " + " ".join(refused))


@dataclass(frozen=True)
class Recipients:
    """Who a panel letter goes to: the patient (or the guardians, with the address on the letter's date) and the
    treating doctor, «Kopi til» the trust where the patient lives and its region's regional hospital (the mandate,
    S4 part IV: «pasient og behandlende lege»; part V: «det HF som dekker stedet der pasienten er bosatt, og
    regionsykehuset»)."""

    patients: list[Addressee]
    doctor: str
    copies: list[str]

    @property
    def names(self) -> list[str]:
        return [*(addressee.name for addressee in self.patients), self.doctor]


def letter_recipients(case: Case, referral: Referral, on_date: date) -> Recipients:
    """The addressees and copies of a letter on `referral` dated `on_date`. A referral registered before the list
    of trusts (no trust matched) has its copies as typed: the referring trust and the regional hospital it named."""
    doctor = ", ".join(part for part in (referral.referring_doctor, referral.referring_department,
                                         referral.referring_trust) if part)
    home = referral.home_trust or referral.referring_trust_record
    if home is None:
        copies = [referral.referring_trust, *([referral.regional_review_by] if referral.regional_review_by else [])]
    else:
        copies = [home.name, regional_hospital_of(home.region).name]
    return Recipients(letter_addressees(case, on_date), doctor, list(dict.fromkeys(copies)))


def _file_letter(referral: Referral, *, title: str, document_title: str, filename: str, on_date: date, pdf: bytes,
                 actor):
    """File a letter on the referral's case as an outgoing journal post with its PDF, party: the addressees."""
    case = get_case(referral.case_id)
    recipients = letter_recipients(case, referral, on_date)
    entry = add_journal_entry(case, entry_type=JournalEntryType.OUTGOING, title=f"{title} – {case.patient.name}",
                              journal_date=on_date, document_date=on_date, party_name="; ".join(recipients.names),
                              actor=actor)
    document = attach_document(case, title=document_title, filename=f"{filename}-{case.year}-{case.sequence}.pdf",
                               content=pdf, actor=actor, journal_entry=entry)
    return case, recipients, entry, document


def _check_dated_text(problems: Problems, dated: tuple[str, date | None, date, str],
                      text: tuple[str, str | None, str]) -> None:
    """A record of the panel's work dated from a first day up to today, with its text: `dated` is the date's
    field, value, first day and message, `text` the text's field, value and message (a value that is None was
    refused by the form)."""
    field, day, first, message = dated
    if day is not None and not first <= day <= date.today():
        problems.errors.append(InvalidInput(message, field=field))
    with problems.check():
        require(text[1], text[0], text[2])


def check_statement(referral: Referral, command: NewStatement) -> None:
    """A statement on a complete assessment is sent between the referral and today and gives the panel's advice:
    both at once (a value that is None was refused by the form). Its recipients follow from the referral
    (letter_recipients)."""
    _ensure_open(referral)
    _ensure_complete(referral)
    problems = Problems()
    _check_dated_text(problems, ("sent_on", command.sent_on, referral.referred_on,
                                 "Sendt-datoen må være mellom henvisningsdatoen og i dag."),
                      ("summary", command.summary, "Skriv ekspertpanelets samlede råd."))
    problems.done()


def send_statement(referral: Referral, command: NewStatement, *, actor, pdf: bytes) -> Statement:
    """File the advisory statement (check_statement) as an outgoing journal post with its PDF letter to the patient
    and the treating doctor, with copies to the trusts (letter_recipients). The assessment of all four questions
    must be complete and approved by the secretariat first; the statement names who took part."""
    check_statement(referral, command)
    sent_on, outcome = command.sent_on, command.outcome
    _recheck_recommendations(referral)
    if referral.statement_approved_at is None:
        raise InvalidInput("Sekretariatet må godkjenne uttalelsen før den sendes.")
    case, recipients, entry, document = _file_letter(
        referral, title="Uttalelse fra ekspertpanelet", document_title="Ekspertpanelets uttalelse",
        filename="uttalelse", on_date=sent_on, pdf=pdf, actor=actor)
    statement = Statement(referral_id=referral.id, sent_on=sent_on, recipients=recipients.names,
                          copies=recipients.copies, summary=command.summary, document_id=document.id,
                          journal_entry_id=entry.id, created_by_id=actor.id, participants=participant_names(referral))
    db.session.add(statement)
    _set_status(referral, ReferralStatus.STATEMENT_SENT, actor=actor)
    referral.outcome = outcome
    if referral.deadline_id:
        close_deadline(referral.deadline_id, actor=actor)
    db.session.flush()
    record_change(AuditAction.CREATE, "panel_statement", statement.id, case=case, user=actor,
                  changes={"recipients": [None, recipients.names], "copies": [None, recipients.copies],
                           "outcome": [None, outcome.value]})
    return statement


# Refusal, withdrawal and closing

ENDINGS = {
    ReferralStatus.REFUSED: ("Henvisningen avvises – utenfor ekspertpanelets mandat", "avvisning"),
    ReferralStatus.WITHDRAWN: ("Henvisningen er trukket", "trukket"),
    ReferralStatus.CLOSED: ("Saken i ekspertpanelet er avsluttet", "avsluttet"),
}


def check_ending(referral: Referral, command: EndReferral, *, today: date | None = None) -> None:
    """The rules of ending a referral, every refusal at once. A referral is refused as outside the mandate (with
    the mandate's ground: S4 part I, established treatment not tried; part IV, new methods or group level) or
    withdrawn while the panel still works on it; it is closed then or after the statement. Each needs a reason.
    The status is set here only: a referral that has ended is not ended again."""
    if command.status not in ENDINGS:
        raise InvalidInput("Velg om henvisningen avvises, er trukket eller avsluttes.", field="status")
    if referral.ending is not None or referral.status not in (*_OPEN, ReferralStatus.STATEMENT_SENT):
        raise Conflict(f"Henvisningen er allerede «{referral.status.label.lower()}».")
    if command.status is not ReferralStatus.CLOSED and referral.status not in _OPEN:
        raise InvalidInput("Uttalelsen er sendt. Henvisningen kan ikke avvises eller trekkes nå, bare avsluttes.",
                           field="status")
    problems = Problems()
    with problems.check():
        require(command.reason, "reason", "Skriv begrunnelsen.")
    if command.ended_on is not None:
        with problems.check():
            not_in_future(command.ended_on, "ended_on", "Datoen", today)
        if command.ended_on < referral.referred_on:
            problems.errors.append(InvalidInput("Datoen kan ikke være før henvisningsdatoen.", field="ended_on"))
    if command.status is ReferralStatus.REFUSED and command.ground is None:
        problems.errors.append(InvalidInput("Velg hvorfor henvisningen er utenfor mandatet.", field="ground"))
    problems.done()


def end_referral(referral: Referral, command: EndReferral, *, actor, pdf: bytes,
                 today: date | None = None) -> Ending:
    """Refuse, withdraw or close the referral (check_ending): the letter to the patient and the treating doctor
    is filed as an outgoing journal post, the answer deadline closed, and the status set."""
    check_ending(referral, command, today=today)
    title, filename = ENDINGS[command.status]
    case, recipients, entry, document = _file_letter(
        referral, title=title, document_title=title, filename=filename, on_date=command.ended_on, pdf=pdf,
        actor=actor)
    ground = command.ground if command.status is ReferralStatus.REFUSED else None
    ending = Ending(referral_id=referral.id, status=command.status, ground=ground, reason=command.reason,
                    ended_on=command.ended_on, recipients=recipients.names, copies=recipients.copies,
                    document_id=document.id, journal_entry_id=entry.id, created_by_id=actor.id)
    db.session.add(ending)
    if referral.deadline_id and referral.status in _OPEN:
        close_deadline(referral.deadline_id, actor=actor)
    _set_status(referral, command.status, actor=actor)
    db.session.flush()
    db.session.expire(referral, ["ending"])
    record_change(AuditAction.CREATE, "panel_ending", ending.id, case=case, user=actor,
                  changes={"status": [None, command.status.value], "ground": [None, ground and ground.value],
                           "reason": [None, command.reason]})
    return ending


def check_feedback(referral: Referral, command: NewFeedback) -> None:
    """The feedback comes after the statement was sent, says whether the advice was followed and what happened:
    every refused field at once."""
    if referral.status is not ReferralStatus.STATEMENT_SENT:
        raise InvalidInput("Tilbakemelding kan registreres etter at uttalelsen er sendt.")
    problems = Problems()
    if command.followed not in FOLLOWED:
        problems.errors.append(InvalidInput("Velg om rådet ble fulgt.", field="followed"))
    _check_dated_text(problems, ("received_on", command.received_on, referral.statements[-1].sent_on,
                                 "Datoen må være mellom uttalelsen og i dag."),
                      ("summary", command.summary, "Oppsummer tilbakemeldingen."))
    problems.done()


def record_feedback(referral: Referral, command: NewFeedback, *, actor) -> Feedback:
    """The treating doctor's feedback on the statement (check_feedback): was the advice followed."""
    check_feedback(referral, command)
    received_on, followed = command.received_on, command.followed
    feedback = Feedback(referral_id=referral.id, received_on=received_on, followed=followed, summary=command.summary)
    db.session.add(feedback)
    db.session.flush()
    db.session.expire(referral, ["feedback"])
    record_change(AuditAction.CREATE, "panel_feedback", feedback.id, case=get_case(referral.case_id), user=actor,
                  changes={"followed": [None, followed]})
    return feedback


def check_principled_question(referral: Referral, command: NewPrincipledQuestion) -> None:
    """A principled question is raised between the referral and today and says what it is: both at once."""
    problems = Problems()
    _check_dated_text(problems, ("raised_on", command.raised_on, referral.referred_on,
                                 "Datoen må være mellom henvisningsdatoen og i dag."),
                      ("text", command.text, "Beskriv problemstillingen."))
    problems.done()


def add_principled_question(referral: Referral, command: NewPrincipledQuestion, *, actor) -> PrincipledQuestion:
    """A new question that needs a principled answer (check_principled_question); the annual report lists them."""
    check_principled_question(referral, command)
    item = PrincipledQuestion(referral_id=referral.id, raised_on=command.raised_on, text=command.text)
    db.session.add(item)
    db.session.flush()
    db.session.expire(referral, ["principled_questions"])
    record_change(AuditAction.CREATE, "panel_principled_question", item.id, case=get_case(referral.case_id),
                  user=actor)
    return item


# A statement already sent rests on the decision too: the secretariat decides whether to write to the hospital.
FLAGGED_ON_METHOD_DECISION = (*_OPEN, ReferralStatus.STATEMENT_SENT)


def flag_referrals_for_method(reference: str) -> int:
    """Nye Metoder decided on a method or changed its decision: referrals with an item about it that are open or
    whose statement is sent are flagged for the secretariat, saying what changed."""
    change = decision_change(reference)
    referrals = db.session.scalars(select(Referral).join(TreatmentItem, TreatmentItem.referral_id == Referral.id)
                                   .where(TreatmentItem.method_reference == reference,
                                          TreatmentItem.withdrawn_at.is_(None),
                                          Referral.status.in_(FLAGGED_ON_METHOD_DECISION)).distinct())
    count = 0
    for referral in referrals:
        referral.flag = f"{change} Kontroller rådene i saken." if referral.status in _OPEN else (
            f"{change} Uttalelsen er sendt: vurder om sykehuset skal få brev om den nye beslutningen.")
        referral.flagged_at = utcnow()
        count += 1
    db.session.flush()
    return count


def review_method_flag(referral: Referral, note: str, *, actor) -> None:
    """The secretariat has looked at a new Nye Metoder decision the referral rests on and noted what follows."""
    if not referral.flag:
        raise InvalidInput("Henvisningen har ikke noe flagg om ny beslutning i Nye Metoder.")
    record_review(get_case(referral.case_id), "panel_referral", referral.id, subject="Ny beslutning i Nye Metoder",
                  flag=referral.flag, note=note, actor=actor)
    referral.flag = referral.flagged_at = None
