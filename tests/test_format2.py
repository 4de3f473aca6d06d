"""Format 2 (DESIGN.md "Format 2: the economic case and the financial case"): figures worked by hand.

Each expected figure is worked out in the comment above it from the text of
DESIGN.md, not from the engine.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml

from logic import evaluate, load_scenario
from logic.snapshots import ScenarioError, dump_scenario, read_yaml, source_format

DATA = Path(__file__).parent / "data"


def approx(x, rel=1e-9, abs_=1e-6):
    return pytest.approx(x, rel=rel, abs=abs_)


def run(doc: dict) -> dict:
    return evaluate(load_scenario(yaml.safe_dump(doc, sort_keys=False))).to_dict()


def example_1() -> dict:
    """DESIGN.md worked example 1: mid-year intake, graded cost, profile."""
    return {
        "format": "toc-business-case/2",
        "name": "Worked example 1",
        "settings": {"start_year": 2026, "horizon_years": 3, "discount_rate": 0.0},
        "agencies": [{"id": "a", "name": "A"}],
        "cohort": {"intake": [100], "engagement_rate": 1.0, "intake_timing": "mid"},
        "nodes": [
            {
                "id": "act",
                "stage": "activity",
                "label": "Act",
                "costs": [{"item": "x", "payer": "a", "setup": 5000, "evidence_grade": 2, "profile": [0, 100, 200]}],
            },
            {
                "id": "out",
                "stage": "outcome",
                "label": "Out",
                "rate_with": 0.5,
                "rate_without": 0.3,
                "evidence_grade": 1,
                "duration_years": 2,
                "benefits": [{"agency": "a", "value": 1000, "type": "fiscal", "cashable": 1}],
            },
        ],
        "edges": [{"source": "act", "target": "out"}],
    }


def example_2() -> dict:
    """DESIGN.md worked example 2: a bond paid after the horizon, with inflation and indexation."""
    return {
        "format": "toc-business-case/2",
        "name": "Worked example 2",
        "settings": {"start_year": 2026, "horizon_years": 2, "discount_rate": 0.0, "inflation": 0.1},
        "agencies": [{"id": "a", "name": "A"}],
        "cohort": {"intake": [10], "engagement_rate": 1.0},
        "nodes": [
            {
                "id": "act",
                "stage": "activity",
                "label": "Act",
                "costs": [{"item": "x", "payer": "provider", "setup": 1000}],
            },
            {
                "id": "out",
                "stage": "outcome",
                "label": "Out",
                "rate_with": 0.6,
                "rate_without": 0.4,
                "evidence_grade": 1,
                "duration_years": 1,
                "price": 500,
                "benefits": [{"agency": "a", "value": 1000, "type": "fiscal", "cashable": 1}],
            },
        ],
        "edges": [{"source": "act", "target": "out"}],
        "contract": {
            "type": "social_impact_bond",
            "payment_basis": "above_baseline",
            "payment_lag_years": 2,
            "provider_margin": 0.1,
            "indexation": "inflation",
            "outcome_payers": [{"agency": "a", "share": 1}],
        },
    }


def test_worked_example_1():
    r = run(example_1())
    # N = 100 x (0.5 - 0.3) = 20; mid-year: half a year, a full year, half a year of 20 x 1000.
    assert [y["fiscal"] for y in r["by_year"]] == [approx(10_000), approx(20_000), approx(10_000)]
    assert r["pv_fiscal"] == approx(40_000)
    # costs: 5000 x 1.05 = 5250, 100 x 1.05 = 105, 200 x 1.05 = 210
    assert [y["costs"] for y in r["by_year"]] == [approx(5_250), approx(105), approx(210)]
    assert r["pv_costs"] == approx(5_565)
    assert r["financial"]["by_year"]["a"] == [approx(4_750), approx(19_895), approx(9_790)]
    assert r["price_base"] == "2025/26 prices"


def test_worked_example_2():
    r = run(example_2())
    k = r["contract"]
    # 2 outcomes x 500 x 1.1^3 = 1,331 cash in year 2 (real 1,000), all after the two-year horizon.
    assert k["payments_beyond_horizon"] == approx(1_331)
    assert k["outcome_payments_total"] == approx(1_331)
    assert k["pv_outcome_payments"] == approx(1_000)
    assert k["outcome_payments_total_real"] == approx(1_331 / 1.1**3)
    assert k["payments_by_year"] == [0, 0, approx(1_331)]
    inv = k["investor"]
    # The investor funds 1,000 x 1.1 = 1,100 real, x 1.1 = 1,210 cash in year 0.
    assert inv["peak_capital"] == approx(1_210)
    assert inv["multiple"] == approx(1_331 / 1_210)
    assert inv["irr"] == approx(1.1**0.5 - 1, rel=1e-7)
    assert inv["irr_real"] == approx((1000 / 1100) ** 0.5 - 1, rel=1e-7)
    assert k["parties"] == {"a": approx(1_000), "provider": approx(100), "investor": approx(-100)}
    assert k["premium_over_fee_for_service"] == approx(-100)
    assert k["paid_per_valued_outcome"] == {"out": approx(500)}
    # a: 2,000 real savings x 1.1 in year 0; pays 1,331 in year 2.
    assert r["financial"]["by_year"]["a"] == [approx(2_200), 0, approx(-1_331)]
    assert r["financial"]["years"] == [2026, 2027, 2028]
    assert r["financial"]["cash_index"] == [approx(1.1), approx(1.21), approx(1.331)]
    assert r["financial"]["public_sector_position"] == approx(1_000)
    assert r["financial"]["public_sector_total_cash"] == approx(2_200 - 1_331)


def test_transfers_count_in_the_budget_not_in_public_value():
    doc = example_1()
    out = doc["nodes"][1]
    out["benefits"] = [
        {"agency": "a", "value": 1000, "type": "fiscal", "transfer": True},
        {"agency": "a", "value": 500, "type": "economic"},
    ]
    r = run(doc)
    # fiscal 40,000 (as above), all of it a transfer; economic half that: 20,000.
    assert r["pv_fiscal"] == approx(40_000)
    assert r["pv_transfers"] == approx(40_000)
    assert r["pv_cashable"] == approx(40_000)
    assert r["npv_fiscal"] == approx(40_000 - 5_565)
    assert r["npv_public_value"] == approx(40_000 - 40_000 + 20_000 - 5_565)
    assert r["bcr_public_value"] == approx(20_000 / 5_565)
    assert r["by_agency"]["a"]["pv_transfers"] == approx(40_000)


def test_health_discounting_constant_and_green_book():
    doc = example_1()
    doc["cohort"] = {"intake": [100], "engagement_rate": 1.0}
    doc["settings"] = {"start_year": 2026, "horizon_years": 40, "discount_rate": 0.035, "discount_schedule": "constant"}
    out = doc["nodes"][1]
    out["duration_years"] = 40
    out["benefits"] = [{"agency": "a", "value": 1000, "type": "social", "discount": "health"}]
    doc["nodes"][0]["costs"] = [{"item": "x", "payer": "a", "setup": 1000}]
    r = run(doc)
    # 20 outcomes x 1000 a year for 40 years at 1.5%: 20,000 x sum 1.015^-t, t = 0..39
    assert r["pv_social"] == approx(20_000 * sum(1.015**-t for t in range(40)))
    doc["settings"]["discount_schedule"] = "green_book"
    r = run(doc)
    # Green Book health schedule: 1.5% for years 1..30, then 1.5 x 3.0 / 3.5 = 1.2857% for 31..75.
    factor, total = 1.0, 1.0
    for s in range(1, 40):
        factor /= 1 + (0.015 if s <= 30 else 0.015 * 3.0 / 3.5)
        total += factor
    assert r["pv_social"] == approx(20_000 * total)


def test_per_outcome_lag_and_cap_with_a_pro_rata_contract_cap():
    doc = example_2()
    doc["settings"] = {"start_year": 2026, "horizon_years": 2, "discount_rate": 0.0}
    doc["cohort"] = {"intake": [10, 10], "engagement_rate": 1.0}
    doc["contract"]["indexation"] = "none"
    doc["contract"]["payment_lag_years"] = 0
    second = copy.deepcopy(doc["nodes"][1])
    second.update({"id": "out2", "label": "Out 2", "price": 1500, "payment_lag_years": 1, "payment_cap": 4000})
    doc["nodes"].append(second)
    doc["edges"].append({"source": "act", "target": "out2"})
    # out: 2 a year x 500 = 1,000 in years 0 and 1. out2: 2 x 1,500 = 3,000 in years 1 and 2,
    # its own cap 4,000 leaves 3,000 then 1,000. Contract cap 4,500: year 0 1,000; year 1 asks
    # 1,000 + 3,000 and gets 3,500 (7/8 each: 875 and 2,625); year 2 nothing is left.
    doc["contract"]["cap"] = 4500
    r = run(doc)
    k = r["contract"]
    # The contract's years end with the last payment above 0 (year 1 = the horizon's last year).
    assert k["payments_by_outcome"]["out"] == [approx(1_000), approx(875)]
    assert k["payments_by_outcome"]["out2"] == [0, approx(2_625)]
    assert k["cap_binds"] is True
    # With no contract cap the outcome's own cap binds in year 2.
    del doc["contract"]["cap"]
    k = run(doc)["contract"]
    assert k["payments_by_outcome"]["out2"] == [0, approx(3_000), approx(1_000)]
    assert k["payments_beyond_horizon"] == approx(1_000)
    assert k["outcome_caps_bind"]["out2"] is True


@pytest.mark.parametrize("ctype", ["payment_by_results", "social_impact_bond"])
def test_hybrid_fixed_share(ctype):
    doc = example_2()
    doc["settings"] = {"start_year": 2026, "horizon_years": 3, "discount_rate": 0.0}
    doc["contract"].update({"type": ctype, "indexation": "none", "fixed_share": 0.3, "payment_lag_years": 1})
    r = run(doc)["contract"]
    # delivery 1,000; payments 2 x 500 = 1,000 in year 1 (within the horizon).
    if ctype == "payment_by_results":
        # margin 0 under PbR: a pays a fee 300 + payments 1,000; provider 1,000 + 300 - 1,000.
        assert r["parties"] == {"a": approx(2_000 - 300 - 1_000), "provider": approx(300)}
        # premium: 1,000 + 300 - 1,000 x 1.1 (the stated margin)
        assert r["premium_over_fee_for_service"] == approx(200)
    else:
        # funded 1,100: a pays 330 as a fee, the investor 770; investor gets 1,000.
        assert r["parties"] == {"a": approx(2_000 - 330 - 1_000), "provider": approx(100), "investor": approx(230)}
        assert r["investor"]["multiple"] == approx(1_000 / 770)
        assert r["premium_over_fee_for_service"] == approx(1_000 + 330 - 1_100)


def test_investor_cost_lines_and_donors():
    doc = example_2()
    doc["settings"] = {"start_year": 2026, "horizon_years": 3, "discount_rate": 0.0}
    doc["agencies"].append({"id": "trust", "name": "Community foundation", "kind": "donor"})
    doc["contract"].update({"indexation": "none", "payment_lag_years": 1})
    doc["contract"]["outcome_payers"] = [{"agency": "a", "share": 0.75}, {"agency": "trust", "share": 0.25}]
    doc["nodes"][0]["costs"].append({"item": "Fund management", "payer": "investor", "per_year": 50})
    r = run(doc)
    # pv_costs: delivery 1,000 + fund management 50 in the intake year
    assert r["pv_costs"] == approx(1_050)
    assert r["by_agency"]["investor"]["pv_costs"] == approx(50)
    k = r["contract"]
    # investor funds 1,100 + 50, gets 1,000
    assert k["parties"]["investor"] == approx(1_000 - 1_150)
    assert k["parties"]["trust"] == approx(-250)
    # public sector: a only (the trust is a donor)
    assert r["financial"]["public_sector_position"] == approx(2_000 - 750)
    assert r["financial"]["public_sector_by_year"] == [approx(2_000), approx(-750), 0]


def test_format_1_files_load_as_format_2_with_the_same_economic_figures():
    for path in sorted((DATA / "format1").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert source_format(read_yaml(text)) == "toc-business-case/1"
        sc = load_scenario(text)
        again = dump_scenario(sc)
        assert again.startswith("format: toc-business-case/2\n")
        assert load_scenario(again) == sc
        before, after = evaluate(sc).to_dict(), evaluate(load_scenario(again)).to_dict()
        for key in ("pv_costs", "pv_fiscal", "npv_fiscal", "npv_public_value", "bcr_fiscal"):
            assert math.isclose(before[key], after[key], rel_tol=1e-12)


@pytest.mark.parametrize(
    "change, where, words",
    [
        (lambda d: d["nodes"][1]["benefits"][0].update(type="social", transfer=True), "benefits[0]", "only for fiscal"),
        (lambda d: d["nodes"][0]["costs"][0].update(evidence_grade=9), "costs[0]", "evidence_grade must be one of"),
        (lambda d: d["nodes"][0]["costs"][0].update(profile=[1, 2, 3, 4]), "costs[0].profile", "horizon is 3"),
        (lambda d: d["nodes"][0]["costs"][0].update(profile=[1, -2]), "profile", "must be 0 or more"),
        (lambda d: d["agencies"][0].update(kind="charity"), "agencies[0]", "kind must be one of"),
        (lambda d: d["settings"].update(inflation=0.6), "settings", "inflation must be between -0.05 and 0.5"),
        (lambda d: d["cohort"].update(intake_timing="late"), "cohort", "intake_timing must be one of"),
        (lambda d: d["nodes"][0]["costs"][0].update(payer="investor"), "costs[0]", "only possible under a social"),
        (lambda d: d["nodes"][1].update(payment_lag_years=51), "out", "payment_lag_years must be at most 50"),
        (lambda d: d["nodes"][1].update(payment_lag_years=1.5), "out", "payment_lag_years must be a whole number"),
        (lambda d: d["nodes"][1].update(payment_cap=-1), "out", "payment_cap must be 0 or more"),
        (lambda d: d.update(contract={"fixed_share": 1.2}), "contract", "fixed_share must be between 0 and 1"),
        (lambda d: d.update(contract={"indexation": "cpi"}), "contract", "indexation must be one of"),
        (lambda d: d["settings"].update(price_base_year=1950), "price_base_year", "within 50 years"),
        (lambda d: d["settings"].update(health_discount_rate=0.3), "settings", "health_discount_rate must be between"),
        (lambda d: d["nodes"][1]["benefits"][0].update(discount="wellbeing"), "benefits[0]", "discount must be one of"),
    ],
)
def test_bad_format_2_input_gets_one_clear_line(change, where, words):
    doc = example_1()
    change(doc)
    with pytest.raises(ScenarioError) as err:
        load_scenario(yaml.safe_dump(doc, sort_keys=False))
    lines = err.value.lines()
    assert len(lines) == 1, lines
    assert where in lines[0] and words in lines[0], lines[0]


def test_format_2_round_trip_keeps_every_new_key():
    doc = example_2()
    doc["settings"].update(price_base_year=2024, health_discount_rate=0.02)
    doc["agencies"].append({"id": "people", "name": "Participants", "kind": "people"})
    doc["cohort"]["intake_timing"] = "mid"
    doc["nodes"][0]["costs"][0].update(evidence_grade=4, profile=[0, 10])
    doc["nodes"][1].update(payment_lag_years=1, payment_cap=900)
    doc["nodes"][1]["benefits"].append(
        {"agency": "people", "value": 10, "type": "social", "discount": "health", "code": "E&E1.0"}
    )
    doc["nodes"][1]["benefits"][0]["transfer"] = True
    doc["contract"].update(fixed_share=0.25)
    sc = load_scenario(yaml.safe_dump(doc, sort_keys=False))
    text = dump_scenario(sc)
    assert load_scenario(text) == sc
    for words in ("price_base_year: 2024", "kind: people", "intake_timing: mid", "evidence_grade: 4", "transfer: true"):
        assert words in text


def test_payback_is_not_yet_with_no_costs_and_no_savings():
    from logic.templates import blank_scenario

    r = evaluate(blank_scenario()).to_dict()
    assert r["payback_year"] is None and r["pv_costs"] == 0 and r["bcr_fiscal"] is None
    # savings with no cost pay back at once
    doc = example_1()
    doc["nodes"][0]["costs"] = []
    assert run(doc)["payback_year"] == 0
