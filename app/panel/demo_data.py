"""Demo data for the expert panel: members from all four regions (one with a login) and three open
referrals, one from a local trust reviewed with the regional hospital, assigned to two members and a co-opted
expert, one with a member's drafts taken into the assessment; one refused as outside the mandate; and five years
of answered referrals, so the annual report shows figures, last year's as published. All patients are synthetic."""
import random
from datetime import date, timedelta

from app.cases.interface import get_case
from app.panel import services
from app.panel.commands import (
    AnswerText,
    EndReferral,
    MemberDetails,
    NewContribution,
    NewExpert,
    NewFeedback,
    NewItem,
    NewPrincipledQuestion,
    NewReferral,
    NewStatement,
)
from app.panel.letters import end_with_letter, send_statement_with_letter
from app.panel.models import Advice, Classification, ContributionKind, Outcome, ReferralStatus, RefusalGround
from app.panel.services import FOLLOWED
from app.panel.statistics import build_report
from app.reports.publishing import publish_report
from app.reports.registry import ReportRequest, get_kind

MEMBERS = [
    ("Pia Panelmedlem", "Onkologi", "Haukeland universitetssjukehus", "helse-vest"),
    ("Olav Onkolog", "Onkologi", "Oslo universitetssykehus", "helse-sor-ost"),
    ("Nina Nevrolog", "Nevrologi", "St. Olavs hospital", "helse-midt-norge"),
    ("Trond Tromsø", "Kirurgi", "Universitetssykehuset Nord-Norge", "helse-nord"),
]


def load_panel_demo(secretary, member_user, national_id_for, today: date) -> int:
    """Register the members, the history and the open referrals through the services; returns the number of
    cases."""
    earlier_members = _history_members(secretary)
    members = [services.save_member(None, MemberDetails(
        name=name, specialty=specialty, hospital=hospital, appointing_region=region, term_start=date(2024, 1, 1),
        term_end=date(2027, 12, 31), active=True, user_id=member_user.id if name == member_user.name else None),
        actor=secretary) for name, specialty, hospital, region in MEMBERS]
    history = load_panel_history(secretary, earlier_members + members, national_id_for, today)
    local = services.register_referral(NewReferral(
        national_id=national_id_for(date(1971, 5, 5)), patient_name="Hanne Hagen", birth_date=None,
        municipality="1508 Ålesund", home_region="helse-midt-norge", referring_trust="Helse Møre og Romsdal HF",
        referring_department="Kreftavdelingen, Ålesund sjukehus", referring_doctor="Overlege Lise Lund",
        referred_on=today - timedelta(days=5),
        regional_review_by="Kreftklinikken, St. Olavs hospital", regional_review_on=today - timedelta(days=9),
        icd10="C56", condition="Residiverende eggstokkreft med spredning til bukhinnen",
        treatments_tried="Tre linjer platinumbasert kjemoterapi og PARP-hemmer uten varig effekt",
        question="Finnes det kliniske studier i Norden eller off-label behandling med dokumentert effekt?"),
        actor=secretary)
    services.assign_member(local, members[0], actor=secretary)
    services.assign_member(local, members[2], actor=secretary)
    services.add_expert(local, NewExpert(name="Professor Gro Gyn", specialty="Gynekologisk onkologi",
                                         hospital="Radiumhospitalet"), actor=secretary)
    services.register_referral(NewReferral(
        national_id=national_id_for(date(1988, 12, 12)), patient_name="Erik Eriksen", birth_date=None,
        municipality="5501 Tromsø", home_region="helse-nord", referring_trust="Universitetssykehuset Nord-Norge HF",
        referring_department="Nevrologisk avdeling", referring_doctor="Overlege Nils Nord",
        referred_on=today - timedelta(days=2), regional_review_by=None,
        regional_review_on=None, icd10="G12.2", condition="Amyotrofisk lateralsklerose (ALS) i rask progresjon",
        treatments_tried="Riluzol; ingen effekt på progresjon",
        question="Er det aktuelle kliniske studier for pasienten i Norden?"), actor=secretary)
    _load_drafted(secretary, member_user, members, national_id_for, today)
    _load_refused(secretary, national_id_for, today)
    _publish_last_year(secretary, today)
    return history + 4


def _publish_last_year(secretary, today: date) -> None:
    """Last year's annual report as the secretariat published it (small numbers suppressed)."""
    report = build_report(ReportRequest(year=today.year - 1), lambda percent, step: None)
    publish_report(get_kind("panel"), report, secretary, None, today=today)


