"""Demo data for Nye Metoder modelled on published cases: ID2025_102's suitability assessment (endoscopic
spine surgery), the earlier proposal ID2018_084, and the robot-surgery methods with Beslutningsforum's decision
of 17 March 2025, its amendment of 28 April 2025 and the inter-regional working group (covering the three
methods, approved by the medical directors' meeting on 28 April 2025) due 1 November 2025."""
import random
from datetime import date, timedelta

from sqlalchemy import select

from app.cases.interface import attach_document, get_case
from app.extensions import db
from app.methods import assessment_services, meeting_papers, services, working_groups
from app.methods.assessment_services import AssessmentChanges, ReferenceRow, TrialRow
from app.methods.commands import (
    MethodDetails,
    NewAgendaItem,
    NewFollowUp,
    NewForumDecision,
    NewMeeting,
    NewMember,
    NewMethod,
    NewOrderingDecision,
    NewReport,
    NewSubmission,
    ReportAnswers,
    ReportQuestion,
    StatusChange,
    WorkingGroupDetails,
)
from app.methods.models import (
    DecidedBy,
    DecisionOutcome,
    Forum,
    Meeting,
    MeetingPaperKind,
    MemberRole,
    MethodStatus,
    MethodType,
    NominatingBody,
    OrderingKind,
    SubmissionKind,
)

ID2025_102_ASSESSMENT = {
    "author_body": "FHI",
    "document_version": "1.0",
    "summary": (
        "Metodeforslag er innsendt fra Ortopedisk avdeling ved Sykehuset Telemark, og omhandler bruk av endoskopisk "
        "prosedyre ved ryggkirurgi, som behandling av f.eks. skiveprolaps og foraminal og sentral spinal stenose. "
        "Metoden er en minimalt invasiv kirurgisk metode (kikkhullskirurgi) der man opererer gjennom et endoskop med "
        "integrert kamera og lys. Ifølge forslagsstiller har denne metoden flere fordeler sammenliknet med standard "
        "metode (mikroskopisk teknikk), inkludert kortere operasjonstid og liggetid, og lavere komplikasjonsrate. "
        "Metoden krever imidlertid mye opplæring for å mestres, og forslagsstiller foreslår en sentralisering."),
    "pico_population": "Personer med 1) skiveprolaps eller 2) spinal stenose (foramen eller sentral)",
    "pico_comparator": "Standard behandling, mikrokirurgisk prosedyre",
    "pico_intervention": "Ryggkirurgi med bruk av endoskopisk utstyr (kikkhullsoperasjon)",
    "pico_outcome": ("Operasjonstid, sykehusopphold, blodtap, postoperative infeksjoner, smertescore, uønskede "
                     "hendelser, komplikasjonsrate og fysisk funksjon"),
    "suggested_experts": "Ortopeder, nevrokirurger",
    "approvals": ["ce"],
    "approval_comment": "",
    "financing": ["spesialisthelsetjenesten"],
    "usage_stage": ["under_innforing"],
    "usage_comment": "",
    "usage_scope": ["brukes_i_norge"],
    "recommendation": 1,
    "recommended_aspects": ["effekt", "sikkerhet", "helseokonomi", "organisasjon", "etikk"],
    "recommendation_comment": (
        "Dersom det ønskes en nasjonal vurdering av metoden, virker det mest hensiktsmessig med fullstendig "
        "metodevurdering av effekt, sikkerhet og kostnader knyttet til selve prosedyren (f.eks. endoskopisk prosedyre "
        "vs. mikrokirurgisk teknikk). Det bør i så fall inkluderes et eget kapittel som utreder og beskriver "
        "organisatoriske konsekvenser og etiske aspekter ved en eventuell innføring av metoden, i tett dialog med det "
        "kliniske fagmiljøet."),
    "points_method": (
        "• Metoden omhandler endoskopisk prosedyre ved ryggkirurgi som behandling av f.eks. skiveprolaps og foraminal "
        "og sentral spinal stenose.\n• Endoskopisk kirurgi (kikkhullskirurgi) er en minimalt invasiv kirurgisk metode "
        "der man opererer gjennom et endoskop med integrert kamera og lys.\n• Potensielle fordeler: mindre innsnitt i "
        "huden, kortere operasjonstid, kortere liggetid, mindre blodtap, forbedring av funksjonelt utfall, færre "
        "infeksjoner, færre durarifter og lavere komplikasjonsrate.\n• Potensiell risiko: mer avfall, mer "
        "engangsutstyr som gir høyere kostnader, og i noen tilfeller økt bruk av intraoperativ stråling.\n"
        "• Pasientpopulasjon: potensielt opp mot ca. 5000 og 1000 pasienter per år (ca. 70-80 % av alle rygg- og "
        "nakkekirurgiske inngrep).\n• Metoden er innført ved enkelte sykehus i Norge."),
    "points_documentation": (
        "• Det er gjennomført en mini-metodevurdering av metoden, utarbeidet av forslagsstiller ved Sykehuset "
        "Telemark.\n• Vi har identifisert 4 metodevurderinger som omhandler endoskopisk ryggkirurgi.\n• Vi har "
        "identifisert 23 systematiske oversikter og metaanalyser (2022-2025) som har sammenliknet endoskopisk og "
        "(standard) mikroskopisk ryggkirurgi. Flere av disse er basert på RCTer."),
    "points_health_economics": (
        "• Investeringskostnader: betydelige initiale investeringer i utstyr, anslått til 2,5–3 millioner kroner per "
        "sykehus, pluss opplæringskostnader.\n• Forbruksmateriell: behov for mer engangsutstyr.\n• Operasjonstid: kan "
        "være lengre i oppstartsfasen.\n• Liggetid og rehabilitering: ofte kortere liggetid, men økt risiko for "
        "nerveskader.\n• En full økonomisk evaluering er nødvendig for å avgjøre om metoden er kostnadseffektiv som "
        "rutinebehandling i Norge."),
    "points_recommendation": (
        "• Dersom det ønskes en nasjonal vurdering, virker det mest hensiktsmessig å gjøre en fullstendig "
        "metodevurdering av effekt, sikkerhet og kostnader knyttet til selve prosedyren.\n• Begrunnelse: 1) metoden er "
        "tidligere foreslått (ID2018_084) uten at det ble gitt oppdrag, 2) det foreligger en mini-metodevurdering, "
        "3) det finnes flere produsenter med CE-merket utstyr, 4) det virker å foreligge mye evidens, bl.a. RCTer, "
        "5) innføring vil kreve større organisatoriske tilpasninger, økt personellbruk og høye kostnader, 6) det "
        "kreves omfattende opplæring, og 7) metoden er delvis innført ved enkelte sykehus, hovedsakelig i Helse "
        "Sør-Øst, som gir ulik tilgang."),
    "links": "https://www.nyemetoder.no/metoder/artroskopisk-ryggkirurgi-kikkhullskirurgi/",
    "description_principle": (
        "Endoskopisk kirurgi, eller kikkhullskirurgi, er en minimalt invasiv kirurgisk metode der man opererer gjennom "
        "et lite snitt i huden (ca. 8 mm) ved hjelp av et endoskop. Ifølge forslagsstiller har 10 av 42 "
        "ryggkirurgiske avdelinger forsøkt og/eller innført metoden. Nasjonalt kvalitetsregister for ryggkirurgi "
        "registrerte 82 endoskopiske ryggoperasjoner og 33 endoskopiske nakkeoperasjoner i 2024."),
    "description_benefit": (
        "Mindre operasjonsinnsnitt, kortere operasjonstid, kortere liggetid, mindre blodtap, forbedring av "
        "funksjonelt utfall, færre infeksjoner, færre durarifter og lavere komplikasjonsrate. Registeret oppgir "
        "imidlertid ca. 30 minutter lengre operasjonstid enn ved konvensjonell mikrokirurgi."),
    "description_safety": (
        "Økt bruk av intraoperativ stråling ved transforaminal tilgang, mer avfall og høyere kostnader grunnet mer "
        "engangsutstyr. Høyere antall nerveskader særlig i oppstartsfasen med uerfaren kirurg; forslagsstiller "
        "foreslår sentralisering til regionsenter."),
    "description_population": (
        "Aktuell for personer med skiveprolaps og foraminal og sentral spinal stenose. I 2024 ble det gjennomført "
        "6886 og 1375 operasjoner for henholdsvis degenerative rygglidelser og nakkelidelser; ca. 70-80 % kan på sikt "
        "gjøres endoskopisk, tilsvarende ca. 5000 og 1000 pasienter per år."),
    "description_current_treatment": (
        "Mikrokirurgisk teknikk ved kirurgisk behandling av både spinal stenose og skiveprolaps, med mikroskop "
        "gjennom små (2-4 mm) snitt i huden under generell anestesi."),
    "description_health_economics": (
        "Investeringskostnader på 2,5–3 millioner kroner per sykehus, kostnader til forbruksmateriell, operasjonstid, "
        "liggetid og rehabilitering må analyseres. En systematisk oversikt (Golan et al. 2023) fant at endoskopisk "
        "ryggkirurgi ser ut til å være helseøkonomisk minst like god som tradisjonell kirurgi."),
    "relevant_studies": (
        "Vi har ikke gjort eget orienterende søk etter kliniske primærstudier, men har identifisert tre ferdigstilte "
        "randomiserte kontrollerte studier (RCT) som omhandler endoskopisk ryggkirurgi."),
    "hta_national": (
        "Vi har ikke identifisert noen nasjonale metodevurderinger, men en relevant mini-metodevurdering utarbeidet "
        "av forslagsstiller ved Sykehuset Telemark."),
    "hta_international": (
        "Fire relevante metodevurderinger: én fra Argentina 2020 og tre «interventional procedures guidance» fra NICE "
        "i Storbritannia fra 2016. 23 systematiske oversikter og metaanalyser (2022-2025)."),
    "systematic_reviews_count": 23,
    "method_alerts": (
        "Ingen relevante metodevarsler. Tidligere metodeforslag og egnethetsvurdering fra 2018 om artroskopisk "
        "ryggkirurgi (ID2018_084); Bestillerforum bestilte ikke nasjonal vurdering og viste til mini-metodevurdering."),
}

