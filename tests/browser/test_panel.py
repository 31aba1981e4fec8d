"""The expert panel in the real browser: the secretariat registers a referral (the regional-hospital
review rule), puts members and a co-opted expert on it, assesses the four questions (the Nye Metoder
rule for recommendations, a refused trial number), sends the statement as a journaled PDF letter;
a panel member sees only the referrals they are assigned to.

Every step goes through the UI: links and buttons by their role and name, fields by their label.
Each test registers the referral it changes, so the demo referrals (Hanne Hagen, Erik Eriksen) keep
the state the other tests and the accessibility screens expect (the live server's database lives
for the whole run).
"""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from app.demo import synthetic_national_id

pytestmark = pytest.mark.browser

PANEL = "panel@helsesak.test"
PANEL_MEMBER = "panelmedlem@helsesak.test"
NOT_INTRODUCED = "ID2024_090"   # Beslutningsforum decided 16.06.2025 not to introduce it (app/methods/demo_data.py)
TODAY = date.today()
CASE_NUMBER = re.compile(r"\d{4}/\d+")


def _ddmmyyyy(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def _flash(page: Page) -> Locator:
    return page.get_by_role("status")


def _fact(scope: Page | Locator, term: str) -> Locator:
    """The value (dd) after the term (dt) `term` in the first description list in `scope` that has it."""
    return scope.locator(f"xpath=.//dl/dt[normalize-space()='{term}']/following-sibling::dd[1]").first


def _error_at(page: Page, field: Locator) -> Locator:
    """The error message shown with `field` (in its .field box)."""
    return page.locator(".field", has=field).locator(".field-error")


def open_panel(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Ekspertpanelet").click()
    expect(_h1(page)).to_have_text("Ekspertpanelet")


def open_referral(page: Page, patient: str) -> None:
    """A referral from the list, by the patient's name."""
    open_panel(page)
    page.get_by_role("table", name="Henvisninger til ekspertpanelet").get_by_role("row").filter(
        has_text=patient).get_by_role("link").click()
    expect(_h1(page)).to_have_text(f"Henvisning til ekspertpanelet – {patient}")


def fill_referral(page: Page, patient: str, *, birth_date: date | None = None, national_id: str | None = None,
                  from_regional_hospital: bool = True) -> None:
    """Fill in «Registrer henvisning» (without the regional-hospital review)."""
    if national_id:
        page.get_by_label("Fødselsnummer eller D-nummer").fill(national_id)
    page.get_by_label("Pasientens navn").fill(patient)
    if birth_date:
        page.get_by_label("Fødselsdato", exact=True).fill(_ddmmyyyy(birth_date))
    page.get_by_label("Hjemkommune (kommunenummer)").fill("1804 Bodø")
    page.get_by_label("Hjemregion").select_option(label="Helse Nord")
    page.get_by_label("Henvisende helseforetak").select_option(
        "Universitetssykehuset Nord-Norge HF" if from_regional_hospital else "Nordlandssykehuset HF")
    page.get_by_label("Avdeling", exact=True).fill("Kreftavdelingen")
    page.get_by_label("Henvisende lege").fill("Overlege Kari Kreft")
    page.get_by_label("Henvisningsdato").fill(_ddmmyyyy(TODAY - timedelta(days=3)))
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("C25.0")
    page.get_by_label("Alvorlig, livsforkortende tilstand").fill("Metastatisk kreft i bukspyttkjertelen")
    page.get_by_label("Etablert behandling som er forsøkt, og effekten av den").fill(
        "FOLFIRINOX i seks måneder, deretter progresjon")
    page.get_by_label("Spørsmål til ekspertpanelet").fill("Finnes det kliniske studier i Norden for pasienten?")


def register_referral(page: Page, patient: str, birth_date: date) -> str:
    """A referral from the regional hospital (no review needed), registered through the form, for a
    patient without a Norwegian number; returns the referral page's URL."""
    open_panel(page)
    page.get_by_role("link", name="Registrer henvisning").click()
    expect(_h1(page)).to_have_text("Registrer henvisning til ekspertpanelet")
    fill_referral(page, patient, birth_date=birth_date)
    page.get_by_role("button", name="Registrer henvisning").click()
    expect(_flash(page)).to_have_text(re.compile(r"^Henvisningen er registrert\. Svarfrist \d\d\.\d\d\.\d{4}\.$"))
    expect(_h1(page)).to_have_text(f"Henvisning til ekspertpanelet – {patient}")
    return page.url


def answer_the_four_questions(page: Page) -> None:
    """On a referral page: findings and advice for each question, through «Skriv vurderingen»."""
    page.get_by_role("link", name=re.compile(r"^(Skriv|Endre) vurderingen$")).click()
    expect(_h1(page)).to_have_text("Ekspertpanelets vurdering")
    for question in (1, 2, 3, 4):
        page.get_by_label(f"Funn, spørsmål {question}", exact=True).fill(f"Funn for spørsmål {question}.")
        page.get_by_label(f"Råd, spørsmål {question}", exact=True).fill(f"Råd for spørsmål {question}.")
    page.get_by_role("button", name="Lagre vurderingen").click()
    expect(_flash(page)).to_have_text("Vurderingen er lagret.")


def send_statement(page: Page, summary: str) -> None:
    """On a referral page whose four questions have findings: «Send uttalelse» with the default recipients."""
    page.get_by_role("link", name="Send uttalelse").click()
    expect(_h1(page)).to_have_text("Send ekspertpanelets uttalelse")
    page.get_by_label("Ekspertpanelets samlede råd").fill(summary)
    page.get_by_label("Utfall (for statistikken)").select_option(label="Videre etablert behandling i Norge")
    page.get_by_role("button", name="Send uttalelsen").click()
    expect(_flash(page)).to_have_text("Uttalelsen er sendt og journalført som utgående post med PDF-brevet.")


def approve_statement(page: Page) -> None:
    """On a referral page whose four questions have findings: the secretariat approves the statement."""
    page.get_by_role("button", name="Godkjenn uttalelsen").click()
    expect(_flash(page)).to_have_text("Uttalelsen er godkjent og kan sendes.")


def register_sent_referral(page: Page, patient: str, birth_date: date) -> str:
    """A referral registered, assessed, approved and answered through the UI; returns its page's URL."""
    url = register_referral(page, patient, birth_date)
    answer_the_four_questions(page)
    approve_statement(page)
    send_statement(page, "Ekspertpanelet anbefaler videre etablert behandling ved regionsykehuset.")
    expect(_fact(page, "Status")).to_have_text("Uttalelse sendt")
    return url


# a. Registering a referral: the regional-hospital review rule

def test_referral_from_a_local_trust_needs_the_regional_hospital_review(page_as, screenshot):
    page = page_as(PANEL)
    national_id = synthetic_national_id(date(1960, 2, 3))
    open_panel(page)
    page.get_by_role("link", name="Registrer henvisning").click()
    expect(_h1(page)).to_have_text("Registrer henvisning til ekspertpanelet")
    fill_referral(page, "Randi Regelsen", national_id=national_id, from_regional_hospital=False)
    page.get_by_role("button", name="Registrer henvisning").click()

    refused = ("Nordlandssykehuset HF er ikke regionsykehuset. Oppgi hvem ved regionsykehuset (Universitetssykehuset "
               "Nord-Norge) pasientens situasjon er gjennomgått med.")
    review_by = page.get_by_label("Gjennomgått med (avdeling og lege ved regionsykehuset)")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"Gjennomgått med (avdeling og lege ved regionsykehuset): {refused}")
    expect(review_by).to_have_attribute("aria-invalid", "true")
    expect(review_by).to_have_accessible_description(re.compile(re.escape(refused)))
    expect(_error_at(page, review_by)).to_have_text(f"Feil: {refused}")
    # What the user typed is kept
    expect(page.get_by_label("Fødselsnummer eller D-nummer")).to_have_value(national_id)
    expect(page.get_by_label("Pasientens navn")).to_have_value("Randi Regelsen")
    expect(page.get_by_label("Hjemregion")).to_have_value("helse-nord")
    expect(page.get_by_label("Henvisende helseforetak")).to_have_value("Nordlandssykehuset HF")
    expect(page.get_by_label("Hoveddiagnose (ICD-10)")).to_have_value("C25.0")
    expect(page.get_by_label("Spørsmål til ekspertpanelet")).to_have_value(
        "Finnes det kliniske studier i Norden for pasienten?")
    screenshot(page, "panel-referral-missing-review")

    summary.get_by_role("link", name=re.compile(r"^Gjennomgått med")).click()
    expect(review_by).to_be_focused()
    review_by.fill("Kreftklinikken, Overlege Per Pankreas, Universitetssykehuset Nord-Norge")
    page.get_by_label("Dato for gjennomgangen med regionsykehuset").fill(_ddmmyyyy(TODAY - timedelta(days=7)))
    page.get_by_role("button", name="Registrer henvisning").click()

    expect(_flash(page)).to_have_text(re.compile(r"^Henvisningen er registrert\. Svarfrist \d\d\.\d\d\.\d{4}\.$"))
    expect(page).to_have_url(re.compile(r"/ekspertpanelet/saker/\d+$"))
    expect(_h1(page)).to_have_text("Henvisning til ekspertpanelet – Randi Regelsen")
    expect(_fact(page, "Status")).to_have_text("Mottatt")
    expect(_fact(page, "Fødselsnummer")).to_have_text(national_id)
    expect(_fact(page, "Fødselsdato")).to_have_text("03.02.1960")
    expect(_fact(page, "Regionsykehuset")).to_have_text(
        "Gjennomgått med Kreftklinikken, Overlege Per Pankreas, Universitetssykehuset Nord-Norge "
        f"({_ddmmyyyy(TODAY - timedelta(days=7))})")
    screenshot(page, "panel-referral-registered")

    open_panel(page)
    row = page.get_by_role("table", name="Henvisninger til ekspertpanelet").get_by_role("row").filter(
        has_text="Randi Regelsen")
    expect(row).to_contain_text("Nordlandssykehuset HF")
    expect(row).to_contain_text("Mottatt")


# b. Members and a co-opted expert on the case

def test_secretariat_puts_two_members_and_a_co_opted_expert_on_a_referral(page_as, screenshot):
    page = page_as(PANEL)
    url = register_referral(page, "Mona Medlemsdal", date(1966, 6, 6))

    page.get_by_role("link", name="Sett medlem på saken").click()
    expect(_h1(page)).to_have_text("Sett medlem på saken")
    offered = page.get_by_label("Medlem").locator("option:not([value=''])")
    if offered.count() < 2:   # the demo data has four active members; add what is missing through the register
        for name in ("Siv Sykehuslege", "Bjørn Barnelege")[:2 - offered.count()]:
            page.goto("/ekspertpanelet/")
            page.get_by_role("link", name="Medlemmer av panelet").click()
            page.get_by_role("link", name="Registrer medlem").click()
            page.get_by_label("Navn").fill(name)
            page.get_by_label("Fagområde").fill("Onkologi")
            page.get_by_label("Universitetssykehus").fill("Oslo universitetssykehus")
            page.get_by_label("Oppnevnt av (regionalt helseforetak)").select_option(label="Helse Sør-Øst")
            page.get_by_role("button", name="Registrer medlem").click()
            expect(_flash(page)).to_have_text("Medlemmet er registrert.")
        page.goto(url)
        page.get_by_role("link", name="Sett medlem på saken").click()
    chosen = []
    for _ in range(2):
        label = offered.first.inner_text()
        chosen.append(label.split(" – ")[0])
        page.get_by_label("Medlem").select_option(label=label)
        if not chosen[1:]:
            screenshot(page, "panel-assign-member")
        page.get_by_role("button", name="Sett på saken").click()
        expect(_flash(page)).to_have_text("Medlemmet er satt på saken.")
        expect(page).to_have_url(re.compile(r"#deltakere$"))
        if len(chosen) < 2:
            page.get_by_role("link", name="Sett medlem på saken").click()
            # the member just put on the case is not offered again
            expect(page.get_by_label("Medlem").locator("option")).not_to_contain_text([chosen[0]])

    page.get_by_role("link", name="Legg til innleid ekspert").click()
    expect(_h1(page)).to_have_text("Legg til innleid ekspert")
    page.get_by_label("Navn").fill("Professor Petter Pankreas")
    page.get_by_label("Fagområde").fill("Gastrokirurgi")
    page.get_by_label("Sykehus eller institusjon").fill("Karolinska universitetssjukhuset")
    page.get_by_role("button", name="Legg til ekspert").click()
    expect(_flash(page)).to_have_text("Den innleide eksperten er lagt til saken.")

    participants = page.get_by_role("region", name="Deltakere").get_by_role("listitem")
    expect(participants).to_have_count(3)
    for name in chosen:
        expect(participants.filter(has_text=name)).to_contain_text("medlem oppnevnt av Helse")
    expect(participants.filter(has_text="Professor Petter Pankreas")).to_have_text(
        "Professor Petter Pankreas, Gastrokirurgi, Karolinska universitetssjukhuset – Innleid ekspert")
    expect(_fact(page, "Status")).to_have_text("Til vurdering")
    screenshot(page, "panel-referral-participants")


# c. Treatments considered: the Nye Metoder rule and a refused trial number

def test_treatment_item_refuses_recommending_a_method_beslutningsforum_did_not_introduce(page_as, screenshot):
    page = page_as(PANEL)
    url = register_referral(page, "Tove Terapisen", date(1958, 8, 8))

    page.get_by_role("link", name="Legg til behandling").click()
    expect(_h1(page)).to_have_text("Ny behandling")
    page.get_by_label("Spørsmål", exact=True).select_option(value="3")
    page.get_by_label("Behandling", exact=True).fill("Demomab")
    page.get_by_label("Klassifisering").select_option(label="Akseptert off-label-bruk")
    advice = page.get_by_role("group", name="Råd")
    advice.get_by_role("radio", name="Anbefales", exact=True).check()
    method = page.get_by_label("Metode i Nye Metoder")
    method.fill(NOT_INTRODUCED.lower())   # stored in upper case whatever is typed
    page.get_by_label("Merknad").fill("Pasienten har spurt om demomab.")
    page.get_by_label("Dokumentasjon av effekt").fill("Fase II-studie med respons hos 38 prosent.")
    page.get_by_role("button", name="Lagre behandlingen").click()

    refused = (f"Kan ikke anbefales: Beslutningsforum besluttet 16.06.2025 at {NOT_INTRODUCED} Demolegemiddel X "
               "ved residiverende eggstokkreft (demodata) ikke skal innføres. Behandlingen kan omtales med "
               "henvisning til unntaksordningen.")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"Råd: {refused}")
    expect(advice).to_have_accessible_description(re.compile(re.escape(refused)))
    expect(advice.locator(".field-error")).to_have_text(f"Feil: {refused}")
    expect(advice.get_by_role("radio", name="Anbefales", exact=True)).to_be_checked()
    expect(page.get_by_label("Behandling", exact=True)).to_have_value("Demomab")
    expect(page.get_by_label("Merknad")).to_have_value("Pasienten har spurt om demomab.")
    screenshot(page, "panel-item-refused-recommendation")

    # nothing was saved: the referral page, in another tab of the same session
    other_tab = page.context.new_page()
    other_tab.goto(url)
    expect(other_tab.get_by_role("region", name="Behandlinger som er vurdert")).to_contain_text(
        "Ingen behandlinger registrert.")
    other_tab.close()

    page.get_by_role("group", name="Råd").get_by_role(
        "radio", name="Omtalt, med henvisning til unntaksordningen").check()
    page.get_by_role("button", name="Lagre behandlingen").click()
    expect(_flash(page)).to_have_text("Behandlingen er lagt til.")
    expect(page).to_have_url(re.compile(r"#behandlinger$"))
    items = page.get_by_role("table", name="Behandlinger vurdert under de fire spørsmålene")
    row = items.get_by_role("row").filter(has_text="Demomab")
    expect(row).to_contain_text("Akseptert off-label-bruk")
    expect(row).to_contain_text("Omtalt, med henvisning til unntaksordningen")
    expect(row).to_contain_text(f"{NOT_INTRODUCED}: Ikke innført (Beslutningsforum) 16.06.2025")

    # A clinical trial with a registry number the rules refuse
    page.get_by_role("link", name="Legg til behandling").click()
    page.get_by_label("Spørsmål", exact=True).select_option(value="2")
    page.get_by_label("Behandling", exact=True).fill("Demostudie med mRNA-vaksine")
    page.get_by_label("Klassifisering").select_option(label="I klinisk studie")
    page.get_by_role("radio", name="Anbefales", exact=True).check()
    registry_id = page.get_by_label("Studienummer")
    registry_id.fill("NCT123")
    page.get_by_label("Land").fill("Sverige")
    page.get_by_role("button", name="Lagre behandlingen").click()

    refused = "«NCT123» er ikke et gyldig studienummer."
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text(f"Studienummer: {refused}")
    expect(registry_id).to_have_attribute("aria-invalid", "true")
    expect(_error_at(page, registry_id)).to_contain_text(refused)
    expect(registry_id).to_have_value("NCT123")
    expect(page.get_by_label("Land")).to_have_value("Sverige")

    registry_id.fill("NCT06719037")
    page.get_by_role("button", name="Lagre behandlingen").click()
    expect(_flash(page)).to_have_text("Behandlingen er lagt til.")
    expect(items.get_by_role("row")).to_have_count(3)   # the header and the two items
    expect(items.get_by_role("row").filter(has_text="Demostudie")).to_contain_text("NCT06719037, Sverige (Norden)")
    screenshot(page, "panel-referral-items")