def _load_refused(secretary, national_id_for, today: date) -> None:
    """A referral asking whether a new drug should be used for a patient group: outside the mandate (S4 part IV),
    refused with a letter to the patient and the treating doctor, copied to the trusts."""
    referral = services.register_referral(NewReferral(
        national_id=national_id_for(date(1964, 8, 30)), patient_name="Per Paulsen", birth_date=None,
        municipality="3107 Fredrikstad", home_region="helse-sor-ost", referring_trust="Sykehuset Østfold HF",
        referring_department="Lungeavdelingen", referring_doctor="Overlege Ola Østby",
        referred_on=today - timedelta(days=4), regional_review_by="Lungeavdelingen, Oslo universitetssykehus",
        regional_review_on=today - timedelta(days=10), icd10="C34.9",
        condition="Ikke-småcellet lungekreft med spredning",
        treatments_tried="Immunterapi og platinumbasert kjemoterapi",
        question="Bør et nytt legemiddel tas i bruk for pasienter med denne mutasjonen?"), actor=secretary)
    end_with_letter(get_case(referral.case_id), referral, EndReferral(
        status=ReferralStatus.REFUSED, ground=RefusalGround.GROUP_LEVEL, ended_on=today - timedelta(days=1),
        reason="Spørsmålet gjelder bruk av et legemiddel for en pasientgruppe, ikke behandlingen av denne "
               "pasienten. Det hører hjemme i systemet for Nye Metoder."), actor=secretary)


def _load_drafted(secretary, member_user, members: list, national_id_for, today: date) -> None:
    """An open referral where the member with a login drafted the findings and advice on two questions, which the
    secretariat took into the assessment, and commented on a third."""
    referral = services.register_referral(NewReferral(
        national_id=national_id_for(date(1983, 2, 17)), patient_name="Sofie Sørlie", birth_date=None,
        municipality="4204 Kristiansand", home_region="helse-sor-ost", referring_trust="Sørlandet sykehus HF",
        referring_department="Kreftavdelingen", referring_doctor="Overlege Kari Kristiansen",
        referred_on=today - timedelta(days=7),
        regional_review_by="Kreftklinikken, Oslo universitetssykehus", regional_review_on=today - timedelta(days=12),
        icd10="C49.9", condition="Sarkom med spredning til lungene", treatments_tried="Doksorubicin og ifosfamid",
        question="Finnes det kliniske studier i Norden for pasienten?"), actor=secretary)
    services.assign_member(referral, members[0], actor=secretary)
    services.assign_member(referral, members[1], actor=secretary)
    drafts = [services.add_contribution(referral, NewContribution(
        question=question, kind=ContributionKind.DRAFT, findings=findings, advice=advice), actor=member_user)
        for question, findings, advice in (
            (1, "Pasienten har fått etablert behandling etter nasjonalt handlingsprogram for sarkom.",
             "Ytterligere etablert behandling i Norge er ikke aktuelt."),
            (2, "En fase II-studie i Sverige tar inn pasienter med lungemetastaser etter to behandlingslinjer.",
             "Panelet bør vurdere å anbefale henvisning til studien i Sverige."))]
    for draft in drafts:
        services.adopt_draft(referral, draft, actor=secretary)
    services.add_contribution(referral, NewContribution(
        question=3, kind=ContributionKind.COMMENT,
        comment="Jeg ser gjerne på off-label-spørsmålet sammen med sarkomgruppen."), actor=member_user)


