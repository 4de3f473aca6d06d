"""The arithmetic of DESIGN.md, once, on arrays with a leading batch axis.

A batch row is one version of the scenario: the single central case for
``evaluate`` (batch of 1), one performance factor m per row for the risk
share, one draw per row for the Monte Carlo. Inputs that do not vary keep a
batch axis of length 1 and broadcast, so the central case costs no more than
it has to.

Axes: B batch, O outcomes, C cohorts (intake years), T years, L benefit lines,
K cost lines. C and T both run over 0..H-1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .model import PROVIDER, Scenario

OUTCOME_FIELDS = ("rate_with", "rate_without", "attribution", "displacement", "drop_off", "price")
BENEFIT_FIELDS = ("value", "cashable")
COST_FIELDS = ("setup", "per_year", "per_participant")
# Fields whose valid range is [0, 1] (the Monte Carlo clips draws to it).
UNIT_FIELDS = {"rate_with", "rate_without", "attribution", "displacement", "drop_off", "cashable", "engagement_rate"}

_PATH = re.compile(r"^nodes\.(?P<node>.+?)\.(?:(?P<list>benefits|costs)\[(?P<idx>\d+)\]\.)?(?P<field>\w+)$")


class UnknownParameter(KeyError):
    pass


@dataclass
class Compiled:
    """The scenario as arrays; made once per scenario content."""

    horizon: int
    start_year: int
    intake: np.ndarray  # (T,) padded with zeros
    engagement: np.ndarray  # (1,)
    discount_rate: np.ndarray  # (1,)
    green_book: bool
    outcome_ids: list[str]
    out: dict[str, np.ndarray]  # field -> (1, O)
    optimism: np.ndarray  # (O,)
    lag: np.ndarray  # (O,) int
    duration: np.ndarray  # (O,) int
    agency_ids: list[str]
    ben_outcome: np.ndarray  # (L,) outcome index
    ben_agency: np.ndarray  # (L,) agency index
    ben_type: np.ndarray  # (L,) 0 fiscal, 1 economic, 2 social
    ben: dict[str, np.ndarray]  # value, cashable -> (1, L)
    cost_payer: np.ndarray  # (K,) agency index, -1 for provider
    cost: dict[str, np.ndarray]  # setup, per_year, per_participant -> (1, K)
    contract_type: str
    payment_basis: str
    payment_lag: int
    cap: float | None
    margin: float
    payer_share: np.ndarray  # (A,) share of outcome payments by agency
    index: dict[str, tuple[str, int]] = field(default_factory=dict)  # parameter path -> (table, column)


def compile_scenario(sc: Scenario) -> Compiled:
    s = sc.settings
    H = s.horizon_years
    intake = np.zeros(H)
    intake[: len(sc.cohort.intake)] = sc.cohort.intake
    outcomes = sc.outcomes
    agencies = sc.agency_ids
    a_index = {a: i for i, a in enumerate(agencies)}
    o_index = {o.id: i for i, o in enumerate(outcomes)}
    index: dict[str, tuple[str, int]] = {
        "cohort.engagement_rate": ("engagement", 0),
        "settings.discount_rate": ("discount_rate", 0),
    }
    out = {}
    for f in OUTCOME_FIELDS:
        out[f] = np.array([[float(getattr(o, f)) for o in outcomes]]).reshape(1, len(outcomes))
        for o in outcomes:
            index[f"nodes.{o.id}.{f}"] = (f"out.{f}", o_index[o.id])

    ben_rows = []
    for o in outcomes:
        for j, b in enumerate(o.benefits):
            for f in BENEFIT_FIELDS:
                index[f"nodes.{o.id}.benefits[{j}].{f}"] = (f"ben.{f}", len(ben_rows))
            ben_rows.append(
                (o_index[o.id], a_index[b.agency], ("fiscal", "economic", "social").index(b.type), b.value, b.cashable)
            )
    cost_rows = []
    for n in sc.nodes:
        for j, c in enumerate(n.costs):
            for f in COST_FIELDS:
                index[f"nodes.{n.id}.costs[{j}].{f}"] = (f"cost.{f}", len(cost_rows))
            cost_rows.append(
                (a_index.get(c.payer, -1) if c.payer != PROVIDER else -1, c.setup, c.per_year, c.per_participant)
            )

    ben_arr = np.array(ben_rows, dtype=float).reshape(-1, 5)
    cost_arr = np.array(cost_rows, dtype=float).reshape(-1, 4)
    shares = np.zeros(len(agencies))
    for p in sc.contract.outcome_payers:
        shares[a_index[p.agency]] += p.share
    return Compiled(
        horizon=H,
        start_year=s.start_year,
        intake=intake,
        engagement=np.array([sc.cohort.engagement_rate]),
        discount_rate=np.array([s.discount_rate]),
        green_book=s.discount_schedule == "green_book",
        outcome_ids=[o.id for o in outcomes],
        out=out,
        optimism=np.array([sc.optimism_bias_for(o.evidence_grade) for o in outcomes], dtype=float),
        lag=np.array([o.lag_years for o in outcomes], dtype=int),
        duration=np.array([o.duration_years for o in outcomes], dtype=int),
        agency_ids=agencies,
        ben_outcome=ben_arr[:, 0].astype(int),
        ben_agency=ben_arr[:, 1].astype(int),
        ben_type=ben_arr[:, 2].astype(int),
        ben={"value": ben_arr[None, :, 3], "cashable": ben_arr[None, :, 4]},
        cost_payer=cost_arr[:, 0].astype(int),
        cost={"setup": cost_arr[None, :, 1], "per_year": cost_arr[None, :, 2], "per_participant": cost_arr[None, :, 3]},
        contract_type=sc.contract.type,
        payment_basis=sc.contract.payment_basis,
        payment_lag=sc.contract.payment_lag_years,
        cap=sc.contract.cap,
        margin=sc.contract.provider_margin,
        payer_share=shares,
        index=index,
    )


def parameter_paths(c: Compiled) -> list[str]:
    """Every path that `run` accepts as an override."""
    return list(c.index)


@dataclass
class Flows:
    """Yearly flows for every batch row (undiscounted unless named pv_)."""

    participants: np.ndarray  # (B, T)
    gross: np.ndarray  # (B, O, C)
    deadweight: np.ndarray  # (B, O, C)
    additional: np.ndarray  # (B, O, C)
    benefit_lines: np.ndarray  # (B, L, T)
    fiscal: np.ndarray  # (B, A, T)
    cashable: np.ndarray  # (B, A, T)
    economic: np.ndarray  # (B, A, T)
    social: np.ndarray  # (B, A, T)
    cost_lines: np.ndarray  # (B, K, T)
    agency_costs: np.ndarray  # (B, A, T) cost lines each agency pays itself
    delivery_costs: np.ndarray  # (B, T) cost lines paid by the provider
    discount: np.ndarray  # (B, T)
    payments: np.ndarray  # (B, T) outcome payments within the horizon
    payments_by_outcome: np.ndarray  # (B, O, T) before the cap
    payments_beyond: np.ndarray  # (B,)
    cap_binds: np.ndarray  # (B,) bool


def _override(base: np.ndarray, column: int, values: np.ndarray) -> np.ndarray:
    batch = np.broadcast_to(base, (max(base.shape[0], len(values)), base.shape[1])).copy()
    batch[:, column] = values
    return batch


def _apply(c: Compiled, params: dict[str, np.ndarray]) -> tuple[dict, dict, dict, np.ndarray, np.ndarray]:
    out, ben, cost = dict(c.out), dict(c.ben), dict(c.cost)
    engagement, rate = c.engagement, c.discount_rate
    tables = {"out": out, "ben": ben, "cost": cost}
    for path, values in params.items():
        if path not in c.index:
            raise UnknownParameter(path)
        values = np.atleast_1d(np.asarray(values, dtype=float))
        table, col = c.index[path]
        if table == "engagement":
            engagement = values
        elif table == "discount_rate":
            rate = values
        else:
            group, name = table.split(".")
            tables[group][name] = _override(tables[group][name], col, values)
    return out, ben, cost, engagement, rate


def discount_factors(rate: np.ndarray, horizon: int, green_book: bool) -> np.ndarray:
    """(B, T) discount factors; year 0 is not discounted."""
    rate = np.asarray(rate, dtype=float).reshape(-1, 1)
    t = np.arange(horizon)
    if not green_book:
        return (1.0 + rate) ** (-t)
    s = np.arange(1, horizon)  # the rate that applies in year s, for s = 1..H-1
    yearly = np.where(
        s <= 30,
        rate,
        np.select([s <= 75, s <= 125, s <= 200, s <= 300], [0.030, 0.025, 0.020, 0.015], 0.010),
    )
    yearly = np.broadcast_to(yearly, (rate.shape[0], horizon - 1))
    factors = np.cumprod(1.0 / (1.0 + yearly), axis=1)
    return np.concatenate([np.ones((rate.shape[0], 1)), factors], axis=1)


def persistence_kernel(lag: np.ndarray, duration: np.ndarray, drop_off: np.ndarray, horizon: int) -> np.ndarray:
    """(B, O, K): the share of an intake year's outcome that yields benefit k years after intake.

    persist(j) = (1 - drop_off)^j for 0 <= j < duration, j = k - lag; else 0.
    """
    k = np.arange(horizon)
    j = k[None, :] - lag[:, None]  # (O, K)
    live = (j >= 0) & (j < duration[:, None])
    keep = 1.0 - drop_off  # (B, O)
    return np.where(live[None], keep[:, :, None] ** np.maximum(j, 0)[None], 0.0)


def convolve_years(valued: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """out[..., t] = sum over c <= t of valued[..., c] x kernel[..., t - c]: cohorts into years.

    A loop over the (at most 100) year offsets, each step vectorised over the
    batch and the outcomes.
    """
    B = max(valued.shape[0], kernel.shape[0])
    H = valued.shape[-1]
    out = np.zeros((B,) + valued.shape[1:])
    for k in range(H):
        out[..., k:] += valued[..., : H - k] * kernel[..., k : k + 1]
    return out


def run(c: Compiled, params: dict[str, np.ndarray] | None = None, performance: np.ndarray | float = 1.0) -> Flows:
    """All yearly flows for the batch; `performance` is m (w' = b + m (w - b))."""
    out, ben, cost, engagement, rate = _apply(c, params or {})
    H = c.horizon
    A = len(c.agency_ids)
    m = np.atleast_1d(np.asarray(performance, dtype=float))[:, None]  # (B or 1, 1)

    P = engagement[:, None] * c.intake[None, :]  # (B, C)
    b = out["rate_without"]
    effect = (out["rate_with"] - b) * out["attribution"] * (1.0 - out["displacement"])  # at m = 1
    w = b + m * (out["rate_with"] - b)  # (B, O)
    gross = P[:, None, :] * w[:, :, None]
    deadweight = P[:, None, :] * b[:, :, None]

    # Benefits: N_c x (1 - OB) x persist(t - c - lag), summed over cohorts. N is m times its value
    # at m = 1, so the (costly) cohort-to-year sum is done once and scaled: the risk-share curve
    # then costs little more than the central case.
    kernel = persistence_kernel(c.lag, c.duration, out["drop_off"], H)  # (B, O, K)
    additional_1 = P[:, None, :] * effect[:, :, None]  # (B, O, C) at m = 1
    by_outcome = convolve_years(additional_1 * (1.0 - c.optimism)[None, :, None], kernel) * m[:, :, None]  # (B, O, T)
    additional = additional_1 * m[:, :, None]
    lines = by_outcome[:, c.ben_outcome, :] * ben["value"][:, :, None]  # (B, L, T)

    onehot = np.zeros((len(c.ben_agency), A))
    onehot[np.arange(len(c.ben_agency)), c.ben_agency] = 1.0
    fiscal_l = lines * (c.ben_type == 0)[None, :, None]
    cash_l = fiscal_l * ben["cashable"][:, :, None]
    fiscal = np.einsum("blt,la->bat", fiscal_l, onehot)
    cashable = np.einsum("blt,la->bat", cash_l, onehot)
    economic = np.einsum("blt,la->bat", lines * (c.ben_type == 1)[None, :, None], onehot)
    social = np.einsum("blt,la->bat", lines * (c.ben_type == 2)[None, :, None], onehot)

    # Costs: setup in year 0, per_year in years with intake, per participant in the intake year.
    year0 = (np.arange(H) == 0).astype(float)
    active = (c.intake > 0).astype(float)
    cost_lines = (
        cost["setup"][:, :, None] * year0
        + cost["per_year"][:, :, None] * active
        + cost["per_participant"][:, :, None] * P[:, None, :]
    )  # (B, K, T)
    payer_onehot = np.zeros((len(c.cost_payer), A))
    own = c.cost_payer >= 0
    payer_onehot[np.arange(len(c.cost_payer))[own], c.cost_payer[own]] = 1.0
    agency_costs = np.einsum("bkt,ka->bat", cost_lines, payer_onehot)
    delivery = cost_lines[:, ~own, :].sum(axis=1) if (~own).any() else np.zeros((cost_lines.shape[0], H))

    payments, by_out, beyond, binds = outcome_payments(c, P, w, b, out["price"])
    B = max(x.shape[0] for x in (P, w, lines, cost_lines, payments, np.atleast_2d(rate)))

    def full(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, (B,) + x.shape[1:])

    return Flows(
        participants=full(P),
        gross=full(gross),
        deadweight=full(deadweight),
        additional=full(additional),
        benefit_lines=full(lines),
        fiscal=full(fiscal),
        cashable=full(cashable),
        economic=full(economic),
        social=full(social),
        cost_lines=full(cost_lines),
        agency_costs=full(agency_costs),
        delivery_costs=full(delivery),
        discount=full(discount_factors(rate, H, c.green_book)),
        payments=full(payments),
        payments_by_outcome=full(by_out),
        payments_beyond=full(beyond[:, None])[:, 0],
        cap_binds=full(binds[:, None])[:, 0],
    )


def outcome_payments(c: Compiled, P, w, b, price):
    """Outcome payments by year (B, T), by outcome before the cap, beyond-horizon total, cap binds.

    Cohort c's outcomes are paid in year c + lag; the running total is capped
    and the year that crosses the cap is paid in part.
    """
    H = c.horizon
    B = max(P.shape[0], w.shape[0], price.shape[0])
    O = w.shape[1]
    if c.contract_type in ("none", "fee_for_service") or O == 0:
        zeros = np.zeros((B, H))
        return zeros, np.zeros((B, O, H)), np.zeros(B), np.zeros(B, dtype=bool)
    if c.payment_basis == "gross":
        count = P[:, None, :] * w[:, :, None]
    else:
        count = np.maximum(0.0, P[:, None, :] * (w - b)[:, :, None])
    per_cohort = np.broadcast_to(count * price[:, :, None], (B, O, H))  # (B, O, C)
    L = c.payment_lag
    timeline = np.zeros((B, O, H + L))
    timeline[:, :, L:] = per_cohort  # cohort c is paid in year c + L
    total = timeline.sum(axis=1)  # (B, H + L)
    if c.cap is not None:
        cumulative = np.minimum(np.cumsum(total, axis=1), c.cap)
        capped = np.diff(cumulative, axis=1, prepend=0.0)
        binds = total.sum(axis=1) > c.cap
    else:
        capped = total
        binds = np.zeros(B, dtype=bool)
    return capped[:, :H], timeline[:, :, :H], capped[:, H:].sum(axis=1), binds