# Three of the sources S2 cites (its [15], [20] and [53]), numbered here as this shorter list has them; the texts
# cite them once the list exists (the citations are checked against it).
ID2025_102_REFERENCES = [
    ReferenceRow("Nasjonalt kvalitetsregister for ryggkirurgi (NKR). Årsrapport for 2024."),
    ReferenceRow("Golan et al. Helseøkonomiske vurderinger av endoskopisk ryggkirurgi: en systematisk oversikt. "
                 "2023."),
    ReferenceRow("Nye Metoder. ID2018_084 Artroskopisk ryggkirurgi (kikkhullskirurgi) ved lumbal skiveprolaps og "
                 "stenose: metodeforslag og egnethetsvurdering. 2018.",
                 "https://www.nyemetoder.no/metoder/artroskopisk-ryggkirurgi-kikkhullskirurgi/"),
]
ID2025_102_CITING = {
    "description_principle": ID2025_102_ASSESSMENT["description_principle"].replace(" i 2024.", " i 2024 [1]."),
    "description_health_economics": ID2025_102_ASSESSMENT["description_health_economics"].replace(
        "(Golan et al. 2023)", "(Golan et al. 2023) [2]"),
    "method_alerts": ID2025_102_ASSESSMENT["method_alerts"].replace("(ID2018_084);", "(ID2018_084) [3];"),
}

