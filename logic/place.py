"""A place: several programmes on one calendar, and the pooled fund that pays for them (DESIGN.md, "A place").

Each programme is evaluated on its own (logic.evaluation), then its yearly flows are put on the place's
calendar: the cash each agency banks and pays (as in the financial case) feeds the fund, and the real costs
and benefits, discounted with the place's own factors, give the combined economic case.

    loaded = load_place("anytown.yaml")
    result = evaluate_place(loaded)        # result.to_dict() == `python -m logic place FILE --json`
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .contract import funding
from .engine import discount_factors
from .evaluation import HEADLINE_KEYS, Evaluation, evaluate
from .financial import contract_years
from .model import Problem
from .place_loading import LoadedPlace, PlaceError, load_place, parse_place, resolve_place
from .place_model import FORMAT_PLACE, Place

__all__ = [
    "EXAMPLE_PLACE",
    "FORMAT_PLACE",
    "LoadedPlace",
    "Place",
    "PlaceError",
    "PlaceResult",
    "ProgrammeCash",
    "evaluate_place",
    "load_place",
    "parse_place",
    "resolve_place",
]

CASH_ITEMS = ("own_costs", "funding", "outcome_payments")
EXAMPLE_PLACE = Path(__file__).parent / "examples" / "places" / "anytown.yaml"


@dataclass
class ProgrammeCash:
    """One programme on the place's calendar: by agency (its own order), cash by place year, and real flows."""

    offset: int
    years: int  # its own years: the horizon, or to its last outcome payment if later
    agency_ids: list[str]
    cashable: np.ndarray  # (A, L) cash banked
    items: dict[str, np.ndarray]  # CASH_ITEMS -> (A, L) cash paid
    costs_real: np.ndarray  # (L,) every cost line, uplifted (the economic case's costs)
    benefits_real: dict[str, np.ndarray]  # fiscal, transfers, economic, social -> (2, L): standard, health lines


@dataclass
class PlaceResult:
    loaded: LoadedPlace
    evaluations: list[Evaluation]
    cash: list[ProgrammeCash]
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.figures

    def __getitem__(self, key: str) -> Any:
        return self.figures[key]


def evaluate_place(loaded: LoadedPlace) -> PlaceResult:
    """Every figure of the place, or PlaceError where the fund does not fit its calendar."""
    place = loaded.place
    evaluations = [evaluate(sc) for sc in loaded.programmes]
    offsets = [place.start_of(i) - place.settings.start_year for i in range(len(evaluations))]
    own_years = [contract_years(ev.flows) for ev in evaluations]
    lag = place.fund.savings_lag_years
    length = max([place.settings.horizon_years] + [o + n for o, n in zip(offsets, own_years)]) + lag
    _check_contributions(place, length)
    cash = [_on_calendar(ev, o, n, length) for ev, o, n in zip(evaluations, offsets, own_years)]
    fund = fund_flows(place, cash, length)
    figures: dict[str, Any] = {
        "name": place.name,
        "currency": place.settings.currency,
        "price_base_year": place.settings.price_base,
        "years": [place.settings.start_year + t for t in range(length)],
        "fund": fund,
        "agencies": agency_cash(place, cash, length),
        "economic": economic_case(place, cash, length),
        "programmes": [
            {
                "name": ev.scenario.name,
                "start_year": place.start_of(i),
                "scale": place.programmes[i].scale,
                "source": place.programmes[i].source,
                "headline": {k: ev.figures[k] for k in (*HEADLINE_KEYS, "payback_year")},
            }
            for i, ev in enumerate(evaluations)
        ],
        "double_counting": double_counting(loaded),
        "warnings": loaded.warnings + shared_need_warnings(loaded),
    }
    return PlaceResult(loaded, evaluations, cash, figures)


def _check_contributions(place: Place, length: int) -> None:
    problems = [
        Problem(
            f"fund.contributions[{j}]",
            f"agency '{c.agency}' has {len(c.by_year)} years of contributions and the place's calendar "
            f"{length} ({place.settings.start_year}-{place.settings.start_year + length - 1})",
        )
        for j, c in enumerate(place.fund.contributions)
        if len(c.by_year) > length
    ]
    if problems:
        raise PlaceError(problems)


