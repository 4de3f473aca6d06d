"""Scenarios for the Excel export tests: each one exercises a piece of the arithmetic the workbook must redo.

Built as plain snapshot dicts (what a user's YAML file holds), from a seeded random generator with the
feature under test forced, so a failure names the feature and is reproducible.
"""

from __future__ import annotations

import copy
import random

from logic import evaluate, parse_scenario

TYPES = ("fiscal", "economic", "social")


def base_doc(
    seed: int,
    *,
    contract_type: str,
    basis: str = "above_baseline",
    horizon: int = 10,
    intake_years: int = 4,
    schedule: str = "constant",
    lag: int = 1,
    cap: float | None = None,
    margin: float = 0.05,
    outcomes: int = 3,
    agencies: tuple[str, ...] = ("council", "nhs", "police"),
    payers: int = 2,
    costs: bool = True,
) -> dict:
    """A valid scenario with random numbers and the given structure."""
    rnd = random.Random(seed)
    intake = [
        rnd.choice([0, rnd.randint(10, 200)]) if t % 3 == 2 else rnd.randint(10, 200) for t in range(intake_years)
    ]
    nodes: list[dict] = [{"id": "need", "stage": "need", "label": "People in need"}]
    if costs:
        nodes.append(
            {
                "id": "act",
                "stage": "activity",
                "label": "The service",
                "costs": [
                    {
                        "item": "Delivery team",
                        "payer": "provider",
                        "setup": rnd.randint(0, 80_000),
                        "per_year": rnd.randint(50_000, 300_000),
                        "per_participant": rnd.randint(100, 4000),
                    },
                    {
                        "item": "Referral time",
                        "payer": agencies[rnd.randrange(len(agencies))],
                        "per_year": rnd.randint(0, 40_000),
                        "per_participant": round(rnd.uniform(0, 300), 2),
                    },
                    {"item": "Premises", "payer": agencies[0], "setup": rnd.randint(0, 20_000)},
                ],
            }
        )
    for i in range(outcomes):
        without = round(rnd.uniform(0.05, 0.6), 3)
        nodes.append(
            {
                "id": f"out-{i}",
                "stage": "outcome",
                "label": f"Outcome {i}",
                "rate_with": round(min(1.0, without + rnd.uniform(0.02, 0.35)), 3),
                "rate_without": without,
                "attribution": round(rnd.uniform(0.5, 1.0), 3),
                "displacement": round(rnd.uniform(0.0, 0.2), 3),
                "evidence_grade": rnd.randint(1, 6),
                "lag_years": rnd.randint(0, 3),
                "duration_years": rnd.randint(1, 6),
                "drop_off": rnd.choice([0.0, round(rnd.uniform(0.05, 0.6), 3)]),
                "price": rnd.choice([0, rnd.randint(500, 40_000)]),
                "benefits": [
                    {
                        "agency": agencies[rnd.randrange(len(agencies))],
                        "value": rnd.randint(200, 60_000),
                        "type": TYPES[j % 3] if j else "fiscal",
                        "cashable": round(rnd.uniform(0, 1), 3),
                    }
                    for j in range(rnd.randint(1, 3))
                ],
            }
        )
    shares = [1.0 / payers] * payers
    shares[-1] = 1.0 - sum(shares[:-1])
    return {
        "format": "toc-business-case/1",
        "name": f"Generated {seed}",
        "settings": {
            "start_year": 2026,
            "horizon_years": horizon,
            "discount_rate": round(rnd.uniform(0.0, 0.08), 4),
            "discount_schedule": schedule,
        },
        "agencies": [{"id": a, "name": f"Agency {a}"} for a in agencies],
        "cohort": {"intake": intake, "engagement_rate": round(rnd.uniform(0.5, 1.0), 3)},
        "nodes": nodes,
        "contract": {
            "type": contract_type,
            "payment_basis": basis,
            "payment_lag_years": lag,
            "cap": cap,
            "provider_margin": margin,
            "outcome_payers": [{"agency": a, "share": s} for a, s in zip(agencies, shares)],
        },
    }


