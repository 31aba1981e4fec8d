"""Nye Metoder in the real browser: the secretariat's work from proposal to Beslutningsforum's
amended decision, a Bestillerforum member's comment, and the public pages without login.

Every step goes through the UI: links and buttons by their role and name, fields by their label.
Each test registers the method it changes, so the demo methods keep the state the other tests and
the accessibility screens expect (the live server's database lives for the whole run).
"""
import re
import subprocess
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

METHODS = "metoder@helsesak.test"
BESTILLERFORUM = "bestillerforum@helsesak.test"
REFERENCE = re.compile(r"ID20\d\d_\d{3}")
TODAY = date.today()


def _ddmmyyyy(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _fact(scope: Page | Locator, term: str) -> Locator:
    """The value (dd) after the term (dt) `term` in the first description list in `scope` that has it."""
    return scope.locator(f"xpath=.//dl/dt[normalize-space()='{term}']/following-sibling::dd[1]").first


def _h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def _flash(page: Page) -> Locator:
    return page.get_by_role("status")


def _open_methods(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Nye Metoder").click()
    expect(_h1(page)).to_have_text("Nye Metoder")


def _open_method(page: Page, reference: str) -> None:
    _open_methods(page)
    page.get_by_role("table", name="Metoder").get_by_role("link", name=reference, exact=True).click()
    expect(_h1(page)).to_contain_text(reference)


def _register_method(page: Page, title: str, *, received: date, method_type: str = "Legemidler",
                     subject_area: str = "Kreftsykdommer") -> str:
    """Register a proposal through «Registrer metode»; returns the method's new ID."""
    _open_methods(page)
    page.get_by_role("link", name="Registrer metode").click()
    expect(_h1(page)).to_have_text("Registrer metode")
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("Metodetype").select_option(label=method_type)
    page.get_by_role("group", name="Fagområde").get_by_role("checkbox", name=subject_area).check()
    page.get_by_label("Type innsending").select_option(label="Forslag")
    page.get_by_label("Innsender (organisasjon)").fill("Oslo universitetssykehus HF")
    page.get_by_label("Avdeling").fill("Kreftklinikken")
    page.get_by_label("Mottatt", exact=True).fill(_ddmmyyyy(received))
    page.get_by_role("button", name="Registrer metode").click()
    duplicates = page.get_by_role("region", name="Mulig dobbeltregistrering eller tidligere forslag")
    if duplicates.count():   # a title like one the demo or another test registered: confirm it is another
        duplicates.get_by_role("checkbox", name=re.compile("^Registrer likevel")).check()
        page.get_by_role("button", name="Registrer metode").click()

    expect(_flash(page)).to_have_text(re.compile(rf"^Metoden er registrert som {REFERENCE.pattern}\.$"))
    reference = REFERENCE.search(_flash(page).inner_text()).group()
    expect(_h1(page)).to_have_text(f"{reference} {title}")
    return reference


def _create_meeting(page: Page, forum: str, meeting_date: date) -> str:
    """A new meeting of `forum` through Møter → Nytt møte, on `meeting_date` or, when that forum
    already meets that day (another test's meeting) or it is a weekend, the closest free weekday before; returns
    its label."""
    _open_methods(page)
    page.get_by_role("link", name="Møter", exact=True).click()
    page.get_by_label("Forum").select_option(label=forum)
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r"/metoder/moter\?forum=\w+$"))   # and its load event
    taken = set(page.get_by_role("table", name="Møter, nyeste først").locator("tbody tr td:first-child")
                .all_inner_texts()) if page.get_by_role("table").count() else set()
    while _ddmmyyyy(meeting_date) in taken or meeting_date.weekday() >= 5:   # the forums meet on weekdays
        meeting_date -= timedelta(days=1)

    page.get_by_role("link", name="Nytt møte").click()
    expect(_h1(page)).to_have_text("Nytt møte")
    page.get_by_label("Forum").select_option(label=forum)
    page.get_by_label("Møtedato").fill(_ddmmyyyy(meeting_date))
    page.get_by_role("button", name="Opprett møte").click()
    label = f"{forum} {_ddmmyyyy(meeting_date)}"
    expect(_flash(page)).to_have_text(f"Møtet i {label} er opprettet.")
    expect(_h1(page)).to_have_text(label)
    return label


def _put_on_agenda(page: Page, *references: str) -> Locator:
    """On a meeting's page: «Ny sak» for the methods, each found by the list's search and checked; returns the
    item's row in the agenda."""
    page.get_by_role("link", name="Ny sak", exact=True).click()
    methods = page.get_by_role("group", name="Metoder")
    for reference in references:
        methods.get_by_label("Søk etter metode-ID eller navn").fill(reference)
        expect(methods.get_by_role("checkbox")).not_to_have_count(0)
        methods.get_by_role("checkbox", name=re.compile(rf"^{reference} ")).check()
    page.get_by_role("button", name="Sett på sakslisten").click()
    expect(_flash(page)).to_have_text(re.compile(r"^Sak \d{3}-\d{4} er satt på sakslisten\.$"))
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=references[0], exact=True))