def _shift(x: np.ndarray, offset: int, length: int) -> np.ndarray:
    """(..., n) programme years -> (..., length) place years, zeros around."""
    out = np.zeros(x.shape[:-1] + (length,))
    n = min(x.shape[-1], length - offset)
    out[..., offset : offset + n] = x[..., :n]
    return out


def _on_calendar(ev: Evaluation, offset: int, years: int, length: int) -> ProgrammeCash:
    c, f = ev.compiled, ev.flows
    index = f.cash_index[:years]
    H = f.cashable.shape[-1]
    A = len(c.agency_ids)
    funds = funding(c, f)
    funded = np.zeros((A, H))
    for i, a in enumerate(c.agency_ids):
        if a in funds:
            funded[i] = funds[a][0]
    payments = f.payments[0, :years]
    items = {
        "own_costs": f.agency_costs[0] * index[:H],
        "funding": funded * index[:H],
        "outcome_payments": c.payer_share[:, None] * payments[None, :],
    }
    lines = f.benefit_lines[0]  # (L, H) real, each benefit line
    kinds = {
        "fiscal": c.ben_type == 0,
        "transfers": (c.ben_type == 0) & c.ben_transfer,
        "economic": c.ben_type == 1,
        "social": c.ben_type == 2,
    }
    health = c.ben_health if c.ben_health.size else np.zeros(len(c.ben_type), dtype=bool)
    benefits = {
        k: _shift(np.stack([lines[mask & ~health].sum(axis=0), lines[mask & health].sum(axis=0)]), offset, length)
        for k, mask in kinds.items()
    }
    return ProgrammeCash(
        offset=offset,
        years=years,
        agency_ids=list(c.agency_ids),
        cashable=_shift(f.cashable[0] * index[:H], offset, length),
        items={k: _shift(v, offset, length) for k, v in items.items()},
        costs_real=_shift(f.cost_lines[0].sum(axis=0), offset, length),
        benefits_real=benefits,
    )


def contributions_by_agency(place: Place, length: int) -> dict[str, np.ndarray]:
    """Each member's contributions by place year (zeros after its list ends)."""
    out = {m: np.zeros(length) for m in place.fund.members}
    for c in place.fund.contributions:
        out[c.agency][: len(c.by_year)] += np.asarray(c.by_year, dtype=float)
    return out