ID2025_102_TRIALS = [
    {"population": "Lumbar stenose", "participants": 324,
     "intervention": "Arm 1: Endo-Surgi Plus endoskopisk kirurgi; Arm 2: unilateral biportal endoskopisk kirurgi",
     "control": "Arm 3: Mikrodiskektomi", "main_outcome": "Oswestry Disability Index score",
     "registry_id": "NCT06719037", "country": "Kina", "estimated_completion": "09.2025",
     "recruitment_status": "Recruiting"},
    {"population": "18-85 år, isjas", "participants": 220,
     "intervention": ("Arm 1: Transforaminal endoskopisk lumbar diskektomi; Arm 2: interlaminar endoskopisk lumbar "
                      "diskektomi"),
     "control": "Arm 3: Mikrodiskektomi", "main_outcome": "Endring i smerteintensitet i rygg og bein (VAS score)",
     "registry_id": "NCT06615518", "country": "Polen", "estimated_completion": "12.2025",
     "recruitment_status": "Active, not recruiting"},
    {"population": ">40 år, degenerativ lumbar stenose", "participants": 52,
     "intervention": "Arm 1: Endoskopisk biportal dekompresjon", "control": "Arm 2: Mikroskopisk dekompresjon",
     "main_outcome": "Oswestry Disability Index score", "registry_id": "NCT06381167", "country": "Egypt",
     "estimated_completion": "10.2027", "recruitment_status": "Not yet recruiting"},
    {"population": "18-80 år, degenerativ sykdom i korsrygg", "participants": 4000,
     "intervention": "Ryggkirurgi, alle typer", "control": "Ingen",
     "main_outcome": "Core Outcome Measures Back Index score",
     "registry_id": "NCT05963815", "country": "Nederland", "estimated_completion": "2030",
     "recruitment_status": "Recruiting"},
]

S1_DECISION_PREAMBLE = (
    "Det er behov for en nasjonal strategisk tilnærming for bruk av eksisterende kirurgiske operasjonsroboter i "
    "spesialisthelsetjenesten i Norge samt en samordnet strategi for innkjøp og lokalisering av nye "
    "operasjonsroboter.")
S1_DECISION_POINTS = [
    "Robotassistert kirurgi kan fortsatt brukes til kirurgisk behandling av kreft i prostata, rektum eller livmor.",
    ("Det er nødvendig at sykehus som bruker robotassistert kirurgi har et tilstrekkelig pasientvolum innen "
     "prostatakirurgi, rektumkirurgi og/eller hysterektomi grunnet kreftsykdom, for å sørge for at robotkapasiteten "
     "brukes hovedsakelig til de tre tilstander som er metodevurdert."),
    ("Bruk av robotassistert kirurgi på andre områder enn prostata, rektum eller livmor bør, inntil dokumentasjon på "
     "positiv effekt foreligger, begrenses til universitetssykehus for å kunne drive fagutvikling innen områder med "
     "begrenset pasientvolum."),
    ("Fagdirektørene i de regionale helseforetakene bes følge opp beslutningen som del av oppdraget med revurdering "
     "av behandlingsmetoder, spesielt med tanke på at robotassistert kirurgi har konsekvenser for organisering, "
     "beredskap og ressursbruk i sykehus. Helseforetakene skal følge med på komplikasjonsraten (robotassistert "
     "kirurgi sett opp mot vanlig kirurgi)."),
    ("Fagdirektørene oppnevner en interregional arbeidsgruppe som skal utarbeide en strategisk plan som dekker disse "
     "forholdene, blant annet behov for ytterligere metodevurderinger, kapasitet og breddekompetanse. Inntil denne "
     "foreligger bør regionene vurdere behovet for innkjøp av nye operasjonsroboter. Arbeidsgruppen rapporterer til "
     "interregionalt fagdirektørmøte."),
]
S1_AMENDED_POINTS = [
    ("Fagdirektørene i de regionale helseforetakene oppnevner en interregional arbeidsgruppe som skal utarbeide et "
     "utkast til nasjonal strategisk tilnærming for bruk av kirurgiske operasjonsroboter. Planen skal blant annet "
     "dekke behov for ytterligere metodevurderinger og samlet kapasitet samt betydning for organisering, "
     "ressursbruk, breddekompetanse og vaktberedskap. Arbeidsgruppen rapporterer til interregionalt "
     "fagdirektørmøte."),
    ("Anskaffelser av nye kirurgiske roboter utenfor universitetssykehusene bør inntil den strategiske tilnærmingen "
     "er besluttet, begrenses til sykehus som har et tilstrekkelig pasientvolum innen kirurgisk behandling av kreft "
     "i prostata, rektum eller livmor."),
    ("Fagdirektørene bes følge opp beslutningen som del av oppdraget med revurdering av behandlingsmetoder, samt "
     "følge med på komplikasjonsraten (robotassistert kirurgi sett opp mot vanlig kirurgi)."),
]
S1_WORKING_GROUP_MEMBERS = [
    {"name": "Regional fagdirektør Helse Midt-Norge RHF", "role": "leder"},
    {"name": "Kirurg, gastrokirurgi", "role": "medlem"}, {"name": "Kirurg, urologi", "role": "medlem"},
    {"name": "Kirurg, torakskirurgi", "role": "medlem"}, {"name": "Kirurg, gynekologi", "role": "medlem"},
    {"name": "To kirurger med overordnet driftsansvar", "role": "medlem"},
    {"name": "Traumekirurg", "role": "medlem"},
    {"name": "Person med metodisk erfaring fra utprøving og innføring av nye kirurgiske metoder", "role": "medlem"},
    {"name": "Person med særskilt kompetanse i metodevurderinger", "role": "medlem"},
    {"name": "Konserntillitsvalgt", "role": "medlem"}, {"name": "Brukerrepresentant", "role": "medlem"},
]
S1_MANDATE_QUESTIONS = [
    "Evt. behov for ytterligere metodevurderinger", "Samlet kapasitetsbehov", "Betydning for organisering",
    "Betydning for ressursbruk", "Påvirkning av breddekompetanse", "Påvirkning av vaktberedskap",
]
S1_REPORTS = {
    "Robotassistert prostatektomi": ["ID2022_131_Robotassistert prostatektomi ved prostatakreft",
                                     "ID2022_131_Helseøkonomisk evaluering: kostnadseffektivitet av robotassistert "
                                     "kirurgi ved prostatakreft"],
    "Robotassistert hysterektomi": ["ID2022_132_Robotassistert hysterektomi",
                                    "ID2022_132_Robotassistert hysterektomi ved benigne indikasjoner"],
    "Robotassistert rektumreseksjon": ["ID2022_133_Robotassistert rektumreseksjon ved endetarmskreft"],
}


S1_MINUTES = ("Rapportene ble behandlet i Beslutningsforum 17.3.25, sak 031-2025: ID2022_131 Robotassistert "
              "prostatektomi ved prostatakreft, ID2022_132 Robotassistert hysterektomi og ID2022_133 Robotassistert "
              "rektumreseksjon ved endetarmskreft.\n\nBeslutningsforum fattet én beslutning for de tre metodene.")


