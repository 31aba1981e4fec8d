"""The suitability assessment through the web: ID2025_102's published assessment typed into the form, shown, and printed
as a PDF in the form's layout; refusals at their field; who may see and change it."""
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.extensions import db
from app.methods import services
from app.methods.models import Method, MethodType, OngoingTrial, SuitabilityAssessment
from tests.factories import new_method

# The published assessment of ID2025_102 (endoscopic spine surgery), every field (long texts abridged, each
# with a distinctive phrase of the original).
PUBLISHED = {
    "summary": "Metodeforslag er innsendt fra Ortopedisk avdeling ved Sykehuset Telemark, og omhandler bruk av "
               "endoskopisk prosedyre ved ryggkirurgi. Forslagsstiller foreslår en sentralisering.",
    "pico_population": "personer med 1) skiveprolaps eller 2) spinal stenose (foramen eller sentral)",
    "pico_comparator": "standard behandling, mikrokirurgisk prosedyre",
    "pico_intervention": "ryggkirurgi med bruk av endoskopisk utsyr (kikkhullsopperasjon)",
    "pico_outcome": "operasjonstid, sykehusopphold, blodtap, postoperative infeksjoner, smertescore",
    "suggested_experts": "ortopeder, nevrokirurger",
    "approvals": ["ce"],
    "approval_comment": "",
    "financing": ["spesialisthelsetjenesten"],
    "usage_stage": ["under_innforing"],
    "usage_comment": "",
    "usage_scope": ["brukes_i_norge"],
    "recommendation": "1",
    "recommended_aspects": ["effekt", "sikkerhet", "helseokonomi", "organisasjon", "etikk"],
    "simplified_approach": "",
    "recommendation_comment": "Dersom det ønskes en nasjonal vurdering av metoden, virker det mest hensiktsmessig "
                              "med fullstendig metodevurdering av effekt, sikkerhet og kostnader.",
    "points_method": "• Metoden omhandler endoskopisk prosedyre ved ryggkirurgi.\r\n"
                     "• Metoden er innført ved enkelte sykehus i Norge",
    "points_documentation": "• Vi har identifisert 4 metodevurderinger som omhandler endoskopisk ryggkirurgi",
    "points_health_economics": "• Investeringskostnader anslått til 2,5–3 millioner kroner per sykehus",
    "points_recommendation": "• Begrunnelse: 1) metoden er tidligere foreslått i Systemet for nye metoder "
                             "(ID2018_084)",
    "links": "https://www.nyemetoder.no/metoder/artroskopisk-ryggkirurgi-kikkhullskirurgi/",
    "description_principle": "Endoskopisk kirurgi, eller kikkhullskirurgi, er en minimalt invasiv kirurgisk metode.",
    "description_benefit": "I pasientbrosjyre oppgir produsent flere fordeler med MaxMoreSpine.",
    "description_safety": "Forslagsstiller oppgir økt bruk av intraoperativ stråling ved transforaminal tilgang.",
    "description_population": "Skiveprolaps skyldes at indre kjerne i en av mellomvirvelskivene presses ut.",
    "description_current_treatment": "Per i dag benyttes mikrokirurgisk teknikk ved kirurgisk behandling.",
    "description_health_economics": "En systematisk oversikt fra Golan et al. 2023 inkluderte 9 publikasjoner.",
    "relevant_studies": "Vi har ikke gjort eget orienterende søk etter kliniske primærstudier.",
    "hta_national": "Vi har identifisert en relevant mini-metodevurdering utarbeidet ved Sykehuset Telemark.",
    "hta_international": "Vi har identifisert fire relevante metodevurderinger; én fra Argentina 2020.",
    "systematic_reviews_count": "23",
    "method_alerts": "Vi har identifisert ett tidligere innsendt metodeforslag fra 2018 (ID2018_084).",
    "author_body": "FHI",
    "document_version": "1.0",
}
TRIALS = [
    {"population": "Lumbar stenose", "participants": "324",
     "intervention": "Arm 1: Endo-Surgi Plus endoskopisk kirurgi\r\nArm 2: unilateral biportal endoskopisk kirurgi",
     "control": "Arm 3: Mikrodiskektomi", "main_outcome": "Oswestry Disability Index score",
     "registry_id": "NCT06719037", "country": "Kina", "estimated_completion": "09.2025",
     "recruitment_status": "recruiting"},
    {"population": "18-85 år, isjas", "participants": "220",
     "intervention": "Arm 1: Transforaminal endoskopisk lumbar diskektomi", "control": "Arm 3: Mikrodiskektomi",
     "main_outcome": "Endring i smerteintensitet og rygg og bein (VAS score).", "registry_id": "NCT06615518",
     "country": "Polen", "estimated_completion": "12.2025", "recruitment_status": "active, not recruiting"},
]