# a. Registering a proposal

def test_secretariat_registers_a_proposal_and_sees_its_new_id(page_as, screenshot):
    page = page_as(METHODS)
    received = TODAY - timedelta(days=3)
    title = "Lutetium (177Lu) vipivotidtetraksetan ved metastatisk prostatakreft"

    reference = _register_method(page, title, received=received)

    assert reference.startswith(f"ID{received.year}_"), "the ID is numbered in the year the proposal came in"
    expect(page).to_have_url(re.compile(rf"/metoder/{reference}$"))
    expect(_fact(page, "Status")).to_have_text("Forslag mottatt")
    expect(_fact(page, "Metodetype")).to_have_text("Legemidler")
    expect(_fact(page, "Fagområde")).to_have_text("Kreftsykdommer")
    expect(page.get_by_role("region", name="Innsendinger")).to_contain_text(
        f"Forslag fra Oslo universitetssykehus HF, Kreftklinikken, mottatt {_ddmmyyyy(received)}")
    expect(page.get_by_role("region", name="Statushistorikk")).to_contain_text(
        f"{_ddmmyyyy(received)}: Forslag mottatt")
    screenshot(page, "methods-registered-proposal")

    _open_methods(page)
    row = page.get_by_role("table", name="Metoder").get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Forslag mottatt")


def test_a_proposal_like_earlier_ones_shows_them_before_it_is_registered_anyway(page_as, screenshot):
    """S2: endoscopic spine surgery was proposed before (ID2018_084, and the demo's ID2025_102): the form lists
    them, with links, before anything is saved, and registers the new one only when confirmed."""
    page = page_as(METHODS)
    page.goto("/metoder/ny")
    page.get_by_label("Tittel").fill("Endoskopisk ryggkirurgi (kikkhullskirurgi) i nakken")
    page.get_by_label("Metodetype").select_option(label="Prosedyrer og organisatoriske tiltak")
    page.get_by_label("Innsender (organisasjon)").fill("Sykehuset Telemark")
    page.get_by_label("Mottatt", exact=True).fill(_ddmmyyyy(TODAY))
    page.get_by_role("button", name="Registrer metode").click()

    step = page.get_by_role("region", name="Mulig dobbeltregistrering eller tidligere forslag")
    similar = step.get_by_role("table", name="Metoder som likner den du registrerer")
    expect(similar.get_by_role("link", name=re.compile("^ID2018_084"))).to_be_visible()
    expect(similar.get_by_role("link", name=re.compile("^ID2025_102"))).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label("Tittel")).to_have_value("Endoskopisk ryggkirurgi (kikkhullskirurgi) i nakken")
    assert_no_axe_violations(page, "the possible-duplicate step")
    screenshot(page, "methods-possible-duplicates")

    step.get_by_role("checkbox", name=re.compile("^Registrer likevel")).check()
    page.get_by_role("button", name="Registrer metode").click()
    expect(_flash(page)).to_have_text(re.compile(rf"^Metoden er registrert som {REFERENCE.pattern}\.$"))
    expect(_h1(page)).to_contain_text("Endoskopisk ryggkirurgi (kikkhullskirurgi) i nakken")


def test_keyboard_only_proposal_registration_with_visible_focus(page_as, keyboard, screenshot):
    """From the method list to the new method's page with Tab, Enter, Space and the arrow keys."""
    page = page_as(METHODS)
    page.goto("/metoder/")
    keys = keyboard(page)
    title = "Tastaturregistrert metode for kontinuerlig glukosemåling"

    keys.skip_to_main()
    keys.tab_to(page.get_by_role("link", name="Registrer metode"))
    keys.press("Enter")
    expect(_h1(page)).to_have_text("Registrer metode")

    keys.skip_to_main()
    keys.tab_to(page.get_by_label("Tittel"))
    keys.type(title)
    keys.next_is(page.get_by_label("Metodetype"))
    keys.press("ArrowDown")   # from «Legemidler» to the next type
    expect(page.get_by_label("Metodetype")).to_have_value("utstyr")
    area = page.get_by_role("group", name="Fagområde").get_by_role("checkbox", name="Endokrinologi")
    keys.tab_to(area)
    keys.press("Space")
    expect(area).to_be_checked()
    keys.tab_to(page.get_by_label("Type innsending"))   # past the tags and the product fields, left empty
    expect(page.get_by_label("Type innsending")).to_have_value("forslag")
    keys.next_is(page.get_by_label("Innsender (organisasjon)"))
    keys.type("Haukeland universitetssjukehus")
    keys.next_is(page.get_by_label("Avdeling"))
    keys.type("Barneklinikken")
    keys.next_is(page.get_by_label("Kontaktperson"))
    keys.next_is(page.get_by_label("Mottatt", exact=True))   # today's date, as filled in
    keys.next_is(page.get_by_label("Tidligere forslag om samme metode"))
    keys.next_is(page.get_by_role("button", name="Registrer metode"))
    screenshot(page, "methods-keyboard-registration")
    keys.press("Enter")

    expect(_flash(page)).to_have_text(re.compile(rf"^Metoden er registrert som {REFERENCE.pattern}\.$"))
    reference = REFERENCE.search(_flash(page).inner_text()).group()
    expect(_h1(page)).to_have_text(f"{reference} {title}")
    expect(_fact(page, "Metodetype")).to_have_text("Medisinsk utstyr, diagnostikk og tester")
    expect(_fact(page, "Fagområde")).to_have_text("Endokrinologi")
    expect(page.get_by_role("region", name="Innsendinger")).to_contain_text(
        f"Forslag fra Haukeland universitetssjukehus, Barneklinikken, mottatt {_ddmmyyyy(TODAY)}")
    keys.report("Nye Metoder: register a proposal")


