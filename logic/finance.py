"""Headline figures, who pays / who benefits, the yearly table, do nothing.

Every function takes the engine's batched Flows and returns arrays with the
batch axis first, so the central case, the risk share and the Monte Carlo
all share one piece of arithmetic.
"""

from __future__ import annotations

import numpy as np

from .engine import Flows
from .model import Scenario


def pv(flows: np.ndarray, discount: np.ndarray) -> np.ndarray:
    """Present value over the last (year) axis; `discount` is (B, T)."""
    extra = flows.ndim - discount.ndim
    d = discount.reshape(discount.shape[:1] + (1,) * extra + discount.shape[1:])
    return (flows * d).sum(axis=-1)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def headline(f: Flows) -> dict[str, np.ndarray]:
    """The headline figures of DESIGN.md, each an array over the batch (nan = undefined).

    Each benefit line carries its own discount factors (standard or health): the
    _pv arrays already hold them, so a PV is a sum over years.
    """
    d = f.discount
    costs = f.cost_lines.sum(axis=1)  # (B, T)
    pv_costs = pv(costs, d)
    fiscal_pv = f.fiscal_pv.sum(axis=1)  # (B, T)
    pv_fiscal = fiscal_pv.sum(axis=1)
    pv_transfers = f.transfers_pv.sum(axis=(1, 2))
    pv_cashable = f.cashable_pv.sum(axis=(1, 2))
    pv_economic = f.economic_pv.sum(axis=(1, 2))
    pv_social = f.social_pv.sum(axis=(1, 2))
    # A transfer is a real saving to a budget but no value created: left out of public value.
    public = pv_fiscal - pv_transfers + pv_economic + pv_social
    cumulative = np.cumsum(fiscal_pv - costs * d, axis=1)
    reached = cumulative >= 0
    # With no costs and no savings there is nothing to pay back: "not yet", not "year 0".
    empty = ~(costs != 0).any(axis=1) & ~(fiscal_pv != 0).any(axis=1)
    payback = np.where(reached.any(axis=1) & ~empty, reached.argmax(axis=1), -1)
    return {
        "pv_costs": pv_costs,
        "pv_fiscal": pv_fiscal,
        "pv_transfers": pv_transfers,
        "pv_cashable": pv_cashable,
        "pv_economic": pv_economic,
        "pv_social": pv_social,
        "npv_fiscal": pv_fiscal - pv_costs,
        "npv_cashable": pv_cashable - pv_costs,
        "npv_public_value": public - pv_costs,
        "bcr_fiscal": _ratio(pv_fiscal, pv_costs),
        "bcr_public_value": _ratio(public, pv_costs),
        "payback_year": payback,
    }


def by_agency(f: Flows) -> dict[str, np.ndarray]:
    """PV by agency (B, A): costs each pays itself, benefits each receives."""
    return {
        "pv_costs": pv(f.agency_costs, f.discount),
        "pv_fiscal": f.fiscal_pv.sum(axis=2),
        "pv_transfers": f.transfers_pv.sum(axis=2),
        "pv_cashable": f.cashable_pv.sum(axis=2),
        "pv_economic": f.economic_pv.sum(axis=2),
        "pv_social": f.social_pv.sum(axis=2),
    }


def by_year(f: Flows, start_year: int, row: int = 0) -> list[dict]:
    """The yearly table for one batch row, within the horizon: real, but for outcome_payments, in cash.

    Rate cards are cash sums, so the payments are shown as paid; the contract's own years, past the
    horizon too, are in evaluate()["contract"]["payments_by_year"] and ["financial"].
    """
    d = f.discount[row]
    costs = f.cost_lines[row].sum(axis=0)
    fiscal = f.fiscal[row].sum(axis=0)
    cashable = f.cashable[row].sum(axis=0)
    transfers = f.transfers[row].sum(axis=0)
    economic = f.economic[row].sum(axis=0)
    social = f.social[row].sum(axis=0)
    net = fiscal - costs
    cumulative = np.cumsum(f.fiscal_pv[row].sum(axis=0) - costs * d)
    return [
        {
            "year_index": t,
            "year": start_year + t,
            "discount_factor": float(d[t]),
            "participants": float(f.participants[row, t]),
            "costs": float(costs[t]),
            "fiscal": float(fiscal[t]),
            "cashable": float(cashable[t]),
            "non_cashable": float(fiscal[t] - cashable[t]),
            "transfers": float(transfers[t]),
            "economic": float(economic[t]),
            "social": float(social[t]),
            "net_fiscal": float(net[t]),
            "cumulative_discounted_net_fiscal": float(cumulative[t]),
            "outcome_payments": float(f.payments[row, t]),
        }
        for t in range(len(d))
    ]


def do_nothing(sc: Scenario, discount: np.ndarray) -> dict[str, dict]:
    """For each need with a population and unit cost: population x unit_cost x (1 + g)^t."""
    t = np.arange(sc.settings.horizon_years)
    result = {}
    for n in sc.nodes_of("need"):
        if n.population is None or n.unit_cost is None:
            continue
        yearly = n.population * n.unit_cost * (1.0 + (n.growth_rate or 0.0)) ** t
        result[n.id] = {
            "label": n.label,
            "agency": n.agency,
            "by_year": [float(x) for x in yearly],
            "total": float(yearly.sum()),
            "pv": float((yearly * discount).sum()),
        }
    return result