@pytest.fixture
def secretariat(make_user):
    return make_user("methods_secretariat")


@pytest.fixture
def reference(app, secretariat):
    with app.app_context():
        method = services.register_method(new_method(
            "Endoskopisk ryggkirurgisk prosedyre", date(2025, 3, 3),
            subject_areas=["Muskel-, skjelett- og bindevevssykdommer", "Nevrologi"],
            generic_name="Kirurgisk utstyr for endoskopisk ryggkirurgi",
            product_names="Flere, RIWOspine, Joimax® Endoscopes, MaxMore, Artrex",
            manufacturers="Flere, f.eks. RIWOspine (Tyskland), Ortomedic Joimax (Tyskland)"),
            actor=db.session.get(User, secretariat))
        db.session.commit()
        return method.reference


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "egnethetsvurdering.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(output.split())


def _enter_published(client, reference: str) -> None:
    form = client.get(f"/metoder/{reference}/egnethetsvurdering")
    assert form.status_code == 200 and 'name="version" type="hidden" value="0"' in form.get_data(as_text=True)
    response = client.post(f"/metoder/{reference}/egnethetsvurdering", data={**PUBLISHED, "version": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    for trial in TRIALS:
        response = client.post(f"/metoder/{reference}/egnethetsvurdering/studier/ny", data=trial)
        assert response.status_code == 302, response.get_data(as_text=True)


def test_the_published_assessment_entered_through_the_form_is_printed_in_the_forms_layout(
        app, login, secretariat, reference, tmp_path):
    client = login(secretariat)
    _enter_published(client, reference)

    with app.app_context():
        stored = db.session.scalar(select(SuitabilityAssessment))
        assert (stored.recommendation, stored.systematic_reviews_count, stored.approvals) == (1, 23, ["ce"])
        assert [trial.registry_id for trial in stored.trials] == ["NCT06719037", "NCT06615518"]

    response = client.get(f"/metoder/{reference}/egnethetsvurdering.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "ID2025_" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{reference}-egnethetsvurdering.pdf"')
    text = _pdf_text(response.data, tmp_path)

    headings = [
        "Egnethetsvurdering", "1. Status og oppsummering", "1.1 Oppsummering", "Forslag PICO", "Populasjon:",
        "Komparator:", "Intervensjon:", "Utfall:", "Forslag til fageksperter:", "1.2 Metodetype", "1.3 Fagområde",
        "1.4 Tagger/søkeord", "1.5 Status for godkjenning", "1.6 Finansieringsansvar", "1.7 Status for bruk",
        "1.8 Bestillingsanbefaling", "2. Punktoppsummering", "2.1 Om metoden", "2.2 Om dokumentasjonsgrunnlaget",
        "2.3 Om helseøkonomi", "2.4 Om bestillingsanbefaling", "3. Beskrivelse av metoden", "Generisk navn",
        "Produktnavn", "Produsenter", "3.1 Beskrivelse av metoden", "Status og prinsipp for metode",
        "Potensiell nytte", "Sikkerhetsaspekter og risikoforhold", "Sykdomsbeskrivelse og pasientgrunnlag",
        "Dagens behandling", "Helseøkonomi", "4. Dokumentasjonsgrunnlag", "4.1 Relevante og sentrale kliniske studier",
        "4.2 Pågående kliniske studier", "Populasjon (n=antall deltakere)", "Kontrollgruppe", "Hovedutfallsmål",
        "Studienummer", "Tidsperspektiv resultater", "4.3 Metodevurderinger og –varsel",
        "Metodevurdering – nasjonalt/lokalt", "Metodevurdering / systematiske oversikt – internasjonalt",
        "Metodevarsel",
    ]
    values = [
        f"{reference} Endoskopisk ryggkirurgisk prosedyre", "Ortopedisk avdeling ved Sykehuset Telemark",
        "spinal stenose (foramen eller sentral)", "mikrokirurgisk prosedyre", "(kikkhullsopperasjon)",
        "postoperative infeksjoner", "ortopeder, nevrokirurger", "Prosedyrer og organisatoriske tiltak",
        "Muskel-, skjelett- og bindevevssykdommer", "Nevrologi", "☐ Kunstig intelligens",
        "☐ Markedsføringstillatelse", "☐ FDA godkjenning", "☒ CE-merking", "☒ Spesialisthelsetjenesten",
        "☐ Folketrygd", "☐ Under utvikling", "☒ Under innføring", "☒ Brukes i Norge", "☐ Brukes i EU/EØS",
        "1: ☒ Fullstendig metodevurdering", "☒ Effekt", "☒ Sikkerhet", "☒ Helseøkonomi", "☒ Organisasjon",
        "☒ Etikk", "☐ Jus", "2: ☐ Metodevurdering basert på innsendt dokumentasjon fra produsent/leverandør",
        "3: ☐ Metodevurdering uten innsendt dokumentasjon, med forenklet metodisk tilnærming",
        "mest hensiktsmessig med fullstendig metodevurdering", "• Metoden omhandler endoskopisk prosedyre",
        "• Metoden er innført ved enkelte sykehus i Norge", "identifisert 4 metodevurderinger",
        "2,5–3 millioner kroner", "(ID2018_084)", "artroskopisk-ryggkirurgi-kikkhullskirurgi",
        "Kirurgisk utstyr for endoskopisk ryggkirurgi", "Joimax® Endoscopes", "Ortomedic Joimax (Tyskland)",
        "minimalt invasiv kirurgisk metode", "MaxMoreSpine", "intraoperativ stråling", "mellomvirvelskivene",
        "Per i dag benyttes mikrokirurgisk teknikk", "Golan et al. 2023", "orienterende søk",
        "Lumbar stenose, n=324", "Surgi Plus", "unilateral biportal", "Oswestry Disability Index score",
        "NCT06719037", "Land: Kina", "Est. ferdig: 09.2025", "Status: recruiting",
        "18-85 år, isjas, n=220", "VAS score", "NCT06615518", "Land: Polen", "Est. ferdig: 12.2025",
        "active, not recruiting", "mini-metodevurdering utarbeidet ved Sykehuset Telemark", "Argentina 2020",
        "Antall systematiske oversikter: 23", "metodeforslag fra 2018", "https://clinicaltrials.gov/study/NCT06719037",
        "Folkehelseinstituttet (FHI)", "Versjon 1.0", "Side 1 av", "Side 5 av 5",
    ]
    missing = [item for item in headings + values if item not in text]
    assert not missing, f"missing from the PDF: {missing}"
    assert text.count(f"{reference} Endoskopisk ryggkirurgisk prosedyre") >= 4   # at the top of every part

    with app.app_context():
        export = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
        assert (export.object_type, export.changes["format"]) == ("method_assessment", "pdf")


def test_the_read_only_page_and_the_method_page_show_the_assessment(app, login, secretariat, reference, make_user):
    _enter_published(login(secretariat), reference)
    reader = login(make_user("bestillerforum"))

    page = reader.get(f"/metoder/{reference}/egnethetsvurdering/vis")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("1. Status og oppsummering", "Forslag PICO", "ortopeder, nevrokirurger", "CE-merking",
                 "Fullstendig metodevurdering", "2.1 Om metoden", "Status og prinsipp for metode",
                 "https://clinicaltrials.gov/study/NCT06719037", "Antall systematiske oversikter: 23"):
        assert text in html
    assert f"/metoder/{reference}/egnethetsvurdering\"" not in html   # no edit link for Bestillerforum

    method_page = reader.get(f"/metoder/{reference}").get_data(as_text=True)
    assert "Egnethetsvurdering" in method_page and "1: Fullstendig metodevurdering" in method_page
    assert f"/metoder/{reference}/egnethetsvurdering/vis" in method_page
    assert f"/metoder/{reference}/egnethetsvurdering.pdf" in method_page
    assert "Endre egnethetsvurderingen" not in method_page
    assert "Endre egnethetsvurderingen" in login(secretariat).get(f"/metoder/{reference}").get_data(as_text=True)


def test_a_method_without_assessment_offers_to_create_one(login, secretariat, reference, make_user):
    method_page = login(secretariat).get(f"/metoder/{reference}").get_data(as_text=True)
    assert "Ingen egnethetsvurdering ennå" in method_page and "Opprett egnethetsvurdering" in method_page
    reader = login(make_user("bestillerforum"))
    assert "Opprett egnethetsvurdering" not in reader.get(f"/metoder/{reference}").get_data(as_text=True)
    assert "Ingen egnethetsvurdering ennå" in reader.get(
        f"/metoder/{reference}/egnethetsvurdering/vis").get_data(as_text=True)
    assert reader.get(f"/metoder/{reference}/egnethetsvurdering.pdf").status_code == 404
    assert login(secretariat).get(f"/metoder/{reference}/egnethetsvurdering/studier/ny").status_code == 302


def test_the_edit_page_groups_checkboxes_in_fieldsets_and_shows_method_fields_read_only(login, secretariat,
                                                                                       reference):
    html = login(secretariat).get(f"/metoder/{reference}/egnethetsvurdering").get_data(as_text=True)
    for legend in ("Forslag PICO", "1.5 Status for godkjenning", "1.6 Finansieringsansvar", "1.7 Status for bruk",
                   "Bruk og endring", "1.8 Bestillingsanbefaling", "Aspekter som bør vurderes"):
        assert f"<legend>{legend}</legend>" in html
    assert 'type="checkbox" value="ce"' in html and 'type="radio" value="1"' in html
    assert "Prosedyrer og organisatoriske tiltak" in html and "Nevrologi" in html   # 1.2 and 1.3, read-only
    assert 'name="method_type"' not in html
    assert " style=" not in html and html.count("<script") == 1   # only the layout's script file


def test_a_bad_registry_id_is_shown_at_the_field_in_bokmal_and_nothing_is_saved(app, login, secretariat,
                                                                               reference):
    client = login(secretariat)
    client.post(f"/metoder/{reference}/egnethetsvurdering", data={**PUBLISHED, "version": "0"})
    response = client.post(f"/metoder/{reference}/egnethetsvurdering/studier/ny",
                           data={**TRIALS[0], "registry_id": "NCT123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="registry_id-error"' in html and "«NCT123» er ikke et gyldig studienummer" in html
    assert 'href="#registry_id"' in html and 'value="Kina"' in html   # the summary links there; input kept
    assert _count(app, OngoingTrial) == 0

    response = client.post(f"/metoder/{reference}/egnethetsvurdering/studier/ny",
                           data={**TRIALS[0], "participants": "0"})
    assert "Antall deltakere må være et positivt heltall." in response.get_data(as_text=True)
    assert _count(app, OngoingTrial) == 0


def test_a_refused_assessment_rule_is_shown_at_its_field_and_nothing_is_saved(app, login, secretariat, reference):
    response = login(secretariat).post(f"/metoder/{reference}/egnethetsvurdering", data={
        **PUBLISHED, "version": "0", "recommendation": "2", "systematic_reviews_count": "23"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="recommended_aspects-error"' in html and "Aspekter kan bare velges når anbefalingen er 1" in html
    assert "ortopeder, nevrokirurger</textarea>" in html   # what the user typed stays
    assert _count(app, SuitabilityAssessment) == 0


def test_two_users_saving_the_same_version_the_second_gets_a_conflict(app, login, secretariat, reference, make_user):
    first, second = login(secretariat), login(make_user("methods_secretariat"))
    _enter_published(first, reference)
    assert 'name="version" type="hidden" value="1"' in second.get(
        f"/metoder/{reference}/egnethetsvurdering").get_data(as_text=True)

    saved = first.post(f"/metoder/{reference}/egnethetsvurdering",
                       data={**PUBLISHED, "version": "1", "suggested_experts": "ortopeder"})
    conflict = second.post(f"/metoder/{reference}/egnethetsvurdering",
                           data={**PUBLISHED, "version": "1", "suggested_experts": "nevrokirurger"})

    assert saved.status_code == 302 and conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Egnethetsvurderingen er endret av en annen bruker" in html
    assert "Lagret versjon (versjon 2)" in html and "<dd>ortopeder</dd>" in html   # the stored value
    assert "nevrokirurger</textarea>" in html   # what this user typed
    assert 'name="version" type="hidden" value="2"' in html
    with app.app_context():
        assert db.session.scalar(select(SuitabilityAssessment.suggested_experts)) == "ortopeder"
    assert second.post(f"/metoder/{reference}/egnethetsvurdering",
                       data={**PUBLISHED, "version": "2", "suggested_experts": "nevrokirurger"}).status_code == 302


def test_trials_are_edited_and_removed_and_another_methods_trial_is_not_found(app, login, secretariat, reference):
    client = login(secretariat)
    _enter_published(client, reference)
    with app.app_context():
        first_id = db.session.scalar(select(OngoingTrial.id).where(OngoingTrial.registry_id == "NCT06719037"))
        other = services.register_method(new_method("Annen metode", date(2025, 3, 4), method_type=MethodType.DEVICE,
                                                    organisation="Helse Bergen"),
                                         actor=db.session.get(User, secretariat))
        db.session.commit()
        other_reference = other.reference
    client.post(f"/metoder/{other_reference}/egnethetsvurdering", data={"version": "0", "document_version": "1.0",
                                                                         "author_body": "FHI"})

    new_page = client.get(f"/metoder/{reference}/egnethetsvurdering/studier/ny")
    assert new_page.status_code == 200 and 'name="registry_id"' in new_page.get_data(as_text=True)
    page = client.get(f"/metoder/{reference}/egnethetsvurdering/studier/{first_id}")
    assert page.status_code == 200 and 'value="NCT06719037"' in page.get_data(as_text=True)
    assert client.post(f"/metoder/{reference}/egnethetsvurdering/studier/{first_id}",
                       data={**TRIALS[0], "recruitment_status": "completed", "version": "1"}).status_code == 302
    assert client.get(f"/metoder/{other_reference}/egnethetsvurdering/studier/{first_id}").status_code == 404
    assert client.post(f"/metoder/{other_reference}/egnethetsvurdering/studier/{first_id}/fjern").status_code == 404

    assert client.post(f"/metoder/{reference}/egnethetsvurdering/studier/{first_id}/fjern").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(OngoingTrial.registry_id)).all() == ["NCT06615518"]


def test_bestillerforum_reads_but_may_not_change(app, login, secretariat, reference, make_user):
    _enter_published(login(secretariat), reference)
    with app.app_context():
        trial_id = db.session.scalar(select(func.min(OngoingTrial.id)))
    member = login(make_user("bestillerforum"))
    assert member.get(f"/metoder/{reference}/egnethetsvurdering/vis").status_code == 200
    assert member.get(f"/metoder/{reference}/egnethetsvurdering.pdf").status_code == 200
    base = f"/metoder/{reference}/egnethetsvurdering"
    for method, url in (("GET", base), ("POST", base), ("GET", f"{base}/studier/ny"), ("POST", f"{base}/studier/ny"),
                        ("GET", f"{base}/studier/{trial_id}"), ("POST", f"{base}/studier/{trial_id}/fjern")):
        assert member.open(url, method=method, data={**PUBLISHED, "version": "1"}).status_code == 403, (method, url)
    with app.app_context():
        assert db.session.scalar(select(SuitabilityAssessment.version)) == 1
        assert db.session.scalar(select(func.count()).select_from(OngoingTrial)) == 2
        denied = db.session.scalars(select(AuditEvent.changes).where(AuditEvent.action == "denied")).all()
    assert denied == [{"need": "edit"}] * 6


def test_an_analyst_gets_404_for_every_assessment_page(app, login, secretariat, reference, make_user):
    _enter_published(login(secretariat), reference)
    analyst = login(make_user("analyst"))
    base = f"/metoder/{reference}/egnethetsvurdering"
    for method, url in (("GET", base), ("GET", f"{base}/vis"), ("GET", f"{base}.pdf"),
                        ("GET", f"{base}/studier/ny"), ("POST", f"{base}/studier/1/fjern")):
        assert analyst.open(url, method=method).status_code == 404, (method, url)
    with app.app_context():
        case_id = db.session.scalar(select(Method.case_id).where(Method.reference == reference))
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.case_id == case_id))
    assert denied == 5


def test_unknown_method_is_404(login, secretariat):
    client = login(secretariat)
    assert client.get("/metoder/ID2031_999/egnethetsvurdering").status_code == 404
    assert client.get("/metoder/ID2031_999/egnethetsvurdering/vis").status_code == 404