# The history: referrals over the last full years, each answered with a statement the secretariat approved and
# sent, most with the treating doctor's feedback. Made from a fixed seed, so every demo shows the same figures.
HISTORY_YEARS = 5
HISTORY_PER_YEAR = (12, 18)        # referrals a year (lowest, highest); each letter is rendered (about 0.1 s)
HISTORY_MEMBERS = [
    ("Henrik Hematolog", "Hematologi", "Oslo universitetssykehus", "helse-sor-ost"),
    ("Berit Barnelege", "Barnesykdommer", "St. Olavs hospital", "helse-midt-norge"),
    ("Kjell Kreftlege", "Onkologi", "Universitetssykehuset Nord-Norge", "helse-nord"),
    ("Vera Vestby", "Nevrologi", "Haukeland universitetssjukehus", "helse-vest"),
]
REGION_WEIGHTS = {"helse-sor-ost": 56, "helse-vest": 21, "helse-midt-norge": 14, "helse-nord": 9}
# (home municipality, referring trust, its regional hospital) by region; None: no municipality number given.
PLACES = {
    "helse-sor-ost": [("0301 Oslo", "Oslo universitetssykehus HF", None),
                      ("3201 Bærum", "Vestre Viken HF", "Oslo universitetssykehus"),
                      ("3107 Fredrikstad", "Sykehuset Østfold HF", "Oslo universitetssykehus"),
                      ("3403 Hamar", "Sykehuset Innlandet HF", "Oslo universitetssykehus"),
                      ("3907 Sandefjord", "Sykehuset i Vestfold HF", "Oslo universitetssykehus"),
                      ("4003 Skien", "Sykehuset Telemark HF", "Oslo universitetssykehus"),
                      ("4204 Kristiansand", "Sørlandet sykehus HF", "Oslo universitetssykehus"),
                      (None, "Akershus universitetssykehus HF", "Oslo universitetssykehus")],
    "helse-vest": [("4601 Bergen", "Helse Bergen HF", None),
                   ("1103 Stavanger", "Helse Stavanger HF", "Haukeland universitetssjukehus"),
                   ("4647 Sunnfjord", "Helse Førde HF", "Haukeland universitetssjukehus")],
    "helse-midt-norge": [("5001 Trondheim", "St. Olavs hospital HF", None),
                         ("1508 Ålesund", "Helse Møre og Romsdal HF", "St. Olavs hospital"),
                         ("5006 Steinkjer", "Helse Nord-Trøndelag HF", "St. Olavs hospital")],
    "helse-nord": [("5501 Tromsø", "Universitetssykehuset Nord-Norge HF", None),
                   ("1804 Bodø", "Nordlandssykehuset HF", "Universitetssykehuset Nord-Norge"),
                   ("5601 Alta", "Finnmarkssykehuset HF", "Universitetssykehuset Nord-Norge")],
}
# (ICD-10, condition, treatment tried, department, weight)
CONDITIONS = [
    ("C71.9", "Glioblastom med residiv etter kirurgi og stråling", "Kirurgi, strålebehandling og temozolomid",
     "Kreftavdelingen", 14),
    ("C25.9", "Metastatisk kreft i bukspyttkjertelen", "FOLFIRINOX og gemcitabin med nab-paklitaksel",
     "Kreftavdelingen", 12),
    ("C56", "Residiverende eggstokkreft med spredning til bukhinnen", "Tre linjer platinumbasert kjemoterapi",
     "Kreftavdelingen", 9),
    ("C49.9", "Sarkom med spredning til lungene", "Doksorubicin og ifosfamid", "Kreftavdelingen", 7),
    ("C92.0", "Akutt myelogen leukemi med tilbakefall etter stamcelletransplantasjon",
     "Induksjonsbehandling og allogen stamcelletransplantasjon", "Blodsykdommer", 8),
    ("C91.0", "Akutt lymfatisk leukemi hos barn med tilbakefall", "Behandling etter nordisk protokoll",
     "Barne- og ungdomsklinikken", 5),
    ("G12.2", "Amyotrofisk lateralsklerose (ALS) i rask progresjon", "Riluzol", "Nevrologisk avdeling", 9),
    ("G71.0", "Duchennes muskeldystrofi med tap av gangfunksjon", "Kortikosteroider og fysioterapi",
     "Barne- og ungdomsklinikken", 4),
    ("E75.2", "Sjelden lysosomal lagringssykdom med progresjon", "Enzymerstatning", "Barne- og ungdomsklinikken", 3),
    ("C43.9", "Malignt melanom med hjernemetastaser", "Immunterapi og BRAF/MEK-hemmer", "Kreftavdelingen", 8),
    ("C34.9", "Ikke-småcellet lungekreft uten målbar mutasjon, progresjon", "Kjemoimmunterapi",
     "Lungeavdelingen", 7),
]
OUTCOMES = {Outcome.ESTABLISHED_NORWAY: 30, Outcome.STUDY_NORWAY: 10, Outcome.STUDY_ABROAD: 16,
            Outcome.OFF_LABEL: 12, Outcome.ESTABLISHED_ABROAD: 4, Outcome.NO_FURTHER_TREATMENT: 28}
