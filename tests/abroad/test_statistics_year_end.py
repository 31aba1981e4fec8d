"""The annual report's year as it stood on 31 December: a decision after the year leaves the application pending in
that year's report; particle therapy counts patients once and costs by their booking date, as the other costs;
the Nordic protocols' costs are reported; and the text says what the figures say."""
from datetime import date

from app.abroad import services
from app.abroad.models import Decision, Stream
from app.abroad.statistics import _nordic_text, _other_hospitals_text, _year_end_text, abroad_figures
from tests.factories import abroad_appeal, abroad_cost, abroad_decision

TODAY = date(2026, 11, 20)


def test_a_decision_after_the_year_leaves_the_application_pending_in_that_years_report(register, caseworker):
    application = register(received_on=date(2025, 12, 15))
    services.decide(application, abroad_decision(Decision.GRANTED, decided_on=date(2026, 1, 8)), actor=caseworker,
                    letter=b"%PDF-1.7 vedtak", today=TODAY)

    in_2025 = abroad_figures(2025)
    assert in_2025["received_by_year"]["2025"] == 1 and in_2025["granted_by_year"]["2025"] == 0
    assert in_2025["pending_at_year_end"] == 1 and in_2025["granted_by_country"] == {}
    # A year later the same application is among 2025's granted.
    assert abroad_figures(2026)["granted_by_year"]["2025"] == 1


def test_particle_therapy_counts_each_patient_once_and_costs_in_the_year_they_are_booked(register, caseworker):
    first = register(received_on=date(2025, 11, 3), stream=Stream.PARTICLE_THERAPY, icd10="C71.9")
    register(received_on=date(2025, 12, 1), stream=Stream.PARTICLE_THERAPY, icd10="C71.9",   # the same patient
             confirm_duplicate=True)
    services.add_cost(first, abroad_cost(entry_date=date(2026, 1, 20), amount="750000"), actor=caseworker, today=TODAY)

    in_2025 = abroad_figures(2025)["particle_therapy_by_region"]["helse-nord"]
    assert in_2025 == {"patients": 1, "cost_nok": 0}
    in_2026 = abroad_figures(2026)["particle_therapy_by_region"]["helse-nord"]
    assert in_2026 == {"patients": 0, "cost_nok": 750_000}   # the 2025 referral's cost, booked in 2026


def test_the_nordic_protocols_costs_are_reported_by_booking_year(register, caseworker):
    protocol = register(received_on=date(2025, 10, 1), stream=Stream.NORDIC_DRUG_PROTOCOL, icd10="C91.0")
    services.add_cost(protocol, abroad_cost(entry_date=date(2026, 2, 2), amount="320000"), actor=caseworker,
                      today=TODAY)
    assert abroad_figures(2026)["nordic_drug_protocol_cost_by_region"]["helse-nord"] == 320_000
    assert abroad_figures(2025)["nordic_drug_protocol_cost_by_region"]["helse-nord"] == 0


def test_appeals_against_a_grants_terms_are_not_counted_as_appeals_against_refusals(register, caseworker):
    refused = register(received_on=date(2026, 8, 1))
    services.decide(refused, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20), reasoning="Nei."),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    services.register_appeal(refused, abroad_appeal(), actor=caseworker, today=TODAY)
    granted = register(received_on=date(2026, 8, 2), national_id=None, patient_name="Gro Innvilget",
                       birth_date=date(1970, 1, 1), municipality=None, home_region="helse-nord")
    services.decide(granted, abroad_decision(decided_on=date(2026, 9, 20)), actor=caseworker,
                    letter=b"%PDF-1.7", today=TODAY)
    services.register_appeal(granted, abroad_appeal(grounds="Ønsker at ledsager dekkes."), actor=caseworker,
                             today=TODAY)
    appeals = abroad_figures(2026)["appeals_by_region"]["helse-nord"]
    assert (appeals["received"], appeals["against_grant"]) == (1, 1)


def test_the_text_fits_the_figures():
    assert _year_end_text(2025, today=date(2026, 3, 1)) == "ved utgangen av året"
    assert _year_end_text(2026, today=date(2026, 3, 1)) == "per 01.03.2026"
    assert _nordic_text(0.0, 12, 2025).startswith("Ingen av pasientene som fikk innvilget søknad i 2025, ble")
    assert _nordic_text(1.0, 12, 2025).startswith("Alle pasientene")
    assert _nordic_text(0.7, 12, 2025).startswith("Om lag 70 prosent")
    assert _nordic_text(0.0, 0, 2025) == "Ingen søknader mottatt i 2025 ble innvilget."
    assert _nordic_text(0.004, 300, 2025).startswith("Under 1 prosent av pasientene")
    assert _nordic_text(0.996, 300, 2025).startswith("Over 99 prosent av pasientene")
    assert _other_hospitals_text(0, []) == ""
    assert _other_hospitals_text(2, ["DE", "SE"]) == (
        " Gruppen «andre» er 2 sykehus i Tyskland og Sverige som hver behandlet færre enn 5 pasienter.")
    assert _other_hospitals_text(1, ["DK"]) == (
        " Gruppen «andre» er ett sykehus i Danmark som behandlet færre enn 5 pasienter.")
