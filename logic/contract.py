"""Outcomes contract: who funds delivery, who is paid, each party's position.

See DESIGN.md "Outcomes contract" and "Risk share". All functions work on the
engine's batched Flows, so the risk-share curve (one row per m) and the Monte
Carlo (one row per draw) use the same arithmetic as the central case.
"""

from __future__ import annotations

import numpy as np

from .engine import Compiled, Flows, run
from .finance import pv
from .model import INVESTOR, PROVIDER


def pad_years(x: np.ndarray, years: int) -> np.ndarray:
    """(B, T) -> (B, X): nothing is spent after the horizon."""
    if x.shape[-1] == years:
        return x
    padded = np.zeros(x.shape[:-1] + (years,))
    padded[..., : x.shape[-1]] = x
    return padded


def funding(c: Compiled, f: Flows) -> dict[str, np.ndarray]:
    """Yearly funding by party (B, T), real, margin included: who pays the provider's delivery costs.

    With a fixed share f (a hybrid), the outcome payers fund f of it as a fee
    not at risk, and the provider (payment by results) or investor (bond) the
    rest; the investor also funds the bond's own cost lines.
    """
    margin = 0.0 if c.contract_type == "payment_by_results" else c.margin
    funded = f.delivery_costs * (1.0 + margin)
    out: dict[str, np.ndarray] = {}
    if c.contract_type == "none":
        out[c.agency_ids[0]] = funded
        return out
    fee = funded if c.contract_type == "fee_for_service" else funded * c.fixed_share
    if c.contract_type == "fee_for_service" or c.fixed_share > 0:
        for a, share in zip(c.agency_ids, c.payer_share):
            if share > 0:
                out[a] = fee * share
    if c.contract_type == "payment_by_results":
        out[PROVIDER] = funded * (1.0 - c.fixed_share)
    elif c.contract_type == "social_impact_bond":
        out[INVESTOR] = funded * (1.0 - c.fixed_share) + f.investor_costs
    return out


def party_ids(c: Compiled) -> list[str]:
    parties = list(c.agency_ids) + [PROVIDER]
    if c.contract_type == "social_impact_bond":
        parties.append(INVESTOR)
    return parties