# d. The statement: a PDF letter filed as an outgoing journal post

def test_statement_is_sent_as_a_pdf_letter_and_journaled_as_outgoing_post(page_as, screenshot, tmp_path):
    page = page_as(PANEL)
    register_referral(page, "Stein Statementsen", date(1949, 9, 9))

    page.get_by_role("link", name="Send uttalelse").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Vurderingen er ikke ferdig: spørsmål 1, 2, 3, 4 mangler funn.")
    page.get_by_role("link", name="Avbryt").click()

    answer_the_four_questions(page)
    assessment = page.get_by_role("region", name="Vurdering")
    for question in (1, 2, 3, 4):
        expect(assessment).to_contain_text(f"Funn for spørsmål {question}.")
        expect(assessment).to_contain_text(f"Råd for spørsmål {question}.")

    page.get_by_role("link", name="Send uttalelse").click()
    expect(page.get_by_role("status")).to_contain_text("Uttalelsen er ikke godkjent.")   # approved first
    page.get_by_role("link", name="Avbryt").click()
    approve_statement(page)
    page.get_by_role("link", name="Send uttalelse").click()
    expect(_h1(page)).to_have_text("Send ekspertpanelets uttalelse")
    # The recipients follow from the referral: the patient and the treating doctor, a copy to the trust where the
    # patient lives (here the regional hospital itself).
    recipients = page.locator("[data-recipients]")
    expect(recipients).to_contain_text("Til: Overlege Kari Kreft, Kreftavdelingen, Universitetssykehuset Nord-Norge HF")
    expect(recipients).to_contain_text("Kopi til: Universitetssykehuset Nord-Norge HF")
    summary = "Ekspertpanelet anbefaler å vurdere deltakelse i en klinisk studie i Sverige."
    page.get_by_label("Ekspertpanelets samlede råd").fill(summary)
    page.get_by_label("Utfall (for statistikken)").select_option(label="Videre etablert behandling i Norge")
    screenshot(page, "panel-statement-form")
    page.get_by_role("button", name="Send uttalelsen").click()

    expect(_flash(page)).to_have_text("Uttalelsen er sendt og journalført som utgående post med PDF-brevet.")
    expect(page).to_have_url(re.compile(r"#uttalelser$"))
    expect(_fact(page, "Status")).to_have_text("Uttalelse sendt")
    statements = page.get_by_role("table", name="Uttalelser sendt")
    row = statements.get_by_role("row").filter(has_text=summary)
    expect(row).to_contain_text(_ddmmyyyy(TODAY))
    expect(row).to_contain_text("Kopi: Universitetssykehuset Nord-Norge HF")
    expect(page.get_by_role("link", name="Skriv vurderingen")).to_have_count(0)   # closed for changes
    expect(page.get_by_role("link", name="Endre vurderingen")).to_have_count(0)
    screenshot(page, "panel-referral-statement-sent")

    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Uttalelse (PDF) sendt {_ddmmyyyy(TODAY)}").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-"), "the letter is a PDF"

    page.get_by_role("link", name="Journal, dokumenter og frister").click()
    expect(_h1(page)).to_have_text("Henvisning til ekspertpanelet – Stein Statementsen")
    journal = page.get_by_role("table", name="Journalposter i saken")
    post = journal.get_by_role("row").filter(has_text="Uttalelse fra ekspertpanelet – Stein Statementsen")
    expect(post).to_have_count(1)
    expect(post.locator("abbr[title='Utgående dokument']")).to_have_text("U")
    expect(post).to_contain_text("Stein Statementsen; Overlege Kari Kreft, Kreftavdelingen")   # patient, doctor
    expect(page.get_by_role("link", name=re.compile(r"^uttalelse-\d{4}-\d+\.pdf$"))).to_be_visible()
    screenshot(page, "panel-case-journal")


