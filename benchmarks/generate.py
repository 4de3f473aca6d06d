"""A large synthetic scenario for benchmarks: many outcomes, long horizon, every format-2 key in use."""

from __future__ import annotations

import numpy as np

from logic.model import FORMAT_V2


def large_scenario(outcomes: int = 200, horizon: int = 30, agencies: int = 6, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    ags = [{"id": f"a{i}", "name": f"Agency {i}"} for i in range(agencies)]
    ags.append({"id": "trust", "name": "Community foundation", "kind": "donor"})
    ags.append({"id": "people", "name": "Participants", "kind": "people"})
    nodes = [
        {
            "id": "need",
            "stage": "need",
            "label": "Need",
            "population": 1000.0,
            "unit_cost": 5000.0,
            "growth_rate": 0.02,
            "agency": "a0",
        }
    ]
    nodes.append(
        {
            "id": "act",
            "stage": "activity",
            "label": "Activity",
            "costs": [
                {
                    "item": "Delivery",
                    "payer": "provider",
                    "setup": 1e6,
                    "per_year": 5e5,
                    "per_participant": 3000.0,
                    "evidence_grade": 2,
                    "profile": [0.0] * 10 + [2e5] * 5,
                },
                {"item": "Referral", "payer": "a0", "per_participant": 200.0, "evidence_grade": 4},
                {"item": "Fund management", "payer": "investor", "per_year": 5e4},
            ],
        }
    )
    edges = [{"source": "need", "target": "act"}]
    for i in range(outcomes):
        b = float(rng.uniform(0.1, 0.5))
        nodes.append(
            {
                "id": f"o{i}",
                "stage": "outcome",
                "label": f"Outcome {i}",
                "rate_with": b + float(rng.uniform(0.02, 0.3)),
                "rate_without": b,
                "attribution": 0.8,
                "evidence_grade": int(rng.integers(1, 7)),
                "lag_years": int(rng.integers(0, 3)),
                "duration_years": int(rng.integers(1, 10)),
                "drop_off": 0.2,
                "price": float(rng.uniform(100, 2000)),
                "payment_lag_years": int(rng.integers(0, 4)),
                "payment_cap": float(rng.uniform(2e5, 2e6)),
                "benefits": [
                    {
                        "agency": f"a{int(rng.integers(0, agencies))}",
                        "value": float(rng.uniform(100, 5000)),
                        "type": "fiscal",
                        "cashable": 0.5,
                        "transfer": bool(rng.integers(0, 2)),
                    },
                    {
                        "agency": "people",
                        "value": float(rng.uniform(100, 5000)),
                        "type": ["economic", "social"][int(rng.integers(0, 2))],
                        "discount": "health",
                    },
                ],
            }
        )
        edges.append({"source": "act", "target": f"o{i}"})
    return {
        "format": FORMAT_V2,
        "name": f"Synthetic {outcomes} outcomes, {horizon} years",
        "settings": {
            "start_year": 2026,
            "horizon_years": horizon,
            "discount_rate": 0.035,
            "discount_schedule": "green_book",
            "inflation": 0.02,
        },
        "agencies": ags,
        "cohort": {"intake": [500.0] * min(horizon, 10), "engagement_rate": 0.8, "intake_timing": "mid"},
        "nodes": nodes,
        "edges": edges,
        "contract": {
            "type": "social_impact_bond",
            "payment_basis": "above_baseline",
            "cap": 5e7,
            "provider_margin": 0.05,
            "indexation": "inflation",
            "fixed_share": 0.2,
            "outcome_payers": [
                {"agency": "a0", "share": 0.6},
                {"agency": "a1", "share": 0.3},
                {"agency": "trust", "share": 0.1},
            ],
        },
    }
