"""`evaluate`: the central case of a scenario, as one result object."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import contract, finance, financial
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
    "pv_transfers",
    "pv_cashable",
    "pv_economic",
    "pv_social",
    "npv_fiscal",
    "npv_cashable",
    "npv_public_value",
    "bcr_fiscal",
    "bcr_public_value",
)


def price_base_label(year: int) -> str:
    """'2025/26 prices': UK public finances count in financial years."""
    return f"{year}/{(year + 1) % 100:02d} prices"


def evaluate(sc: Scenario, cut_at_horizon: bool = False) -> Evaluation:
    """The central case. cut_at_horizon=True drops outcome payments after the horizon, as format 1 did."""
    c = compile_scenario(sc)
    c.cut_at_horizon = cut_at_horizon
    f = run(c)
    head = finance.headline(f)
    figures: dict[str, Any] = {
        "name": sc.name,
        "price_base_year": c.price_base_year,
        "price_base": price_base_label(c.price_base_year),
    }
    for k in HEADLINE_KEYS:
        figures[k] = _num(head[k][0])
    payback = int(head["payback_year"][0])
    figures["payback_year"] = None if payback < 0 else payback

    agency = finance.by_agency(f)
    figures["by_agency"] = {a: {k: float(v[0, i]) for k, v in agency.items()} for i, a in enumerate(c.agency_ids)}
    nothing = {k: 0.0 for k in agency}
    figures["by_agency"]["provider"] = {**nothing, "pv_costs": float(finance.pv(f.delivery_costs, f.discount)[0])}
    if c.contract_type == "social_impact_bond":
        figures["by_agency"]["investor"] = {**nothing, "pv_costs": float(finance.pv(f.investor_costs, f.discount)[0])}
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
    pos = contract.positions(c, f)
    figures["contract"] = contract_figures(c, f, pos)
    figures["financial"] = financial.financial_case(c, f, pos=pos)
    return Evaluation(scenario=sc, compiled=c, flows=f, figures=figures)


def contract_figures(c: Compiled, f: Flows, pos: dict | None = None) -> dict[str, Any]:
    """Outcome payments are cash (rate cards are cash sums); positions and PVs are real."""
    pos = contract.positions(c, f) if pos is None else pos
    inv = contract.investor_metrics(c, f)
    years = financial.contract_years(f)
    return {
        "type": c.contract_type,
        "payment_basis": c.payment_basis,
        "indexation": "inflation" if c.indexation else "none",
        "fixed_share": c.fixed_share,
        "outcome_payments_total": float(f.payments[0].sum()),
        "outcome_payments_total_real": float(f.payments_real[0].sum()),
        "pv_outcome_payments": float(finance.pv(f.payments_real, f.discount_x)[0]),
        "payments_beyond_horizon": float(f.payments_beyond[0]),
        "cap": c.cap,
        "cap_binds": bool(f.cap_binds[0]),
        "outcome_caps_bind": {o: bool(f.outcome_cap_binds[0, i]) for i, o in enumerate(c.outcome_ids)},
        "years": [c.start_year + t for t in range(years)],
        "payments_by_year": [float(x) for x in f.payments[0, :years]],
        "payments_by_outcome": {
            o: [float(x) for x in f.payments_by_outcome[0, i, :years]] for i, o in enumerate(c.outcome_ids)
        },
        "parties": {k: float(v[0]) for k, v in pos.items()},
        "switching_values": contract.switching_values(c),
        "investor": {k: _num(v[0]) for k, v in inv.items()},
        "premium_over_fee_for_service": _num(financial.premium_over_fee_for_service(c, f)[0]),
        "paid_per_valued_outcome": financial.paid_per_valued_outcome(c, f),
    }