def load_methods_demo(secretary, today: date) -> int:
    """Register the methods modelled on published cases and ten years of history through the services, as the
    secretariat would; returns how many."""
    earlier = services.register_method(NewMethod(
        reference="ID2018_084",
        details=MethodDetails(title="Artroskopisk ryggkirurgi (kikkhullskirurgi) ved lumbal skiveprolaps og stenose",
                              method_type=MethodType.PROCEDURE,
                              subject_areas=("Muskel-, skjelett- og bindevevssykdommer",)),
        submission=NewSubmission(kind=SubmissionKind.PROPOSAL, organisation="Helseforetak",
                                 received_on=date(2018, 6, 4))), actor=secretary)
    meeting_2018 = services.create_meeting(NewMeeting(
        forum=Forum.BESTILLERFORUM, meeting_date=date(2018, 10, 22), proposal_deadline=date(2018, 8, 20),
        input_deadline=date(2018, 10, 8)), actor=secretary)
    item = services.add_agenda_item(meeting_2018, NewAgendaItem((earlier.reference,)), actor=secretary)
    services.record_ordering_decision(earlier, NewOrderingDecision(
        agenda_item_id=item.id, kind=OrderingKind.MINI_HTA_LOCAL, decided_on=meeting_2018.meeting_date,
        reasoning="Bestillerforum så ikke hensikten med nasjonal metodevurdering og viste til mini-metodevurdering."),
        actor=secretary)

    endoscopy = services.register_method(NewMethod(
        reference="ID2025_102", earlier_reference="ID2018_084",
        details=MethodDetails(
            title="Endoskopisk ryggkirurgisk prosedyre", method_type=MethodType.PROCEDURE,
            subject_areas=("Muskel-, skjelett- og bindevevssykdommer", "Nevrologi"),
            generic_name="Kirurgisk utstyr for endoskopisk ryggkirurgi",
            product_names="Flere, RIWOspine, Joimax® Endoscopes, MaxMore, Artrex",
            manufacturers=("Flere, f.eks. RIWOspine (Tyskland), Ortomedic Joimax (Tyskland), MaxMoreSpine (Hoogland "
                           "Spine Products; Tyskland), Arthrex (USA), Unintech (Tyskland), KARL STORZ (Tyskland), "
                           "Nexon medical (Sveits), Elliquence (USA), JAYON IMPLANTS (India)"),
            indication="Skiveprolaps og foraminal og sentral spinal stenose"),
        submission=NewSubmission(kind=SubmissionKind.PROPOSAL, organisation="Sykehuset Telemark",
                                 department="Ortopedisk avdeling", received_on=date(2025, 3, 3))), actor=secretary)
    assessment = assessment_services.save_assessment(
        endoscopy, AssessmentChanges(**ID2025_102_ASSESSMENT), expected_version=None, actor=secretary)
    for trial in ID2025_102_TRIALS:
        assessment_services.add_trial(assessment, TrialRow(**trial), actor=secretary)
    for row in ID2025_102_REFERENCES:
        assessment_services.add_reference(assessment, row, actor=secretary)
    assessment_services.save_assessment(endoscopy, AssessmentChanges(**ID2025_102_CITING),
                                        expected_version=assessment.version, actor=secretary)

    _load_robot_surgery(secretary)
    _load_not_introduced(secretary)
    return 6 + load_methods_history(secretary, today)


def _meeting(forum: Forum, day: date, secretary):
    return services.create_meeting(NewMeeting(forum=forum, meeting_date=day), actor=secretary)


def _agenda_item(meeting, method, secretary, number: int | None = None):
    return services.add_agenda_item(meeting, NewAgendaItem((method.reference,), number=number), actor=secretary)


def _load_not_introduced(secretary) -> None:
    """A drug Beslutningsforum decided not to introduce (demo data, not a real decision): the expert
    panel may not recommend it, only mention it with reference to the exception scheme."""
    method = services.register_method(NewMethod(
        reference="ID2024_090",
        details=MethodDetails(
            title="Demolegemiddel X ved residiverende eggstokkreft (demodata)", method_type=MethodType.DRUG,
            subject_areas=("Kreftsykdommer",), generic_name="demomab", atc_code="L01FX", product_names="Demoxa",
            indication="Residiverende eggstokkreft etter minst to tidligere behandlingslinjer"),
        submission=NewSubmission(kind=SubmissionKind.REQUEST, organisation="Demo Pharma AS",
                                 received_on=date(2024, 5, 2))), actor=secretary)
    ordering = _meeting(Forum.BESTILLERFORUM, date(2024, 6, 17), secretary)
    services.record_ordering_decision(method, NewOrderingDecision(
        agenda_item_id=_agenda_item(ordering, method, secretary).id, kind=OrderingKind.SINGLE_TECHNOLOGY,
        decided_on=ordering.meeting_date, assessing_body="DMP"), actor=secretary)
    # Registered after Bestillerforum's decision, so it is published (the public page's PDF) from its meeting.
    assessment_services.save_assessment(method, AssessmentChanges(
        author_body="DMP", summary="Demolegemiddel X er et monoklonalt antistoff mot residiverende eggstokkreft "
                                   "(demodata). Leverandøren har sendt anmodning om metodevurdering.",
        pico_population="Kvinner med residiverende eggstokkreft etter minst to behandlingslinjer",
        pico_comparator="Kjemoterapi etter legens valg", pico_intervention="Demolegemiddel X",
        pico_outcome="Totaloverlevelse, progresjonsfri overlevelse, livskvalitet",
        suggested_experts="Demo Fagekspert, Demosykehuset (demodata: vises ikke offentlig)",
        recommendation=2), expected_version=None, actor=secretary)
    # The public version of the report (no prices), so the public page offers its file.
    public_version = attach_document(get_case(method.case_id), title="Metodevurdering, offentlig versjon",
                                     filename="metodevurdering-demolegemiddel-x.txt", actor=secretary,
                                     content=b"Metodevurdering av Demolegemiddel X, offentlig versjon uten priser "
                                             b"(demodata).\n")
    services.add_report(method.commissions[-1], NewReport(title="Metodevurdering av Demolegemiddel X (demodata)",
                                                          delivered_on=date(2025, 4, 1), document_id=public_version.id,
                                                          published=True), actor=secretary)
    decision_meeting = _meeting(Forum.BESLUTNINGSFORUM, date(2025, 6, 16), secretary)
    services.record_forum_decision(method, NewForumDecision(
        decided_by=DecidedBy.BESLUTNINGSFORUM, decided_on=decision_meeting.meeting_date,
        outcome=DecisionOutcome.NOT_INTRODUCED,
        points=("Demolegemiddel X innføres ikke til behandling av residiverende eggstokkreft.",
                "Dokumentert nytte står ikke i rimelig forhold til kostnadene."),
        agenda_item_id=_agenda_item(decision_meeting, method, secretary).id), actor=secretary)


