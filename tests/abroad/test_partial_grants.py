"""Partial grants (issue 18 item 2): a decision grants the treatment but refuses part of what was asked (the
companion, travel or stay cover, or the hospital asked for, granting another of the register), each refusal with
its reason; the letter says what was granted and what was not with the appeal information; the refused part is
appealed like a refusal; the annual report counts the partial grant as a grant and its appeal among the appeals
against refusals. Through the service, the page (with the letter read by pdftotext) and the import; the API in
tests/api/test_abroad_partial_grants.py."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.abroad import services
from app.abroad.commands import PartDecision, TreatmentPlan
from app.abroad.importing import run_import
from app.abroad.letters import forwarding_letter
from app.abroad.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    CostCategory,
    CostEntry,
    Decision,
    DecisionItem,
    DecisionPart,
    OfficeOutcome,
    TreatmentClass,
)
from app.abroad.statistics import appeals_by_region, received_and_granted
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from tests.abroad.fixtures.import_files import application_row, to_csv
from tests.factories import abroad_appeal, abroad_cost, abroad_decision, abroad_reconsideration
from tests.pdf import pdf_text

TODAY = date(2026, 11, 20)
TREATMENT = PartDecision(item=DecisionItem.TREATMENT, granted=True)
NO_COMPANION = PartDecision(item=DecisionItem.COMPANION, granted=False,
                            reason="Pasienten er voksen og klarer reisen alene.")
KAROLINSKA = PartDecision(item=DecisionItem.HOSPITAL, granted=False,
                          instead_hospital="Karolinska Universitetssjukhuset",
                          reason="Karolinska har like god behandling og kortere ventetid.")


def _partial(*parts: PartDecision, **overrides):
    return abroad_decision(Decision.PARTIAL, decided_on=date(2026, 9, 20), parts=parts, **overrides)


def _refusals(application, command) -> dict[str | None, str]:
    with pytest.raises(InvalidInputs) as refused:
        services.check_decision(application, command, today=TODAY)
    return {error.field: str(error) for error in refused.value.errors}


def test_a_partial_grant_grants_the_treatment_and_records_what_was_refused(application, caseworker):
    services.decide(application, _partial(TREATMENT, NO_COMPANION, KAROLINSKA,
                                          PartDecision(item=DecisionItem.TRAVEL, granted=True)),
                    actor=caseworker, letter=b"%PDF-1.7 delvis", today=TODAY)
    assert (application.decision, application.status) == (Decision.PARTIAL, ApplicationStatus.GRANTED)
    assert application.treatment_may_be_planned and application.appealable
    parts = {part.item: part for part in db.session.scalars(select(DecisionPart))}
    assert [item for item, part in parts.items() if not part.granted] == [DecisionItem.COMPANION,
                                                                          DecisionItem.HOSPITAL]
    assert parts[DecisionItem.HOSPITAL].instead_hospital.name == "Karolinska Universitetssjukhuset"
    # the plan starts at the hospital granted instead of the one asked for
    assert (application.hospital, application.country) == ("Karolinska Universitetssjukhuset", "SE")


def test_the_rules_of_a_partial_grant_are_reported_in_one_round(application):
    refused = _refusals(application, _partial(
        PartDecision(item=DecisionItem.TREATMENT, granted=False, reason="Ikke nødvendig."),
        PartDecision(item=DecisionItem.COMPANION, granted=False),
        PartDecision(item=DecisionItem.HOSPITAL, granted=False, reason="For dyrt."),
        PartDecision(item=DecisionItem.STAY, granted=True, reason="Dekkes.")))
    assert "velg «Avslått»" in refused["part_treatment"]
    assert refused["reason_companion"] == "Skriv hvorfor «ledsager» avslås."
    assert refused["reason_stay"] == "Skriv begrunnelse bare for det som avslås."
    assert refused["instead_hospital"] == "Oppgi sykehuset som innvilges i stedet for det det er søkt om."

    nothing_refused = _refusals(application, _partial(TREATMENT, PartDecision(item=DecisionItem.STAY, granted=True),
                                                      reasoning=None))
    assert "Innvilges alt, velg «Innvilget»" in nothing_refused["decision"]
    assert "reasoning" in nothing_refused   # the decision's own rules in the same round


def test_the_hospital_granted_instead_is_one_of_the_register_and_not_the_one_asked_for(register, caseworker):
    application = register(requested_where="Rigshospitalet")
    unknown = _refusals(application, _partial(TREATMENT, PartDecision(
        item=DecisionItem.HOSPITAL, granted=False, reason="Annet sykehus.", instead_hospital="Klinik Fantasia",
        instead_country="DE"), PartDecision(item=DecisionItem.STAY, granted=True, reason="x")))
    assert "finnes ikke i sykehusregisteret" in unknown["instead_hospital"]
    wrong_country = _refusals(application, _partial(TREATMENT, PartDecision(
        item=DecisionItem.HOSPITAL, granted=False, reason="Annet sykehus.",
        instead_hospital="Karolinska Universitetssjukhuset", instead_country="DK"), NO_COMPANION, reasoning=None))
    assert set(wrong_country) == {"instead_country", "reasoning"}
    same = _refusals(application, _partial(TREATMENT, PartDecision(
        item=DecisionItem.HOSPITAL, granted=False, reason="Annet sykehus.", instead_hospital="rigshospitalet"),
        PartDecision(item=DecisionItem.STAY, granted=True, reason="x")))
    assert "er sykehuset det er søkt om" in same["instead_hospital"]
    elsewhere = _refusals(register(requested_where=None, national_id=None, patient_name="Uten Ønske",
                                   birth_date=date(1980, 1, 1)),
                          _partial(TREATMENT, KAROLINSKA, NO_COMPANION, reasoning=None))
    assert "oppgir ikke noe ønsket behandlingssted" in elsewhere["part_hospital"]


def test_parts_belong_to_a_partial_grant_only(application):
    with pytest.raises(InvalidInputs) as refused:
        services.check_decision(application, abroad_decision(Decision.GRANTED, parts=(TREATMENT, NO_COMPANION),
                                                             reasoning=None), today=TODAY)
    fields = {error.field for error in refused.value.errors}
    assert fields == {"decision", "reasoning"}


def test_a_partial_grant_of_experimental_treatment_needs_its_basis_as_a_grant_does(register, caseworker):
    application = register(treatment_class=TreatmentClass.EXPERIMENTAL)
    refused = _refusals(application, _partial(TREATMENT, NO_COMPANION, reasoning=None))
    assert "prioriteringsforskriften § 3" in refused["decision"]


def test_the_refused_part_is_appealed_like_a_refusal_and_a_reversal_keeps_the_grant(application, caseworker):
    services.decide(application, _partial(TREATMENT, NO_COMPANION), actor=caseworker, letter=b"%PDF-1.7",
                    today=TODAY)
    appeal = services.register_appeal(application, abroad_appeal(grounds="Jeg trenger ledsager."),
                                      actor=caseworker, today=TODAY)
    assert not appeal.against_grant
    assert services.get_case(appeal.case_id).title.startswith("Klage på delvis avslag om behandling i utlandet")
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.REVERSED, reasoning="Ledsager er nødvendig."),
                        actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert appeal.status is AppealStatus.REVERSED_BY_OFFICE
    assert (application.decision, application.status) == (Decision.PARTIAL, ApplicationStatus.GRANTED)


def test_the_forwarding_letter_names_the_partial_refusal_appealed(application, caseworker):
    services.decide(application, _partial(TREATMENT, NO_COMPANION), actor=caseworker, letter=b"%PDF-1.7",
                    today=TODAY)
    appeal = services.register_appeal(application, abroad_appeal(grounds="Jeg trenger ledsager."),
                                      actor=caseworker, today=TODAY)
    letter = forwarding_letter(services.get_case(appeal.case_id), appeal, abroad_reconsideration(), actor=caseworker)
    assert "Oversendelse av klage på delvis avslag om behandling i utlandet" in letter.body
    assert "om delvis innvilgelse av søknad" in letter.body


def test_the_annual_report_counts_a_partial_grant_as_granted_and_its_appeal_with_the_refusals(application,
                                                                                              caseworker):
    services.decide(application, _partial(TREATMENT, NO_COMPANION), actor=caseworker, letter=b"%PDF-1.7",
                    today=TODAY)
    services.register_appeal(application, abroad_appeal(), actor=caseworker, today=TODAY)
    received, granted = received_and_granted(2026, None)
    assert (received["2026"], granted["2026"]) == (1, 1)
    appeals = appeals_by_region(2026, None)["helse-nord"]
    assert (appeals["received"], appeals["against_grant"]) == (1, 0)


# The page, and the letter as filed

FORM = {"decision": "partial", "decided_on": f"{date.today() - timedelta(days=1):%d.%m.%Y}",
        "legal_basis": "Pbrl. § 2-4a andre ledd", "reasoning": "Behandlingen finnes ikke i Norge.",
        "part_treatment": "granted", "part_travel": "granted", "part_companion": "refused",
        "reason_companion": "Pasienten er voksen og klarer reisen alene.", "part_hospital": "refused",
        "reason_hospital": "Karolinska har kortere ventetid.", "instead_hospital": "Karolinska Universitetssjukhuset"}
PATIENT = {"national_id": "", "patient_name": "Vera Vestlending", "birth_date": "01.01.1970", "street": "Fjordveien 3",
           "postal_code": "5003", "postal_place": "Bergen", "municipality": "4601 Bergen", "home_region": "helse-vest",
           "stream": "application", "received_on": f"{date.today() - timedelta(days=30):%d.%m.%Y}",
           "requested_treatment": "Protonbehandling", "requested_where": "Skandionkliniken",
           "treatment_class": "established", "icd10": "C71.9"}


def test_the_page_decides_a_partial_grant_and_the_letter_says_what_was_granted_and_not(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest", name="Siri Saksbehandler"))
    registered = worker.post("/utland/soknader/ny", data=PATIENT)
    case_id = int(registered.headers["Location"].rsplit("/", 1)[1])
    url = f"/utland/soknader/{case_id}/vedtak"
    assert 'list="sykehusregister"' in worker.get(url).get_data(as_text=True)

    refused = worker.post(url, data={**FORM, "reason_companion": "", "instead_hospital": "", "reasoning": ""})
    page = refused.get_data(as_text=True)
    assert "Skriv hvorfor «ledsager» avslås." in page
    assert "Oppgi sykehuset som innvilges i stedet" in page and "Skriv begrunnelsen for vedtaket." in page

    assert worker.post(url, data=FORM).status_code == 302
    shown = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert "data-decision-parts" in shown and "innvilget ved Karolinska Universitetssjukhuset i stedet" in shown
    assert "Innvilget etter klage" not in shown

    link = worker.get(f"/utland/soknader/{case_id}/vedtaksbrev.pdf")
    letter = pdf_text(worker.get(link.headers["Location"]).data)
    assert "Søknaden er delvis innvilget." in letter
    granted, refused_part = letter.split("Dette er innvilget", 1)[1].split("Dette er avslått", 1)
    assert "Behandlingen" in granted and "Reiseutgifter" in granted
    assert "Behandlingen ved Karolinska Universitetssjukhuset (Sverige)" in granted
    assert "Ledsager: Pasienten er voksen og klarer reisen alene." in refused_part
    assert "Behandlingsstedet det er søkt om (Skandionkliniken): Karolinska har kortere ventetid." in refused_part
    assert "Du kan klage på det som er avslått" in letter and "forvaltningsloven § 28" in letter
    assert "pasient- og brukerrettighetsloven § 2-4a" in letter
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        assert application.decision is Decision.PARTIAL and len(application.decision_parts) == 4

    appealed = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": f"{date.today():%d.%m.%Y}", "notified_on": f"{date.today():%d.%m.%Y}",
        "grounds": "Jeg trenger ledsager."})
    assert appealed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Appeal.status)) is AppealStatus.RECEIVED


def test_the_import_refuses_a_partial_grant_it_cannot_itemise(caseworker):
    row = application_row(1, decision="partial", decision_date="2016-02-10", country="SE",
                          hospital="Karolinska Universitetssjukhuset")
    result = run_import("applications", to_csv([row]), "import.csv", actor=caseworker, today=TODAY)
    assert [(error.line, error.column) for error in result.errors] == [(2, "decision")]
    assert "delvis innvilget vedtak kan ikke importeres" in result.errors[0].message
    assert db.session.scalar(select(Application.id)) is None


def _plan_refusals(application, plan: TreatmentPlan) -> dict[str | None, str]:
    with pytest.raises(InvalidInputs) as refused:
        services.check_treatment_plan(application, plan)
    return {error.field: str(error) for error in refused.value.errors}


def test_the_plan_and_the_costs_keep_to_what_a_partial_grant_refused_until_an_appeal_reverses_it(application,
                                                                                                  caseworker):
    no_travel = PartDecision(item=DecisionItem.TRAVEL, granted=False, reason="Reisen dekkes av pasientreiser.")
    services.decide(application, _partial(TREATMENT, NO_COMPANION, KAROLINSKA, no_travel), actor=caseworker,
                    letter=b"%PDF-1.7", today=TODAY)
    refused = _plan_refusals(application, TreatmentPlan(hospital="Rigshospitalet", country="DK",
                                                        companion="Ektefelle"))
    assert refused["hospital"] == "Vedtaket innvilget behandling ved Karolinska Universitetssjukhuset, ikke ved " \
                                  "Rigshospitalet."
    assert refused["companion"] == "Ledsager er avslått i vedtaket om delvis innvilgelse (Pasienten er voksen og " \
                                   "klarer reisen alene.)."
    services.check_treatment_plan(application, TreatmentPlan(hospital="Karolinska Universitetssjukhuset",
                                                             country="SE"))
    with pytest.raises(InvalidInput) as cost:
        services.check_cost(application, abroad_cost(category=CostCategory.TRAVEL), today=TODAY)
    assert (cost.value.field, str(cost.value)) == (
        "category", "Reiseutgifter er avslått i vedtaket om delvis innvilgelse (Reisen dekkes av pasientreiser.), "
                    "så kostnaden kan ikke føres som «reise».")
    services.check_cost(application, abroad_cost(category=CostCategory.STAY), today=TODAY)   # stay was not refused

    appeal = services.register_appeal(application, abroad_appeal(), actor=caseworker, today=TODAY)
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.REVERSED, reasoning="Ledsager er nødvendig."),
                        actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    services.check_treatment_plan(application, TreatmentPlan(hospital="Rigshospitalet", country="DK",
                                                             companion="Ektefelle"))
    services.check_cost(application, abroad_cost(category=CostCategory.TRAVEL), today=TODAY)


def test_the_cost_import_refuses_a_cost_the_partial_grant_refused(register, caseworker):
    application = register(reference="UTL-DELVIS-1")
    services.decide(application, _partial(TREATMENT, PartDecision(item=DecisionItem.STAY, granted=False,
                                                                  reason="Behandlingen er poliklinisk.")),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    rows = [{"application_reference": "UTL-DELVIS-1", "date": "2026-10-01", "category": category,
             "amount_nok": "5000"} for category in ("treatment", "stay")]
    result = run_import("costs", to_csv(rows), "kostnader.csv", actor=caseworker, today=TODAY)
    assert [(error.line, error.column) for error in result.errors] == [(3, "category")]
    assert "Oppholdsutgifter er avslått i vedtaket om delvis innvilgelse" in result.errors[0].message
    assert db.session.scalar(select(CostEntry.id)) is None   # nothing of a refused file is written
