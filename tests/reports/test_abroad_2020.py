"""Acceptance: from case-level data, the treatment-abroad report reproduces every figure published in the
network's annual report 2020."""
import json
from decimal import ROUND_HALF_UP, Decimal

from app.abroad.statistics import abroad_figures
from app.reports.jobs import produce
from app.reports.registry import ReportRequest, get_kind
from tests.reports.s3_2020 import (
    EARLY_COSTS,
    GRANTED,
    HSO,
    NORD,
    PUBLISHED_APPEALS,
    PUBLISHED_CHILDREN_2020,
    PUBLISHED_COSTS,
    PUBLISHED_DIAGNOSIS_COUNTS_2020,
    PUBLISHED_DIAGNOSIS_SHARES,
    PUBLISHED_GRANTED_2020,
    PUBLISHED_NORDIC_PROTOCOL_CHILDREN,
    PUBLISHED_OTHER_HOSPITALS,
    PUBLISHED_PARTICLE,
    PUBLISHED_PENDING_2020,
    PUBLISHED_RECEIVED,
    RECEIVED_BY_REGION_2020,
    REGIONS,
    VEST,
)

KEYS = {"year", "received_by_year", "granted_by_year", "pending_at_year_end", "received_by_region",
        "granted_by_country", "granted_by_hospital", "other_hospital_count", "nordic_share", "diagnosis_groups",
        "children_granted", "costs_by_region", "average_cost_per_granted", "appeals_by_region",
        "particle_therapy_by_region", "nordic_drug_protocol_children"}


def _json_report(year=2020, region=None) -> dict:
    _report, files = produce(get_kind("abroad"), ReportRequest(year=year, region=region), lambda *_: None,
                             formats=["json"])
    return json.loads(files["json"])