def _load_robot_surgery(secretary) -> None:
    """S1: Bestillerforum commissions the three reports in one item; Beslutningsforum decides on all three
    methods together in «Sak 031-2025» on 17.3.25, and the item is taken up again on 28.4.25, where the
    decision is amended."""
    methods = [services.register_method(NewMethod(
        reference=f"ID2022_{number}",
        details=MethodDetails(title=title, method_type=MethodType.PROCEDURE, subject_areas=("Kreftsykdommer",),
                              generic_name="Robotassistert kirurgi"),
        submission=NewSubmission(kind=SubmissionKind.PROPOSAL, organisation="Bestillerforum for nye metoder",
                                 received_on=date(2022, 9, 1))), actor=secretary)
        for number, title in enumerate(S1_REPORTS, start=131)]
    references = tuple(method.reference for method in methods)
    ordering = _meeting(Forum.BESTILLERFORUM, date(2022, 10, 24), secretary)
    services.record_ordering_decision(methods[0], NewOrderingDecision(
        agenda_item_id=services.add_agenda_item(ordering, NewAgendaItem(
            references, title="Robotassistert kirurgi: prostatektomi, hysterektomi og rektumreseksjon"),
            actor=secretary).id,
        kind=OrderingKind.FULL_HTA, decided_on=ordering.meeting_date, assessing_body="FHI",
        aspects=("effekt", "sikkerhet", "helseokonomi", "organisasjon"), whole_item=True), actor=secretary)
    for method, reports in zip(methods, S1_REPORTS.values(), strict=True):
        for report in reports:
            services.add_report(method.commissions[-1], NewReport(title=report, delivered_on=date(2025, 1, 15)),
                                actor=secretary)
    march = _meeting(Forum.BESLUTNINGSFORUM, date(2025, 3, 17), secretary)
    march_item = services.add_agenda_item(march, NewAgendaItem(
        references, number=31, title="Robotassistert kirurgi ved kreft i prostata, rektum og livmor"),
        actor=secretary)
    first = services.record_forum_decision(methods[0], NewForumDecision(
        decided_by=DecidedBy.BESLUTNINGSFORUM, decided_on=march.meeting_date,
        outcome=DecisionOutcome.INTRODUCED_WITH_CONDITIONS, preamble=S1_DECISION_PREAMBLE,
        points=tuple(S1_DECISION_POINTS), agenda_item_id=march_item.id, whole_item=True), actor=secretary)
    april = _meeting(Forum.BESLUTNINGSFORUM, date(2025, 4, 28), secretary)
    amended = services.record_forum_decision(methods[0], NewForumDecision(
        decided_by=DecidedBy.BESLUTNINGSFORUM, decided_on=april.meeting_date,
        outcome=DecisionOutcome.INTRODUCED_WITH_CONDITIONS, points=tuple(S1_AMENDED_POINTS),
        agenda_item_id=services.take_up_again(april, march_item, actor=secretary).id, amends_id=first.id,
        whole_item=True), actor=secretary)
    services.update_minutes(march, minutes=S1_MINUTES, expected_version=march.version, actor=secretary)
    for kind in MeetingPaperKind:
        meeting_papers.file_paper(march, kind, pdf=meeting_papers.render_paper(march, kind, printed_by=secretary.name),
                                  published=True, actor=secretary)
    services.add_follow_up(amended, NewFollowUp(
        title="Interregional arbeidsgruppe: nasjonal strategisk tilnærming for kirurgiske operasjonsroboter",
        owner="Interregional arbeidsgruppe", due_on=date(2025, 11, 1), members=tuple(S1_WORKING_GROUP_MEMBERS),
        mandate_questions=tuple(S1_MANDATE_QUESTIONS), secretariat="Helse Sør-Øst RHF",
        reporting_line="Interregionalt fagdirektørmøte"), actor=secretary)
    _load_working_group(methods, secretary)


