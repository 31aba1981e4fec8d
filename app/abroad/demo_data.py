"""Demo data for treatment abroad: at each office, applications in every stage (an open one with a
medical opinion due, a grant with its plan and costs, a partial grant at another hospital than the one asked for
and without the companion, a refusal under appeal, appeals dismissed as late, withdrawn and quashed by Klagenemnda,
one concerning a method
Beslutningsforum did not introduce) and a particle-therapy referral, with the papers received for them (a specialist's
statement, invoices, an appeal letter) filed on the cases; and ten years of history before this year
(applications, costs and appeals), imported through the office's own import so the annual reports, lists and
dashboards show real figures. All patients are synthetic."""
from datetime import date, timedelta
from html import escape

from app.abroad import services, synthetic
from app.abroad.commands import (
    AppealWithdrawal,
    BoardDecision,
    Forwarding,
    LateAppealAssessment,
    NewAppeal,
    NewApplication,
    NewCost,
    NewDecision,
    OpinionReceived,
    OpinionRequest,
    PartDecision,
    PgdApproval,
    Reconsideration,
    TreatmentPlan,
)
from app.abroad.forwarding import forward_with_letter
from app.abroad.importing import import_file
from app.abroad.letters import assess_late_with_letter, decide_with_letter, reconsider_with_letter
from app.abroad.models import (
    ApprovingBody,
    BoardOutcome,
    CostCategory,
    Decision,
    DecisionItem,
    ForwardedTo,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.abroad.pgd import record_approval
from app.cases.interface import NewGuardian, add_guardian, get_case
from app.exports import csv_bytes
from app.forms import Upload
from app.pdf import pdf_from_html


def _apply(actor, national_id_for, today: date, *, name: str, born: date, region: str, days_ago: int, icd10: str,
           treatment: str, lives: tuple[str, str, str, str], where: str | None = None,
           stream: Stream = Stream.APPLICATION, treatment_class: TreatmentClass = TreatmentClass.ESTABLISHED,
           method: str | None = None):
    """An application registered through the service; `lives`: street, postal code, postal place and home
    municipality."""
    street, postal_code, postal_place, municipality = lives
    return services.register_application(NewApplication(
        national_id=national_id_for(born), patient_name=name, birth_date=None, municipality=municipality,
        home_region=region, street=street, postal_code=postal_code, postal_place=postal_place,
        stream=stream, received_on=today - timedelta(days=days_ago), applicant="Sykehuslege",
        referring_doctor="Overlege Henrik Henvis", referring_hospital="Henvisende sykehus",
        requested_treatment=treatment, requested_where=where, treatment_class=treatment_class, icd10=icd10,
        method_reference=method), actor=actor, today=today)


def _decide(application, actor, today: date, decision: Decision, days_ago: int, reasoning: str) -> None:
    """Decided as on the decision page: the real letter is rendered and filed."""
    decide_with_letter(get_case(application.case_id), application,
                       NewDecision(decision=decision, decided_on=today - timedelta(days=days_ago),
                                   legal_basis=services.LEGAL_BASIS, reasoning=reasoning), actor=actor, today=today)


def _paper(filename: str, title: str, *lines: str) -> Upload:
    """A received paper as a short PDF (synthetic, like the patients)."""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return Upload(filename, pdf_from_html(f'<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>'
                                          f'{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}'
                                          '</body></html>'))


def load_abroad_demo(hso, vest, midt, national_id_for, today: date) -> int:
    """Register the demo applications through the services; returns the number of cases."""
    north = _apply(hso, national_id_for, today, name="Nils Nordlending", born=date(1992, 11, 2), region="helse-nord",
                   lives=("Storgata 12", "9008", "Tromsø", "5501 Tromsø"),
                   days_ago=12, icd10="O43.0", where="Rigshospitalet, København",
                   treatment="Fetoskopisk laserbehandling av tvilling-til-tvilling transfusjonssyndrom")
    services.request_opinion(north, OpinionRequest(
        requested_from="Fostermedisin, Oslo universitetssykehus",
        question="Er laserbehandling i utlandet nødvendig og forsvarlig?", requested_on=today - timedelta(days=11),
        due_on=today + timedelta(days=10)), actor=hso, today=today)
    protons = _apply(hso, national_id_for, today, name="Kari Nordmann", born=date(1978, 3, 14),
                     lives=("Kirkeveien 5", "0368", "Oslo", "0301 Oslo"),
                     region="helse-sor-ost", days_ago=40, icd10="C71.6", stream=Stream.PARTICLE_THERAPY,
                     treatment="Protonbehandling av hjernesvulst", where="Skandionkliniken, Uppsala")
    services.plan_treatment(protons, TreatmentPlan(
        hospital="Skandionkliniken", country="SE", planned_start=today - timedelta(days=20),
        planned_end=today + timedelta(days=15), travel_arrangements="Fly Oslo–Stockholm, tog",
        stay_arrangements="Pasienthotell", companion="Ektefelle"), expected_version=None, actor=hso)
    services.add_cost(protons, NewCost(entry_date=today - timedelta(days=18), category=CostCategory.TREATMENT,
                                       amount="412000", currency="SEK", exchange_rate="0,9812",
                                       invoice_reference="SK-2026-118",
                                       file=_paper("faktura-SK-2026-118.pdf", "Faktura SK-2026-118",
                                                   "Skandionkliniken, Uppsala", "Protonbehandling: 412 000 SEK")),
                      actor=hso, today=today)
    refused = _apply(hso, national_id_for, today, name="Per Klagesen", born=date(1960, 4, 4), region="helse-sor-ost",
                     lives=("Parkveien 3", "3015", "Drammen", "3301 Drammen"),
                     days_ago=70, icd10="M54.5", where="Privatklinikk i Tyskland",
                     treatment="Endoskopisk ryggkirurgi", treatment_class=TreatmentClass.EXPERIMENTAL)
    _decide(refused, hso, today, Decision.DENIED, 50, "Det finnes et forsvarlig tilbud i Norge.")
    appeal = services.register_appeal(refused, NewAppeal(
        received_on=today - timedelta(days=35), notified_on=today - timedelta(days=48),
        grounds="Pasienten mener tilbudet i Norge ikke er godt nok.",
        file=_paper("klage.pdf", "Klage på vedtak", "Jeg klager på avslaget om endoskopisk ryggkirurgi.",
                    "Tilbudet i Norge har ikke hjulpet meg.")), actor=hso, today=today)
    reconsider_with_letter(get_case(appeal.case_id), appeal, Reconsideration(
        outcome=OfficeOutcome.FORWARDED, decided_on=today - timedelta(days=25),
        reasoning="Kontoret opprettholder avslaget."), actor=hso, today=today)
    _apply(hso, national_id_for, today, name="Mette Metode", born=date(1966, 8, 19), region="helse-sor-ost",
           lives=("Granveien 21", "2317", "Hamar", "3403 Hamar"),
           days_ago=6, icd10="C56", treatment="Demolegemiddel X", where="Universitetsklinik i Tyskland",
           method="ID2024_090")

    vigdis = _apply(vest, national_id_for, today, name="Vigdis Vestlending", born=date(1990, 6, 21),
                    lives=("Fjordgata 8", "5003", "Bergen", "4601 Bergen"),
                    region="helse-vest", days_ago=20, icd10="G40.9", where="HUS, Helsingfors",
                    treatment="MEG-utredning før epilepsikirurgi")
    services.request_opinion(vigdis, OpinionRequest(
        requested_from="Nevrologisk avdeling, Haukeland", question="Er MEG nødvendig?",
        requested_on=today - timedelta(days=18), due_on=today - timedelta(days=3)), actor=vest,
        today=today - timedelta(days=18))
    pgd = _apply(vest, national_id_for, today, name="Ola Bergen", born=date(1989, 1, 30), region="helse-vest",
                 lives=("Solbakken 4", "4006", "Stavanger", "1103 Stavanger"),
                 days_ago=90, icd10="Z31.4", stream=Stream.PGD, where="Karolinska universitetssjukhuset",
                 treatment="Preimplantasjonsdiagnostikk")
    opinion = services.request_opinion(pgd, OpinionRequest(
        requested_from="Medisinsk genetikk, Haukeland", question="Er PGD medisinsk begrunnet?",
        requested_on=today - timedelta(days=88), due_on=today - timedelta(days=74)), actor=vest,
        today=today - timedelta(days=88))
    services.record_opinion(opinion, OpinionReceived(
        received_on=today - timedelta(days=84), conclusion="PGD anbefales.",
        file=_paper("uttalelse-genetikk.pdf", "Medisinsk uttalelse", "Medisinsk genetikk, Haukeland",
                    "PGD er medisinsk begrunnet og anbefales.")), actor=vest, today=today)
    record_approval(pgd, PgdApproval(decision=Decision.GRANTED, decided_on=today - timedelta(days=80),
                                     approving_body=ApprovingBody.OUS, approval_reference="OUS-PGD-2026-14"),
                    actor=vest, today=today)
    services.plan_treatment(pgd, TreatmentPlan(
        hospital="Karolinska universitetssjukhuset", country="SE", planned_start=today - timedelta(days=60),
        planned_end=today - timedelta(days=55), travel_arrangements="Fly Bergen–Stockholm",
        stay_arrangements="Hotell"), expected_version=None, actor=vest)
    services.add_cost(pgd, NewCost(entry_date=today - timedelta(days=50), category=CostCategory.TREATMENT,
                                   amount="98000", currency="SEK", exchange_rate="0,9812", invoice_reference="KS-55"),
                      actor=vest, today=today)
    services.add_cost(pgd, NewCost(entry_date=today - timedelta(days=58), category=CostCategory.TRAVEL,
                                   amount="6400", currency="NOK"), actor=vest, today=today)

    for name, born, received, notified in (("Lars Lunde", date(1958, 2, 12), 20, 38),      # on time: at the office
                                           ("Kåre Sen", date(1949, 12, 1), 5, 38)):       # late: needs § 31
        refusal = _apply(vest, national_id_for, today, name=name, born=born, region="helse-vest", days_ago=60,
                         lives=("Skolegata 2", "5527", "Haugesund", "1106 Haugesund"),
                         icd10="I25.1", where="Klinikk i Tyskland", treatment="Ny kateterbasert behandling",
                         treatment_class=TreatmentClass.TRIAL)
        _decide(refusal, vest, today, Decision.DENIED, 40, "Behandlingen er utprøvende og dekkes ikke av ordningen.")
        services.register_appeal(refusal, NewAppeal(received_on=today - timedelta(days=received),
                                                    notified_on=today - timedelta(days=notified),
                                                    grounds="Ønsker behandlingen."), actor=vest, today=today)

    _appeal_outcomes(midt, national_id_for, today)

    child = _apply(midt, national_id_for, today, name="Ingrid Trønder", born=date(2010, 9, 9),
                   region="helse-midt-norge", lives=("Elvegata 17", "7010", "Trondheim", "5001 Trondheim"),
                   days_ago=8, icd10="G80.1", where="Great Ormond Street Hospital, London",
                   treatment="Selektiv dorsal rhizotomi (SDR) ved cerebral parese")
    for guardian in ("Siv Trønder", "Odd Trønder"):      # a child's letters go to the guardians
        add_guardian(get_case(child.case_id), NewGuardian(
            name=guardian, street="Elvegata 17", postal_code="7010", postal_place="Trondheim",
            valid_from=date(2010, 9, 9)), actor=midt)
    eea = _apply(hso, national_id_for, today, name="Eva Europa", born=date(1975, 3, 14), region="helse-sor-ost",
                 lives=("Torggata 5", "1530", "Moss", "3103 Moss"), days_ago=15, icd10="M17.1",
                 where="Privatklinikk i Spania", treatment="Kneprotese, operert i Spania i fjor")
    forward_with_letter(get_case(eea.case_id), eea, Forwarding(
        forwarded_to=ForwardedTo.HELFO_EEA_REFUND, forwarded_on=today - timedelta(days=10),
        reason="Behandlingen er gitt i et annet EØS-land, og du ber om å få dekket utgiftene i etterkant."),
        actor=hso, today=today)
    _apply(vest, national_id_for, today, name="Rune Refusjon", born=date(1982, 7, 7), region="helse-vest",
           lives=("Kaien 1", "5003", "Bergen", "4601 Bergen"), days_ago=4, icd10="O43.0", stream=Stream.REFUND,
           where="Rigshospitalet, København", treatment="Refusjon av akutt fostermedisinsk behandling")
    partly = _apply(hso, national_id_for, today, name="Sara Sørlending", born=date(1984, 5, 17),
                    region="helse-sor-ost", lives=("Strandveien 9", "3210", "Sandefjord", "3907 Sandefjord"),
                    days_ago=45, icd10="Q21.1", where="Universitätsklinikum Hamburg-Eppendorf",
                    treatment="Kateterbasert lukking av atrieseptumdefekt med ny tetningsanordning")
    decide_with_letter(get_case(partly.case_id), partly, NewDecision(
        decision=Decision.PARTIAL, decided_on=today - timedelta(days=30), legal_basis=services.LEGAL_BASIS,
        reasoning="Behandlingen tilbys ikke i Norge.", parts=(
            PartDecision(item=DecisionItem.TREATMENT, granted=True),
            PartDecision(item=DecisionItem.TRAVEL, granted=True),
            PartDecision(item=DecisionItem.HOSPITAL, granted=False, instead_hospital="Rigshospitalet",
                         reason="Rigshospitalet gir den samme behandlingen, og kontoret har avtale med sykehuset."),
            PartDecision(item=DecisionItem.COMPANION, granted=False,
                         reason="Du er voksen, og det er ikke opplyst at du trenger hjelp på reisen."))),
        actor=hso, today=today)
    return 21   # fifteen applications and referrals (one forwarded, one refund, one partly granted), six appeals


def _appeal_outcomes(midt, national_id_for, today: date) -> None:
    """At Helse Midt-Norge: a late complaint dismissed by the office with its decision letter, one the patient
    withdrew while it was with Klagenemnda, and one where the board quashed the refusal and sent it back (the
    application is open again, with a deadline for the new decision)."""
    patients = (("Sverre Sen", date(1955, 5, 5), "Nordre gate 3", "7011"),
                ("Tove Trekk", date(1968, 8, 8), "Olav Tryggvasons gate 20", "7011"),
                ("Oline Opphevet", date(1980, 1, 20), "Kongens gate 9", "7012"))
    refusals = []
    for name, born, street, postal_code in patients:
        refusal = _apply(midt, national_id_for, today, name=name, born=born, region="helse-midt-norge", days_ago=120,
                         lives=(street, postal_code, "Trondheim", "5001 Trondheim"), icd10="M17.1",
                         where="Privatklinikk i Tyskland", treatment="Kneprotese med ny metode")
        _decide(refusal, midt, today, Decision.DENIED, 100, "Det finnes et forsvarlig tilbud i Norge.")
        refusals.append(refusal)
    late, withdrawn, quashed = (services.register_appeal(refusal, NewAppeal(
        received_on=today - timedelta(days=received), notified_on=today - timedelta(days=97),
        grounds="Pasienten ønsker behandlingen i Tyskland."), actor=midt, today=today)
        for refusal, received in zip(refusals, (40, 80, 85), strict=True))
    assess_late_with_letter(get_case(late.case_id), late, LateAppealAssessment(
        consider=False, decided_on=today - timedelta(days=30),
        assessment="Klagen kom seks uker etter fristen, og pasienten har ikke oppgitt grunner til forsinkelsen."),
        actor=midt, today=today)
    for appeal in (withdrawn, quashed):
        reconsider_with_letter(get_case(appeal.case_id), appeal, Reconsideration(
            outcome=OfficeOutcome.FORWARDED, decided_on=today - timedelta(days=70),
            reasoning="Kontoret opprettholder avslaget."), actor=midt, today=today)
    services.withdraw_appeal(withdrawn, AppealWithdrawal(withdrawn_on=today - timedelta(days=20)), actor=midt,
                             today=today)
    services.record_board_decision(quashed, BoardDecision(
        outcome=BoardOutcome.QUASHED, decided_on=today - timedelta(days=10), board_reference="KN-DEMO-3",
        summary="Saken er ikke godt nok opplyst: kontoret må innhente uttalelse fra ortopedisk fagmiljø.",
        new_decision_due_on=today + timedelta(days=30)), actor=midt, today=today)


HISTORY_YEARS = 10
# Applications a year at each office (the national total is about 150 in the history).
HISTORY_PER_YEAR = {"helse-sor-ost": 90, "helse-vest": 35, "helse-midt-norge": 25}


def load_abroad_history(caseworkers: dict, national_id_for, today: date) -> int:
    """Each office's history from 1 January ten years back to 31 December last year, imported as the office
    would import its own records (applications, then their costs, then the appeals); returns the number of
    cases. The data is made from a fixed seed, so every demo shows the same figures."""
    first, last = date(today.year - HISTORY_YEARS, 1, 1), date(today.year - 1, 12, 31)
    cases = 0
    for office, per_year in HISTORY_PER_YEAR.items():
        made = synthetic.history(office, first, last, per_year, national_id_for=national_id_for)
        for kind, rows in (("applications", made.applications), ("costs", made.costs), ("appeals", made.appeals)):
            data = csv_bytes(list(rows[0]), [list(row.values()) for row in rows])
            result = import_file(kind, data, f"historikk-{kind}.csv", actor=caseworkers[office], today=today)
            if not result.ok:
                raise RuntimeError(f"the demo history of {office} ({kind}) was refused: {result.errors[:3]}")
        cases += len(made.applications) + len(made.appeals)
    return cases

