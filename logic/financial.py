"""The financial case: what each budget pays and banks, year by year, in cash, under the contract.

See DESIGN.md "Format 2", "Financial case". The economic case (finance.py)
asks whether the programme is worth it to society, in real terms; this asks
whether each budget can afford it under the chosen contract: cash savings
banked, minus its own cost lines, what it funds and its share of the
outcome payments, over the contract's years (which run on after the horizon
while outcome payments are still due).
"""

from __future__ import annotations

import numpy as np

from .contract import funding, pad_years, positions
from .engine import Compiled, Flows
from .finance import pv


def contract_years(f: Flows, row: int = 0) -> int:
    """Years 0 .. the last with an outcome payment above 0, never fewer than the horizon."""
    cash = f.payments[row]
    # A cap's arithmetic can leave rounding (1e-16 of a pound) in a later year: that is no payment.
    paid = np.flatnonzero(cash > 1e-9 * max(1.0, float(np.abs(cash).max(initial=0.0))))
    horizon = f.discount.shape[1]
    return max(horizon, int(paid[-1]) + 1 if paid.size else 0)


def agency_cash(c: Compiled, f: Flows) -> np.ndarray:
    """(B, A, X) each agency's cash by year: cashable savings - own costs - what it funds - its share of payments."""
    years = f.payments.shape[1]
    funds = funding(c, f)
    real = f.cashable - f.agency_costs  # (B, A, T), a new array
    for i, a in enumerate(c.agency_ids):
        if a in funds:
            real[:, i, :] -= funds[a]
    cash = pad_years(real, years) * f.cash_index
    return cash - c.payer_share[None, :, None] * f.payments[:, None, :]


def premium_over_fee_for_service(c: Compiled, f: Flows) -> np.ndarray:
    """(B,) what paying by results costs the outcome payers over paying for delivery (negative: it saves).

    PV real of outcome payments + PV of what the payers fund as a fee - PV of
    delivery costs x (1 + the contract's stated margin), which the
    fee-for-service contract it is compared with would pay.
    """
    B = f.payments.shape[0]
    if c.contract_type not in ("payment_by_results", "social_impact_bond"):
        return np.full(B, np.nan)
    d = f.discount_x
    funds = funding(c, f)
    fee = sum((pv(funds[a], d[:, : funds[a].shape[-1]]) for a in c.agency_ids if a in funds), start=np.zeros(B))
    delivery = pv(f.delivery_costs * (1.0 + c.margin), f.discount)
    return pv(f.payments_real, d) + fee - delivery


def paid_per_valued_outcome(c: Compiled, f: Flows, row: int = 0) -> dict[str, float | None] | None:
    """By outcome: the real total paid for it (undiscounted) / its valued additional outcomes (N x (1 - OB)).

    None where nothing is paid for outcomes (no contract, fee for service), as for the premium.
    """
    if c.contract_type not in ("payment_by_results", "social_impact_bond"):
        return None
    result: dict[str, float | None] = {}
    for i, o in enumerate(c.outcome_ids):
        paid = float((f.payments_by_outcome[row, i] / f.cash_index).sum())
        valued = float(f.valued[row, i])
        result[o] = paid / valued if valued > 0 else None
    return result


def financial_case(
    c: Compiled,
    f: Flows,
    kinds: list[str] | None = None,
    row: int = 0,
    pos: dict[str, np.ndarray] | None = None,
) -> dict:
    """The `financial` output of evaluate, for one batch row (`pos`: the positions, if already worked out)."""
    years = contract_years(f, row)
    cash = agency_cash(c, f)[row, :, :years]
    public = [i for i, k in enumerate(c.agency_kinds if kinds is None else kinds) if k == "public"]
    pos = positions(c, f) if pos is None else pos
    public_cash = cash[public].sum(axis=0) if public else np.zeros(years)
    return {
        "years": [c.start_year + t for t in range(years)],
        "by_year": {a: [float(x) for x in cash[i]] for i, a in enumerate(c.agency_ids)},
        "total_cash": {a: float(cash[i].sum()) for i, a in enumerate(c.agency_ids)},
        "public_sector_by_year": [float(x) for x in public_cash],
        "public_sector_total_cash": float(public_cash.sum()),
        "public_sector_position": float(sum(pos[c.agency_ids[i]][row] for i in public)),
        "cash_index": [float(x) for x in f.cash_index[:years]],
    }