def member_totals(place: Place, cash: list[ProgrammeCash], length: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The members' cashable savings, and each cash item, summed over members and programmes, by place year."""
    members = set(place.fund.members)
    saved = np.zeros(length)
    items = {k: np.zeros(length) for k in CASH_ITEMS}
    for p in cash:
        rows = [i for i, a in enumerate(p.agency_ids) if a in members]
        saved += p.cashable[rows].sum(axis=0)
        for k in CASH_ITEMS:
            items[k] += p.items[k][rows].sum(axis=0)
    return saved, items


def fund_flows(place: Place, cash: list[ProgrammeCash], length: int) -> dict[str, Any]:
    fund = place.fund
    saved, items = member_totals(place, cash, length)
    outflow = sum((items[k] for k in fund.pays_for), start=np.zeros(length))
    lag = fund.savings_lag_years
    savings_in = np.zeros(length)
    savings_in[lag:] = (1.0 - fund.savings_returned) * saved[: length - lag]
    contributions = sum(contributions_by_agency(place, length).values(), start=np.zeros(length))
    inflow = contributions + savings_in
    balance = np.zeros(length)
    before = fund.opening_balance
    for t in range(length):
        rate = fund.bridge_rate if before < 0 else fund.balance_rate
        balance[t] = before * (1.0 + rate) + inflow[t] - outflow[t]
        before = balance[t]
    previous = np.concatenate([[fund.opening_balance], balance[:-1]])
    # Savings paid in cover the outflow and any interest: the balance does not fall without that year's money.
    pays_its_way = balance - previous - contributions >= -1e-6
    sustaining = None
    for t in range(length - 1, -1, -1):
        if not pays_its_way[t]:
            break
        sustaining = t
    return {
        "contributions_by_year": contributions.tolist(),
        "savings_in_by_year": savings_in.tolist(),
        "inflow_by_year": inflow.tolist(),
        "outflow_by_year": outflow.tolist(),
        "balance_by_year": balance.tolist(),
        "bridge_needed": max(0.0, -float(balance.min())),
        "self_sustaining_year": sustaining,
    }


def agency_order(cash: list[ProgrammeCash]) -> list[str]:
    return list(dict.fromkeys(a for p in cash for a in p.agency_ids))


def agency_cash(place: Place, cash: list[ProgrammeCash], length: int) -> dict[str, dict[str, list[float]]]:
    """Each agency's net cash by place year: a member keeps its returned share and pays what the fund does not."""
    fund = place.fund
    contributions = contributions_by_agency(place, length)
    out: dict[str, dict[str, list[float]]] = {}
    for a in agency_order(cash):
        member = a in fund.members
        net = np.zeros(length)
        for p in cash:
            if a not in p.agency_ids:
                continue
            i = p.agency_ids.index(a)
            kept = fund.savings_returned if member else 1.0
            net += kept * p.cashable[i]
            for k in CASH_ITEMS:
                if not (member and k in fund.pays_for):
                    net -= p.items[k][i]
        if member:
            net -= contributions[a]
        out[a] = {"net_cash_by_year": net.tolist()}
    return out


def place_factors(place: Place, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The place's standard and health discount factors over its calendar (year 0 = its start year)."""
    s = place.settings
    green_book = s.discount_schedule == "green_book"
    standard = discount_factors(np.array([s.discount_rate]), length, green_book)[0]
    health = discount_factors(np.array([s.health_discount_rate]), length, green_book, health=True)[0]
    return standard, health


def economic_case(place: Place, cash: list[ProgrammeCash], length: int) -> dict[str, float | None]:
    """The combined economic case: real, every line on the calendar, discounted with the place's factors."""
    standard, health = place_factors(place, length)
    factors = np.stack([standard, health])

    def pv(kind: str) -> float:
        return float(sum((p.benefits_real[kind] * factors).sum() for p in cash))

    pv_costs = float(sum((p.costs_real * standard).sum() for p in cash))
    fiscal, transfers, economic, social = pv("fiscal"), pv("transfers"), pv("economic"), pv("social")
    public_value = fiscal - transfers + economic + social
    return {
        "pv_costs": pv_costs,
        "pv_fiscal": fiscal,
        "pv_transfers": transfers,
        "pv_economic": economic,
        "pv_social": social,
        "npv_fiscal": fiscal - pv_costs,
        "npv_public_value": public_value - pv_costs,
        "bcr_public_value": public_value / pv_costs if pv_costs > 0 else None,
    }


def double_counting(loaded: LoadedPlace) -> list[dict[str, Any]]:
    """Pairs of programmes whose benefit lines credit the same agency with the same unit-cost code."""
    coded = [{(b.agency, b.code) for n in sc.nodes for b in n.benefits if b.code} for sc in loaded.programmes]
    out = []
    for i in range(len(coded)):
        for j in range(i + 1, len(coded)):
            for agency, code in sorted(coded[i] & coded[j]):
                out.append({"programmes": [i, j], "agency": agency, "code": code})
    return out


def _need_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def shared_need_warnings(loaded: LoadedPlace) -> list[str]:
    """A need that two programmes share (same label): their combined intake should not exceed its population."""
    place = loaded.place
    start = place.settings.start_year
    needs: dict[str, list[tuple[int, float | None, str]]] = {}
    for i, sc in enumerate(loaded.programmes):
        for n in sc.nodes_of("need"):
            needs.setdefault(_need_key(n.label), []).append((i, n.population, n.label))
    out = []
    for entries in needs.values():
        programmes = sorted({i for i, _, _ in entries})
        population = next((pop for _, pop, _ in entries if pop is not None), None)
        if len(programmes) < 2 or population is None:
            continue
        length = max(place.start_of(i) - start + len(loaded.programmes[i].cohort.intake) for i in programmes)
        combined = np.zeros(length)
        for i in programmes:
            intake = np.asarray(loaded.programmes[i].cohort.intake, dtype=float)
            combined = combined + _shift(intake, place.start_of(i) - start, length)
        over = np.flatnonzero(combined > population + 1e-9)
        if over.size:
            t = int(over[0])
            names = " and ".join(f"{i + 1} ({loaded.programmes[i].name})" for i in programmes)
            out.append(
                f"Programmes {names} share the need '{entries[0][2]}': in {start + t} they take in "
                f"{combined[t]:,.0f} people between them, more than its population of {population:,.0f}."
            )
    return out