FIRST_NAMES = ["Anne", "Bjørn", "Camilla", "Dag", "Eva", "Frode", "Grete", "Håkon", "Ida", "Jon", "Kristin", "Leif",
               "Marte", "Nils", "Oda", "Pål", "Ragnhild", "Sindre", "Tone", "Ulrik", "Vilde", "Øystein", "Åse"]
LAST_NAMES = ["Andersen", "Berg", "Dahl", "Eide", "Fjeld", "Haugen", "Johansen", "Knutsen", "Lie", "Moen", "Nilsen",
              "Olsen", "Pedersen", "Rønning", "Solberg", "Strand", "Tangen", "Vik", "Aasen"]
PRINCIPLED_QUESTIONS = [
    "Skal panelet vurdere henvisninger der pasienten selv har betalt for behandling i utlandet?",
    "Hvordan skal panelet omtale behandling som er under vurdering i Nye Metoder når pasienten allerede får den?",
    "Kan panelet gi råd om behandling av barn når studien bare tar inn voksne?",
    "Hvordan skal panelet vurdere udokumentert behandling pasienten har funnet på nett og ønsker refundert?",
    "Skal henvisninger fra privat spesialist tas imot når regionsykehuset ikke har gjennomgått saken?",
    "Hvordan skal panelet forholde seg til compassionate use-program som ikke er åpne for norske pasienter?",
]
FOLLOWED_WEIGHTS = {"yes": 70, "partly": 20, "no": 10}


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _history_members(secretary) -> list:
    """The panel's members over the years: those of today (appointed 2024) and those appointed when it started."""
    return [services.save_member(None, MemberDetails(
        name=name, specialty=specialty, hospital=hospital, appointing_region=region, term_start=date(2020, 1, 1),
        term_end=date(2027, 12, 31), active=True, user_id=None), actor=secretary)
        for name, specialty, hospital, region in HISTORY_MEMBERS]


def load_panel_history(secretary, members: list, national_id_for, today: date) -> int:
    """Referrals from 1 January five years back to 31 December last year, registered, assessed, approved and
    answered through the services as the secretariat works; returns the number of cases."""
    rng = random.Random("panel-2026")
    conditions = [condition[:-1] for condition in CONDITIONS]
    condition_weights = [condition[-1] for condition in CONDITIONS]
    used_ids: set[str] = set()
    referrals = []
    for year in range(today.year - HISTORY_YEARS, today.year):
        for _ in range(rng.randint(*HISTORY_PER_YEAR)):
            referred_on = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            condition = rng.choices(conditions, weights=condition_weights)[0]
            referral = _history_referral(rng, secretary, members, condition, referred_on, national_id_for,
                                         used_ids, today)
            if referral is not None:
                referrals.append(referral)
    for year_index, year in enumerate(range(today.year - HISTORY_YEARS, today.year)):
        of_year = [referral for referral in referrals if referral.referred_on.year == year]
        for text in rng.sample(PRINCIPLED_QUESTIONS, 1 + year_index % 2):
            referral = rng.choice(of_year)
            services.add_principled_question(referral, NewPrincipledQuestion(
                raised_on=referral.referred_on + timedelta(days=3), text=text), actor=secretary)
    return len(referrals)