def _pv(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    return pv(x, d[:, : x.shape[-1]])


def positions(c: Compiled, f: Flows) -> dict[str, np.ndarray]:
    """Each party's PV position over the batch (B,), real.

    Outcome payments count over the contract's years, after the horizon too,
    at their real value (cash / I_t), discounted with the schedule carried on.
    """
    d = f.discount_x
    funds = funding(c, f)
    pv_payments = pv(f.payments_real, d)
    cash = f.cashable_pv.sum(axis=2)  # (B, A), each line with its own factors
    own = _pv(f.agency_costs, d)
    result: dict[str, np.ndarray] = {}
    for i, a in enumerate(c.agency_ids):
        funded = _pv(funds[a], d) if a in funds else 0.0
        result[a] = cash[:, i] - own[:, i] - c.payer_share[i] * pv_payments - funded
    if c.contract_type == "payment_by_results":
        fee = _pv(f.delivery_costs * c.fixed_share, d)
        result[PROVIDER] = pv_payments + fee - _pv(f.delivery_costs, d)
    else:
        result[PROVIDER] = _pv(f.delivery_costs * c.margin, d)
    if c.contract_type == "social_impact_bond":
        result[INVESTOR] = pv_payments - _pv(funds[INVESTOR], d)
    return {k: np.broadcast_to(v, (d.shape[0],)) for k, v in result.items()}


def investor_metrics(c: Compiled, f: Flows) -> dict[str, np.ndarray]:
    """peak_capital, irr (nominal), irr_real, multiple over the batch (nan where undefined or not a bond)."""
    B = f.payments.shape[0]
    if c.contract_type != "social_impact_bond":
        nan = np.full(B, np.nan)
        return {"peak_capital": nan, "irr": nan, "irr_real": nan, "multiple": nan}
    # Funding once (it is the Monte Carlo's hot path): cash flows from it, real flows only if they differ.
    funded_real = pad_years(funding(c, f)[INVESTOR], f.payments.shape[1])
    funded_cash = funded_real * f.cash_index
    flows = f.payments - funded_cash
    peak = np.maximum(0.0, -np.cumsum(flows, axis=1).min(axis=1))
    paid = f.payments.sum(axis=1)
    funded = funded_cash.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        multiple = np.where(funded > 0, paid / np.where(funded > 0, funded, 1.0), np.nan)
    nominal = irr(flows)
    # With no inflation the real flows are the cash flows: one IRR does for both.
    real = nominal if c.inflation == 0 else irr(f.payments_real - funded_real)
    return {"peak_capital": peak, "irr": nominal, "irr_real": real, "multiple": multiple}


def irr(flows: np.ndarray, low: float = -0.999999, high: float = 10.0) -> np.ndarray:
    """Internal rate of return of each row of yearly flows (B, T); nan where there is none.

    NPV(r) x (1 + r)^(T-1) = sum f_t (1 + r)^(T-1-t) is a polynomial in y = 1 + r
    that cannot overflow on (0, 11]. It is evaluated for every row on a grid
    of rates at once; where it changes sign more than once, the root nearest
    0% is taken (as numpy-financial does); bisection then pins each root down,
    for all rows together.
    """
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    B, T = flows.shape
    result = np.full(B, np.nan)
    if T < 2:
        return result
    scale = np.abs(flows).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    f = flows / scale

    def g(y: np.ndarray, coef: np.ndarray) -> np.ndarray:
        acc = np.zeros(y.shape)
        for t in range(T):  # Horner's rule over years, vectorised over rows (and grid points)
            acc *= y
            acc += coef[:, t] if y.ndim == 1 else coef[:, t, None]
        return acc

    # Finer near the rates people see (-50% .. 100%), coarser beyond; bisection does the rest.
    rates = np.unique(
        np.concatenate([np.linspace(low, -0.5, 11), np.linspace(-0.5, 1.0, 61), np.linspace(1.0, high, 19)])
    )
    rows = np.arange(B)
    values = g(np.broadcast_to(1.0 + rates, (B, rates.size)).copy(), f)
    sign = values >= 0
    change = sign[:, 1:] != sign[:, :-1]  # (B, R-1): a root in (rates[k], rates[k+1])
    has = change.any(axis=1)
    if not has.any():
        return result
    mid = 0.5 * (rates[1:] + rates[:-1])
    distance = np.where(change, np.abs(mid)[None, :], np.inf)
    k = distance.argmin(axis=1)
    rows = rows[has]
    k = k[has]
    lo = 1.0 + rates[k]
    hi = 1.0 + rates[k + 1]
    g_lo = values[rows, k]
    coef = f[rows]
    # A fixed count (brackets are at most 0.5 wide: 2^-60 of that is below float precision), so a
    # row's answer never depends on which other rows share its batch.
    if rows.size <= SCALAR_ROWS:
        result[rows] = [_bisect_scalar(a, b, ga, list(cf)) - 1.0 for a, b, ga, cf in zip(lo, hi, g_lo, coef)]
        return result
    for _ in range(60):
        m = 0.5 * (lo + hi)
        g_m = g(m, coef)
        same = (g_m >= 0) == (g_lo >= 0)
        lo = np.where(same, m, lo)
        g_lo = np.where(same, g_m, g_lo)
        hi = np.where(same, hi, m)
    result[rows] = 0.5 * (lo + hi) - 1.0
    return result


# A few rows (the central case) are quicker as plain floats than as tiny numpy arrays; the steps are
# the same, and IEEE arithmetic gives the same answer bit for bit.
SCALAR_ROWS = 4


def _bisect_scalar(lo: float, hi: float, g_lo: float, coef: list[float]) -> float:
    lo, hi, g_lo = float(lo), float(hi), float(g_lo)
    for _ in range(60):
        m = 0.5 * (lo + hi)
        g_m = 0.0
        for c in coef:
            g_m = g_m * m + c
        if (g_m >= 0) == (g_lo >= 0):
            lo, g_lo = m, g_m
        else:
            hi = m
    return 0.5 * (lo + hi)


def switching_values(c: Compiled, params: dict | None = None, m_max: float = 3.0) -> dict[str, float | None]:
    """For each party: the smallest m in [0, m_max] where its position changes sign from its sign at m = 0.

    Positions are piecewise linear in m (only the cap makes kinks), so a grid
    finds the first crossing and false position (Illinois) pins it down,
    exactly within one step where no kink intervenes.
    """
    grid = np.linspace(0.0, m_max, 121)  # steps of 0.025; the root is then found exactly
    pos = positions(c, run(c, params, performance=grid))
    parties = list(pos)
    result: dict[str, float | None] = {p: None for p in parties}
    names: list[str] = []
    brackets: list[tuple[float, float, float, float]] = []  # m below and above the sign change, and v there
    for p in parties:
        v = _clean(pos[p], pos[p])
        s0 = np.sign(v[0])
        crossed = np.flatnonzero(np.sign(v) != s0)
        if s0 == 0 or crossed.size == 0:
            continue  # no sign to change from, or it never changes
        k = crossed[0]
        if v[k] == 0:
            result[p] = float(grid[k])
            continue
        names.append(p)
        brackets.append((grid[k - 1], grid[k], v[k - 1], v[k]))
    if names:
        lo, hi, f_lo, f_hi = np.array(brackets, dtype=float).T
        scale = np.maximum(np.abs(f_lo), np.abs(f_hi))
        side = np.zeros(len(names))
        for _ in range(100):
            mid = np.clip(hi - f_hi * (hi - lo) / (f_hi - f_lo), lo, hi)
            values = positions(c, run(c, params, performance=mid))
            f_mid = np.array([values[p][i] for i, p in enumerate(names)])
            done = (np.abs(f_mid) <= 1e-12 * scale) | (hi - lo <= 1e-13)
            left = np.sign(f_mid) == np.sign(f_lo)
            # Illinois: halve the stale end's value so a kinked bracket still shrinks from both sides.
            f_hi = np.where(left, np.where(side == 1, f_hi / 2, f_hi), f_mid)
            f_lo = np.where(left, f_mid, np.where(side == -1, f_lo / 2, f_lo))
            hi = np.where(left, hi, mid)
            lo = np.where(left, mid, lo)
            side = np.where(left, 1, -1)
            if np.all(done):
                break
        for i, p in enumerate(names):
            result[p] = float(mid[i])
    return result


def _clean(x: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Treat rounding noise around zero as zero."""
    tol = 1e-9 * max(1.0, float(np.max(np.abs(reference))))
    return np.where(np.abs(x) < tol, 0.0, x)


def risk_share_curve(c: Compiled, m: np.ndarray, params: dict | None = None) -> dict[str, np.ndarray]:
    """Each party's position, outcome payments and whether the cap binds, for each m."""
    f = run(c, params, performance=m)
    out = {f"party:{k}": v for k, v in positions(c, f).items()}
    out["m"] = np.asarray(m, dtype=float)
    out["outcome_payments"] = f.payments.sum(axis=1)
    out["cap_binds"] = f.cap_binds
    inv = investor_metrics(c, f)
    out["investor_irr"] = inv["irr"]
    out["investor_multiple"] = inv["multiple"]
    return out
