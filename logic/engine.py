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

from .model import INVESTOR, Scenario

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
    cost_payer: np.ndarray  # (K,) agency index, PROVIDER_ROW or INVESTOR_ROW
    cost: dict[str, np.ndarray]  # setup, per_year, per_participant -> (1, K)
    contract_type: str
    payment_basis: str
    payment_lag: int
    cap: float | None
    margin: float
    payer_share: np.ndarray  # (A,) share of outcome payments by agency
    index: dict[str, tuple[str, int]] = field(default_factory=dict)  # parameter path -> (table, column)
    # Format 2 (each default gives format 1's arithmetic).
    price_base_year: int = 0
    inflation: float = 0.0
    health_rate: float = 0.015
    mid_year: bool = False
    agency_kinds: list[str] = field(default_factory=list)
    ben_transfer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (L,)
    ben_health: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (L,)
    cost_uplift: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) 1 + OB(cost grade)
    cost_profile: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (K, T)
    pay_lag: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # (O,) each outcome's lag
    pay_cap: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (O,) inf where none
    indexation: bool = False
    fixed_share: float = 0.0
    # Format 1 dropped outcome payments after the horizon; True reproduces that, for the notice
    # that tells a format-1 user how far the figures moved.
    cut_at_horizon: bool = False

    @property
    def contract_years(self) -> int:
        """Years the flows arrays cover: the horizon, plus the longest payment lag."""
        pays = self.contract_type in ("payment_by_results", "social_impact_bond") and len(self.outcome_ids) > 0
        return self.horizon + (int(self.pay_lag.max()) if pays else 0)

    def cash_index(self, years: int) -> np.ndarray:
        """I_t = (1 + inflation)^(start_year + t - price_base_year): a real amount times I_t is cash."""
        t = np.arange(years)
        return (1.0 + self.inflation) ** (self.start_year + t - self.price_base_year)


PROVIDER_ROW = -1
INVESTOR_ROW = -2


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

    ben_rows: list[tuple[int, int, int, float, float]] = []
    transfer: list[bool] = []
    health: list[bool] = []
    for o in outcomes:
        for j, b in enumerate(o.benefits):
            for f in BENEFIT_FIELDS:
                index[f"nodes.{o.id}.benefits[{j}].{f}"] = (f"ben.{f}", len(ben_rows))
            ben_rows.append(
                (o_index[o.id], a_index[b.agency], ("fiscal", "economic", "social").index(b.type), b.value, b.cashable)
            )
            transfer.append(b.transfer and b.type == "fiscal")
            health.append(b.discount == "health")
    cost_rows: list[tuple[int, float, float, float]] = []
    uplift: list[float] = []
    profiles = []
    for n in sc.nodes:
        for j, c in enumerate(n.costs):
            for f in COST_FIELDS:
                index[f"nodes.{n.id}.costs[{j}].{f}"] = (f"cost.{f}", len(cost_rows))
            if c.payer in a_index:
                payer = a_index[c.payer]
            else:
                payer = INVESTOR_ROW if c.payer == INVESTOR else PROVIDER_ROW
            cost_rows.append((payer, c.setup, c.per_year, c.per_participant))
            uplift.append(1.0 + (0.0 if c.evidence_grade is None else sc.optimism_bias_for(c.evidence_grade)))
            row = np.zeros(H)
            if c.profile:
                row[: len(c.profile)] = c.profile
            profiles.append(row)

    ben_arr = np.array(ben_rows, dtype=float).reshape(-1, 5)
    cost_arr = np.array(cost_rows, dtype=float).reshape(-1, 4)
    shares = np.zeros(len(agencies))
    for p in sc.contract.outcome_payers:
        shares[a_index[p.agency]] += p.share
    k = sc.contract
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
        contract_type=k.type,
        payment_basis=k.payment_basis,
        payment_lag=k.payment_lag_years,
        cap=k.cap,
        margin=k.provider_margin,
        payer_share=shares,
        index=index,
        price_base_year=s.price_base,
        inflation=s.inflation,
        health_rate=s.health_discount_rate,
        mid_year=sc.cohort.intake_timing == "mid",
        agency_kinds=[a.kind for a in sc.agencies],
        ben_transfer=np.array(transfer, dtype=bool),
        ben_health=np.array(health, dtype=bool),
        cost_uplift=np.array(uplift, dtype=float),
        cost_profile=np.array(profiles, dtype=float).reshape(-1, H),
        pay_lag=np.array(
            [k.payment_lag_years if o.payment_lag_years is None else o.payment_lag_years for o in outcomes], dtype=int
        ),
        pay_cap=np.array([np.inf if o.payment_cap is None else o.payment_cap for o in outcomes], dtype=float),
        indexation=k.indexation == "inflation",
        fixed_share=k.fixed_share,
    )


