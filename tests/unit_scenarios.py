"""Small scenarios for the unit tests, each figure of which is worked by hand in the test that uses it.

`tiny()` is the base: two public agencies, one need, one activity, one outcome, a 10% discount rate
(factors 1, 1/1.1, 1/1.21, so present values come out round), no optimism bias on the outcome
(evidence grade 1) and none on the cost (no grade).

    Need: 100 people x 50 a year, growing 10% a year, borne by the council: 5,000, 5,500, 6,050.
    Cost: set-up 1,500 + 10 per participant x 100 referred in 2026 (all engage) = 2,500 in 2026.
    Outcome: 100 x (0.5 - 0.3) = 20 additional outcomes in the intake year, lasting 2 years:
      the council saves 100 each a year (half cashable): 2,000 in 2026 and 2027;
      the NHS gains social value of 50 each a year: 1,000 in 2026 and 2027.
"""

from __future__ import annotations

import copy

import yaml

from logic import Scenario, load_scenario


def tiny_doc(currency: str = "GBP") -> dict:
    return copy.deepcopy(
        {
            "format": "toc-business-case/2",
            "name": "Tiny",
            "settings": {"start_year": 2026, "horizon_years": 3, "discount_rate": 0.10, "currency": currency},
            "agencies": [{"id": "council", "name": "Council"}, {"id": "nhs", "name": "NHS"}],
            "cohort": {"intake": [100], "engagement_rate": 1.0},
            "nodes": [
                {
                    "id": "need",
                    "stage": "need",
                    "label": "Families in crisis",
                    "population": 100,
                    "unit_cost": 50,
                    "growth_rate": 0.1,
                    "agency": "council",
                },
                {
                    "id": "act",
                    "stage": "activity",
                    "label": "Key worker",
                    "costs": [{"item": "Key workers", "payer": "council", "setup": 1500, "per_participant": 10}],
                },
                {
                    "id": "out",
                    "stage": "outcome",
                    "label": "Stays at home",
                    "rate_with": 0.5,
                    "rate_without": 0.3,
                    "evidence_grade": 1,
                    "duration_years": 2,
                    "benefits": [
                        {"agency": "council", "value": 100, "type": "fiscal", "cashable": 0.5},
                        {"agency": "nhs", "value": 50, "type": "social"},
                    ],
                },
                {"id": "imp", "stage": "impact", "label": "Children thrive"},
            ],
            "edges": [
                {"source": "need", "target": "act"},
                {"source": "act", "target": "out"},
                {"source": "out", "target": "imp"},
            ],
        }
    )


def bond_doc(currency: str = "GBP") -> dict:
    """tiny() under a social impact bond: the key worker's 2,500 is now the provider's, funded by the investors.

    The council pays 300 for each of the 20 outcomes above the baseline, a year after they are achieved
    (an outcome is paid once): 6,000 in 2027. The investors fund 2,500 plus the provider's 10% margin,
    2,750, in 2026.
    """
    doc = tiny_doc(currency)
    doc["nodes"][1]["costs"][0]["payer"] = "provider"
    doc["nodes"][2]["price"] = 300
    doc["contract"] = {
        "type": "social_impact_bond",
        "payment_basis": "above_baseline",
        "payment_lag_years": 1,
        "provider_margin": 0.1,
        "outcome_payers": [{"agency": "council", "share": 1}],
    }
    return doc


def scenario(doc: dict) -> Scenario:
    return load_scenario(yaml.safe_dump(doc, sort_keys=False))