# b. The suitability assessment and an ongoing trial with a refused registry number

def test_suitability_assessment_keeps_typed_values_on_an_invalid_trial_and_saves_when_fixed(page_as, screenshot):
    page = page_as(METHODS)
    reference = _register_method(page, "Endoskopisk fjerning av polypper i tykktarmen",
                                 received=TODAY - timedelta(days=10),
                                 method_type="Prosedyrer og organisatoriske tiltak",
                                 subject_area="Fordøyelsessykdommer")

    page.get_by_role("link", name="Opprett egnethetsvurdering").click()
    expect(_h1(page)).to_have_text("Opprett egnethetsvurdering")
    expect(page.get_by_label("Utarbeidet av")).to_have_value("FHI")  # FHI assesses everything but drugs
    summary = "Metodeforslaget gjelder endoskopisk fjerning av store polypper i tykktarmen."
    population = "Voksne med store, flate polypper i tykktarmen"
    page.get_by_label("1.1 Oppsummering").fill(summary)
    page.get_by_label("Populasjon", exact=True).fill(population)
    page.get_by_label("Komparator", exact=True).fill("Kirurgisk reseksjon")
    page.get_by_role("radio", name="1: Fullstendig metodevurdering").check()
    aspects = page.get_by_role("group", name="Aspekter som bør vurderes")
    aspects.get_by_role("checkbox", name="Effekt").check()
    aspects.get_by_role("checkbox", name="Sikkerhet").check()
    page.get_by_role("button", name="Lagre egnethetsvurdering").click()

    expect(_flash(page)).to_have_text("Egnethetsvurderingen er lagret.")
    expect(_h1(page)).to_have_text("Egnethetsvurdering")
    part_1 = page.get_by_role("region", name="1. Status og oppsummering")
    expect(part_1).to_contain_text(summary)
    expect(_fact(part_1, "Populasjon")).to_have_text(population)
    expect(_fact(part_1, "Komparator")).to_have_text("Kirurgisk reseksjon")
    expect(part_1.get_by_role("listitem").filter(has_text="Fullstendig metodevurdering")).to_contain_text(
        "Valgt: Fullstendig metodevurdering")

    # 4.2 Pågående kliniske studier: a registry number the rules refuse
    page.get_by_role("link", name="Endre", exact=True).click()
    expect(_h1(page)).to_have_text("Endre egnethetsvurdering")
    page.get_by_role("link", name="Legg til studie").click()
    expect(_h1(page)).to_have_text("Ny pågående klinisk studie")
    page.get_by_label("Populasjon").fill("Voksne med polypper over 20 mm")
    page.get_by_label("Antall deltakere (n)").fill("480")
    page.get_by_label("Intervensjon").fill("Endoskopisk submukosal disseksjon")
    page.get_by_label("Kontrollgruppe").fill("Kirurgisk reseksjon")
    registry_id = page.get_by_label("Studienummer")
    registry_id.fill("NCT123")
    page.get_by_label("Land").fill("Norge")
    page.get_by_label("Forventet ferdig").fill("09.2027")
    page.get_by_role("button", name="Lagre studie").click()

    refused = "«NCT123» er ikke et gyldig studienummer."
    error_summary = page.locator("[data-error-summary]")
    expect(error_summary).to_be_focused()
    expect(error_summary).to_contain_text(f"Studienummer: {refused}")
    expect(registry_id).to_have_attribute("aria-invalid", "true")
    expect(registry_id).to_have_accessible_description(re.compile(re.escape(refused)))
    expect(page.locator(".field", has=registry_id).locator(".field-error")).to_contain_text(refused)
    expect(registry_id).to_have_value("NCT123")
    expect(page.get_by_label("Populasjon")).to_have_value("Voksne med polypper over 20 mm")
    expect(page.get_by_label("Antall deltakere (n)")).to_have_value("480")
    expect(page.get_by_label("Land")).to_have_value("Norge")
    expect(page.get_by_label("Forventet ferdig")).to_have_value("09.2027")
    screenshot(page, "methods-trial-invalid-registry-id")

    error_summary.get_by_role("link", name=re.compile(r"^Studienummer:")).click()
    expect(registry_id).to_be_focused()
    registry_id.fill("NCT06719037")
    page.get_by_role("button", name="Lagre studie").click()

    expect(_flash(page)).to_have_text("Studien er lagt til.")
    expect(_h1(page)).to_have_text("Endre egnethetsvurdering")
    trial_row = page.get_by_role("row").filter(has_text="NCT06719037")
    expect(trial_row).to_contain_text("Voksne med polypper over 20 mm, n=480")
    expect(trial_row).to_contain_text("Norge")
    expect(page.get_by_label("1.1 Oppsummering")).to_have_value(summary)

    # The read-only assessment, reached from the method page
    page.get_by_role("link", name=reference, exact=True).click()
    page.get_by_role("link", name="Vis egnethetsvurderingen").click()
    part_4 = page.get_by_role("region", name="4. Dokumentasjonsgrunnlag")
    expect(part_4.get_by_role("link", name="NCT06719037")).to_have_attribute(
        "href", "https://clinicaltrials.gov/study/NCT06719037")
    expect(part_4).to_contain_text("Endoskopisk submukosal disseksjon")
    expect(part_4).to_contain_text("Est. ferdig: 09.2027")
    expect(page.get_by_role("region", name="1. Status og oppsummering")).to_contain_text(population)
    screenshot(page, "methods-assessment-view")