def parameter_paths(c: Compiled) -> list[str]:
    """Every path that `run` accepts as an override."""
    return list(c.index)


@dataclass
class Flows:
    """Yearly flows for every batch row, real (in price-base prices) unless named cash.

    T is the horizon (benefits and costs stay within it); X >= T is the
    contract's years (outcome payments for outcomes achieved within the
    horizon can fall after it). A name ending _pv holds each year's amount
    times that line's own discount factor (standard or health), so a PV is a
    sum over the year axis.
    """

    participants: np.ndarray  # (B, T)
    gross: np.ndarray  # (B, O, C)
    deadweight: np.ndarray  # (B, O, C)
    additional: np.ndarray  # (B, O, C)
    valued: np.ndarray  # (B, O) additional outcomes x (1 - OB), summed over cohorts
    benefit_lines: np.ndarray  # (B, L, T)
    fiscal: np.ndarray  # (B, A, T)
    cashable: np.ndarray  # (B, A, T)
    transfers: np.ndarray  # (B, A, T) the fiscal lines marked transfer
    economic: np.ndarray  # (B, A, T)
    social: np.ndarray  # (B, A, T)
    fiscal_pv: np.ndarray  # (B, A, T)
    cashable_pv: np.ndarray  # (B, A, T)
    transfers_pv: np.ndarray  # (B, A, T)
    economic_pv: np.ndarray  # (B, A, T)
    social_pv: np.ndarray  # (B, A, T)
    cost_lines: np.ndarray  # (B, K, T) optimism-bias uplift included
    agency_costs: np.ndarray  # (B, A, T) cost lines each agency pays itself
    delivery_costs: np.ndarray  # (B, T) cost lines paid by the provider
    investor_costs: np.ndarray  # (B, T) cost lines paid by the investor (bonds only)
    discount: np.ndarray  # (B, T) standard factors within the horizon
    discount_x: np.ndarray  # (B, X) the same schedule carried on over the contract's years
    cash_index: np.ndarray  # (X,) I_t
    payments: np.ndarray  # (B, X) outcome payments, cash, after the caps
    payments_real: np.ndarray  # (B, X) payments / I_t
    payments_by_outcome: np.ndarray  # (B, O, X) cash, after the caps
    payments_uncapped: np.ndarray  # (B, O, X) cash, before any cap
    payments_beyond: np.ndarray  # (B,) cash due after the horizon
    cap_binds: np.ndarray  # (B,) bool: the contract's cap
    outcome_cap_binds: np.ndarray  # (B, O) bool: each outcome's own cap


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


def discount_factors(rate: np.ndarray, horizon: int, green_book: bool, health: bool = False) -> np.ndarray:
    """(B, T) discount factors; year 0 is not discounted.

    green_book: `rate` for years 1..30, then the Green Book's declining table
    (3.0% .. 1.0%); health=True scales that table by rate / 3.5% (its health
    schedule: 1.5% gives 1.29% for years 31..75, and so on).
    """
    rate = np.asarray(rate, dtype=float).reshape(-1, 1)
    t = np.arange(horizon)
    if not green_book:
        return (1.0 + rate) ** (-t)
    s = np.arange(1, horizon)  # the rate that applies in year s, for s = 1..H-1
    later = np.select([s <= 75, s <= 125, s <= 200, s <= 300], [0.030, 0.025, 0.020, 0.015], 0.010)
    later = later[None, :] * (rate / 0.035) if health else np.broadcast_to(later, (rate.shape[0], s.size))
    yearly = np.where(s[None, :] <= 30, rate, later)
    yearly = np.broadcast_to(yearly, (rate.shape[0], horizon - 1))
    factors = np.cumprod(1.0 / (1.0 + yearly), axis=1)
    return np.concatenate([np.ones((rate.shape[0], 1)), factors], axis=1)