def _history_referral(rng, secretary, members, condition, referred_on: date, national_id_for, used_ids: set,
                      today: date):
    icd10, text, tried, department = condition
    child = department.startswith("Barne")
    birth = referred_on - timedelta(days=rng.randrange(2 * 365, 17 * 365) if child
                                    else rng.randrange(25 * 365, 80 * 365))
    national_id = national_id_for(birth, individual=20)
    while national_id in used_ids:
        national_id = national_id_for(birth, individual=int(national_id[6:9]) % 500 + 1)
    used_ids.add(national_id)
    region = _pick(rng, REGION_WEIGHTS)
    municipality, trust, regional_hospital = rng.choice(PLACES[region])
    complete_on = referred_on + timedelta(days=rng.choice((0, 0, 0, 2, 5)))
    sent_on = complete_on + timedelta(days=rng.choices((rng.randrange(6, 15), rng.randrange(15, 30)),
                                                       weights=(80, 20))[0])
    if sent_on > today:
        return None
    referral = services.register_referral(NewReferral(
        national_id=national_id, patient_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        birth_date=None, municipality=municipality, home_region=region, referring_trust=trust,
        referring_department=department, referring_doctor=f"Overlege {rng.choice(FIRST_NAMES)} "
                                                          f"{rng.choice(LAST_NAMES)}",
        referred_on=referred_on,
        regional_review_by=regional_hospital, regional_review_on=referred_on - timedelta(days=rng.randrange(3, 20))
        if regional_hospital else None, icd10=icd10, condition=text, treatments_tried=f"{tried}; progresjon.",
        question="Finnes det videre behandling, kliniske studier eller off-label behandling med dokumentert effekt?",
        complete_on=complete_on), actor=secretary, today=today)
    active = [member for member in members if member.term_start <= referred_on]
    for member in rng.sample(active, 2):
        services.assign_member(referral, member, actor=secretary)
    outcome = _pick(rng, OUTCOMES)
    for question, (findings, advice) in _answers(outcome).items():
        services.save_answer(referral, AnswerText(question, findings, advice), actor=secretary)
    item = ITEMS.get(outcome)
    if item is not None:
        services.add_item(referral, item, actor=secretary)
    services.approve_statement(referral, actor=secretary)
    case = get_case(referral.case_id)
    send_statement_with_letter(case, referral, NewStatement(
        sent_on=sent_on, summary=_answers(outcome)[1][1], outcome=outcome), actor=secretary)
    received_on = sent_on + timedelta(days=rng.randrange(30, 120))
    if received_on <= today and rng.random() < 0.7:
        followed = _pick(rng, FOLLOWED_WEIGHTS)
        services.record_feedback(referral, NewFeedback(
            received_on=received_on, followed=followed,
            summary=f"Behandlende lege melder at rådet ble {FOLLOWED[followed].lower()}."), actor=secretary)
    return referral


ANSWER_TEXT = {
    Outcome.ESTABLISHED_NORWAY: "Det er aktuelt med ytterligere etablert behandling ved regionsykehuset.",
    Outcome.ESTABLISHED_ABROAD: "Etablert behandling gis ikke i Norge; panelet anbefaler henvisning til utlandet.",
    Outcome.STUDY_NORWAY: "Pasienten kan være aktuell for en klinisk studie i Norge.",
    Outcome.STUDY_ABROAD: "Pasienten kan være aktuell for en klinisk studie i Norden.",
    Outcome.OFF_LABEL: "Off-label behandling med dokumentert effekt kan vurderes.",
    Outcome.NO_FURTHER_TREATMENT: "Panelet finner ingen videre behandling med dokumentert effekt; palliativ "
                                  "behandling anbefales.",
}
ITEMS = {
    Outcome.STUDY_NORWAY: NewItem(question=2, treatment="Fase II-studie av målrettet behandling",
                                  classification=Classification.CLINICAL_TRIAL, advice=Advice.RECOMMENDED,
                                  registry_id="NCT05963815", country="Norge"),
    Outcome.STUDY_ABROAD: NewItem(question=2, treatment="Fase I/II-studie av celleterapi",
                                  classification=Classification.CLINICAL_TRIAL, advice=Advice.RECOMMENDED,
                                  registry_id="NCT06615518", country="Sverige"),
    Outcome.OFF_LABEL: NewItem(question=3, treatment="Off-label bruk av legemiddel godkjent for annen kreftform",
                               classification=Classification.OFF_LABEL, advice=Advice.RECOMMENDED,
                               evidence_of_effect="Fase II-studie med 120 pasienter med samme mutasjon: respons hos "
                                                  "38 prosent; anbefalt i europeiske retningslinjer."),
    Outcome.NO_FURTHER_TREATMENT: NewItem(question=4, treatment="Behandling pasienten har funnet omtalt på nett",
                                          classification=Classification.UNDOCUMENTED,
                                          advice=Advice.NOT_RECOMMENDED),
}


def _answers(outcome: Outcome) -> dict[int, tuple[str, str | None]]:
    """The findings and advice on the four questions for a statement with `outcome`."""
    advice = ANSWER_TEXT[outcome]
    return {1: ("Etablert behandling etter nasjonale retningslinjer er gitt.", advice),
            2: ("Panelet har søkt i studieregistrene etter aktuelle studier i Norden.",
                advice if outcome in (Outcome.STUDY_NORWAY, Outcome.STUDY_ABROAD) else None),
            3: ("Panelet har vurdert off-label behandling med legemidler.",
                advice if outcome is Outcome.OFF_LABEL else None),
            4: ("Pasienten har ikke bedt om vurdering av annen behandling.", None)}