# c. Bestillerforum's ordering decision

def test_bestillerforum_orders_a_full_assessment_from_the_meeting_agenda(page_as, screenshot):
    page = page_as(METHODS)
    received = TODAY - timedelta(days=60)
    reference = _register_method(page, "Kunstig intelligens for tolkning av mammografi", received=received,
                                 method_type="Medisinsk utstyr, diagnostikk og tester")

    meeting = _create_meeting(page, "Bestillerforum", TODAY - timedelta(days=20))
    row = _put_on_agenda(page, reference)
    expect(row).to_contain_text(f"{reference} Kunstig intelligens for tolkning av mammografi")
    row.get_by_role("link", name="Registrer beslutning").click()

    expect(_h1(page)).to_have_text("Beslutning i Bestillerforum")
    expect(page.get_by_label("Sak i Bestillerforum").locator("option:checked")).to_contain_text(meeting)
    page.get_by_label("Beslutning", exact=True).select_option(label="Fullstendig metodevurdering")
    page.get_by_label("Utføres av").fill("FHI")
    aspects = page.get_by_role("group", name="Aspekter")
    for aspect in ("Effekt", "Sikkerhet", "Helseøkonomi"):
        aspects.get_by_role("checkbox", name=aspect).check()
    due = TODAY + timedelta(days=180)
    page.get_by_label("Leveringsfrist").fill(_ddmmyyyy(due))
    page.get_by_label("Begrunnelse / beskrivelse av oppdraget").fill("Nasjonal vurdering av KI-støttet screening.")
    screenshot(page, "methods-ordering-decision-form")
    page.get_by_role("button", name="Registrer beslutning").click()

    expect(_flash(page)).to_have_text("Bestillerforums beslutning er registrert.")
    expect(page).to_have_url(re.compile(rf"/metoder/{reference}#bestillerforum$"))
    expect(_fact(page, "Status")).to_have_text("Metodevurdering pågår")
    decisions = page.get_by_role("table", name="Bestillerforums beslutninger")
    decision_row = decisions.get_by_role("row").filter(has_text="Fullstendig metodevurdering")
    for text in ("FHI", "Effekt, Sikkerhet, Helseøkonomi", _ddmmyyyy(due), meeting.split()[-1]):
        expect(decision_row).to_contain_text(text)
    expect(page.get_by_role("region", name="Oppdrag og rapporter").get_by_role(
        "heading", name="Fullstendig metodevurdering – FHI")).to_be_visible()
    expect(page.get_by_role("region", name="Statushistorikk")).to_contain_text(
        "Til behandling i Bestillerforum → Metodevurdering pågår")
    screenshot(page, "methods-after-ordering-decision")

    # The meeting's agenda shows the decision in place of the link
    decision_row.get_by_role("link").click()
    expect(_h1(page)).to_have_text(meeting)
    agenda_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(agenda_row).to_contain_text("Fullstendig metodevurdering (FHI)")
    expect(agenda_row.get_by_role("link", name="Registrer beslutning")).to_have_count(0)


# d. Beslutningsforum's decision and its amendment