def persistence_kernel(
    lag: np.ndarray, duration: np.ndarray, drop_off: np.ndarray, horizon: int, mid_year: bool = False
) -> np.ndarray:
    """(B, O, K): the share of an intake year's outcome that yields benefit k years after intake.

    persist(j) = (1 - drop_off)^j for 0 <= j < duration, j = k - lag; else 0.
    Mid-year intake: (persist(j) + persist(j - 1)) / 2, every stream half a year later.
    """
    k = np.arange(horizon)
    j = k[None, :] - lag[:, None]  # (O, K)
    live = (j >= 0) & (j < duration[:, None])
    keep = 1.0 - drop_off  # (B, O)
    kernel = np.where(live[None], keep[:, :, None] ** np.maximum(j, 0)[None], 0.0)
    if mid_year:
        earlier = np.zeros_like(kernel)
        earlier[..., 1:] = kernel[..., :-1]
        kernel = 0.5 * (kernel + earlier)
    return kernel


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


def _by_agency(lines: np.ndarray, onehot: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B, L, T) lines -> (B, A, T), keeping the lines where mask is true (a matrix product: BLAS, not einsum)."""
    return np.matmul((onehot * mask[:, None]).T, lines)


def run(c: Compiled, params: dict[str, np.ndarray] | None = None, performance: np.ndarray | float = 1.0) -> Flows:
    """All yearly flows for the batch; `performance` is m (w' = b + m (w - b))."""
    out, ben, cost, engagement, rate = _apply(c, params or {})
    H = c.horizon
    X = c.contract_years
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
    kernel = persistence_kernel(c.lag, c.duration, out["drop_off"], H, c.mid_year)  # (B, O, K)
    additional_1 = P[:, None, :] * effect[:, :, None]  # (B, O, C) at m = 1
    valued_1 = additional_1 * (1.0 - c.optimism)[None, :, None]
    by_outcome = convolve_years(valued_1, kernel) * m[:, :, None]  # (B, O, T)
    additional = additional_1 * m[:, :, None]
    lines = by_outcome[:, c.ben_outcome, :] * ben["value"][:, :, None]  # (B, L, T)

    discount_x = discount_factors(rate, X, c.green_book)  # (B, X)
    discount = discount_x[:, :H]
    if c.ben_health.any():
        health = discount_factors(np.full(discount.shape[0], c.health_rate), H, c.green_book, health=True)
        factors = np.where(c.ben_health[None, :, None], health[:, None, :], discount[:, None, :])
        lines_pv = lines * factors
    else:
        lines_pv = lines * discount[:, None, :]

    onehot = np.zeros((len(c.ben_agency), A))
    onehot[np.arange(len(c.ben_agency)), c.ben_agency] = 1.0
    is_fiscal = c.ben_type == 0
    cash_share = ben["cashable"][:, :, None]

    def split(x: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "fiscal": _by_agency(x, onehot, is_fiscal),
            "cashable": _by_agency(x * cash_share, onehot, is_fiscal),
            "transfers": _by_agency(x, onehot, is_fiscal & c.ben_transfer),
            "economic": _by_agency(x, onehot, c.ben_type == 1),
            "social": _by_agency(x, onehot, c.ben_type == 2),
        }

    flat, flat_pv = split(lines), split(lines_pv)

    # Costs: setup in year 0, per_year in years with intake, per participant in the intake year,
    # plus the line's own profile; all uplifted by the optimism bias of the line's grade.
    year0 = (np.arange(H) == 0).astype(float)
    active = (c.intake > 0).astype(float)
    cost_lines = (
        cost["setup"][:, :, None] * year0
        + cost["per_year"][:, :, None] * active
        + cost["per_participant"][:, :, None] * P[:, None, :]
        + c.cost_profile[None]
    ) * c.cost_uplift[None, :, None]  # (B, K, T)
    payer_onehot = np.zeros((len(c.cost_payer), A))
    own = c.cost_payer >= 0
    payer_onehot[np.arange(len(c.cost_payer))[own], c.cost_payer[own]] = 1.0
    agency_costs = np.einsum("bkt,ka->bat", cost_lines, payer_onehot)
    delivery = cost_lines[:, c.cost_payer == PROVIDER_ROW, :].sum(axis=1)
    investor = cost_lines[:, c.cost_payer == INVESTOR_ROW, :].sum(axis=1)

    index = c.cash_index(X)
    pay = outcome_payments(c, P, w, b, out["price"], index)
    B = max(x.shape[0] for x in (P, w, lines, cost_lines, pay["cash"], discount))

    def full(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, (B,) + x.shape[1:])

    return Flows(
        participants=full(P),
        gross=full(gross),
        deadweight=full(deadweight),
        additional=full(additional),
        valued=full((valued_1 * m[:, :, None]).sum(axis=2)),
        benefit_lines=full(lines),
        **{k: full(v) for k, v in flat.items()},
        **{f"{k}_pv": full(v) for k, v in flat_pv.items()},
        cost_lines=full(cost_lines),
        agency_costs=full(agency_costs),
        delivery_costs=full(delivery),
        investor_costs=full(investor),
        discount=full(discount),
        discount_x=full(discount_x),
        cash_index=index,
        payments=full(pay["cash"]),
        payments_real=full(pay["cash"] / index),
        payments_by_outcome=full(pay["by_outcome"]),
        payments_uncapped=full(pay["uncapped"]),
        payments_beyond=full(pay["beyond"][:, None])[:, 0],
        cap_binds=full(pay["binds"][:, None])[:, 0],
        outcome_cap_binds=full(pay["outcome_binds"]),
    )


def outcome_payments(c: Compiled, P, w, b, price, index: np.ndarray) -> dict[str, np.ndarray]:
    """Outcome payments in cash over the contract's years (DESIGN.md, format 2).

    Cohort c of outcome o is paid in year c + lag_o: count x price (x I_t under
    indexation). Each outcome's running total is capped at its own cap, then
    the running total of all outcomes at the contract's cap; a year that
    crosses a cap is paid in part, a cut within a year shared pro rata.
    """
    H, X = c.horizon, c.contract_years
    B = max(P.shape[0], w.shape[0], price.shape[0])
    O = w.shape[1]
    if c.contract_type in ("none", "fee_for_service") or O == 0:
        zeros = np.zeros((B, X))
        return {
            "cash": zeros,
            "by_outcome": np.zeros((B, O, X)),
            "uncapped": np.zeros((B, O, X)),
            "beyond": np.zeros(B),
            "binds": np.zeros(B, dtype=bool),
            "outcome_binds": np.zeros((B, O), dtype=bool),
        }
    if c.payment_basis == "gross":
        count = P[:, None, :] * w[:, :, None]
    else:
        count = np.maximum(0.0, P[:, None, :] * (w - b)[:, :, None])
    per_cohort = np.broadcast_to(count * price[:, :, None], (B, O, H))  # (B, O, C), real prices
    uncapped = np.zeros((B, O, X))
    for o in range(O):  # each outcome's cohorts land its own lag later
        lag = int(c.pay_lag[o])
        uncapped[:, o, lag : lag + H] = per_cohort[:, o, :]
    if c.indexation:
        uncapped *= index
    by_outcome = uncapped
    outcome_binds = np.zeros((B, O), dtype=bool)
    if np.isfinite(c.pay_cap).any():
        cap = c.pay_cap[None, :, None]
        cumulative = np.cumsum(uncapped, axis=2)
        by_outcome = np.diff(np.minimum(cumulative, cap), axis=2, prepend=0.0)
        outcome_binds = cumulative[:, :, -1] > c.pay_cap[None, :]
    total = by_outcome.sum(axis=1)  # (B, X)
    if c.cap is not None:
        cumulative = np.cumsum(total, axis=1)
        capped = np.diff(np.minimum(cumulative, c.cap), axis=1, prepend=0.0)
        binds = cumulative[:, -1] > c.cap
        with np.errstate(divide="ignore", invalid="ignore"):
            kept = np.where(total > 0, capped / np.where(total > 0, total, 1.0), 0.0)
        by_outcome = by_outcome * kept[:, None, :]
    else:
        capped = total
        binds = np.zeros(B, dtype=bool)
    beyond = capped[:, H:].sum(axis=1)
    if c.cut_at_horizon:
        capped = capped.copy()
        capped[:, H:] = 0.0
        by_outcome = by_outcome.copy()
        by_outcome[:, :, H:] = 0.0
    return {
        "cash": capped,
        "by_outcome": by_outcome,
        "uncapped": uncapped,
        "beyond": beyond,
        "binds": binds,
        "outcome_binds": outcome_binds,
    }