# S1's report questions («Rapporten skal kortfattet besvare følgende spørsmål»), each with its sub-questions.
S1_REPORT_QUESTIONS = (
    ReportQuestion("Effekter på kvalitet og pasientsikkerhet", (
        "Hvordan påvirker bruk av robotassistert kirurgi kvaliteten og pasientsikkerheten i pasientbehandlingen?",)),
    ReportQuestion("Fordeler og ulemper ved ulike typer inngrep", (
        "For hvilke typer inngrep er det fordelaktig å bruke robotassistert kirurgi?",
        "For hvilke typer inngrep bør robotassistert kirurgi ikke benyttes som standard?")),
    ReportQuestion("Kapasitet: Operasjonsvolum og effektiv utnyttelse", (
        "Hvilke operasjonsvolum er nødvendig for effektiv utnyttelse av robotsystemene?",
        "Er det grunnlag for å vurdere operasjonsvolum ved bruk av robotassistert kirurgi med andre premisser enn "
        "ved åpen eller laparoskopisk kirurgi?")),
    ReportQuestion("Operasjonsvolum per kirurg", (
        "Hvilke operasjonsvolum bør tilstrebes per kirurg for å sikre tilstrekkelig kvalitet, pasientsikkerhet og "
        "effektivitet i behandlingen?",
        "Hvilke tiltak kan sikre en best mulig læringskurve ved innføring av nye prosedyrer og opplæring av nye "
        "kirurger i robotassistert kirurgi?")),
    ReportQuestion("Utdanning og ferdighetsvedlikehold", (
        "Hvordan påvirker bruk av operasjonsrobot kirurgenes utdanning og vedlikehold av ferdigheter nødvendig for "
        "vaktkompetanse (inkludert traumekompetanse) og breddekompetanse?",
        "Påvirker bruk av robotassistert kirurgi beredskapen som en del av totalforsvaret?")),
    ReportQuestion("Drift og organisering", (
        "Hvordan påvirker bruk av operasjonsroboter drift og organisering av virksomheten med tanke på koordinering "
        "med annen operativ virksomhet, inkludert bruk av personale, operasjonsstuer og vaktberedskap?",
        "Hvilke tiltak kan hindre at bruk av operasjonsrobot bidrar til indikasjonsglidning og overbehandling, "
        "inkludert unødvendig ressurskrevende behandling der indikasjonen for inngrep er ukontroversiell?")),
    ReportQuestion("Rekruttering av kompetent fagpersonell", (
        "Hvordan påvirker innføring av robotassistert kirurgi rekruttering av kompetent fagpersonell?",)),
    ReportQuestion("Behov for ytterligere metodevurderinger", (
        "Er det prosedyrer der det er behov for ytterligere metodevurderinger for å vurdere kost-nytte forholdet for "
        "robotkirurgi i spesialisthelsetjenesten?",)),
    ReportQuestion("Anbefalte tiltak for kliniske studier", (
        "Hvilke tiltak anbefales for å sørge for at erfaringer fra bruk av operasjonsroboter utover indikasjoner med "
        "dokumentert kost-nytte effekt inngår i kliniske studier som vil styrke kunnskapsgrunnlaget for bruken?",)),
)
S1_WORKING_GROUP_MANDATE = (
    "Arbeidsgruppen rapporterer til Interregionalt fagdirektørmøte. Utkast til Interregional strategisk tilnærming "
    "for bruk av kirurgiske operasjonsroboter skal være klar for oversendelse til de regionale administrerende "
    "direktørene innen 1.11.2025.\n"
    "Oppdraget ber om at planen blant annet besvarer: evt. behov for ytterligere metodevurderinger, samlet "
    "kapasitetsbehov, betydning for organisering og ressursbruk, og påvirkning av breddekompetanse og "
    "vaktberedskap.\n"
    "Arbeidsgruppen gis fullmakt til, innen avsatt ramme, å innhente bistand fra miljø og fagpersoner med særegen "
    "kompetanse (ressursgruppe). En referansegruppe av fagdirektører i helseforetak med akuttfunksjon (19) fungerer "
    "som høringsinstans underveis.")
# The composition as S1 describes it; the names are invented (members' names are staff's personal data).
S1_MEMBERS = (
    ("Ingrid Fjell", "Regional fagdirektør, Helse Midt-Norge RHF", MemberRole.LEADER, NominatingBody.RHF, None),
    ("Lars Haugen", "Overlege, gastrokirurgi", MemberRole.MEMBER, NominatingBody.PROFESSIONAL,
     "Norsk kirurgisk forening"),
    ("Siri Moe", "Overlege, urologi", MemberRole.MEMBER, NominatingBody.PROFESSIONAL, "Norsk kirurgisk forening"),
    ("Erik Dahl", "Overlege, torakskirurgi", MemberRole.MEMBER, NominatingBody.PROFESSIONAL,
     "Norsk kirurgisk forening"),
    ("Marte Lie", "Overlege, gynekologi", MemberRole.MEMBER, NominatingBody.PROFESSIONAL,
     "Norsk gynekologisk forening"),
    ("Ole Brekke", "Klinikksjef, stort sykehus", MemberRole.MEMBER, NominatingBody.RHF, None),
    ("Hilde Vik", "Avdelingsleder, mellomstort sykehus", MemberRole.MEMBER, NominatingBody.RHF, None),
    ("Per Strand", "Traumekirurg", MemberRole.MEMBER, NominatingBody.COMPETENCE_SERVICE,
     "Nasjonal kompetansetjeneste for traumatologi"),
    ("Anne Berg", "Metodisk erfaring fra utprøving og innføring av nye kirurgiske metoder", MemberRole.MEMBER,
     NominatingBody.RHF, None),
    ("Jon Nygård", "Særskilt kompetanse i metodevurderinger", MemberRole.MEMBER, NominatingBody.RHF, None),
    ("Kari Holm", "Konserntillitsvalgt", MemberRole.MEMBER, NominatingBody.UNION, None),
    ("Tone Aas", "Brukerrepresentant", MemberRole.MEMBER, NominatingBody.USER_ORGANISATION,
     "Regionalt brukerutvalg"),
    ("Fagdirektørene i helseforetak med akuttfunksjon (19)", "Høringsinstans underveis i arbeidet",
     MemberRole.REFERENCE_GROUP, NominatingBody.HF, None),
    ("Rune Sæther", "Prosjektdirektør, Helse Sør-Øst RHF: sekretariat og ressursgruppe for analyse og "
     "virksomhetsdata", MemberRole.RESOURCE_GROUP, NominatingBody.RHF, None),
)
S1_BASIS_DOCUMENT = (
    "Grunnlagsdokument: status for robotassistert kirurgi i Norge\n\n"
    "Geografisk utbredelse av robot-system og befolkningsgrunnlag per robot, antall inngrep per robot og "
    "utnyttelsesgrad, diagnoser og prosedyrer, antall robotassisterte inngrep per kirurg, påløpte kostnader, "
    "planlagte anskaffelser, sammenligning med nabolandene og status på kvalitet og komplikasjoner fra "
    "registerdata.\n")


