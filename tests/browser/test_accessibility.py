"""axe-core (WCAG 2.1 A and AA) on every page template, at the default viewport and at 320 px.

Each screen is reached the way a user reaches it (links and buttons from the dashboard or a
module page), as the demo user whose role uses it. At 320 px the page itself must not scroll
sideways (WCAG 1.4.10 Reflow); wide tables scroll inside their .table-wrap.
"""
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD, synthetic_national_id
from config import BASE_DIR
from tests.browser import test_panel, test_reports

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}  # passes etc. only summarised: much less to send back
NARROW = {"width": 320, "height": 800}

CASEWORKER = "hso@helsesak.test"
METHODS = "metoder@helsesak.test"
BESTILLERFORUM = "bestillerforum@helsesak.test"
PANEL = "panel@helsesak.test"
ADMIN = "admin@helsesak.test"
ANALYST = "analytiker@helsesak.test"

axe = Axe()


# ---------- how each screen is reached ----------

def _goto(path: str) -> Callable[[Page], None]:
    def open_path(page: Page) -> None:
        response = page.goto(path)
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
    return open_path


def _from_path(path: str, link: str) -> Callable[[Page], None]:
    """The page reached by the link `link` on `path`."""
    def open_page(page: Page) -> None:
        _goto(path)(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_page


def _sorted(path: str, column: str) -> Callable[[Page], None]:
    """The list on `path` after a click on its sortable header `column` (the link's name goes on to say which
    way it sorts)."""
    def open_page(page: Page) -> None:
        _goto(path)(page)
        page.get_by_role("columnheader").get_by_role("link", name=re.compile(rf"^{column}\b")).click()
        page.wait_for_url(re.compile(r"sort="))
    return open_page


def _open_my_case(page: Page, index: int = 0) -> None:
    """A case from "Mine saker" on the dashboard."""
    page.goto("/")
    page.get_by_role("region", name="Mine saker").get_by_role("link").nth(index).click()
    expect(page.get_by_role("heading", level=2, name="Journal")).to_be_visible()


def _from_my_case(link: str) -> Callable[[Page], None]:
    def open_form(page: Page) -> None:
        _open_my_case(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _open_my_case_with_document(page: Page) -> None:
    """The second application in "Mine saker" (the box also lists appeals, newest first), with a document
    uploaded through the real form if it has none."""
    page.goto("/")
    page.get_by_role("region", name="Mine saker").get_by_role("row").filter(has_text="Søknad om").nth(1) \
        .get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=2, name="Journal")).to_be_visible()
    if page.get_by_role("link", name=re.compile(r"^Ny versjon")).count():
        return
    page.get_by_role("link", name="Last opp dokument").click()
    page.get_by_label("Dokumenttittel").fill("Epikrise fra henvisende lege")
    page.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "epikrise.txt", "mimeType": "text/plain", "buffer": "Epikrise – testdokument.\n".encode()}])
    page.get_by_role("button", name="Last opp").click()
    expect(page.get_by_role("status")).to_have_text("Dokumentet er lastet opp.")
    expect(page.get_by_role("link", name="epikrise.txt")).to_be_visible()


def _open_my_patient(page: Page) -> None:
    _from_my_case("Pasientens opplysninger over tid og verger")(page)