def _round(value) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_the_json_report_reproduces_every_published_2020_figure(s3_2020):
    data = _json_report()

    assert set(data) >= KEYS
    assert data["year"] == 2020
    # T1: received per year 2011–2020 (year keys are strings), 173 of 224 granted, 6 pending.
    assert data["received_by_year"] == {str(year): count for year, count in PUBLISHED_RECEIVED.items()}
    assert sum(data["received_by_year"].values()) == 3524
    assert data["granted_by_year"]["2020"] == PUBLISHED_GRANTED_2020 == 173
    assert data["granted_by_year"] == {str(year): count for year, count in GRANTED.items()}
    assert data["pending_at_year_end"] == PUBLISHED_PENDING_2020 == 6
    assert round(100 * data["granted_by_year"]["2020"] / data["received_by_year"]["2020"]) == 77   # "ca 77 prosent"
    # T2 (chart only in the report): the chosen split, adding up to 224.
    assert data["received_by_region"] == RECEIVED_BY_REGION_2020
    # T3: about 70 % in the Nordic countries; 34 "other" hospitals with fewer than five patients each.
    assert data["other_hospital_count"] == PUBLISHED_OTHER_HOSPITALS == 34
    assert data["nordic_share"] == 0.699 and round(data["nordic_share"], 2) == 0.70
    assert all(count >= 5 for name, count in data["granted_by_hospital"].items() if name != "other")
    assert sum(data["granted_by_hospital"].values()) == 173 == sum(data["granted_by_country"].values())
    assert data["granted_by_hospital"]["Karolinska universitetssjukhuset, Huddinge"] == 62   # 55 PGD + 5 TTTS + 2
    assert data["granted_by_hospital"]["other"] == 54
    countries = data["granted_by_country"]
    assert (countries["SE"], countries["DK"], countries["FI"], countries["IS"]) == (79, 32, 8, 2)   # 121 of 173
    # T4: the chapters above 5 %, keyed by the range as printed, with the counts the text gives.
    assert data["diagnosis_groups"] == PUBLISHED_DIAGNOSIS_COUNTS_2020
    assert "Z000-Z99" not in data["diagnosis_groups"]   # the report's misprint is not repeated
    for chapter, (share_2019, share_2020) in PUBLISHED_DIAGNOSIS_SHARES.items():
        assert _round(100 * data["diagnosis_chapters"][chapter] / 173) == share_2020, chapter
        assert _round(100 * data["diagnosis_chapters_previous_year"][chapter] / 230) == share_2019, chapter
    assert data["diagnosis_chapters_previous_year"]["C00-D48"] == 39       # 39 neoplasm patients in 2019
    # 36 children, 21 % of the granted.
    assert data["children_granted"] == PUBLISHED_CHILDREN_2020 == 36
    assert round(100 * 36 / 173) == 21
    # T5: costs per region and year 2015–2020, to the krone.
    assert data["costs_by_region"] == {region: {str(year): amount for year, amount in years.items()}
                                       for region, years in PUBLISHED_COSTS.items()}
    assert sum(data["costs_by_region"][region]["2020"] for region in REGIONS) == 50_950_000
    assert sum(data["costs_by_region"][region]["2015"] for region in REGIONS) == 81_927_500
    # Average cost per granted application 2012–2020 (chart only in the report): the year's costs over its grants.
    assert list(data["average_cost_per_granted"]) == [str(year) for year in range(2012, 2021)]
    assert data["average_cost_per_granted"]["2020"] == 294_509                 # 50 950 000 / 173
    assert data["average_cost_per_granted"]["2019"] == _round(77_000_000 / 230)
    assert data["average_cost_per_granted"]["2012"] == _round(sum(EARLY_COSTS[2012]) / GRANTED[2012])
    # T6: each step in its own year (2019 appeals forwarded or decided in 2020 included).
    assert data["appeals_by_region"] == PUBLISHED_APPEALS
    assert sum(region["received"] for region in data["appeals_by_region"].values()) == 30
    assert sum(region["forwarded_to_board"] for region in data["appeals_by_region"].values()) == 23
    assert sum(region["board_upheld"] for region in data["appeals_by_region"].values()) == 21
    assert sum(region["board_reversed"] for region in data["appeals_by_region"].values()) == 6
    # T7: 57 particle-therapy patients, NOK 32 696 000.
    assert data["particle_therapy_by_region"] == {
        region: {"patients": patients, "cost_nok": cost} for region, (patients, cost) in PUBLISHED_PARTICLE.items()}
    assert sum(region["cost_nok"] for region in data["particle_therapy_by_region"].values()) == 32_696_000
    # One child in a Nordic drug protocol.
    assert data["nordic_drug_protocol_children"] == PUBLISHED_NORDIC_PROTOCOL_CHILDREN == 1


def test_the_region_report_is_the_office_view_of_one_region(s3_2020):
    data = _json_report(region=VEST)

    assert data["region"] == VEST
    assert data["received_by_region"] == {VEST: 45}
    assert data["costs_by_region"] == {VEST: {str(year): amount for year, amount in PUBLISHED_COSTS[VEST].items()}}
    assert data["appeals_by_region"] == {VEST: PUBLISHED_APPEALS[VEST]}
    assert data["particle_therapy_by_region"] == {VEST: {"patients": 9, "cost_nok": 5_406_000}}
    assert data["granted_by_year"]["2020"] == 35
    assert data["nordic_drug_protocol_children"] == 1     # the 2020 protocol child lives in Helse Vest
    assert _json_report(region=NORD)["nordic_drug_protocol_children"] == 0


def test_the_figures_follow_the_year_asked_for(s3_2020):
    data = abroad_figures(2019)

    # As of 31 December 2019: the five received in December and granted in January 2020 were pending, not granted
    # (2020's report counts them among 2019's 230 granted, as it stood at the end of 2020).
    assert data["received_by_year"]["2019"] == 340 and data["granted_by_year"]["2019"] == 225
    assert data["pending_at_year_end"] == 5
    assert data["appeals_by_region"][HSO]["reversed_by_office"] == 1   # the appeal decided all within 2019
    assert data["appeals_by_region"][VEST]["board_upheld"] == 1
    assert data["particle_therapy_by_region"][HSO] == {"patients": 1, "cost_nok": 0}   # its cost is dated 2020