def _load_working_group(methods, secretary) -> None:
    """S1's working group: one group for the three robot-surgery methods, its composition and mandate approved by
    Interregionalt fagdirektørmøte 28.4.25, the basis document led by Helse Sør-Øst filed on ID2022_131's case, and
    the report under way (the first questions answered)."""
    document = attach_document(get_case(methods[0].case_id), title="Grunnlagsdokument: robotassistert kirurgi i Norge",
                               filename="grunnlagsdokument.txt", content=S1_BASIS_DOCUMENT.encode(), actor=secretary)
    group = working_groups.create_working_group(WorkingGroupDetails(
        title="Interregional arbeidsgruppe for kirurgiske operasjonsroboter",
        references=tuple(method.reference for method in methods), reports_to=working_groups.APPROVING_BODY,
        mandate=S1_WORKING_GROUP_MANDATE, secretariat="Helse Sør-Øst RHF, under ledelse av prosjektdirektøren",
        due_on=date(2025, 11, 1), approved_on=date(2025, 4, 28),
        basis_document_lead="Helse Sør-Øst RHF", basis_document_id=document.id, questions=S1_REPORT_QUESTIONS),
        actor=secretary)
    for name, position, role, body, organisation in S1_MEMBERS:
        working_groups.add_member(group, NewMember(name=name, position=position, role=role, nominated_by=body,
                                                   nominating_organisation=organisation), actor=secretary)
    working_groups.record_report(group, ReportAnswers(answers=(
        ("1.1", "Registerdata viser komplikasjonsrater på nivå med laparoskopisk kirurgi ved de tre "
                "metodevurderte inngrepene."),
        ("2.1", "Prostatektomi, rektumreseksjon og hysterektomi ved kreft."))), expected_version=group.version,
        actor=secretary)


# The history: methods received over ten years, each taken through the stages as far as its dates have come
# (Bestillerforum's ordering decision, the commission's report, Beslutningsforum's decision), some not
# commissioned, some not introduced, some closed. The status follows from the records, as on the pages. Made from
# a fixed seed, so every demo shows the same figures.
HISTORY_YEARS = 10
HISTORY_PER_YEAR = (10, 15)
# (method type, submission kind, who submits, subject area, title, weight)
HISTORY_METHODS = [
    (MethodType.DRUG, SubmissionKind.ALERT, "Sykehusinnkjøp HF, divisjon legemidler", "Kreftsykdommer",
     "Nytt legemiddel til behandling av {} kreft", 26),
    (MethodType.DRUG, SubmissionKind.REQUEST, "Legemiddelfirma AS", "Sjeldne sykdommer",
     "Nytt legemiddel ved sjelden {} sykdom", 12),
    (MethodType.DRUG, SubmissionKind.ALERT, "Sykehusinnkjøp HF, divisjon legemidler", "Revmatologi",
     "Nytt legemiddel ved {} leddgikt", 6),
    (MethodType.DRUG, SubmissionKind.REQUEST, "Legemiddelfirma AS", "Nevrologi",
     "Nytt legemiddel ved {} multippel sklerose", 6),
    (MethodType.DEVICE, SubmissionKind.PROPOSAL, "Helseforetak", "Hjerte og kar",
     "Nytt medisinsk utstyr ved {} hjertesvikt", 8),
    (MethodType.DEVICE, SubmissionKind.PROPOSAL, "Helseforetak", "Kreftsykdommer",
     "Ny gentest ved {} kreft", 6),
    (MethodType.PROCEDURE, SubmissionKind.PROPOSAL, "Helseforetak", "Muskel-, skjelett- og bindevevssykdommer",
     "Ny kirurgisk prosedyre ved {} ryggsykdom", 6),
    (MethodType.PROCEDURE, SubmissionKind.PROPOSAL, "Fagmiljø ved universitetssykehus", "Psykisk helse og rus",
     "Ny behandlingsform ved {} depresjon", 4),
]
# The history's drugs carry the ATC group of their area (the public list's ATC filter finds them by it).
HISTORY_ATC_GROUPS = {"Kreftsykdommer": "L01", "Sjeldne sykdommer": "A16", "Revmatologi": "L04", "Nevrologi": "L03"}
QUALIFIERS = ["avansert", "tidlig", "residiverende", "metastatisk", "arvelig", "behandlingsresistent", "moderat",
              "alvorlig", "kronisk", "lokalavansert"]
ORDERING_KINDS = {MethodType.DRUG: {OrderingKind.SINGLE_TECHNOLOGY: 70, OrderingKind.SIMPLIFIED: 12,
                                    OrderingKind.NOT_COMMISSIONED: 10, OrderingKind.OTHER_COMMISSION: 8},
                  MethodType.DEVICE: {OrderingKind.FULL_HTA: 35, OrderingKind.MINI_HTA_LOCAL: 25,
                                      OrderingKind.NOT_COMMISSIONED: 40},
                  MethodType.PROCEDURE: {OrderingKind.FULL_HTA: 40, OrderingKind.MINI_HTA_LOCAL: 25,
                                         OrderingKind.NOT_COMMISSIONED: 35}}
ASSESSING_BODIES = {OrderingKind.SINGLE_TECHNOLOGY: "DMP", OrderingKind.SIMPLIFIED: "DMP",
                    OrderingKind.FULL_HTA: "FHI", OrderingKind.OTHER_COMMISSION: "Sykehusinnkjøp HF"}
DECISION_OUTCOMES = {DecisionOutcome.INTRODUCED: 50, DecisionOutcome.INTRODUCED_WITH_CONDITIONS: 20,
                     DecisionOutcome.NOT_INTRODUCED: 30}
DECISION_POINTS = {
    DecisionOutcome.INTRODUCED: ("{} innføres.", "Behandlingen skal gjennomføres i samsvar med nasjonale "
                                                 "retningslinjer."),
    DecisionOutcome.INTRODUCED_WITH_CONDITIONS: ("{} innføres med begrensninger.",
                                                 "Bruken begrenses til pasientgruppen i metodevurderingen.",
                                                 "Ny pris kan ikke legges til grunn før Sykehusinnkjøp har "
                                                 "forhandlet frem en avtale."),
    DecisionOutcome.NOT_INTRODUCED: ("{} innføres ikke.",
                                     "Dokumentert nytte står ikke i rimelig forhold til kostnadene."),
}
CLOSED_SHARE = 0.05       # requests withdrawn by the supplier before Bestillerforum
AGENDA_AHEAD_DAYS = 45    # a method is put on the agenda of a forum's meeting this close ahead


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Calendar:
    """The forums' meetings: Bestillerforum on the fourth and Beslutningsforum on the third Monday of each month
    but July; a meeting already registered on that day is used."""

    def __init__(self, secretary) -> None:
        self.secretary = secretary
        self.meetings: dict[tuple[Forum, date], Meeting] = {
            (meeting.forum, meeting.meeting_date): meeting for meeting in db.session.scalars(select(Meeting))}

    @staticmethod
    def _day(forum: Forum, year: int, month: int) -> date:
        first = date(year, month, 1)
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        return monday + timedelta(weeks=3 if forum is Forum.BESTILLERFORUM else 2)

    def next_meeting(self, forum: Forum, after: date) -> date:
        year, month = after.year, after.month
        while True:
            day = self._day(forum, year, month)
            if month != 7 and day > after:
                return day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def meeting(self, forum: Forum, day: date) -> Meeting:
        if (forum, day) not in self.meetings:
            self.meetings[forum, day] = services.create_meeting(NewMeeting(forum=forum, meeting_date=day),
                                                                actor=self.secretary)
        return self.meetings[forum, day]