# d2. The four questions with the keyboard only

def test_keyboard_only_the_four_answers_are_recorded_with_visible_focus(page_as, keyboard, screenshot):
    """From the referral page to the saved assessment with Tab, Shift+Tab and Enter, typing the answers."""
    page = page_as(PANEL)
    url = register_referral(page, "Tore Tastatur", date(1957, 7, 7))
    page.goto(url)
    keys = keyboard(page)

    keys.skip_to_main()
    keys.tab_to(page.get_by_role("link", name="Skriv vurderingen"))
    keys.press("Enter")
    expect(_h1(page)).to_have_text("Ekspertpanelets vurdering")

    keys.skip_to_main()
    keys.tab_to(page.get_by_label("Funn, spørsmål 1", exact=True))
    for question in (1, 2, 3, 4):
        if question > 1:   # past the previous question's «Legg til behandling» link
            keys.next_is(page.get_by_role("link", name=f"Legg til behandling under spørsmål {question - 1}"))
            keys.next_is(page.get_by_label(f"Funn, spørsmål {question}", exact=True))
        keys.type(f"Funn for spørsmål {question}, skrevet med tastaturet.")
        keys.next_is(page.get_by_label(f"Råd, spørsmål {question}", exact=True))
        keys.type(f"Råd for spørsmål {question}.")
    # Back and forth: Shift+Tab returns to the findings, Tab to the advice (no trap in the text areas)
    keys.tab(backwards=True)
    expect(page.get_by_label("Funn, spørsmål 4", exact=True)).to_be_focused()
    keys.next_is(page.get_by_label("Råd, spørsmål 4", exact=True))
    keys.next_is(page.get_by_role("link", name="Legg til behandling under spørsmål 4"))
    keys.next_is(page.get_by_role("button", name="Lagre vurderingen"))
    screenshot(page, "panel-keyboard-answers")
    keys.press("Enter")

    expect(_flash(page)).to_have_text("Vurderingen er lagret.")
    assessment = page.get_by_role("region", name="Vurdering")
    for question in (1, 2, 3, 4):
        expect(assessment).to_contain_text(f"Funn for spørsmål {question}, skrevet med tastaturet.")
        expect(assessment).to_contain_text(f"Råd for spørsmål {question}.")
    expect(page.get_by_role("link", name="Endre vurderingen")).to_be_visible()
    keys.report("Expert panel: the four answers")


