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


def with_binding_cap(doc: dict, fraction: float) -> dict:
    """The same scenario with the cap set to `fraction` of what it would otherwise earn, so it binds."""
    doc = copy.deepcopy(doc)
    doc["contract"]["cap"] = None
    k = evaluate(parse_scenario(copy.deepcopy(doc))).to_dict()["contract"]
    doc["contract"]["cap"] = round(fraction * (k["outcome_payments_total"] + k["payments_beyond_horizon"]), 2)
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
            base_doc(3, contract_type="payment_by_results", basis="gross", horizon=9, intake_years=9, lag=2), 0.9
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