def load_methods_history(secretary, today: date) -> int:
    """Methods received from 1 January ten years back to today, through the services as the secretariat
    registers them; returns how many."""
    rng = random.Random("methods-2026")
    calendar = _Calendar(secretary)
    kinds = [method[:-1] for method in HISTORY_METHODS]
    weights = [method[-1] for method in HISTORY_METHODS]
    count = 0
    for year in range(today.year - HISTORY_YEARS, today.year + 1):
        for _ in range(rng.randint(*HISTORY_PER_YEAR)):
            received_on = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            if received_on > today:
                continue
            _history_method(rng, calendar, secretary, rng.choices(kinds, weights=weights)[0], received_on, today)
            count += 1
    return count


def _history_method(rng, calendar: _Calendar, secretary, kind: tuple, received_on: date, today: date) -> None:
    method_type, submission, organisation, area, title = kind
    method = services.register_method(NewMethod(
        details=MethodDetails(title=title.format(rng.choice(QUALIFIERS)), method_type=method_type,
                              subject_areas=(area,),
                              atc_code=HISTORY_ATC_GROUPS[area] if method_type is MethodType.DRUG else None),
        submission=NewSubmission(kind=submission, organisation=organisation, received_on=received_on),
        confirm_duplicate=True),   # the generated history repeats its few titles: no possible-duplicate step
        actor=secretary)
    if submission is SubmissionKind.PROPOSAL and (today - received_on).days < 60:
        services.set_status_by_hand(method, StatusChange(MethodStatus.OPEN_FOR_INPUT, received_on,
                                                         comment="Forslaget er åpent for innspill."), actor=secretary)
    if submission is SubmissionKind.REQUEST and rng.random() < CLOSED_SHARE:
        _close(method, min(received_on + timedelta(days=20), today), "Anmodningen er trukket av leverandøren.",
               secretary)
        return
    ordering_day = calendar.next_meeting(Forum.BESTILLERFORUM, received_on + timedelta(days=rng.randrange(20, 90)))
    ordering = calendar.meeting(Forum.BESTILLERFORUM, ordering_day)
    if ordering_day > today:                            # on the agenda of Bestillerforum's next meeting
        if (ordering_day - today).days <= AGENDA_AHEAD_DAYS:
            services.add_agenda_item(ordering, NewAgendaItem((method.reference,)), actor=secretary)
        return
    ordering_kind = _pick(rng, ORDERING_KINDS[method_type])
    services.record_ordering_decision(method, NewOrderingDecision(
        agenda_item_id=services.add_agenda_item(ordering, NewAgendaItem((method.reference,)), actor=secretary).id,
        kind=ordering_kind, decided_on=ordering_day, assessing_body=ASSESSING_BODIES.get(ordering_kind),
        aspects=("effekt", "sikkerhet", "helseokonomi") if ordering_kind is OrderingKind.FULL_HTA else (),
        reasoning=None if ordering_kind.commissions else "Bestillerforum så ikke behov for nasjonal "
                                                          "metodevurdering."), actor=secretary)
    if not ordering_kind.commissions and rng.random() < 0.5:
        _close(method, min(ordering_day + timedelta(days=30), today), "Ikke bestilt; saken er avsluttet.", secretary)
    if not ordering_kind.commissions:
        return
    delivered_on = ordering_day + timedelta(days=rng.randrange(120, 420))
    negotiation_on = delivered_on - timedelta(days=rng.randrange(14, 60))
    if method_type is MethodType.DRUG and negotiation_on <= today:
        services.set_status_by_hand(method, StatusChange(MethodStatus.PRICE_NEGOTIATION, negotiation_on,
                                                         comment="Sykehusinnkjøp forhandler pris."), actor=secretary)
    if delivered_on > today:
        return                                          # the assessment is under way
    services.add_report(method.commissions[-1], NewReport(title=f"Metodevurdering: {method.title}",
                                                          delivered_on=delivered_on), actor=secretary)
    if ordering_kind is OrderingKind.OTHER_COMMISSION:
        _close(method, min(delivered_on + timedelta(days=30), today), "Oppdraget er levert; ingen beslutning "
                                                                      "i Beslutningsforum.", secretary)
        return
    decision_day = calendar.next_meeting(Forum.BESLUTNINGSFORUM, delivered_on + timedelta(days=rng.randrange(20, 80)))
    if decision_day > today and (decision_day - today).days > AGENDA_AHEAD_DAYS:
        return                                          # for clearance in Bestillerforum
    meeting = calendar.meeting(Forum.BESLUTNINGSFORUM, decision_day)
    item = services.add_agenda_item(meeting, NewAgendaItem((method.reference,)), actor=secretary)
    if decision_day > today:
        return                                          # on the agenda of Beslutningsforum's next meeting
    outcome = _pick(rng, DECISION_OUTCOMES)
    first, *rest = DECISION_POINTS[outcome]
    services.record_forum_decision(method, NewForumDecision(
        decided_by=DecidedBy.BESLUTNINGSFORUM, decided_on=decision_day, outcome=outcome,
        points=(first.format(method.title), *rest), agenda_item_id=item.id), actor=secretary)


def _close(method, on: date, comment: str, secretary) -> None:
    services.set_status_by_hand(method, StatusChange(MethodStatus.CLOSED, on, comment=comment), actor=secretary)