def contract_of(doc: dict) -> dict:
    return evaluate(parse_scenario(copy.deepcopy(doc))).to_dict()["contract"]


def with_binding_cap(doc: dict, fraction: float) -> dict:
    """The same scenario with the cap set to `fraction` of what it would otherwise pay, so it binds.

    Payments after the horizon are part of outcome_payments_total (format 2), so the cap cuts them first.
    """
    doc = copy.deepcopy(doc)
    doc["contract"]["cap"] = None
    doc["contract"]["cap"] = round(fraction * contract_of(doc)["outcome_payments_total"], 2)
    return doc


def with_binding_outcome_caps(doc: dict, fractions: dict[str, float]) -> dict:
    """Each named outcome's own payment_cap set to a fraction of what it would be paid without caps."""
    doc = copy.deepcopy(doc)
    doc["contract"]["cap"] = None
    for n in doc["nodes"]:
        n.pop("payment_cap", None)
    paid = contract_of(doc)["payments_by_outcome"]
    for n in doc["nodes"]:
        if n["id"] in fractions:
            n["payment_cap"] = round(fractions[n["id"]] * sum(paid[n["id"]]), 2)
    return doc


def generated_docs() -> dict[str, dict]:
    """Name -> snapshot dict, covering every contract type, both bases and the awkward corners."""
    docs = {
        "sib_above_baseline_cap_binds": with_binding_cap(
            base_doc(1, contract_type="social_impact_bond", horizon=12, lag=2, agencies=("a", "b", "c", "d"), payers=3),
            0.55,
        ),
        "pbr_gross_lag_beyond_horizon": base_doc(
            2, contract_type="payment_by_results", basis="gross", horizon=8, intake_years=8, lag=3
        ),
        "pbr_gross_cap_and_beyond": with_binding_cap(
            base_doc(3, contract_type="payment_by_results", basis="gross", horizon=9, intake_years=9, lag=2), 0.97
        ),
        "fee_for_service_two_payers": base_doc(4, contract_type="fee_for_service", margin=0.1),
        "none_plain_grant": base_doc(5, contract_type="none", margin=0.07, payers=1),
        "green_book_40_years": base_doc(
            6, contract_type="social_impact_bond", schedule="green_book", horizon=40, intake_years=6, outcomes=2
        ),
        "green_book_100_years": base_doc(
            7, contract_type="payment_by_results", schedule="green_book", horizon=100, intake_years=3, outcomes=1
        ),
        "no_costs": base_doc(8, contract_type="none", costs=False, payers=1),
        "case_and_wildcard_ids": base_doc(
            9, contract_type="fee_for_service", agencies=("Council", "council", "a*", "<>x", "=b"), payers=4
        ),
        "above_baseline_sib_lag_0": base_doc(10, contract_type="social_impact_bond", lag=0, horizon=6),
        "gross_sib": base_doc(11, contract_type="social_impact_bond", basis="gross", lag=1),
        "pbr_above_baseline": base_doc(12, contract_type="payment_by_results"),
        "no_outcomes_sib": base_doc(15, contract_type="social_impact_bond", outcomes=0),
        "one_year_horizon": base_doc(16, contract_type="social_impact_bond", horizon=1, intake_years=1, lag=0),
    }
    # Long lags, no duration, 100% drop-off and an outcome that does harm.
    corners = base_doc(13, contract_type="social_impact_bond", horizon=15, outcomes=4, lag=4)
    outs = [n for n in corners["nodes"] if n["stage"] == "outcome"]
    outs[0].update(lag_years=5, duration_years=8, drop_off=0.2, price=12_000)
    outs[1].update(duration_years=0)
    outs[2].update(drop_off=1.0, duration_years=3, lag_years=1)
    outs[3].update(rate_with=0.1, rate_without=0.4, price=5000)  # harm: negative additional outcomes
    docs["lags_durations_harm"] = corners
    # Benefits that never cover the costs: payback never, npv negative.
    never = base_doc(14, contract_type="payment_by_results")
    for n in never["nodes"]:
        for b in n.get("benefits", []):
            b["value"] = 1
    docs["payback_never"] = never
    return docs