def _cleared_for_decision(browser_app, reference: str, on: date) -> None:
    """Ordered, assessed and cleared by Bestillerforum: the records that drive those steps (agenda items, the
    ordering decision, the report) are other tests' subject, so the steps are taken by the status service here."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from app.methods import services
    from app.methods.commands import StatusChange
    from app.methods.models import MethodStatus

    with browser_app.app_context():
        method = services.find_method(reference)
        actor = db.session.scalar(select(User).where(User.email == METHODS))
        for status in (MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE):
            services.change_status(method, StatusChange(status, on, comment="Forberedt av testen."), actor=actor)
        db.session.commit()


def test_beslutningsforum_decision_and_its_amendment_are_both_kept(page_as, browser_app, screenshot):
    page = page_as(METHODS)
    received = TODAY - timedelta(days=90)
    reference = _register_method(page, "Robotassistert nyrereseksjon ved nyrekreft", received=received,
                                 method_type="Prosedyrer og organisatoriske tiltak")
    _cleared_for_decision(browser_app, reference, received + timedelta(days=5))
    page.reload()
    expect(_fact(page, "Status")).to_have_text("Til klarering i Bestillerforum")
    method_url = page.url

    meeting = _create_meeting(page, "Beslutningsforum", TODAY - timedelta(days=40))
    decided_on = meeting.split()[-1]   # the meeting's date
    row = _put_on_agenda(page, reference)
    row.get_by_role("link", name="Registrer beslutning").click()

    expect(_h1(page)).to_have_text("Ny beslutning")
    expect(page.get_by_label("Sak i Beslutningsforum").locator("option:checked")).to_contain_text(meeting)
    page.get_by_label("Besluttet av").select_option(label="Beslutningsforum")
    page.get_by_label("Beslutningsdato").fill(decided_on)
    page.get_by_label("Utfall").select_option(label="Innføres med vilkår/begrensninger")
    first_points = ["Robotassistert nyrereseksjon innføres ved universitetssykehusene.",
                    "Metoden skal brukes i tråd med nasjonalt handlingsprogram for nyrekreft."]
    page.get_by_label("Beslutningspunkter").fill("\n".join(first_points))
    page.get_by_label("Vilkår").fill("Pris i tråd med avtalen fra Sykehusinnkjøp.")
    page.get_by_role("button", name="Registrer beslutning").click()

    expect(_flash(page)).to_have_text("Beslutningen er registrert.")
    expect(page).to_have_url(re.compile(rf"/metoder/{reference}#beslutningsforum$"))
    expect(_fact(page, "Status")).to_have_text("Beslutning fattet")
    forum = page.get_by_role("region", name="Beslutningsforum")
    expect(forum.get_by_role("heading", name="Gjeldende beslutning: Innføres med vilkår/begrensninger")).to_be_visible()
    expect(forum.get_by_role("list").filter(has_text=first_points[0]).get_by_role("listitem")).to_have_text(
        first_points)

    # The amendment: the method page's link, decided by the medical directors without a meeting
    forum.get_by_role("link", name="Endre beslutningen").click()
    expect(_h1(page)).to_have_text("Endre beslutning")
    amended = page.get_by_role("region", name="Beslutningen som endres")
    expect(amended.get_by_role("listitem")).to_have_text(first_points)
    expect(page.get_by_label("Endrer beslutning").locator("option:checked")).to_have_text(
        re.compile(rf"^Beslutning {re.escape(decided_on)} \(Sak \d{{3}}-\d{{4}}\)$"))
    page.get_by_label("Besluttet av").select_option(label="Fagdirektørene i de regionale helseforetakene")
    expect(page.get_by_label("Sak i Beslutningsforum")).to_have_value("")
    amended_on = _ddmmyyyy(TODAY - timedelta(days=10))
    page.get_by_label("Beslutningsdato").fill(amended_on)
    page.get_by_label("Utfall").select_option(label="Innføres")
    new_points = ["Robotassistert nyrereseksjon innføres.",
                  "Regionene rapporterer bruken til fagdirektørene innen ett år."]
    page.get_by_label("Beslutningspunkter").fill("\n".join(new_points))
    screenshot(page, "methods-amend-decision-form")
    page.get_by_role("button", name="Registrer beslutning").click()

    expect(_flash(page)).to_have_text("Endringen av beslutningen er registrert.")
    forum = page.get_by_role("region", name="Beslutningsforum")
    current = forum.locator(".current-decision")
    expect(current.get_by_role("heading", name="Gjeldende beslutning: Innføres", exact=True)).to_be_visible()
    expect(current).to_contain_text(f"endret {amended_on}")
    expect(_fact(current, "Besluttet av")).to_have_text("Fagdirektørene i de regionale helseforetakene")
    expect(_fact(current, "Dato")).to_have_text(amended_on)
    expect(current.get_by_role("list").filter(has_text=new_points[0]).get_by_role("listitem")).to_have_text(new_points)

    expect(forum.get_by_role("heading", name="Tidligere beslutninger")).to_be_visible()
    replaced = forum.get_by_role("article")
    expect(replaced).to_have_count(1)
    expect(replaced.get_by_role("heading")).to_have_text(
        re.compile(rf"^Beslutning {re.escape(decided_on)} \(Sak \d{{3}}-\d{{4}}\) – Erstattet av beslutningen "
                   rf"{re.escape(amended_on)}$"))
    expect(_fact(replaced, "Utfall")).to_have_text("Innføres med vilkår/begrensninger")
    expect(replaced.get_by_role("list").filter(has_text=first_points[0]).get_by_role("listitem")).to_have_text(
        first_points)
    expect(replaced).to_contain_text("Vilkår: Pris i tråd med avtalen fra Sykehusinnkjøp.")
    expect(page.get_by_role("region", name="Statushistorikk")).to_contain_text(
        "Til beslutning → Beslutning fattet")
    assert page.url.startswith(method_url)
    screenshot(page, "methods-amended-decision")


def test_three_methods_decided_together_in_one_item_and_amended_when_taken_up_again(page_as, browser_app,
                                                                                      screenshot):
    """S1: one item covers three methods, one decision applies to all of them, and the item taken up again at
    a later meeting keeps its number and amends the decision of each."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from app.methods import services
    from tests.factories import new_method

    received = TODAY - timedelta(days=120)
    with browser_app.app_context():
        actor = db.session.scalar(select(User).where(User.email == METHODS))
        references = [services.register_method(new_method(title, received), actor=actor).reference
                      for title in ("Robotassistert prostatektomi (test)", "Robotassistert hysterektomi (test)",
                                    "Robotassistert rektumreseksjon (test)")]
        db.session.commit()
    for reference in references:
        _cleared_for_decision(browser_app, reference, received + timedelta(days=5))

    page = page_as(METHODS)
    first_meeting = _create_meeting(page, "Beslutningsforum", TODAY - timedelta(days=45))
    row = _put_on_agenda(page, *references)
    item = row.get_by_role("cell").first.inner_text().strip()
    for reference in references:
        expect(row.get_by_role("link", name=reference, exact=True)).to_be_visible()
    screenshot(page, "methods-agenda-item-three-methods")
    row.get_by_role("link", name=f"Registrer beslutning for {references[0]}").click()

    expect(_h1(page)).to_have_text("Ny beslutning")
    expect(page.get_by_label("Samme beslutning for alle metodene i saken")).to_be_checked()
    page.get_by_label("Beslutningsdato").fill(first_meeting.split()[-1])
    page.get_by_label("Utfall").select_option(label="Innføres med vilkår/begrensninger")
    first_points = ["Robotassistert kirurgi kan fortsatt brukes ved kreft i prostata, rektum eller livmor.",
                    "Fagdirektørene oppnevner en interregional arbeidsgruppe."]
    page.get_by_label("Beslutningspunkter").fill("\n".join(first_points))
    page.get_by_role("button", name="Registrer beslutning").click()
    expect(_flash(page)).to_have_text("Beslutningen er registrert.")

    later_meeting = _create_meeting(page, "Beslutningsforum", TODAY - timedelta(days=15))
    page.get_by_role("link", name="Ny sak", exact=True).click()
    again = page.get_by_role("region", name="Ta opp igjen en sak")
    earlier = again.get_by_label("Sak fra et tidligere møte")
    earlier.select_option(earlier.locator("option", has_text=f"{item} – {first_meeting}").get_attribute("value"))
    again.get_by_role("button", name="Ta opp saken igjen").click()
    expect(_flash(page)).to_have_text(f"{item} er tatt opp igjen og satt på sakslisten.")
    expect(_h1(page)).to_have_text(later_meeting)
    row = page.get_by_role("row").filter(has_text=item)
    expect(row).to_contain_text(f"Tatt opp igjen fra {first_meeting}")
    row.get_by_role("link", name=f"Registrer endret beslutning for {references[1]}").click()

    expect(_h1(page)).to_have_text("Endre beslutning")
    expect(page.get_by_label("Beslutningspunkter")).to_have_value("\n".join(first_points))
    expect(page.get_by_label("Samme beslutning for alle metodene i saken")).to_be_checked()
    page.get_by_label("Beslutningsdato").fill(later_meeting.split()[-1])
    new_points = [*first_points[:1], "Anskaffelser av nye roboter begrenses inntil strategien er besluttet."]
    page.get_by_label("Beslutningspunkter").fill("\n".join(new_points))
    screenshot(page, "methods-amend-whole-item-form")
    page.get_by_role("button", name="Registrer beslutning").click()
    expect(_flash(page)).to_have_text("Endringen av beslutningen er registrert.")

    for reference in references:
        page.goto(f"/metoder/{reference}")
        current = page.get_by_role("region", name="Beslutningsforum").locator(".current-decision")
        expect(current).to_contain_text(f"({item}), endret {later_meeting.split()[-1]} ({item})")
        expect(current.get_by_role("list").filter(has_text=new_points[1]).get_by_role("listitem")).to_have_text(
            new_points)


