"""`evaluate`: the central case of a scenario, as one result object."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import contract, finance
from .engine import Compiled, Flows, compile_scenario, run
from .model import Scenario


def _num(x: Any) -> float | None:
    """A JSON-safe number: nan (undefined) becomes None."""
    x = float(x)
    return None if math.isnan(x) else x


@dataclass
class Evaluation:
    scenario: Scenario
    compiled: Compiled
    flows: Flows
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.figures

    def __getitem__(self, key: str) -> Any:
        return self.figures[key]


HEADLINE_KEYS = (
    "pv_costs",
    "pv_fiscal",
    "pv_cashable",
    "pv_economic",
    "pv_social",
    "npv_fiscal",
    "npv_cashable",
    "npv_public_value",
    "bcr_fiscal",
    "bcr_public_value",
)


def evaluate(sc: Scenario) -> Evaluation:
    c = compile_scenario(sc)
    f = run(c)
    head = finance.headline(f)
    figures: dict[str, Any] = {"name": sc.name}
    for k in HEADLINE_KEYS:
        figures[k] = _num(head[k][0])
    payback = int(head["payback_year"][0])
    figures["payback_year"] = None if payback < 0 else payback

    agency = finance.by_agency(f)
    figures["by_agency"] = {a: {k: float(v[0, i]) for k, v in agency.items()} for i, a in enumerate(c.agency_ids)}
    figures["by_agency"]["provider"] = {
        "pv_costs": float(finance.pv(f.delivery_costs, f.discount)[0]),
        "pv_fiscal": 0.0,
        "pv_cashable": 0.0,
        "pv_economic": 0.0,
        "pv_social": 0.0,
    }
    figures["additional_outcomes"] = {o: float(f.additional[0, i].sum()) for i, o in enumerate(c.outcome_ids)}
    figures["outcomes"] = {
        o: {
            "participants": float(f.participants[0].sum()),
            "gross": float(f.gross[0, i].sum()),
            "deadweight": float(f.deadweight[0, i].sum()),
            "additional": float(f.additional[0, i].sum()),
        }
        for i, o in enumerate(c.outcome_ids)
    }
    figures["by_year"] = finance.by_year(f, c.start_year)
    figures["do_nothing"] = finance.do_nothing(sc, f.discount[0])
    figures["contract"] = contract_figures(c, f)
    return Evaluation(scenario=sc, compiled=c, flows=f, figures=figures)


def contract_figures(c: Compiled, f: Flows) -> dict[str, Any]:
    pos = contract.positions(c, f)
    inv = contract.investor_metrics(c, f)
    return {
        "type": c.contract_type,
        "payment_basis": c.payment_basis,
        "outcome_payments_total": float(f.payments[0].sum()),
        "pv_outcome_payments": float(finance.pv(f.payments, f.discount)[0]),
        "payments_beyond_horizon": float(f.payments_beyond[0]),
        "cap": c.cap,
        "cap_binds": bool(f.cap_binds[0]),
        "payments_by_year": [float(x) for x in f.payments[0]],
        "parties": {k: float(v[0]) for k, v in pos.items()},
        "switching_values": contract.switching_values(c),
        "investor": {k: _num(v[0]) for k, v in inv.items()},
    }