INJECTION_TEXTS = ("=1+1", "+cmd", "-2", "@SUM(A1)")


def injection_doc() -> dict:
    """User text that a spreadsheet would read as a formula, in every kind of label the workbook shows."""
    doc = base_doc(20, contract_type="social_impact_bond", agencies=("=1+1", "+cmd", "-2", "@SUM(A1)"), payers=2)
    doc["name"] = "=1+1"
    doc["description"] = '=HYPERLINK("http://example.invalid","click")'
    for i, a in enumerate(doc["agencies"]):
        a["name"] = INJECTION_TEXTS[(i + 1) % 4]
    labels = iter(INJECTION_TEXTS * 3)
    for n in doc["nodes"]:
        n["label"] = next(labels)
        n["notes"] = "@SUM(A1)"
        for c in n.get("costs", []):
            c["item"] = "-2"
    return doc


# ------------------------------------------------------------------------------------------------
# Format 2: the economic case and the financial case (DESIGN.md "Format 2")
# ------------------------------------------------------------------------------------------------


def format2(
    doc: dict,
    seed: int,
    *,
    price_base_year: int | None = None,
    inflation: float = 0.0,
    health_rate: float | None = None,
    mid_year: bool = False,
    graded_costs: bool = False,
    profiles: bool = False,
    transfers: bool = False,
    health_lines: bool = False,
    codes: bool = False,
    indexation: bool = False,
    fixed_share: float = 0.0,
    investor_costs: bool = False,
    kinds: dict[str, str] | None = None,
) -> dict:
    """A generated scenario with format 2's keys switched on, each one by name, with random values."""
    rnd = random.Random(1000 + seed)
    doc = copy.deepcopy(doc)
    doc["format"] = "toc-business-case/2"
    s = doc["settings"]
    H = s["horizon_years"]
    if price_base_year is not None:
        s["price_base_year"] = price_base_year
    s["inflation"] = inflation
    if health_rate is not None:
        s["health_discount_rate"] = health_rate
    if mid_year:
        doc["cohort"]["intake_timing"] = "mid"
    for a in doc["agencies"]:
        a["kind"] = (kinds or {}).get(a["id"], "public")
    for n in doc["nodes"]:
        for i, c in enumerate(n.get("costs", [])):
            if graded_costs and i != 1:  # one line left ungraded: no uplift
                c["evidence_grade"] = rnd.randint(1, 6)
            if profiles and i != 2:
                c["profile"] = [rnd.choice([0, rnd.randint(100, 30_000)]) for _ in range(rnd.randint(1, H))]
        for j, b in enumerate(n.get("benefits", [])):
            if transfers and b["type"] == "fiscal" and j % 2 == 0:
                b["transfer"] = True
            if health_lines and (b["type"] != "fiscal" or j == 0) and rnd.random() < 0.7:
                b["discount"] = "health"
            if codes:
                b["code"] = rnd.choice(["E&E1.0.1", "HE11.0.2", "=1+1", "SS3.0"])
    if investor_costs:
        act = next(n for n in doc["nodes"] if n["stage"] == "activity")
        act["costs"].append(
            {"item": "Fund management", "payer": "investor", "setup": rnd.randint(5_000, 40_000), "per_year": 9_000}
        )
        act["costs"].append(
            {
                "item": "Bond legal work",
                "payer": "investor",
                "setup": 12_000,
                "evidence_grade": 4,
                "profile": [0, 3_000],
            }
        )
    k = doc["contract"]
    k["indexation"] = "inflation" if indexation else "none"
    k["fixed_share"] = fixed_share
    return doc


def outcome_lags(doc: dict, lags: dict[str, int]) -> dict:
    doc = copy.deepcopy(doc)
    for n in doc["nodes"]:
        if n["id"] in lags:
            n["payment_lag_years"] = lags[n["id"]]
    return doc


def worked_example_1() -> dict:
    """DESIGN.md worked example 1: mid-year intake, a graded cost line with a profile."""
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
    }