def test_secretariat_sets_up_a_working_group_for_two_methods_and_a_reader_sees_it(page_as, browser_app, screenshot):
    """S1: one working group covers two methods; the secretariat registers it from a method's page with the
    mandate's questions, puts in the leader (the second leader is refused at the field), answers a question,
    and a Bestillerforum member reads the group from the other method's page."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from app.methods import services
    from tests.factories import new_method

    with browser_app.app_context():
        actor = db.session.scalar(select(User).where(User.email == METHODS))
        references = [services.register_method(new_method(title, TODAY - timedelta(days=60)), actor=actor).reference
                      for title in ("Robotassistert nyrereseksjon (test)", "Robotassistert lobektomi (test)")]
        db.session.commit()
    title = f"Arbeidsgruppe for robotkirurgi {references[0]}"

    page = page_as(METHODS)
    page.goto(f"/metoder/{references[0]}")
    page.get_by_role("region", name="Arbeidsgrupper").get_by_role("link", name="Ny arbeidsgruppe").click()
    expect(_h1(page)).to_have_text("Ny arbeidsgruppe")
    methods = page.get_by_role("group", name="Metoder")
    expect(methods.get_by_role("checkbox", name=re.compile(rf"^{references[0]} "))).to_be_checked()
    methods.get_by_label("Søk etter metode-ID eller navn").fill(references[1])
    methods.get_by_role("checkbox", name=re.compile(rf"^{references[1]} ")).check()
    page.get_by_label("Navn", exact=True).fill(title)
    page.get_by_label("Sammensetning og mandat godkjent i Interregionalt fagdirektørmøte").fill(
        _ddmmyyyy(TODAY - timedelta(days=7)))
    page.get_by_label("Spørsmål rapporten skal besvare").fill(
        "1. Kapasitet\n- Hvilke operasjonsvolum trengs?\n2. Rekruttering")
    page.get_by_role("button", name="Lagre arbeidsgruppe").click()
    expect(_flash(page)).to_have_text("Arbeidsgruppen er registrert.")
    expect(_h1(page)).to_have_text(title)
    expect(_fact(page, "Sammensetning og mandat")).to_have_text(
        f"Godkjent i Interregionalt fagdirektørmøte {_ddmmyyyy(TODAY - timedelta(days=7))}")

    for name in ("Ingrid Fjell", "Lars Haugen"):
        page.get_by_role("link", name="Nytt medlem").click()
        page.get_by_label("Navn", exact=True).fill(name)
        page.get_by_label("Rolle").select_option(label="Leder")
        page.get_by_label("Foreslått av").select_option(label="Regionalt helseforetak (RHF)")
        page.get_by_role("button", name="Legg til").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Arbeidsgruppen har allerede en leder (Ingrid Fjell)")
    expect(page.get_by_label("Navn", exact=True)).to_have_value("Lars Haugen")
    page.get_by_label("Rolle").select_option(label="Medlem")
    page.get_by_role("button", name="Legg til").click()
    expect(_flash(page)).to_have_text("Lars Haugen er lagt til i arbeidsgruppen.")

    page.get_by_role("link", name="Skriv rapport").click()
    page.get_by_label("Hvilke operasjonsvolum trengs?").fill("Minst 150 inngrep per robot i året.")
    page.get_by_role("button", name="Lagre rapport").click()
    expect(_flash(page)).to_have_text("Rapporten er lagret.")
    screenshot(page, "methods-working-group")

    reader = page_as(BESTILLERFORUM)
    reader.goto(f"/metoder/{references[1]}")
    reader.get_by_role("region", name="Arbeidsgrupper").get_by_role("link", name=title).click()
    composition = reader.get_by_role("table", name="Arbeidsgruppen, referansegruppen og ressursgruppen")
    expect(composition.get_by_role("row")).to_have_count(3)
    expect(composition).to_contain_text("Ingrid Fjell")
    expect(reader.get_by_role("region", name="Rapport")).to_contain_text("1 av 2 spørsmål besvart.")
    expect(reader.get_by_role("link", name="Skriv rapport")).to_have_count(0)


# e. The public pages, without login

def test_public_finds_a_method_sees_its_current_and_replaced_decision_and_downloads_xlsx(page_as, tmp_path,
                                                                                         screenshot):
    page = page_as(None)
    page.goto("/nye-metoder/")
    expect(_h1(page)).to_have_text("Finn metode")
    expect(page.get_by_role("button", name="Logg ut")).to_have_count(0)

    page.get_by_role("searchbox", name="Søk i ID, tittel og virkestoff").fill("robot")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"/nye-metoder/\?q=robot"))
    methods = page.get_by_role("table", name="Metoder")
    for reference in ("ID2022_131", "ID2022_132", "ID2022_133"):
        expect(methods.get_by_role("link", name=reference, exact=True)).to_be_visible()
    expect(methods.get_by_role("link", name="ID2025_102")).to_have_count(0)
    screenshot(page, "public-methods-search-robot")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"ID2022_131", "ID2022_132", "ID2022_133"} <= set(rows), sorted(rows)
    assert "ID2025_102" not in rows   # the search applies to the download too
    assert rows["ID2022_131"][6].date() == date(2025, 4, 28)   # the date of the current (amended) decision

    methods.get_by_role("link", name="ID2022_131", exact=True).click()
    expect(_h1(page)).to_have_text("ID2022_131 Robotassistert prostatektomi")
    decision = page.get_by_role("region", name="Beslutning", exact=True)
    expect(_fact(decision, "Beslutning")).to_have_text("Innføres med vilkår/begrensninger")
    expect(_fact(decision, "Dato")).to_have_text("28.04.2025")
    current_points = decision.locator("xpath=./ol/li")   # the current decision's, not the replaced one's
    expect(current_points).to_have_count(3)
    expect(current_points.first).to_contain_text("utarbeide et utkast til nasjonal strategisk tilnærming")
    expect(decision.get_by_role("heading", name="Tidligere beslutninger")).to_be_visible()
    replaced = decision.locator(".panel")
    expect(replaced).to_have_count(1)
    expect(replaced).to_contain_text("Erstattet av beslutningen 28.04.2025.")
    expect(_fact(replaced, "Dato")).to_have_text("17.03.2025")
    expect(replaced).to_contain_text("Robotassistert kirurgi kan fortsatt brukes til kirurgisk behandling av kreft")
    # What only the logged-in pages show: the follow-up assignment and its members, price notes, comments.
    main = page.get_by_role("main")
    for internal in ("Oppfølging", "Konserntillitsvalgt", "Prisnotat", "Kommentar"):
        expect(main).not_to_contain_text(internal)
    screenshot(page, "public-method-ID2022_131")


def test_public_filters_by_decision_and_atc_code_and_downloads_the_published_assessment(page_as, tmp_path,
                                                                                     screenshot):
    page = page_as(None)
    page.goto("/nye-metoder/")
    page.get_by_label("Beslutning").select_option(label="Innføres ikke")
    page.get_by_label("ATC-kode").fill("l01")
    page.get_by_label("Bruksområde (indikasjon)").fill("eggstokkreft")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"decision=not_introduced&atc=l01&indication=eggstokkreft"))
    methods = page.get_by_role("table", name="Metoder")
    expect(methods.get_by_role("link", name="ID2024_090", exact=True)).to_be_visible()
    expect(methods.get_by_role("row")).to_have_count(2)   # the header and the one drug
    screenshot(page, "public-methods-decision-atc")

    methods.get_by_role("link", name="ID2024_090", exact=True).click()
    expect(_fact(page, "ATC-kode")).to_have_text("L01FX")
    expect(_fact(page, "Sist oppdatert")).to_have_text("16.06.2025")
    stages = page.get_by_role("table", name="Metodens trinn med dato")
    expect(stages.get_by_role("row").nth(1)).to_contain_text("02.05.2024")
    expect(stages.get_by_role("row").nth(1)).to_contain_text("Forslag mottatt")
    expect(page.get_by_role("link", name="Følg endringer for ID2024_090 (Atom)")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Egnethetsvurdering ID2024_090 (PDF)").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Demolegemiddel X er et monoklonalt antistoff" in " ".join(text.split())
    assert "Demo Fagekspert" not in text   # the suggested experts are named people: not published
    screenshot(page, "public-method-ID2024_090")


# f. A Bestillerforum member reads and comments

def test_bestillerforum_member_reads_the_assessment_and_comments(page_as, screenshot):
    page = page_as(BESTILLERFORUM)
    _open_method(page, "ID2025_102")
    expect(page.get_by_role("link", name="Endre", exact=True)).to_have_count(0)   # reading, not editing
    expect(page.get_by_role("link", name="Endre egnethetsvurderingen")).to_have_count(0)

    page.get_by_role("link", name="Vis egnethetsvurderingen").click()
    expect(_h1(page)).to_have_text("Egnethetsvurdering")
    part_1 = page.get_by_role("region", name="1. Status og oppsummering")
    expect(_fact(part_1, "Populasjon")).to_have_text(
        "Personer med 1) skiveprolaps eller 2) spinal stenose (foramen eller sentral)")
    expect(page.get_by_role("region", name="4. Dokumentasjonsgrunnlag").get_by_role(
        "link", name="NCT06719037")).to_be_visible()
    expect(page.get_by_role("link", name="Endre", exact=True)).to_have_count(0)
    screenshot(page, "methods-assessment-bestillerforum")

    page.get_by_role("link", name="ID2025_102", exact=True).click()
    comment = f"Bestillerforum bør se denne sammen med ID2018_084 (kommentar {TODAY:%d.%m.%Y})."
    page.get_by_label("Kommentar", exact=True).fill(comment)
    page.get_by_role("button", name="Legg inn kommentar").click()

    expect(_flash(page)).to_have_text("Kommentaren er lagt inn.")
    expect(page).to_have_url(re.compile(r"/metoder/ID2025_102#kommentarer$"))
    posted = page.get_by_role("region", name="Kommentarer (interne)").get_by_role("listitem").filter(
        has_text=comment)
    expect(posted).to_have_count(1)
    expect(posted).to_contain_text("Bjørn Bestiller")
    screenshot(page, "methods-comment-bestillerforum")
