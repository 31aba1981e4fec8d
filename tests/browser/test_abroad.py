"""Treatment abroad in the real browser: a caseworker registers an application (also with the keyboard
only), asks for and records a medical opinion, grants it with a decision letter, plans the treatment and
books costs in two currencies; a refusal is appealed, forwarded to Klagenemnda and upheld; a late appeal
waits for the forvaltningsloven § 31 assessment; another office cannot open the application.

Every step goes through the UI by role, name and label. Each test registers the applications it
changes, so the demo data keeps the state the accessibility screens expect.
"""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from app.demo import synthetic_national_id
from tests.browser.conftest import assert_visible_focus
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

HSO = "hso@helsesak.test"
VEST = "vest@helsesak.test"
TODAY = date.today()


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


def _h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def _flash(page: Page) -> Locator:
    return page.get_by_role("status")


def _fact(scope: Page | Locator, term: str) -> Locator:
    return scope.locator(f"xpath=.//dl/dt[normalize-space()='{term}']/following-sibling::dd[1]").first


def open_abroad(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Behandling i utlandet").click()
    expect(_h1(page)).to_have_text("Behandling i utlandet")


def register_application(page: Page, patient: str, *, birth_date: date, region: str = "Helse Sør-Øst",
                         national_id: str | None = None, icd10: str = "O43.0", days_ago: int = 30) -> str:
    """Fill in and send «Registrer søknad»; returns the application page's URL."""
    open_abroad(page)
    page.get_by_role("link", name="Registrer søknad").click()
    expect(_h1(page)).to_have_text("Registrer søknad om behandling i utlandet")
    if national_id:
        page.get_by_label("Fødselsnummer eller D-nummer").fill(national_id)
    else:
        page.get_by_label("Fødselsdato", exact=True).fill(f"{birth_date:%d.%m.%Y}")
    page.get_by_label("Pasientens navn").fill(patient)
    page.get_by_label("Hjemregion").select_option(label=region)
    page.get_by_label("Mottatt").fill(_day(days_ago))
    page.get_by_label("Henvisende lege").fill("Overlege Line Lie")
    page.get_by_label("Henvisende sykehus").fill("UNN Tromsø")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill(icd10)
    page.get_by_label("Behandlingen det søkes om").fill("Fetoskopisk laserbehandling av TTTS")
    page.get_by_label("Ønsket behandlingssted").fill("Rigshospitalet, København")
    page.get_by_role("button", name="Registrer søknad").click()
    expect(_flash(page)).to_have_text("Søknaden er registrert.")
    expect(_h1(page)).to_have_text(f"Søknad om behandling i utlandet – {patient}")
    return page.url


def decide(page: Page, decision: str, reasoning: str, days_ago: int) -> None:
    page.get_by_role("link", name="Fatt vedtak").click()
    expect(_h1(page)).to_have_text("Vedtak")
    page.get_by_role("group", name="Vedtak").get_by_role("radio", name=decision, exact=True).check()
    page.get_by_label("Vedtaksdato").fill(_day(days_ago))
    page.get_by_label("Begrunnelse").fill(reasoning)
    page.get_by_role("button", name="Forhåndsvis brevet").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning")).to_be_visible()
    page.get_by_role("button", name="Fatt vedtak og journalfør brevet").click()
    expect(_flash(page)).to_contain_text(f"Vedtaket er registrert: {decision.lower()}.")


def book_cost(page: Page, *, category: str, amount: str, currency: str, rate: str, days_ago: int,
              invoice: str = "") -> None:
    page.get_by_role("link", name="Før kostnad", exact=True).click()
    expect(_h1(page)).to_have_text("Før kostnad")
    page.get_by_label("Dato", exact=True).fill(_day(days_ago))
    page.get_by_label("Kategori").select_option(label=category)
    page.get_by_label("Beløp").fill(amount)
    page.get_by_label("Valuta", exact=True).fill(currency)
    page.get_by_label("Valutakurs til NOK").fill(rate)
    page.get_by_label("Fakturareferanse").fill(invoice)
    page.get_by_role("button", name="Før kostnad").click()


def test_caseworker_registers_grants_plans_and_books_costs(page_as, screenshot):
    page = page_as(HSO)
    register_application(page, "Tove Tvilling", birth_date=date(1994, 3, 8), region="Helse Nord",
                         national_id=synthetic_national_id(date(1994, 3, 8), 200))
    expect(_fact(page, "Behandles av")).to_have_text("Utenlandskontoret i Helse Sør-Øst")

    page.get_by_role("link", name="Be om uttalelse").click()
    page.get_by_label("Fagmiljø").fill("Fostermedisin, Oslo universitetssykehus")
    page.get_by_label("Hva skal vurderes").fill("Er laserbehandling i utlandet nødvendig?")
    page.get_by_label("Sendt").fill(_day(29))
    page.get_by_label("Svarfrist").fill(_day(20))
    page.get_by_role("button", name="Send forespørsel").click()
    expect(_flash(page)).to_have_text("Forespørselen om medisinsk uttalelse er registrert med svarfrist.")
    expect(_fact(page, "Status")).to_have_text("Under saksforberedelse")
    page.get_by_role("link", name="Registrer mottatt uttalelse fra Fostermedisin, Oslo universitetssykehus").click()
    page.get_by_label("Mottatt").fill(_day(22))
    page.get_by_label("Fagmiljøets konklusjon").fill("Anbefaler behandling ved Rigshospitalet.")
    page.get_by_label("Uttalelsen som fil").set_input_files(files=[{
        "name": "uttalelse.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
    page.get_by_role("button", name="Registrer uttalelsen").click()
    opinions = page.get_by_role("table", name="Uttalelser fra norske fagmiljøer")
    expect(opinions).to_contain_text("Anbefaler behandling ved Rigshospitalet.")
    with page.expect_download() as statement:   # the statement as received, filed on the case
        opinions.get_by_role("link", name="Last ned uttalelsen fra Fostermedisin, Oslo universitetssykehus").click()
    assert statement.value.suggested_filename == "uttalelse.pdf"

    decide(page, "Innvilget", "Behandlingen tilbys ikke i Norge.", days_ago=21)
    expect(_fact(page, "Status")).to_have_text("Innvilget")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned vedtaksbrevet (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.get_by_role("link", name="Endre behandlingsplan").click()
    page.get_by_label("Behandlende sykehus").fill("Rigshospitalet")
    page.get_by_label("Land", exact=True).select_option(label="Danmark")
    page.get_by_label("Ledsager").fill("Ektefelle")
    page.get_by_role("button", name="Lagre behandlingsplan").click()
    expect(_flash(page)).to_have_text("Behandlingsplanen er lagret.")
    expect(_fact(page, "Land")).to_have_text("Danmark")

    book_cost(page, category="Behandling", amount="185000", currency="DKK", rate="", days_ago=10)
    expect(page.locator("#exchange_rate-error")).to_contain_text("Oppgi valutakursen fra DKK til NOK.")
    expect(page.get_by_label("Beløp")).to_have_value("185000")   # what was typed stays
    page.get_by_label("Valutakurs til NOK").fill("1,5834")
    page.get_by_role("button", name="Før kostnad").click()
    expect(_flash(page)).to_have_text("Kostnaden er ført.")
    book_cost(page, category="Reise", amount="8450", currency="NOK", rate="", days_ago=20)
    costs = page.get_by_role("table", name=re.compile("^Kostnader, sum"))
    expect(costs).to_have_accessible_name("Kostnader, sum 301\xa0379,00 kr")
    expect(costs.locator("tbody tr")).to_have_count(2)
    screenshot(page, "abroad-granted-with-costs")


def test_refusal_is_appealed_forwarded_and_upheld_and_a_late_appeal_waits_for_assessment(page_as, screenshot):
    page = page_as(HSO)
    url = register_application(page, "Klara Klagesen", birth_date=date(1970, 7, 7), days_ago=70, icd10="M54.5")
    decide(page, "Avslått", "Det finnes et forsvarlig tilbud i Norge.", days_ago=60)
    page.get_by_role("link", name="Registrer klage").click()
    expect(_h1(page)).to_have_text("Registrer klage på vedtaket")
    expect(page.get_by_label("Pasienten mottok vedtaket")).to_have_value(_day(60))
    page.get_by_label("Pasienten mottok vedtaket").fill(_day(58))
    page.get_by_label("Klagen kom inn").fill(_day(40))
    page.get_by_role("button", name="Registrer klage").click()
    expect(_flash(page)).to_contain_text("Klagen er registrert innen fristen")
    expect(_fact(page, "Klagefrist")).to_have_text(re.compile(r"\d\d\.\d\d\.\d{4}"))

    page.get_by_role("link", name="Registrer kontorets behandling").click()
    page.get_by_role("radio", name="Opprettholdt og oversendt Klagenemnda").check()
    page.get_by_label("Dato", exact=True).fill(_day(30))
    page.get_by_label("Kontorets vurdering").fill("Kontoret opprettholder avslaget.")
    page.get_by_role("button", name="Forhåndsvis brevet").click()
    expect(page.get_by_role("article", name="Brevet slik det journalføres")).to_contain_text(
        "Oversendelse av klage på avslag om behandling i utlandet")
    page.get_by_role("button", name="Registrer og journalfør").click()
    expect(_flash(page)).to_have_text("Kontorets behandling er registrert. Oversendelsesbrevet er journalført, og "
                                      "klagen er avskrevet.")
    expect(page.get_by_role("link", name="Last ned oversendelsesbrevet (PDF)")).to_be_visible()

    page.get_by_role("link", name="Registrer nemndas avgjørelse").click()
    page.get_by_label("Dato for avgjørelsen").fill(_day(35))
    page.get_by_role("button", name="Registrer avgjørelsen").click()
    # Both errors in one round: the form's (no outcome chosen) and the service's (dated before the forwarding).
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("listitem")).to_have_count(2)
    expect(summary).to_contain_text("Nemndas avgjørelse: Velg nemndas avgjørelse.")
    expect(page.locator("#decided_on-error")).to_contain_text("før klagen ble oversendt")
    expect(page.get_by_label("Dato for avgjørelsen")).to_have_attribute("aria-describedby", "decided_on-error")
    expect(page.get_by_role("group", name="Nemndas avgjørelse")).to_have_attribute(
        "aria-describedby", re.compile("outcome-error"))
    assert_no_axe_violations(page, "Klagenemnda's decision with every error")
    page.get_by_role("radio", name="Stadfestet").check()
    page.get_by_label("Dato for avgjørelsen").fill(_day(5))
    page.get_by_role("button", name="Registrer avgjørelsen").click()
    expect(_fact(page, "Status")).to_have_text("Stadfestet av nemnda")
    screenshot(page, "abroad-appeal-upheld")

    page.goto(url)
    expect(_fact(page, "Status")).to_have_text("Avslått")

    late_url = register_application(page, "Sigurd Sen", birth_date=date(1950, 1, 1), days_ago=90, icd10="I25.1")
    decide(page, "Avslått", "Ikke dokumentert bedre effekt.", days_ago=80)
    page.get_by_role("link", name="Registrer klage").click()
    page.get_by_label("Pasienten mottok vedtaket").fill(_day(78))
    page.get_by_label("Klagen kom inn").fill(_day(3))
    page.get_by_role("button", name="Registrer klage").click()
    expect(page.get_by_role("note")).to_contain_text("Klagen kom etter fristen.")
    expect(page.get_by_role("link", name="Registrer kontorets behandling")).to_have_count(0)
    page.get_by_role("link", name="Vurder fristoversittelsen").click()
    page.get_by_role("radio", name="Ja").check()
    page.get_by_label("Vurdering").fill("Pasienten var innlagt og kunne ikke klage i tide.")
    page.get_by_role("button", name="Forhåndsvis brevet").click()           # considered: no letter to preview
    page.get_by_role("button", name="Registrer og journalfør").click()
    expect(page.get_by_text("Klagen behandles likevel.")).to_be_visible()
    expect(page.get_by_role("link", name="Registrer kontorets behandling")).to_be_visible()
    assert late_url != url


def test_keyboard_only_registration_with_visible_focus(page_as, screenshot):
    """Tab through «Registrer søknad», type, use arrow keys in the radio group and Enter to send."""
    page = page_as(HSO)
    open_abroad(page)
    page.get_by_role("link", name="Registrer søknad").focus()
    page.keyboard.press("Enter")
    expect(_h1(page)).to_have_text("Registrer søknad om behandling i utlandet")
    national_id = page.get_by_label("Fødselsnummer eller D-nummer")
    national_id.focus()
    steps = [("Fødselsnummer eller D-nummer", ""), ("Pasientens navn", "Kim Tastatur"),
             ("Fødselsdato", "02.02.1982"), ("Adresse", "Tastegata 1"), ("Postnummer", "0150"),
             ("Poststed", "Oslo"), ("Hjemkommune (kommunenummer)", "0301 Oslo")]
    for label, text in steps:
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_focused()
        assert_visible_focus(page)
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    expect(page.get_by_label("Hjemregion")).to_be_focused()
    page.keyboard.press("ArrowDown")   # Helse Sør-Øst, the first region
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Søknad (pbrl. § 2-4a)")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Preimplantasjonsdiagnostikk (PGD)")).to_be_checked()
    page.keyboard.press("Tab")
    for label in ("Mottatt", "Ekstern referanse", "Søker", "Henvisende lege", "Henvisende sykehus"):
        expect(page.get_by_label(label, exact=True)).to_be_focused()   # «Mottatt» keeps today's date
        page.keyboard.press("Tab")
    expect(page.get_by_label("Hoveddiagnose (ICD-10)")).to_be_focused()
    page.keyboard.type("Z31.4")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Behandlingen det søkes om")).to_be_focused()
    page.keyboard.type("Preimplantasjonsdiagnostikk")
    screenshot(page, "abroad-keyboard-registration")
    page.get_by_role("button", name="Registrer søknad").focus()
    page.keyboard.press("Enter")
    expect(_flash(page)).to_have_text("Søknaden er registrert.")
    expect(_fact(page, "Type")).to_have_text("Preimplantasjonsdiagnostikk (PGD)")


def test_another_office_cannot_open_the_application(page_as):
    page = page_as(HSO)
    url = register_application(page, "Orm Områdesen", birth_date=date(1980, 8, 8))
    other = page_as(VEST)
    response = other.goto(url)
    assert response is not None and response.status == 404
    expect(_h1(other)).to_have_text("Siden finnes ikke")


def test_a_decided_application_is_corrected_with_a_note_and_a_cost_is_credited(page_as, screenshot):
    page = page_as(HSO)
    register_application(page, "Rita Retting", birth_date=date(1985, 2, 2), icd10="O43.0")
    decide(page, "Innvilget", "Behandlingen tilbys ikke i Norge.", days_ago=21)
    application_url = page.url

    page.get_by_role("link", name="Rett søknaden").click()
    expect(_h1(page)).to_have_text("Rett søknaden")
    expect(page.get_by_role("note")).to_contain_text("får vedtaket en merknad om rettingen")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("O43.1")
    page.get_by_label("Begrunnelse").fill("Diagnosen var feil avskrevet fra henvisningen.")
    page.get_by_role("button", name="Lagre rettingen").click()
    expect(_flash(page)).to_have_text("Rettingen er lagret og vises i sakens historikk.")
    expect(_fact(page, "Hoveddiagnose (ICD-10)")).to_have_text("O43.1 (kapittel O00-O99)")
    notes = page.get_by_role("region", name="Merknader om retting etter vedtaket")
    expect(notes).to_contain_text("Hoveddiagnose (ICD-10) rettet fra «O43.0» til «O43.1»")
    expect(notes).to_contain_text("Diagnosen var feil avskrevet fra henvisningen.")

    page.get_by_role("link", name="Se historikken").click()
    history = page.get_by_role("table", name="Endringer i saken, nyeste først")
    change = history.get_by_role("row").filter(has_text="Hoveddiagnose (ICD-10)").first   # newest first
    expect(change).to_contain_text("O43.0")
    expect(change).to_contain_text("O43.1")
    expect(change).to_contain_text("Diagnosen var feil avskrevet fra henvisningen.")
    screenshot(page, "abroad-correction-history")

    page.goto(application_url)
    page.get_by_role("link", name="Endre behandlingsplan").click()
    page.get_by_label("Behandlende sykehus").fill("Rigshospitalet")
    page.get_by_label("Land", exact=True).select_option(label="Danmark")
    page.get_by_role("button", name="Lagre behandlingsplan").click()
    book_cost(page, category="Behandling", amount="413320,50", currency="NOK", rate="", days_ago=10,
              invoice="RH-2026-991")
    expect(_flash(page)).to_have_text("Kostnaden er ført.")
    book_cost(page, category="Behandling", amount="413320,50", currency="NOK", rate="", days_ago=9,
              invoice="RH-2026-991")
    expect(page.locator("#invoice_reference-error")).to_contain_text(
        f"Fakturaen «RH-2026-991» er allerede ført på saken: {_day(10)}, 413\xa0320,50 NOK")
    page.get_by_role("link", name="Avbryt").click()
    book_cost(page, category="Reise", amount="8450", currency="NOK", rate="", days_ago=8, invoice="SAS-77")
    costs = page.get_by_role("table", name=re.compile("^Kostnader, sum"))
    expect(costs).to_have_accessible_name("Kostnader, sum 421\xa0770,50 kr")
    costs.get_by_role("link", name=re.compile("^Tilbakefør kostnaden")).first.click()
    expect(_h1(page)).to_have_text("Tilbakefør kostnad")
    page.get_by_role("button", name="Tilbakefør kostnaden").click()
    expect(page.locator("#reason-error")).to_contain_text("Skriv hvorfor kostnaden tilbakeføres.")
    page.get_by_label("Begrunnelse").fill("Fakturaen ble bokført to ganger.")
    page.get_by_role("button", name="Tilbakefør kostnaden").click()
    expect(_flash(page)).to_have_text("Kostnaden er tilbakeført med en kreditering.")
    expect(costs).to_have_accessible_name("Kostnader, sum 8\xa0450,00 kr")
    expect(costs.locator("tbody tr")).to_have_count(3)
    expect(costs).to_contain_text("Tilbakeføring av kostnaden")
    expect(costs).to_contain_text("Fakturaen ble bokført to ganger.")
    screenshot(page, "abroad-cost-credited")


def test_a_letter_to_a_childs_guardians_is_previewed_and_filed(page_as, screenshot):
    """A child's decision letter goes to «Foresatte til …» at the registered address; it is previewed with the
    office's contact block and the copies, filed as shown, and the application post is avskrevet."""
    page = page_as(HSO)
    open_abroad(page)
    page.get_by_role("link", name="Registrer søknad").click()
    page.get_by_label("Fødselsdato", exact=True).fill(_day(365 * 6))
    page.get_by_label("Pasientens navn").fill("Mina Småbarn")
    page.get_by_label("Adresse", exact=True).fill("Skolegata 4")
    page.get_by_label("Postnummer").fill("0180")
    page.get_by_label("Poststed").fill("Oslo")
    page.get_by_label("Hjemregion").select_option(label="Helse Sør-Øst")
    page.get_by_label("Mottatt").fill(_day(20))
    page.get_by_label("Henvisende lege").fill("Overlege Per Pedersen")
    page.get_by_label("Henvisende sykehus").fill("Oslo universitetssykehus")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("C71.9")
    page.get_by_label("Behandlingen det søkes om").fill("Protonbehandling")
    page.get_by_role("button", name="Registrer søknad").click()
    expect(_flash(page)).to_have_text("Søknaden er registrert.")

    page.get_by_role("link", name="Fatt vedtak").click()
    page.get_by_role("group", name="Vedtak").get_by_role("radio", name="Innvilget", exact=True).check()
    page.get_by_label("Vedtaksdato").fill(_day(2))
    page.get_by_label("Begrunnelse").fill("Behandlingen tilbys ikke i Norge.")
    page.get_by_role("button", name="Forhåndsvis brevet").click()
    letter = page.get_by_role("article", name="Brevet slik det journalføres")
    expect(letter).to_contain_text("Foresatte til Mina Småbarn")
    expect(letter).to_contain_text("Skolegata 4")
    expect(letter).to_contain_text("0180 Oslo")
    expect(letter).to_contain_text("E-post: utland@helse-sorost.no")
    expect(letter).to_contain_text("Overlege Per Pedersen, Oslo universitetssykehus")
    expect(letter).to_contain_text("Du kan også klage på en innvilgelse")
    screenshot(page, "abroad-decision-letter-preview")
    page.get_by_role("button", name="Fatt vedtak og journalfør brevet").click()
    expect(_flash(page)).to_have_text("Vedtaket er registrert: innvilget. Vedtaksbrevet er journalført, og søknaden "
                                      "er avskrevet.")
    expect(page.get_by_role("link", name="Last ned vedtaksbrevet (PDF)")).to_be_visible()


def test_a_standard_phrase_is_added_and_inserted_into_the_reasoning(page_as):
    page = page_as(VEST)
    open_abroad(page)
    page.get_by_role("link", name="Standardtekster").click()
    expect(_h1(page)).to_have_text("Standardtekster")
    page.get_by_label("Tittel").fill("Ventetid i Norge")
    page.get_by_label("Tekst", exact=True).fill("Ventetiden i Norge er innenfor fristen for nødvendig helsehjelp.")
    page.get_by_role("button", name="Lagre standardteksten").click()
    expect(_flash(page)).to_have_text("Standardteksten er lagret.")
    register_application(page, "Stina Standard", birth_date=date(1980, 4, 4), region="Helse Vest")
    page.get_by_role("link", name="Fatt vedtak").click()
    page.get_by_label("Begrunnelse").fill("Søknaden er vurdert.")
    page.get_by_label("Standardtekst", exact=True).select_option(label="Ventetid i Norge")
    page.get_by_role("button", name="Sett inn i begrunnelsen").click()
    expect(page.get_by_label("Begrunnelse")).to_have_value(
        "Søknaden er vurdert.\n\nVentetiden i Norge er innenfor fristen for nødvendig helsehjelp.")