def worked_example_2() -> dict:
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
        "contract": {
            "type": "social_impact_bond",
            "payment_basis": "above_baseline",
            "payment_lag_years": 2,
            "provider_margin": 0.1,
            "indexation": "inflation",
            "outcome_payers": [{"agency": "a", "share": 1}],
        },
    }


def format2_docs() -> dict[str, dict]:
    """Name -> a format-2 snapshot dict; each exercises the keys its name says."""
    donor = {"d": "donor", "p": "people"}
    docs = {
        "v2_worked_example_1": worked_example_1(),
        "v2_worked_example_2": worked_example_2(),
        "v2_mid_year_graded_costs_profiles": format2(
            base_doc(30, contract_type="payment_by_results", horizon=9, intake_years=5),
            30,
            mid_year=True,
            graded_costs=True,
            profiles=True,
        ),
        "v2_transfers_donor_payer": format2(
            base_doc(31, contract_type="social_impact_bond", agencies=("council", "dwp", "d", "p"), payers=3),
            31,
            transfers=True,
            codes=True,
            inflation=0.02,
            kinds=donor,
        ),
        "v2_health_green_book_45": format2(
            base_doc(32, contract_type="payment_by_results", schedule="green_book", horizon=45, intake_years=5, lag=2),
            32,
            health_lines=True,
            health_rate=0.015,
            inflation=0.025,
        ),
        "v2_index_inflation_price_base": format2(
            base_doc(33, contract_type="social_impact_bond", horizon=8, lag=2),
            33,
            price_base_year=2022,
            inflation=0.04,
            indexation=True,
        ),
        "v2_hybrid_pbr": format2(
            base_doc(34, contract_type="payment_by_results", margin=0.08), 34, fixed_share=0.4, inflation=0.02
        ),
        "v2_hybrid_bond_investor_costs": format2(
            base_doc(35, contract_type="social_impact_bond", lag=2, margin=0.06),
            35,
            fixed_share=0.25,
            investor_costs=True,
            inflation=0.03,
            graded_costs=True,
        ),
        "v2_fee_for_service_cash": format2(
            base_doc(36, contract_type="fee_for_service", agencies=("council", "nhs", "p"), payers=2),
            36,
            inflation=0.02,
            graded_costs=True,
            kinds={"p": "people"},
        ),
        "v2_grant_mid_year_health": format2(
            base_doc(37, contract_type="none", payers=1), 37, mid_year=True, health_lines=True, inflation=-0.01
        ),
    }
    # Per-outcome lags (one past the contract's, one shorter) and caps, then a contract cap that binds too;
    # payments after the horizon are still paid.
    lagged = format2(
        base_doc(38, contract_type="social_impact_bond", horizon=10, intake_years=10, lag=1, outcomes=3),
        38,
        inflation=0.02,
        indexation=True,
    )
    for n in lagged["nodes"]:
        if n["stage"] == "outcome":
            n["price"] = max(n["price"], 3_000)
    lagged = outcome_lags(lagged, {"out-0": 4, "out-1": 0})
    lagged = with_binding_outcome_caps(lagged, {"out-1": 0.6, "out-2": 0.8})
    docs["v2_outcome_lags_and_caps"] = with_binding_cap(lagged, 0.97)
    # All of it at once, under a bond.
    everything = format2(
        base_doc(
            39,
            contract_type="social_impact_bond",
            schedule="green_book",
            horizon=35,
            intake_years=6,
            lag=2,
            agencies=("council", "nhs", "d", "p"),
            payers=3,
        ),
        39,
        price_base_year=2024,
        inflation=0.03,
        health_rate=0.02,
        mid_year=True,
        graded_costs=True,
        profiles=True,
        transfers=True,
        health_lines=True,
        codes=True,
        indexation=True,
        fixed_share=0.2,
        investor_costs=True,
        kinds=donor,
    )
    for n in everything["nodes"]:
        if n["stage"] == "outcome":
            n["price"] = max(n["price"], 30_000)
    everything = outcome_lags(everything, {"out-1": 5})
    everything = with_binding_outcome_caps(everything, {"out-1": 0.7})
    docs["v2_everything_bond"] = with_binding_cap(everything, 0.9)
    return docs
