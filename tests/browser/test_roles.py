"""Each role's daily work in the browser: a panel member's draft taken in, approved and sent by the secretariat
(the statement names who took part), and each role's dashboard with its own deadlines and nothing else.
axe runs on the pages these workflows add (the contribution form, the dashboards' new boxes)."""
import re
from datetime import date

from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import assert_no_axe_violations
from tests.browser.test_panel import (
    PANEL,
    PANEL_MEMBER,
    _flash,
    _h1,
    approve_statement,
    register_referral,
    send_statement,
)

METHODS = "metoder@helsesak.test"
BESTILLERFORUM = "bestillerforum@helsesak.test"
CASEWORKER = "hso@helsesak.test"
MEMBER_NAME = "Pia Panelmedlem"


def _deadlines(page: Page):
    return page.get_by_role("region", name="Frister i ditt arbeid")


def test_a_members_draft_is_adopted_approved_and_sent(page_as, screenshot):
    secretariat = page_as(PANEL)
    url = register_referral(secretariat, "Dina Deltaker", date(1966, 6, 6))
    secretariat.get_by_role("link", name="Sett medlem på saken").click()
    member_option = secretariat.get_by_label("Medlem").locator("option", has_text=MEMBER_NAME)
    secretariat.get_by_label("Medlem").select_option(label=member_option.inner_text())
    secretariat.get_by_role("button", name="Sett på saken").click()
    expect(_h1(secretariat)).to_have_text("Henvisning til ekspertpanelet – Dina Deltaker")

    member = page_as(PANEL_MEMBER)
    member.goto(url)
    member.get_by_role("link", name="Skriv utkast eller kommentar").click()
    expect(_h1(member)).to_have_text("Skriv utkast eller kommentar")
    assert_no_axe_violations(member, "the member's contribution form")
    member.get_by_label("Spørsmål").select_option(value="2")
    member.get_by_label("Funn (utkast)").fill("Studien NCT06719037 i Sverige tar inn pasienter med denne diagnosen.")
    member.get_by_label("Råd (utkast)").fill("Pasienten bør henvises til studien i Sverige.")
    member.get_by_role("button", name="Lagre bidraget").click()
    expect(_flash(member)).to_have_text("Bidraget er lagret. Sekretariatet ser det på saken.")
    screenshot(member, "panel-member-draft-saved")

    member.goto("/")
    mine = member.get_by_role("region", name="Henvisninger du er med på")
    expect(mine.get_by_role("row").filter(has_text="Utkastet ditt venter på sekretariatet")).to_have_count(1)
    expect(mine).not_to_contain_text("Deltaker")                       # the public title: the name masked
    assert_no_axe_violations(member, "the panel member's dashboard")

    secretariat.goto(url)
    drafts = secretariat.get_by_role("region", name="Utkast og kommentarer fra medlemmene")
    expect(drafts).to_contain_text(MEMBER_NAME)
    drafts.get_by_role("button", name="Ta inn utkastet i vurderingen").click()
    expect(_flash(secretariat)).to_have_text("Utkastet er tatt inn i vurderingen av spørsmål 2.")
    secretariat.get_by_role("link", name="Endre vurderingen").click()
    expect(secretariat.get_by_label("Råd, spørsmål 2", exact=True)).to_have_value(
        "Pasienten bør henvises til studien i Sverige.")
    for question in (1, 3, 4):
        secretariat.get_by_label(f"Funn, spørsmål {question}", exact=True).fill(f"Funn for spørsmål {question}.")
    secretariat.get_by_role("button", name="Lagre vurderingen").click()
    expect(_flash(secretariat)).to_have_text("Vurderingen er lagret.")
    approve_statement(secretariat)
    send_statement(secretariat, "Ekspertpanelet anbefaler studien i Sverige.")
    sent = secretariat.get_by_role("table", name="Uttalelser sendt")
    expect(sent).to_contain_text(MEMBER_NAME)
    screenshot(secretariat, "panel-statement-names-participants")


def test_each_role_sees_its_own_deadlines_on_the_dashboard(page_as):
    methods = page_as(METHODS)
    methods.goto("/")
    expect(_deadlines(methods)).to_contain_text("ID2022_131")            # the overdue follow-up is theirs
    assert_no_axe_violations(methods, "the methods secretariat's dashboard")

    for email in (BESTILLERFORUM, PANEL, CASEWORKER, PANEL_MEMBER):
        page = page_as(email)
        page.goto("/")
        expect(_deadlines(page)).not_to_contain_text("ID2022_131")

    panel = page_as(PANEL)
    panel.goto("/")
    expect(_deadlines(panel)).to_contain_text("Frist for uttalelse")
    expect(panel.get_by_role("region", name="Klager under behandling")).to_have_count(0)
    assert_no_axe_violations(panel, "the panel secretariat's dashboard")

    office = page_as(CASEWORKER)
    office.goto("/")
    # The demo's appeal forwarded this year, and the history's appeals still with Klagenemnda at the year's end.
    expect(office.get_by_role("region", name="Klager under behandling").get_by_role("row").filter(
        has_text="Oversendt Klagenemnda").first).to_be_visible()
    expect(office.get_by_role("region", name="Henvisninger du er med på")).to_have_count(0)
    assert_no_axe_violations(office, "an abroad office's dashboard")

    member = page_as(PANEL_MEMBER)
    member.goto("/")
    expect(member.get_by_role("region", name="Henvisninger du er med på").get_by_role("row").filter(
        has_text=re.compile("Venter på ditt utkast"))).not_to_have_count(0)
    expect(member.get_by_role("region", name="Frister i ditt arbeid")).to_contain_text("Ingen åpne frister")