def _from_my_patient(link: str) -> Callable[[Page], None]:
    def open_form(page: Page) -> None:
        _open_my_patient(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _submit_patient_change_without_reason(page: Page) -> None:
    _from_my_patient("Endre eller rett opplysninger")(page)
    page.get_by_label("Pasientens navn").fill("")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Skriv hvorfor opplysningene endres eller rettes.")


def _open_my_patient_with_guardian(page: Page) -> None:
    """The patient page of the first case in «Mine saker», with a guardian added through the form once per run."""
    _open_my_patient(page)
    if page.get_by_role("button", name="Avslutt vergemål").count():
        return
    page.get_by_role("link", name="Legg til verge").click()
    page.get_by_label("Vergens navn").fill("Vera Verge")
    page.get_by_label("Adresse").fill("Postboks 12")
    page.get_by_label("Postnummer").fill("0101")
    page.get_by_label("Poststed").fill("Oslo")
    page.get_by_role("button", name="Legg til verge").click()
    expect(page.get_by_role("status")).to_have_text("Vergen er lagt til.")


def _open_new_document_version(page: Page) -> None:
    _open_my_case_with_document(page)
    page.get_by_role("link", name=re.compile(r"^Ny versjon")).first.click()


def _with_saved_filter(path: str, name: str) -> Callable[[Page], None]:
    """The list at `path` with a filter of it saved as `name` through «Lagre filter» (once per run)."""
    def open_list(page: Page) -> None:
        _goto(path)(page)
        saved = page.get_by_role("region", name="Lagrede filtre")
        if saved.get_by_role("link", name=name, exact=True).count():
            return
        saved.get_by_label("Navn på filteret").fill(name)
        saved.get_by_role("button", name="Lagre filter").click()
        expect(page.get_by_role("status")).to_have_text(f"Filteret «{name}» er lagret.")
    return open_list


def _open_dashboard_with_saved_filters(page: Page) -> None:
    _with_saved_filter("/utland/klager?late=y", "Klager etter fristen")(page)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Oversikt").click()
    saved_filters = page.get_by_role("region", name="Lagrede filtre")
    expect(saved_filters.get_by_role("link", name="Klager etter fristen")).to_be_visible()


def _submit_saved_filter_without_name(page: Page) -> None:
    _goto("/saker?type=abroad_application&sort=tittel")(page)
    page.get_by_role("region", name="Lagrede filtre").get_by_role("button", name="Lagre filter").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Navn på filteret: Gi filteret et navn.")
    expect(summary).to_be_focused()


def _open_not_found(page: Page) -> None:
    response = page.goto("/saker/999999")
    assert response is not None and response.status == 404


# Ekspertpanelet: the demo referrals (app/panel/demo_data.py) are only looked at and refused here;
# the screens that need a referral whose statement was sent use one registered through the UI.
PANEL_MEMBER = "panelmedlem@helsesak.test"
ASSIGNED_REFERRAL = "Hanne Hagen"     # local trust, reviewed with the regional hospital; Pia Panelmedlem on it
UNASSIGNED_REFERRAL = "Erik Eriksen"  # from the regional hospital; no panel member has access to it
_sent_referral: dict[str, str] = {}   # the URL of the screens' referral with a statement sent (one per run)


def _open_panel_referral(patient: str) -> Callable[[Page], None]:
    def open_referral(page: Page) -> None:
        test_panel.open_referral(page, patient)
    return open_referral


def _from_panel_referral(patient: str, *links: str) -> Callable[[Page], None]:
    """The page reached from a referral's page by following `links` in turn."""
    def open_form(page: Page) -> None:
        test_panel.open_referral(page, patient)
        for link in links:
            page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _open_panel_assign(page: Page) -> None:
    """The core's «Gi tilgang» page of the referral no panel member has access to yet."""
    _from_panel_referral(UNASSIGNED_REFERRAL, "Journal, dokumenter og frister", "Gi tilgang")(page)
    expect(page.get_by_label("Gi tilgang til").locator("option")).to_contain_text(["Pia Panelmedlem"])


PUBLIC_JOURNAL = "/offentlig-journal/?enhet=helse-sor-ost&fra=01.01.2000"


def _open_access_request(page: Page) -> None:
    """The access request form from a post's «Be om innsyn» link on the public journal."""
    _goto(PUBLIC_JOURNAL)(page)
    page.get_by_role("link", name=re.compile(r"^Be om innsyn i ")).first.click()


def _expect_error_summary(page: Page, *messages: str) -> None:
    """The refused form's error summary, with focus, names each of `messages`."""
    summary = page.locator("[data-error-summary]")
    for message in messages:
        expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()


def _submit_access_request_empty(page: Page) -> None:
    _open_access_request(page)
    page.get_by_label("Journalposter").fill("")
    page.get_by_role("button", name="Send innsynskrav").click()
    _expect_error_summary(page, "Navn: Fyll inn navnet ditt.", "E-postadresse: Fyll inn e-postadressen din.")


def _submit_access_request(page: Page) -> None:
    _open_access_request(page)
    page.get_by_label("Navn").fill("Journalist Jensen")
    page.get_by_label("E-postadresse").fill("jensen@avis.example")
    page.get_by_role("button", name="Send innsynskrav").click()


def _submit_new_referral_empty(page: Page) -> None:
    _from_path("/ekspertpanelet/", "Registrer henvisning")(page)
    page.get_by_role("button", name="Registrer henvisning").click()
    _expect_error_summary(page, "Pasientens navn: Fyll inn pasientens navn.",
                          "Henvisende helseforetak: Velg henvisende helseforetak.")


def _open_panel_answers(page: Page) -> None:
    test_panel.open_referral(page, ASSIGNED_REFERRAL)
    page.get_by_role("link", name=re.compile(r"^(Skriv|Endre) vurderingen$")).click()


def _submit_refused_recommendation(page: Page) -> None:
    """Recommending a method Beslutningsforum decided not to introduce: refused, nothing saved."""
    _from_panel_referral(ASSIGNED_REFERRAL, "Legg til behandling")(page)
    page.get_by_label("Spørsmål", exact=True).select_option(value="3")
    page.get_by_label("Behandling", exact=True).fill("Demomab")
    page.get_by_label("Klassifisering").select_option(label="Akseptert off-label-bruk")
    page.get_by_role("radio", name="Anbefales", exact=True).check()
    page.get_by_label("Metode i Nye Metoder").fill(test_panel.NOT_INTRODUCED)
    page.get_by_label("Dokumentasjon av effekt").fill("Fase II-studie med respons hos 38 prosent.")
    page.get_by_role("button", name="Lagre behandlingen").click()
    _expect_error_summary(page, "Råd: Kan ikke anbefales: Beslutningsforum besluttet 16.06.2025")


def _open_withdraw_item(page: Page) -> None:
    """«Trekk tilbake» of a treatment item added through the UI to the open referral."""
    _from_panel_referral(ASSIGNED_REFERRAL, "Legg til behandling")(page)
    page.get_by_label("Spørsmål", exact=True).select_option(value="1")
    page.get_by_label("Behandling", exact=True).fill("Skjermleserbehandling")
    page.get_by_label("Klassifisering").select_option(label="Etablert behandling")
    page.get_by_role("radio", name="Anbefales ikke", exact=True).check()
    page.get_by_role("button", name="Lagre behandlingen").click()
    page.get_by_role("link", name="Trekk tilbake «Skjermleserbehandling»").first.click()


def _from_sent_referral(link: str) -> Callable[[Page], None]:
    """A form on the screens' own referral, registered, assessed and answered through the UI on first use."""
    def open_form(page: Page) -> None:
        if "url" not in _sent_referral:
            _sent_referral["url"] = test_panel.register_sent_referral(page, "Siri Skjermleser", date(1955, 4, 4))
        _goto(_sent_referral["url"])(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _open_change_password(page: Page) -> None:
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Bytt passord").click()


def _order_report(page: Page) -> None:
    test_reports.order_abroad_report(page, date.today().year)


def _open_published_report(page: Page) -> None:
    """Last year's panel report, published by the demo data."""
    _from_path("/rapporter/", "Publiserte rapporter")(page)
    page.get_by_role("table", name="Publiserte rapporter").get_by_role("link", name="Ekspertpanelet").first.click()


def _open_account_page(link: str) -> Callable[[Page], None]:
    def open_page(page: Page) -> None:
        page.goto("/")
        page.get_by_role("banner").get_by_role("link", name=link, exact=True).click()
    return open_page


def _open_patient_lookup(page: Page) -> None:
    page.goto("/admin/logg")
    page.get_by_role("link", name="Innsynslogg for en pasient").click()


# Two demo patients of Helse Sør-Øst's office (app/abroad/demo_data.py): the access log is found by national ID.
DEMO_PATIENTS = (synthetic_national_id(date(1992, 11, 2)), synthetic_national_id(date(1978, 3, 14)))


def _show_access_log(page: Page, national_id: str) -> None:
    page.goto("/admin/logg/pasient")
    page.get_by_label("Pasientens fødselsnummer eller D-nummer").fill(national_id)
    page.get_by_role("button", name="Vis innsynslogg").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Innsynslogg: "))).to_be_visible()


def _open_patient_access_log(page: Page) -> None:
    _show_access_log(page, DEMO_PATIENTS[0])


def _open_access_log_request(page: Page) -> None:
    """The demo's open request for the access log, with its letter previewed."""
    _goto("/admin/innsyn-i-logg")(page)
    page.get_by_role("table", name="Forespørsler om innsyn i logg, åpne først").get_by_role("link").first.click()
    page.get_by_role("button", name="Forhåndsvis brevet").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning")).to_be_visible()


def _open_audit_event(page: Page) -> None:
    """The newest event of the log, from the link on its time."""
    _goto("/admin/logg")(page)
    page.get_by_role("table", name="Logghendelser, sortert etter tid (synkende)").get_by_role(
        "link", name=re.compile(r"\(hendelse \d+\)$")).first.click()


def _submit_empty_access_log_request(page: Page) -> None:
    _goto("/admin/innsyn-i-logg/ny")(page)
    page.get_by_role("button", name="Registrer forespørselen").click()


def _open_log_review(page: Page) -> None:
    """The log review with a row in its lists: the admin opens two patients' access logs (two patients
    within minutes: flagged at a threshold of two), and Helse Vest's caseworker tries a case of Helse Sør-Øst's
    office (refused). Off-hours rows depend on the clock."""
    _goto("/admin/logg?bruker=hso%40helsesak.test")(page)
    log = page.get_by_role("table", name="Logghendelser, sortert etter tid (synkende)")
    hso_case = log.locator("a[href*='sak=']").first.inner_text()
    for national_id in DEMO_PATIENTS:
        _show_access_log(page, national_id)
    context = page.context.browser.new_context(base_url=page.url.split("/admin/")[0])
    try:
        snooper = context.new_page()
        snooper.goto("/login")
        snooper.get_by_label("E-postadresse").fill(VEST)
        snooper.get_by_label("Passord", exact=True).fill(DEMO_PASSWORD)
        snooper.get_by_role("button", name="Logg inn").click()
        expect(snooper.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
        response = snooper.goto(f"/saker/{hso_case}")
        assert response is not None and response.status == 404
    finally:
        context.close()
    _from_path("/admin/logg", "Loggkontroll: uvanlige oppslag")(page)
    page.get_by_label("Antall ulike pasienter").fill("2")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("table", name="Mange pasienter på kort tid, nyeste først")).to_contain_text(ADMIN)
    expect(page.get_by_role("table", name="Avviste forsøk per bruker, flest først")).to_contain_text(VEST)


# Behandling i utlandet: the demo applications and appeals (app/abroad/demo_data.py)
VEST = "vest@helsesak.test"
APPLICATION = "Søknad om behandling i utlandet"
APPEAL = "Klage på avslag om behandling i utlandet"
OPEN_APPLICANT = "Nils Nordlending"   # Helse Nord patient at Helse Sør-Øst's office; a medical opinion is due
PROTON_PATIENT = "Kari Nordmann"      # particle-therapy referral with a treatment plan and a cost in SEK
METHOD_APPLICANT = "Mette Metode"     # concerns ID2024_090, which Beslutningsforum did not introduce
APPELLANT = "Per Klagesen"            # refused; the appeal is forwarded to Klagenemnda
TIMELY_APPELLANT = "Lars Lunde"       # Helse Vest: appeal on time, at the office
LATE_APPELLANT = "Kåre Sen"           # Helse Vest: late appeal awaiting the § 31 assessment
MIDT = "midt@helsesak.test"
QUASHED_APPELLANT = "Oline Opphevet"  # Helse Midt-Norge: Klagenemnda quashed the refusal and sent it back


def _open_application(patient: str) -> Callable[[Page], None]:
    def open_application(page: Page) -> None:
        _goto(f"/utland/soknader?q={patient}")(page)
        page.get_by_role("table", name="Søknader og henvisninger, nyeste først").get_by_role("row").filter(
            has_text=patient).get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(patient)
    return open_application


def _from_application(patient: str, link: str) -> Callable[[Page], None]:
    def open_form(page: Page) -> None:
        _open_application(patient)(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _open_appeal(patient: str) -> Callable[[Page], None]:
    def open_appeal(page: Page) -> None:
        _goto("/utland/klager")(page)
        page.get_by_role("table", name="Klager, nyeste først").get_by_role("row").filter(
            has_text=patient).get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(patient)
    return open_appeal


def _from_appeal(patient: str, link: str) -> Callable[[Page], None]:
    def open_form(page: Page) -> None:
        _open_appeal(patient)(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _upload_import(rows: list[str]) -> Callable[[Page], None]:
    """The import page with a CSV of historical applications (Helse Sør-Øst's office) uploaded."""
    def upload(page: Page) -> None:
        _from_path("/utland/", "Importer")(page)
        page.get_by_label("Hva skal importeres?").select_option(label="Søknader og henvisninger")
        header = "reference;patient_region;patient_birth_date;stream;received_date;icd10;decision;decision_date"
        page.get_by_label("Fil (CSV eller XLSX)").set_input_files(files=[{
            "name": "historikk.csv", "mimeType": "text/csv",
            "buffer": "\n".join([header, *rows]).encode("utf-8-sig")}])
        page.get_by_role("button", name="Importer").click()
    return upload


def _submit_new_application_invalid(page: Page) -> None:
    _from_path("/utland/", "Registrer søknad")(page)
    page.get_by_label("Fødselsnummer eller D-nummer").fill("15108695077")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("X99.99")
    page.get_by_role("button", name="Registrer søknad").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Fødselsnummer eller D-nummer: Kontrollsifrene stemmer ikke.")
    expect(summary).to_contain_text("Pasientens navn: Fyll inn pasientens navn.")
    expect(summary).to_contain_text("Hoveddiagnose (ICD-10): «X99.99» er ikke en gyldig ICD-10-kode.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Hoveddiagnose (ICD-10)")).to_have_value("X99.99")


def _submit_refused_grant(page: Page) -> None:
    """Granting a method Beslutningsforum did not introduce: refused at the field, nothing saved."""
    _from_application(METHOD_APPLICANT, "Fatt vedtak")(page)
    page.get_by_role("group", name="Vedtak").get_by_role("radio", name="Innvilget", exact=True).check()
    page.get_by_role("button", name="Forhåndsvis brevet").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Søknaden kan ikke innvilges: "
                                    "Beslutningsforum for nye metoder besluttet 16.06.2025")
    expect(summary).to_be_focused()


def _preview_refusal(page: Page) -> None:
    """The decision letter's preview: the letter as it will be filed, under the form."""
    _from_application(OPEN_APPLICANT, "Fatt vedtak")(page)
    page.get_by_role("group", name="Vedtak").get_by_role("radio", name="Avslått", exact=True).check()
    page.get_by_label("Begrunnelse").fill("Det finnes et forsvarlig tilbud i Norge.")
    page.get_by_role("button", name="Forhåndsvis brevet").click()
    expect(page.get_by_role("article", name="Brevet slik det journalføres")).to_be_visible()


def _preview_letter(open_form: Callable[[Page], None], choice: str, label: str, text: str) -> Callable[[Page], None]:
    """A letter previewed under its form: `choice` checked and `label` filled, then «Forhåndsvis brevet»."""
    def preview(page: Page) -> None:
        open_form(page)
        page.get_by_role("radio", name=choice, exact=True).check()
        page.get_by_label(label).fill(text)
        page.get_by_role("button", name="Forhåndsvis brevet").click()
        expect(page.get_by_role("article", name="Brevet slik det journalføres")).to_be_visible()
    return preview


# The forwarding letter's preview, with the documents it sends listed; the § 31 dismissal's decision letter.
_preview_forwarding = _preview_letter(_from_appeal(TIMELY_APPELLANT, "Registrer kontorets behandling"),
                                      "Opprettholdt og oversendt Klagenemnda", "Kontorets vurdering",
                                      "Kontoret opprettholder avslaget.")
_preview_dismissal = _preview_letter(_from_appeal(LATE_APPELLANT, "Vurder fristoversittelsen"), "Nei", "Vurdering",
                                     "Ingen særlige grunner til at klagen kom for sent.")


def _phrase_without_text(page: Page) -> None:
    """A standard phrase saved without its text: refused at the field."""
    _from_path("/utland/", "Standardtekster")(page)
    page.get_by_label("Tittel").fill("Uten tekst")
    page.get_by_role("button", name="Lagre standardteksten").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()


def _edit_phrase(page: Page) -> None:
    """A standard phrase of the office opened for editing (added first, under a title of its own)."""
    _from_path("/utland/", "Standardtekster")(page)
    title = f"Tilbud i Norge {uuid.uuid4().hex[:6]}"
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("Tekst", exact=True).fill("Det finnes et forsvarlig tilbud i Norge.")
    page.get_by_role("button", name="Lagre standardteksten").click()
    page.get_by_role("link", name=title).click()


def _submit_correction_without_reason(page: Page) -> None:
    """A correction of a decided application without a reason: refused at the field, nothing saved."""
    _from_application(APPELLANT, "Rett søknaden")(page)
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("C50.1")
    page.get_by_role("button", name="Lagre rettingen").click()
    expect(page.locator("#reason-error")).to_contain_text("Skriv hvorfor opplysningene rettes.")
    expect(page.locator("[data-error-summary]")).to_be_focused()


def _open_cost_reversal(page: Page) -> None:
    _open_application(PROTON_PATIENT)(page)
    page.get_by_role("link", name=re.compile("^Tilbakefør kostnaden")).first.click()


# Nye Metoder: the demo data's methods (app/methods/demo_data.py), reached from the method list.
ASSESSED_METHOD = "ID2025_102"   # has a full suitability assessment with ongoing trials
DECIDED_METHOD = "ID2022_131"    # has Beslutningsforum's decision of 17.03.2025, amended 28.04.2025


def _open_method(reference: str) -> Callable[[Page], None]:
    def open_method(page: Page) -> None:
        page.goto("/")
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Nye Metoder").click()
        page.goto(f"{page.url.split('?')[0]}?q={reference}")     # the demo's history fills many pages
        page.get_by_role("table", name="Metoder").get_by_role("link", name=reference, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    return open_method


def _from_method(reference: str, *links: str) -> Callable[[Page], None]:
    """The page reached from a method's page by following `links` in turn."""
    def open_form(page: Page) -> None:
        _open_method(reference)(page)
        for link in links:
            page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _submit_new_method_like_an_earlier_one(page: Page) -> None:
    """A proposal whose title is like the demo's ID2018_084 and ID2025_102: the possible-duplicate step."""
    _goto("/metoder/ny")(page)
    page.get_by_label("Tittel").fill("Endoskopisk ryggkirurgi ved spinal stenose")
    page.get_by_label("Innsender (organisasjon)").fill("Sykehuset Telemark")
    page.get_by_role("button", name="Registrer metode").click()
    expect(page.get_by_role("table", name="Metoder som likner den du registrerer")).to_contain_text("ID2018_084")


def _submit_new_method_empty(page: Page) -> None:
    _goto("/metoder/")(page)
    page.get_by_role("link", name="Registrer metode").click()
    page.get_by_role("button", name="Registrer metode").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Tittel: Fyll inn metodens tittel.")
    expect(summary).to_contain_text("Innsender (organisasjon): Fyll inn hvem som sendte inn.")
    expect(summary).to_be_focused()


def _submit_invalid_trial(page: Page) -> None:
    """A trial whose registry number the service refuses: nothing is saved."""
    _from_method(ASSESSED_METHOD, "Endre egnethetsvurderingen", "Legg til studie")(page)
    page.get_by_label("Populasjon").fill("Voksne med lumbal spinal stenose")
    page.get_by_label("Intervensjon").fill("Endoskopisk dekompresjon")
    page.get_by_label("Studienummer").fill("NCT123")
    page.get_by_role("button", name="Lagre studie").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("«NCT123» er ikke et gyldig studienummer.")
    expect(summary).to_be_focused()


def _open_meetings(page: Page) -> None:
    _goto("/metoder/")(page)
    page.get_by_role("link", name="Møter", exact=True).click()


def _open_meeting(page: Page) -> None:
    """Beslutningsforum's meeting of 17.03.2025, with the three robot-surgery decisions."""
    _goto("/metoder/moter?forum=beslutningsforum")(page)   # the demo has years of meetings: the forum's newest
    page.get_by_role("table", name="Møter, nyeste først").get_by_role("link", name="17.03.2025").click()


def _from_meeting(link: str) -> Callable[[Page], None]:
    def open_form(page: Page) -> None:
        _open_meeting(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


WORKING_GROUP = "Interregional arbeidsgruppe for kirurgiske operasjonsroboter"


def _open_working_group(page: Page) -> None:
    """The demo's working group for the three robot-surgery methods, from the method list's «Arbeidsgrupper»."""
    _from_path("/metoder/", "Arbeidsgrupper")(page)
    page.get_by_role("table", name="Arbeidsgrupper, nyeste først").get_by_role("link", name=WORKING_GROUP).click()


def _from_working_group(link: str) -> Callable[[Page], None]:
    def open_form(page: Page) -> None:
        _open_working_group(page)
        page.get_by_role("link", name=link, exact=True).click()
    return open_form


def _deliver_incomplete_report(page: Page) -> None:
    """The report delivered with questions unanswered: each one is named in the summary and at its field."""
    _from_working_group("Skriv rapport")(page)
    page.get_by_label("Rapporten levert").fill("30.10.2025")
    page.get_by_role("button", name="Lagre rapport").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Besvar spørsmål 9.1 før rapporten registreres")


def _open_public_method(page: Page) -> None:
    page.goto(f"/nye-metoder/?q={DECIDED_METHOD}")
    page.get_by_role("table", name="Metoder").get_by_role("link", name=DECIDED_METHOD, exact=True).click()


def _open_admin_user(page: Page) -> None:
    _goto("/admin/brukere")(page)
    page.get_by_role("link", name="Anders Analytiker", exact=True).click()


def _open_activation(page: Page) -> None:
    """An account the admin makes in the browser, then its one-time activation link (no login needed)."""
    _goto("/admin/brukere/ny")(page)
    page.get_by_label("Navn").fill("Aktivert Bruker")
    # a real domain: the form refuses special-use ones such as .test (RFC 6761), as email-validator does
    page.get_by_label("E-postadresse").fill(f"aktiver-{uuid.uuid4().hex[:12]}@example.no")
    page.get_by_label("Rolle").select_option("analyst")
    page.get_by_role("button", name="Opprett bruker").click()
    page.goto(page.locator("code.token").inner_text())


def _order_archive_extraction(page: Page) -> None:
    """An extraction of a year with no cases (quick, and an empty deposit still has its result page)."""
    _goto("/admin/arkiv")(page)
    page.get_by_label("Fra og med").fill("01.01.1990")
    page.get_by_label("Til og med").fill("31.12.1990")
    page.get_by_role("button", name="Lag arkivuttrekk").click()


@dataclass(frozen=True)
class Screen:
    id: str
    user: str | None  # None: not logged in
    template: str
    heading: str | re.Pattern
    open: Callable[[Page], None]


SCREENS = [
    Screen("login", None, "auth/login.html", "Logg inn i Helsesak", _goto("/login")),
    Screen("dashboard", CASEWORKER, "cases/dashboard.html", "Oversikt", _goto("/")),
    Screen("case-list", CASEWORKER, "cases/list.html", "Saker", _goto("/saker")),
    Screen("case-list-filtered", CASEWORKER, "cases/list.html", "Saker",
           _goto("/saker?q=S%C3%B8knad&type=abroad_application&status=B&sort=tittel&mine=1")),
    Screen("case-list-saved-filter", CASEWORKER, "cases/list.html", "Saker",
           _with_saved_filter("/saker?type=abroad_application&status=B&sort=tittel", "Søknader under behandling")),
    Screen("case-list-sorted", CASEWORKER, "cases/list.html", "Saker", _sorted("/saker?status=tull", "Tittel")),
    Screen("saved-filter-errors", CASEWORKER, "cases/saved_filter_new.html", "Lagre filter",
           _submit_saved_filter_without_name),
    Screen("dashboard-saved-filters", CASEWORKER, "cases/dashboard.html", "Oversikt",
           _open_dashboard_with_saved_filters),
    Screen("case-detail", CASEWORKER, "cases/detail.html", re.compile(r"^Søknad"), _open_my_case),
    Screen("case-detail-with-document", CASEWORKER, "cases/detail.html", re.compile(r"^Søknad"),
           _open_my_case_with_document),
    Screen("case-edit", CASEWORKER, "cases/edit.html", re.compile(r"^Endre sak \d+/\d+$"), _from_my_case("Endre sak")),
    Screen("case-status", CASEWORKER, "cases/status.html", re.compile(r"^Endre status for sak \d+/\d+$"),
           _from_my_case("Endre status")),
    Screen("journal-new", CASEWORKER, "cases/journal_new.html", "Ny journalpost", _from_my_case("Ny journalpost")),
    Screen("document-new", CASEWORKER, "cases/document_new.html", "Last opp dokument",
           _from_my_case("Last opp dokument")),
    Screen("document-version-new", CASEWORKER, "cases/document_version_new.html", re.compile(r"^Ny versjon av «"),
           _open_new_document_version),
    Screen("deadline-new", CASEWORKER, "cases/deadline_new.html", "Ny frist", _from_my_case("Ny frist")),
    Screen("case-patient", CASEWORKER, "cases/patient.html", "Pasientens opplysninger over tid", _open_my_patient),
    Screen("case-patient-with-guardian", CASEWORKER, "cases/patient.html", "Pasientens opplysninger over tid",
           _open_my_patient_with_guardian),
    Screen("case-patient-edit", CASEWORKER, "cases/patient_edit.html", "Endre eller rett pasientopplysninger",
           _from_my_patient("Endre eller rett opplysninger")),
    Screen("case-patient-edit-errors", CASEWORKER, "cases/patient_edit.html", "Endre eller rett pasientopplysninger",
           _submit_patient_change_without_reason),
    Screen("case-guardian-new", CASEWORKER, "cases/guardian_new.html", "Legg til verge eller foresatt",
           _from_my_patient("Legg til verge")),
    # Behandling i utlandet: the demo applications (app/abroad/demo_data.py) of Helse Sør-Øst and Helse Vest
    Screen("abroad-dashboard", CASEWORKER, "abroad/index.html", "Behandling i utlandet", _goto("/utland/")),
    Screen("abroad-dashboard-vest", VEST, "abroad/index.html", "Behandling i utlandet", _goto("/utland/")),
    Screen("abroad-queue", CASEWORKER, "abroad/queue.html", "Arbeidskø for Utenlandskontoret i Helse Sør-Øst",
           _from_path("/utland/", "Arbeidskø")),
    Screen("case-queue", METHODS, "cases/queue.html", "Arbeidskø", _from_path("/", "Arbeidskø")),
    Screen("case-queue-panel", PANEL, "cases/queue.html", "Arbeidskø", _goto("/saker/arbeidsko?ko=mine")),
    Screen("search", CASEWORKER, "cases/search.html", "Søk", _goto("/sok?q=Nordlending")),
    Screen("search-national-id", CASEWORKER, "cases/search.html", "Søk", _goto(f"/sok?q={DEMO_PATIENTS[0]}")),
    Screen("abroad-applications", CASEWORKER, "abroad/applications.html", "Søknader og henvisninger",
           _from_path("/utland/", "Alle søknader")),
    Screen("abroad-applications-filtered", VEST, "abroad/applications.html", "Søknader og henvisninger",
           _goto("/utland/soknader?stream=application&region=helse-vest&overdue=y&q=Vigdis")),
    Screen("abroad-applications-sorted", CASEWORKER, "abroad/applications.html", "Søknader og henvisninger",
           _sorted("/utland/soknader?stream=application&year=tull", "Pasient")),
    Screen("abroad-application-new", CASEWORKER, "abroad/application_new.html",
           "Registrer søknad om behandling i utlandet", _from_path("/utland/", "Registrer søknad")),
    Screen("abroad-application-new-errors", CASEWORKER, "abroad/application_new.html",
           "Registrer søknad om behandling i utlandet", _submit_new_application_invalid),
    Screen("abroad-application-open", CASEWORKER, "abroad/application.html", f"{APPLICATION} – {OPEN_APPLICANT}",
           _open_application(OPEN_APPLICANT)),
    Screen("abroad-referral-with-costs", CASEWORKER, "abroad/application.html",
           f"Henvisning – partikkelterapi – {PROTON_PATIENT}", _open_application(PROTON_PATIENT)),
    Screen("abroad-opinion-request", CASEWORKER, "abroad/step_form.html", "Be om medisinsk uttalelse",
           _from_application(OPEN_APPLICANT, "Be om uttalelse")),
    Screen("abroad-opinion-received", CASEWORKER, "abroad/step_form.html",
           "Uttalelse fra Fostermedisin, Oslo universitetssykehus",
           _from_application(OPEN_APPLICANT,
                             "Registrer mottatt uttalelse fra Fostermedisin, Oslo universitetssykehus")),
    Screen("abroad-decision-not-introduced", CASEWORKER, "abroad/decision_form.html", "Vedtak",
           _from_application(METHOD_APPLICANT, "Fatt vedtak")),
    Screen("abroad-decision-errors", CASEWORKER, "abroad/decision_form.html", "Vedtak", _submit_refused_grant),
    Screen("abroad-decision-preview", CASEWORKER, "abroad/decision_form.html", "Vedtak", _preview_refusal),
    Screen("abroad-application-correction", CASEWORKER, "abroad/correction_form.html", "Rett søknaden",
           _from_application(APPELLANT, "Rett søknaden")),
    Screen("abroad-application-correction-errors", CASEWORKER, "abroad/correction_form.html", "Rett søknaden",
           _submit_correction_without_reason),
    Screen("abroad-opinion-correction", CASEWORKER, "abroad/correction_form.html",
           "Rett uttalelsen fra Fostermedisin, Oslo universitetssykehus",
           _from_application(OPEN_APPLICANT, "Rett uttalelsen fra Fostermedisin, Oslo universitetssykehus")),
    Screen("abroad-cost-reversal", CASEWORKER, "abroad/correction_form.html", "Tilbakefør kostnad",
           _open_cost_reversal),
    Screen("abroad-treatment-plan", CASEWORKER, "abroad/step_form.html", "Behandling, reise og opphold",
           _from_application(PROTON_PATIENT, "Endre behandlingsplan")),
    Screen("abroad-cost-new", CASEWORKER, "abroad/step_form.html", "Før kostnad",
           _from_application(PROTON_PATIENT, "Før kostnad")),
    Screen("abroad-appeal-new", CASEWORKER, "abroad/step_form.html", "Registrer klage på vedtaket",
           _from_application(APPELLANT, "Registrer klage")),
    Screen("abroad-phrases", CASEWORKER, "abroad/phrases.html", "Standardtekster",
           _from_path("/utland/", "Standardtekster")),
    Screen("abroad-phrases-errors", CASEWORKER, "abroad/phrases.html", "Standardtekster", _phrase_without_text),
    Screen("abroad-phrase-edit", CASEWORKER, "abroad/phrase_form.html", "Endre standardtekst", _edit_phrase),
    Screen("abroad-hospitals", CASEWORKER, "abroad/hospitals.html", "Sykehusregister",
           _from_path("/utland/", "Sykehusregister")),
    Screen("abroad-hospital-edit", CASEWORKER, "abroad/hospital_form.html", "Rigshospitalet",
           _from_path("/utland/sykehus", "Rigshospitalet")),
    Screen("abroad-forwarding", CASEWORKER, "abroad/forwarding_form.html", "Send søknaden videre",
           _from_application(OPEN_APPLICANT, "Send videre til rett ordning")),
    Screen("abroad-import", CASEWORKER, "abroad/import.html", "Importer historiske saker",
           _from_path("/utland/", "Importer")),
    Screen("abroad-import-refused", CASEWORKER, "abroad/import_job.html", "Import av søknader og henvisninger",
           _upload_import(["HSO-A11Y-1;helse-sor-ost;1970-01-01;application;2019-03-01;C34.9;granted;2019-02-01"])),
    Screen("abroad-import-done", CASEWORKER, "abroad/import_job.html", "Import av søknader og henvisninger",
           _upload_import(["HSO-A11Y-2;helse-nord;1971-02-02;application;2019-03-01;O43.0;denied;2019-03-20"])),
    Screen("abroad-appeals", CASEWORKER, "abroad/appeals.html", "Klager på avslag", _from_path("/utland/", "Klager")),
    Screen("abroad-appeals-sorted", CASEWORKER, "abroad/appeals.html", "Klager på avslag",
           _sorted("/utland/klager", "Pasient")),
    Screen("abroad-appeal-forwarded", CASEWORKER, "abroad/appeal.html", f"{APPEAL} – {APPELLANT}",
           _open_appeal(APPELLANT)),
    Screen("abroad-appeal-late", VEST, "abroad/appeal.html", f"{APPEAL} – {LATE_APPELLANT}",
           _open_appeal(LATE_APPELLANT)),
    Screen("abroad-board-decision", CASEWORKER, "abroad/appeal_step_form.html", "Avgjørelse fra Klagenemnda",
           _from_appeal(APPELLANT, "Registrer nemndas avgjørelse")),
    Screen("abroad-reconsideration", VEST, "abroad/appeal_step_form.html", "Kontorets behandling av klagen",
           _from_appeal(TIMELY_APPELLANT, "Registrer kontorets behandling")),
    Screen("abroad-reconsideration-preview", VEST, "abroad/appeal_step_form.html", "Kontorets behandling av klagen",
           _preview_forwarding),
    Screen("abroad-late-assessment", VEST, "abroad/appeal_step_form.html", "Klage etter fristen",
           _from_appeal(LATE_APPELLANT, "Vurder fristoversittelsen")),
    Screen("abroad-late-dismissal-preview", VEST, "abroad/appeal_step_form.html", "Klage etter fristen",
           _preview_dismissal),
    Screen("abroad-appeal-withdrawal", CASEWORKER, "abroad/appeal_step_form.html", "Klagen trekkes",
           _from_appeal(APPELLANT, "Registrer at klagen er trukket")),
    Screen("abroad-appeal-quashed", MIDT, "abroad/appeal.html", f"{APPEAL} – {QUASHED_APPELLANT}",
           _open_appeal(QUASHED_APPELLANT)),
    # Nye Metoder: the secretariat's pages, the list as Bestillerforum sees it, the public pages without login
    Screen("methods-overview", METHODS, "methods/index.html", "Nye Metoder", _goto("/metoder/")),
    Screen("methods-overview-filtered", BESTILLERFORUM, "methods/index.html", "Nye Metoder",
           _goto("/metoder/?q=robot&status=decided&method_type=prosedyrer")),
    Screen("methods-overview-sorted", BESTILLERFORUM, "methods/index.html", "Nye Metoder",
           _sorted("/metoder/?method_type=prosedyrer&status=tull", "Status")),
    Screen("method-new", METHODS, "methods/method_new.html", "Registrer metode",
           _from_path("/metoder/", "Registrer metode")),
    Screen("method-new-errors", METHODS, "methods/method_new.html", "Registrer metode", _submit_new_method_empty),
    Screen("method-new-possible-duplicates", METHODS, "methods/method_new.html", "Registrer metode",
           _submit_new_method_like_an_earlier_one),
    Screen("method-detail-decided", METHODS, "methods/detail.html", re.compile(rf"^{DECIDED_METHOD} "),
           _open_method(DECIDED_METHOD)),
    Screen("method-detail-assessed", METHODS, "methods/detail.html", re.compile(rf"^{ASSESSED_METHOD} "),
           _open_method(ASSESSED_METHOD)),
    Screen("method-edit", METHODS, "methods/method_edit.html", f"Endre {ASSESSED_METHOD}",
           _from_method(ASSESSED_METHOD, "Endre")),
    Screen("method-status", METHODS, "methods/status.html", f"Endre status for {ASSESSED_METHOD}",
           _from_method(ASSESSED_METHOD, "Endre status")),
    Screen("method-submission-new", METHODS, "methods/simple_form.html", "Ny innsending",
           _from_method(ASSESSED_METHOD, "Ny innsending")),
    Screen("assessment-edit", METHODS, "methods/assessment_edit.html", "Endre egnethetsvurdering",
           _from_method(ASSESSED_METHOD, "Endre egnethetsvurderingen")),
    Screen("assessment-view", METHODS, "methods/assessment_view.html", "Egnethetsvurdering",
           _from_method(ASSESSED_METHOD, "Vis egnethetsvurderingen")),
    Screen("trial-new", METHODS, "methods/trial_form.html", "Ny pågående klinisk studie",
           _from_method(ASSESSED_METHOD, "Endre egnethetsvurderingen", "Legg til studie")),
    Screen("trial-new-errors", METHODS, "methods/trial_form.html", "Ny pågående klinisk studie", _submit_invalid_trial),
    Screen("trial-edit", METHODS, "methods/trial_form.html", "Endre studie NCT06719037",
           _from_method(ASSESSED_METHOD, "Endre egnethetsvurderingen", "Endre NCT06719037")),
    Screen("reference-new", METHODS, "methods/reference_form.html", "Ny referanse [4]",
           _from_method(ASSESSED_METHOD, "Endre egnethetsvurderingen", "Legg til referanse")),
    Screen("reference-edit", METHODS, "methods/reference_form.html", "Endre referanse [1]",
           _from_method(ASSESSED_METHOD, "Endre egnethetsvurderingen", "Endre referanse 1")),
    Screen("meetings", METHODS, "methods/meetings.html", "Møter", _open_meetings),
    Screen("meetings-sorted", METHODS, "methods/meetings.html", "Møter",
           _sorted("/metoder/moter?forum=bestillerforum", "Møtedato")),
    Screen("meeting", METHODS, "methods/meeting.html", "Beslutningsforum 17.03.2025", _open_meeting),
    Screen("meeting-new", METHODS, "methods/meeting_form.html", "Nytt møte", _from_path("/metoder/moter", "Nytt møte")),
    Screen("meeting-agenda-item-new", METHODS, "methods/agenda_item_form.html",
           "Ny sak – Beslutningsforum 17.03.2025", _from_meeting("Ny sak")),
    Screen("decision-amend", METHODS, "methods/forum_form.html", "Endre beslutning",
           _from_method(DECIDED_METHOD, "Endre beslutningen")),
    Screen("ordering-decision-without-agenda-item", METHODS, "methods/forum_form.html", "Beslutning i Bestillerforum",
           _from_method(ASSESSED_METHOD, "Registrer beslutning i Bestillerforum")),
    Screen("working-groups", BESTILLERFORUM, "methods/working_groups.html", "Arbeidsgrupper",
           _from_path("/metoder/", "Arbeidsgrupper")),
    Screen("working-group", METHODS, "methods/working_group.html", WORKING_GROUP, _open_working_group),
    Screen("working-group-edit", METHODS, "methods/working_group_form.html", f"Endre {WORKING_GROUP}",
           _from_working_group("Endre")),
    Screen("working-group-member-new", METHODS, "methods/working_group_form.html", "Nytt medlem",
           _from_working_group("Nytt medlem")),
    Screen("working-group-report", METHODS, "methods/working_group_report_form.html", "Rapport",
           _from_working_group("Skriv rapport")),
    Screen("working-group-report-errors", METHODS, "methods/working_group_report_form.html", "Rapport",
           _deliver_incomplete_report),
    Screen("public-methods", None, "public_methods/index.html", "Finn metode", _goto("/nye-metoder/?q=robot")),
    Screen("public-methods-sorted", None, "public_methods/index.html", "Finn metode",
           _sorted("/nye-metoder/?q=robot&year=tull", "Tittel")),
    Screen("public-method-detail", None, "public_methods/detail.html", re.compile(rf"^{DECIDED_METHOD} "),
           _open_public_method),
    Screen("public-methods-filtered", None, "public_methods/index.html", "Finn metode",
           _goto("/nye-metoder/?decision=not_introduced&atc=L01&indication=eggstokkreft&method_type=legemidler")),
    Screen("public-methods-bad-filters", None, "public_methods/index.html", "Finn metode",
           _goto("/nye-metoder/?atc=tull&decision=ja&indication=eggstokkreft")),
    Screen("public-method-detail-published-assessment", None, "public_methods/detail.html",
           re.compile(r"^ID2024_090 "), _goto("/nye-metoder/ID2024_090")),
    # The public journal (offentleglova) and its access request form
    Screen("public-journal", None, "public_journal/index.html", "Offentlig journal", _goto("/offentlig-journal/")),
    Screen("public-journal-unit", None, "public_journal/index.html",
           "Offentlig journal: Utenlandskontoret i Helse Sør-Øst", _goto(PUBLIC_JOURNAL)),
    Screen("public-journal-bad-filters", None, "public_journal/index.html", "Offentlig journal",
           _goto("/offentlig-journal/?fra=tull&enhet=ukjent")),
    Screen("access-request", None, "public_journal/access_request.html", "Be om innsyn", _open_access_request),
    Screen("access-request-errors", None, "public_journal/access_request.html", "Be om innsyn",
           _submit_access_request_empty),
    Screen("access-request-receipt", None, "public_journal/receipt.html", "Innsynskravet er mottatt",
           _submit_access_request),
    # Ekspertpanelet: the secretariat's pages, a referral as an assigned panel member sees it
    Screen("panel-overview", PANEL, "panel/index.html", "Ekspertpanelet", _goto("/ekspertpanelet/")),
    Screen("panel-overview-member", PANEL_MEMBER, "panel/index.html", "Ekspertpanelet", _goto("/ekspertpanelet/")),
    Screen("panel-overview-sorted", PANEL, "panel/index.html", "Ekspertpanelet",
           _sorted("/ekspertpanelet/?status=tull", "Svarfrist")),
    Screen("panel-referral-new", PANEL, "panel/referral_new.html", "Registrer henvisning til ekspertpanelet",
           _from_path("/ekspertpanelet/", "Registrer henvisning")),
    Screen("panel-referral-new-errors", PANEL, "panel/referral_new.html", "Registrer henvisning til ekspertpanelet",
           _submit_new_referral_empty),
    Screen("panel-referral", PANEL, "panel/referral.html", f"Henvisning til ekspertpanelet – {ASSIGNED_REFERRAL}",
           _open_panel_referral(ASSIGNED_REFERRAL)),
    Screen("panel-referral-as-member", PANEL_MEMBER, "panel/referral.html",
           f"Henvisning til ekspertpanelet – {ASSIGNED_REFERRAL}", _open_panel_referral(ASSIGNED_REFERRAL)),
    Screen("panel-contribution", PANEL_MEMBER, "panel/contribution_form.html", "Skriv utkast eller kommentar",
           _from_panel_referral(ASSIGNED_REFERRAL, "Skriv utkast eller kommentar")),
    Screen("dashboard-panel-member", PANEL_MEMBER, "cases/dashboard.html", "Oversikt", _goto("/")),
    Screen("dashboard-panel", PANEL, "cases/dashboard.html", "Oversikt", _goto("/")),
    Screen("dashboard-methods", METHODS, "cases/dashboard.html", "Oversikt", _goto("/")),
    Screen("panel-assign-member", PANEL, "panel/participant_form.html", "Sett medlem på saken",
           _from_panel_referral(ASSIGNED_REFERRAL, "Sett medlem på saken")),
    Screen("panel-add-expert", PANEL, "panel/participant_form.html", "Legg til innleid ekspert",
           _from_panel_referral(ASSIGNED_REFERRAL, "Legg til innleid ekspert")),
    Screen("panel-assign", PANEL, "cases/assign.html", "Gi tilgang til saken", _open_panel_assign),
    Screen("panel-members", PANEL, "panel/members.html", "Medlemmer av ekspertpanelet",
           _from_path("/ekspertpanelet/", "Medlemmer av panelet")),
    Screen("panel-member-new", PANEL, "panel/member_form.html", "Nytt medlem",
           _from_path("/ekspertpanelet/medlemmer", "Registrer medlem")),
    Screen("panel-member-edit", PANEL, "panel/member_form.html", "Endre Pia Panelmedlem",
           _from_path("/ekspertpanelet/medlemmer", "Endre Pia Panelmedlem")),
    Screen("panel-answers", PANEL, "panel/answers_form.html", "Ekspertpanelets vurdering", _open_panel_answers),
    Screen("panel-item-new", PANEL, "panel/item_form.html", "Ny behandling",
           _from_panel_referral(ASSIGNED_REFERRAL, "Legg til behandling")),
    Screen("panel-item-new-errors", PANEL, "panel/item_form.html", "Ny behandling", _submit_refused_recommendation),
    Screen("panel-item-withdraw", PANEL, "panel/item_withdraw.html", "Trekk tilbake behandling", _open_withdraw_item),
    Screen("panel-statement", PANEL, "panel/statement_form.html", "Send ekspertpanelets uttalelse",
           _from_panel_referral(ASSIGNED_REFERRAL, "Send uttalelse")),
    Screen("panel-ending", PANEL, "panel/ending_form.html", "Avvis, trekk eller avslutt henvisningen",
           _from_panel_referral(ASSIGNED_REFERRAL, "Avvis, trekk eller avslutt")),
    Screen("panel-feedback", PANEL, "panel/feedback_form.html", "Tilbakemelding fra behandlende lege",
           _from_sent_referral("Registrer tilbakemelding")),
    Screen("panel-principled-question", PANEL, "panel/principled_question_form.html", "Ny prinsipiell problemstilling",
           _from_sent_referral("Ny prinsipiell problemstilling")),
    # Rapporter: the analyst's overview and a finished report, each office's and secretariat's order page
    Screen("reports", ANALYST, "reports/index.html", "Rapporter", _goto("/rapporter/")),
    Screen("report-order-abroad", CASEWORKER, "reports/kind.html", "Behandling i utlandet",
           _goto("/rapporter/utenlandsbehandling/")),
    Screen("report-order-panel", PANEL, "reports/kind.html", "Ekspertpanelet", _goto("/rapporter/ekspertpanelet/")),
    Screen("report-finished", ANALYST, "reports/order.html", re.compile(r"^Behandling i utlandet – årsrapport \d{4}$"),
           _order_report),
    Screen("reports-published", ANALYST, "reports/publications.html", "Publiserte rapporter",
           _from_path("/rapporter/", "Publiserte rapporter")),
    Screen("report-published", PANEL, "reports/publication.html",
           re.compile(r"^Ekspertpanelet – årsrapport \d{4}, versjon 1$"), _open_published_report),
    Screen("reports-orders-sorted", ANALYST, "reports/index.html", "Rapporter",
           _sorted("/rapporter/?rapport=tull", "År")),
    Screen("change-password", CASEWORKER, "auth/change_password.html", "Bytt passord", _open_change_password),
    Screen("api-tokens", CASEWORKER, "auth/api_tokens.html", "API-nøkler", _open_account_page("API-nøkler")),
    Screen("account-sessions", CASEWORKER, "auth/sessions.html", "Innlogginger", _open_account_page("Innlogginger")),
    Screen("two-factor-setup", CASEWORKER, "auth/two_factor.html", "Tofaktorinnlogging",
           _open_account_page("Tofaktor")),
    Screen("not-found", CASEWORKER, "errors/error.html", "Siden finnes ikke", _open_not_found),
    Screen("admin-users", ADMIN, "admin/users.html", "Brukere", _goto("/admin/brukere")),
    Screen("admin-users-sorted", ADMIN, "admin/users.html", "Brukere", _sorted("/admin/brukere", "Navn")),
    Screen("admin-user-new", ADMIN, "admin/user_new.html", "Ny bruker", _goto("/admin/brukere/ny")),
    Screen("admin-user", ADMIN, "admin/user.html", "Anders Analytiker", _open_admin_user),
    Screen("account-activation", ADMIN, "auth/activate.html", "Velg passord", _open_activation),
    Screen("admin-audit-log", ADMIN, "admin/audit_log.html", "Tilgangs- og endringslogg", _goto("/admin/logg")),
    Screen("admin-audit-log-sorted", ADMIN, "admin/audit_log.html", "Tilgangs- og endringslogg",
           _sorted("/admin/logg?handling=tull", "Bruker")),
    Screen("admin-audit-event", ADMIN, "admin/audit_event.html", re.compile(r"^Logghendelse \d+$"), _open_audit_event),
    Screen("admin-patient-lookup", ADMIN, "admin/patient_lookup.html", "Innsynslogg for pasient",
           _open_patient_lookup),
    Screen("admin-patient-access-log", ADMIN, "admin/patient_access_log.html", re.compile(r"^Innsynslogg: "),
           _open_patient_access_log),
    Screen("admin-access-log-requests", ADMIN, "admin/access_log_requests.html", "Innsyn i logg",
           _from_path("/admin/brukere", "Innsyn i logg")),
    Screen("admin-access-log-request-new", ADMIN, "admin/access_log_request_new.html",
           "Registrer forespørsel om innsyn i logg", _from_path("/admin/innsyn-i-logg", "Registrer forespørsel")),
    Screen("admin-access-log-request-new-errors", ADMIN, "admin/access_log_request_new.html",
           "Registrer forespørsel om innsyn i logg", _submit_empty_access_log_request),
    Screen("admin-access-log-request", ADMIN, "admin/access_log_request.html",
           re.compile(r"^Innsyn i logg: \d{4}/\d+$"), _open_access_log_request),
    Screen("admin-log-review", ADMIN, "admin/log_review.html", "Loggkontroll", _open_log_review),
    Screen("admin-data-quality", ADMIN, "admin/data_quality.html", "Datakvalitet: pasientopplysninger",
           _goto("/admin/datakvalitet")),
    Screen("admin-archive", ADMIN, "archive/index.html", "Arkivuttrekk", _goto("/admin/arkiv")),
    Screen("admin-archive-done", ADMIN, "archive/job.html", "Arkivuttrekk 01.01.1990–31.12.1990",
           _order_archive_extraction),
]

# Every page template under templates/ and app/*/templates/ (not macros/, pdf/, "_" partials or
# base.html). Each must be the template of a screen above, which checks that it was rendered.
COVERED_TEMPLATES = [
    "abroad/appeal.html",
    "abroad/appeal_step_form.html",
    "abroad/appeals.html",
    "abroad/application.html",
    "abroad/application_new.html",
    "abroad/applications.html",
    "abroad/decision_form.html",
    "abroad/correction_form.html",
    "abroad/import.html",
    "abroad/phrase_form.html",
    "abroad/phrases.html",
    "abroad/hospitals.html",
    "abroad/hospital_form.html",
    "abroad/forwarding_form.html",
    "abroad/import_job.html",
    "abroad/index.html",
    "abroad/queue.html",
    "abroad/step_form.html",
    "admin/access_log_request.html",
    "admin/access_log_request_new.html",
    "admin/access_log_requests.html",
    "admin/audit_event.html",
    "admin/audit_log.html",
    "admin/data_quality.html",
    "admin/log_review.html",
    "admin/patient_access_log.html",
    "admin/patient_lookup.html",
    "admin/user.html",
    "admin/user_new.html",
    "admin/users.html",
    "archive/index.html",
    "archive/job.html",
    "auth/activate.html",
    "auth/api_tokens.html",
    "auth/sessions.html",
    "auth/change_password.html",
    "auth/login.html",
    "auth/two_factor.html",
    "cases/assign.html",
    "cases/dashboard.html",
    "cases/deadline_new.html",
    "cases/detail.html",
    "cases/document_new.html",
    "cases/document_version_new.html",
    "cases/edit.html",
    "cases/guardian_new.html",
    "cases/journal_new.html",
    "cases/list.html",
    "cases/queue.html",
    "cases/patient.html",
    "cases/patient_edit.html",
    "cases/saved_filter_new.html",
    "cases/search.html",
    "cases/status.html",
    "errors/error.html",
    "methods/assessment_edit.html",
    "methods/assessment_view.html",
    "methods/detail.html",
    "methods/forum_form.html",
    "methods/index.html",
    "methods/meeting.html",
    "methods/meeting_form.html",
    "methods/agenda_item_form.html",
    "methods/meetings.html",
    "methods/method_edit.html",
    "methods/method_new.html",
    "methods/simple_form.html",
    "methods/status.html",
    "methods/reference_form.html",
    "methods/trial_form.html",
    "methods/working_group.html",
    "methods/working_group_form.html",
    "methods/working_group_report_form.html",
    "methods/working_groups.html",
    "panel/answers_form.html",
    "panel/contribution_form.html",
    "panel/ending_form.html",
    "panel/feedback_form.html",
    "panel/index.html",
    "panel/item_form.html",
    "panel/item_withdraw.html",
    "panel/member_form.html",
    "panel/members.html",
    "panel/participant_form.html",
    "panel/principled_question_form.html",
    "panel/referral.html",
    "panel/referral_new.html",
    "panel/statement_form.html",
    "public_journal/access_request.html",
    "public_journal/index.html",
    "public_journal/receipt.html",
    "public_methods/detail.html",
    "public_methods/index.html",
    "reports/index.html",
    "reports/kind.html",
    "reports/order.html",
    "reports/publication.html",
    "reports/publications.html",
]


# ---------- checks ----------

def _violation_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            problems = "; ".join(line.strip() for line in node.get("failureSummary", "").splitlines()[1:])
            lines.append(f"    {' '.join(map(str, node['target']))}: {problems}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, where: str) -> None:
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"axe: {len(violations)} WCAG violation(s) on {where}:\n{_violation_report(violations)}"


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW["width"] + 1:
        culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                          && !el.matches('.skip-link')
                          && (!el.closest('.table-wrap')
                              || ['absolute', 'fixed'].includes(getComputedStyle(el).position)))
            .slice(0, 10).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                                     + ' right=' + Math.round(el.getBoundingClientRect().right))""")
        pytest.fail(f"{where}: the page is {width}px wide at {NARROW['width']}px; too wide: {culprits}")


def assert_error_summary_leads_to_the_fields(page: Page, screen_id: str) -> None:
    """A refused form (GOV.UK and Aksel): the title says «Feil:», focus is on the error summary, and each of
    its links leads to a field marked invalid and described by its message."""
    assert page.title().startswith("Feil: "), f"{screen_id}: title {page.title()!r}"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), f"{screen_id}: focus"
    for href in page.locator("[data-error-summary] a").evaluate_all("links => links.map(a => a.hash)"):
        field = page.locator(href)
        assert field.count() == 1, f"{screen_id}: the summary links to {href}, which is not on the page"
        if field.evaluate("el => ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)"):
            assert field.get_attribute("aria-invalid") == "true", f"{screen_id}: {href} not aria-invalid"
            assert f"{href[1:]}-error" in (field.get_attribute("aria-describedby") or ""), f"{screen_id}: {href}"


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.id)
def test_page_has_no_wcag_violations_and_reflows_at_320px(screen: Screen, page_as, rendered_templates, screenshot):
    page = page_as(screen.user)
    rendered_templates.clear()
    screen.open(page)
    page.wait_for_load_state("load")

    expect(page.get_by_role("heading", level=1)).to_have_text(screen.heading)
    assert screen.template in rendered_templates, f"{screen.id} rendered {rendered_templates}, not {screen.template}"

    assert_no_axe_violations(page, f"{screen.id} ({page.url})")
    # A length limit is counted and checked by the server, never enforced by cutting what is typed or pasted.
    limited = page.locator("[maxlength]")
    assert limited.count() == 0, f"{screen.id}: {limited.first.evaluate('field => field.outerHTML')}"
    if page.locator("[data-error-summary]").count():
        assert_error_summary_leads_to_the_fields(page, screen.id)
    screenshot(page, screen.id)

    page.set_viewport_size(NARROW)
    assert_no_axe_violations(page, f"{screen.id} at {NARROW['width']}px ({page.url})")
    assert_no_horizontal_scroll(page, screen.id)
    screenshot(page, f"{screen.id}-320px")


def test_case_list_filter_from_the_url_is_shown_in_the_form(page_as):
    page = page_as(CASEWORKER)
    page.goto("/saker?q=S%C3%B8knad&type=abroad_application&status=B&sort=tittel&mine=1")

    expect(page.get_by_role("searchbox", name="Søk")).to_have_value("Søknad")
    expect(page.get_by_role("checkbox", name="Søknad om behandling i utlandet")).to_be_checked()
    expect(page.get_by_label("Status")).to_have_value("B")
    expect(page.get_by_role("columnheader", name="Tittel")).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("checkbox", name="Bare mine saker")).to_be_checked()
    rows = page.get_by_role("table", name="Saker").locator("tbody tr")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        expect(row).to_contain_text("Søknad om behandling i utlandet")
        expect(row).to_contain_text("Under behandling")


def _page_templates() -> set[str]:
    """The page templates in the project, by the name Flask renders them under."""
    roots = [BASE_DIR / "templates", *sorted((BASE_DIR / "app").glob("*/templates"))]
    found = set()
    for root in roots:
        for path in root.rglob("*.html"):
            name = path.relative_to(root)
            if ({"macros", "pdf"} & set(name.parts[:-1]) or name.name.startswith("_")
                    or name.as_posix() == "base.html"):
                continue
            found.add(name.as_posix())
    return found


def test_every_page_template_is_checked_in_the_browser():
    templates = _page_templates()
    # The guard would pass vacuously if the scan missed a template folder.
    assert {name.split("/")[0] for name in templates} >= {"abroad", "admin", "auth", "cases", "errors", "methods",
                                                          "panel", "public_methods", "reports"}

    missing = sorted(templates - set(COVERED_TEMPLATES))
    assert not missing, ("Templates without a screen in test_accessibility.py (add a Screen that visits each, "
                         f"then list it in COVERED_TEMPLATES): {missing}")
    stale = sorted(set(COVERED_TEMPLATES) - templates)
    assert not stale, f"COVERED_TEMPLATES lists templates that no longer exist: {stale}"
    visited = {screen.template for screen in SCREENS}
    assert not set(COVERED_TEMPLATES) - visited, (
        f"COVERED_TEMPLATES lists templates that no Screen visits: {sorted(set(COVERED_TEMPLATES) - visited)}")
    assert not visited - set(COVERED_TEMPLATES), (
        f"Screens visit templates missing from COVERED_TEMPLATES: {sorted(visited - set(COVERED_TEMPLATES))}")
    assert len(COVERED_TEMPLATES) == len(set(COVERED_TEMPLATES)), "COVERED_TEMPLATES lists a template twice"