# e. A panel member sees the referrals they are assigned to, and only those

def test_panel_member_sees_only_the_referrals_they_are_assigned_to(page_as, screenshot):
    secretariat = page_as(PANEL)
    open_referral(secretariat, "Erik Eriksen")
    not_assigned = secretariat.url

    page = page_as(PANEL_MEMBER)
    open_panel(page)
    referrals = page.get_by_role("table", name="Henvisninger til ekspertpanelet")
    expect(referrals.get_by_role("row").filter(has_text="Hanne Hagen")).to_have_count(1)
    expect(referrals).not_to_contain_text("Erik Eriksen")
    expect(page.get_by_role("link", name="Registrer henvisning")).to_have_count(0)
    screenshot(page, "panel-overview-member")

    referrals.get_by_role("row").filter(has_text="Hanne Hagen").get_by_role("link").click()
    expect(_h1(page)).to_have_text("Henvisning til ekspertpanelet – Hanne Hagen")
    expect(page.get_by_role("region", name="Deltakere")).to_contain_text("Pia Panelmedlem")
    expect(page.get_by_role("link", name="Sett medlem på saken")).to_have_count(0)   # the secretariat's task
    screenshot(page, "panel-referral-member")

    response = page.goto(not_assigned)
    assert response is not None and response.status == 404
    expect(_h1(page)).to_have_text("Siden finnes ikke")
    expect(page.get_by_text("Erik Eriksen")).to_have_count(0)
