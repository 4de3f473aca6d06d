"""Monte Carlo, tornado and switching values, on the same batched engine as `evaluate`.

All draws are taken at once and run as one batch (a draws axis), never a
Python loop over draws. How the inputs are drawn (each distribution, mixtures,
correlations through a Gaussian copula) is logic.sampling; the summary gives
each figure's `central` value (evaluate's) beside its mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import contract, finance, sampling
from .engine import UNIT_FIELDS, Compiled, compile_scenario, run
from .model import Problem, Scenario, UncertainParameter

PERCENTILES = (5, 50, 95)


def field_of(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def valid_range(path: str) -> tuple[float, float]:
    """Where a drawn value must lie: [0, 1] for rates and shares, [0, inf) for amounts."""
    f = field_of(path)
    if f in UNIT_FIELDS:
        return 0.0, 1.0
    if f == "discount_rate":
        return 0.0, 0.2
    return 0.0, math.inf


def central_value(c: Compiled, path: str) -> float:
    table, col = c.index[path]
    if table == "engagement":
        return float(c.engagement[0])
    if table == "discount_rate":
        return float(c.discount_rate[0])
    group, name = table.split(".")
    return float({"out": c.out, "ben": c.ben, "cost": c.cost}[group][name][0, col])


def parameter_problems(sc: Scenario, c: Compiled | None = None) -> list[Problem]:
    """Uncertain parameters must name a real input and have a sensible range."""
    c = c or compile_scenario(sc)
    out = []
    for i, p in enumerate(sc.uncertainty.parameters):
        where = f"uncertainty.parameters[{i}]"
        if p.path not in c.index:
            out.append(
                Problem(
                    where,
                    f"path '{p.path}' is not an input that can vary (e.g. nodes.ID.rate_with, "
                    "cohort.engagement_rate, nodes.ID.benefits[0].value)",
                )
            )
            continue
        if p.low > p.high:
            out.append(Problem(where, f"low ({p.low:g}) must not be above high ({p.high:g})"))
        if p.mode is not None and p.dist != "mixture" and not p.low <= p.mode <= p.high:
            out.append(Problem(where, f"mode ({p.mode:g}) must lie between low and high"))
        lo, hi = valid_range(p.path)
        # A mixture's range taken from its components is checked component by component instead.
        if (p.low < lo or p.high > hi) and not sampling.spans_components(p):
            out.append(Problem(where, f"the range {p.low:g}..{p.high:g} goes outside the valid {lo:g}..{hi:g}"))
        if p.sd is not None and p.sd < 0:
            out.append(Problem(where, "sd must be 0 or more"))
        out += sampling.mixture_problems(p, where, (lo, hi))
    if sc.uncertainty.correlations:
        out += sampling.correlation_problems(sc.uncertainty.parameters, sc.uncertainty.correlations)
    return out


def draw(p: UncertainParameter, n: int, rng: np.random.Generator) -> np.ndarray:
    """n independent draws of one parameter; normal draws are clipped to the input's valid range."""
    if p.dist == "mixture":
        return sampling.value_at(p, rng.random(n), valid_range(p.path))
    return sampling.draw_direct(p, n, rng, valid_range(p.path))


def draw_inputs(sc: Scenario, n: int, rng: np.random.Generator, parameters=None) -> dict[str, np.ndarray]:
    """n draws of every uncertain input, correlated as the scenario says (sampling.draw_inputs)."""
    params = sc.uncertainty.parameters if parameters is None else parameters
    return sampling.draw_inputs(params, sc.uncertainty.correlations or [], n, rng, valid_range)


def metrics(c: Compiled, params: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """The figures the Monte Carlo reports, one value per batch row."""
    f = run(c, params)
    head = finance.headline(f)
    out = {k: head[k] for k in ("npv_fiscal", "npv_public_value", "bcr_fiscal")}
    if c.contract_type == "social_impact_bond":
        out["investor_irr"] = contract.investor_metrics(c, f)["irr"]
    for party, value in contract.positions(c, f).items():
        out[f"party:{party}"] = value
    return out


@dataclass
class Simulation:
    draws: int
    seed: int
    samples: dict[str, np.ndarray]  # metric -> (draws,)
    inputs: dict[str, np.ndarray]  # path -> (draws,)
    # metric -> its figure at the central inputs (evaluate's figure); nan where undefined
    central: dict[str, float] = field(default_factory=dict)

    def summary(self, name: str) -> dict[str, Any]:
        x = self.samples[name]
        ok = x[~np.isnan(x)]
        centre = self.central.get(name, math.nan)
        central = None if math.isnan(centre) else centre
        if ok.size == 0:
            return {
                "central": central,
                "mean": None,
                "p5": None,
                "p50": None,
                "p95": None,
                "p_below_zero": None,
                "defined": 0,
            }
        p = np.percentile(ok, PERCENTILES)
        return {
            "central": central,
            "mean": float(ok.mean()),
            "p5": float(p[0]),
            "p50": float(p[1]),
            "p95": float(p[2]),
            "p_below_zero": float((ok < 0).mean()),
            "defined": int(ok.size),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"draws": self.draws, "seed": self.seed, "metrics": {k: self.summary(k) for k in self.samples}}


# Draws evaluated together at most: bounds the engine's working memory (draws x outcomes x years).
MAX_CHUNK_DRAWS = 20_000


def simulate(
    sc: Scenario,
    draws: int | None = None,
    seed: int | None = None,
    parameters: list[UncertainParameter] | None = None,
    compiled: Compiled | None = None,
    chunks: int = 1,
    progress: Callable[[float], None] | None = None,
) -> Simulation:
    c = compiled or compile_scenario(sc)
    draws = sc.uncertainty.draws if draws is None else int(draws)
    seed = sc.uncertainty.seed if seed is None else int(seed)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    params = sc.uncertainty.parameters if parameters is None else parameters
    rng = np.random.default_rng(seed)
    inputs = draw_inputs(sc, draws, rng, params)
    # All inputs are drawn first, so running in chunks (to report progress, or to keep the working
    # arrays small for a million draws) gives the same figures.
    chunks = max(1, min(max(chunks, math.ceil(draws / MAX_CHUNK_DRAWS)), draws))
    bounds = np.linspace(0, draws, chunks + 1).astype(int)
    parts: list[dict[str, np.ndarray]] = []
    for i in range(chunks):
        lo, hi = bounds[i], bounds[i + 1]
        part = metrics(c, {k: v[lo:hi] for k, v in inputs.items()} or None)
        parts.append({k: np.broadcast_to(v, (hi - lo,)) for k, v in part.items()})
        if progress is not None:
            progress((i + 1) / chunks)
    samples = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    central = {k: float(v[0]) for k, v in metrics(c, None).items()}
    return Simulation(draws=draws, seed=seed, samples=samples, inputs=inputs, central=central)


def tornado(
    sc: Scenario,
    metric: str = "npv_fiscal",
    parameters: list[UncertainParameter] | None = None,
    compiled: Compiled | None = None,
) -> list[dict[str, Any]]:
    """Each parameter at its low and its high with the rest central; sorted by swing, largest first."""
    c = compiled or compile_scenario(sc)
    params = sc.uncertainty.parameters if parameters is None else parameters
    if not params:
        return []
    n = len(params)
    batch: dict[str, np.ndarray] = {}
    for i, p in enumerate(params):
        values = batch.setdefault(p.path, np.full(2 * n, central_value(c, p.path)))
        values[2 * i], values[2 * i + 1] = p.low, p.high
    result = metrics(c, batch)[metric]
    base = float(metrics(c, None)[metric][0])
    rows = [
        {
            "path": p.path,
            "low": p.low,
            "high": p.high,
            "at_low": float(result[2 * i]),
            "at_high": float(result[2 * i + 1]),
            "central": base,
        }
        for i, p in enumerate(params)
    ]
    return sorted(rows, key=lambda r: -abs(r["at_high"] - r["at_low"]))


def input_switching_value(
    c: Compiled, path: str, metric: str, lo: float | None = None, hi: float | None = None, points: int = 201
) -> float | None:
    """The value of one input (the rest central) at which `metric` crosses zero, nearest the central value.

    Searched over the input's valid range (amounts up to 10x their central
    value); None when the metric keeps its sign throughout.
    """
    centre = central_value(c, path)
    vlo, vhi = valid_range(path)
    lo = vlo if lo is None else lo
    hi = (vhi if math.isfinite(vhi) else max(10 * centre, 1.0)) if hi is None else hi
    grid = np.linspace(lo, hi, points)
    values = metrics(c, {path: grid})[metric]
    s = np.sign(values)
    crossings = np.flatnonzero((s[:-1] != s[1:]) & ~np.isnan(values[:-1]) & ~np.isnan(values[1:]))
    if crossings.size == 0:
        return None
    k = crossings[np.argmin(np.abs(grid[crossings] - centre))]
    return _refine(lambda x: metrics(c, {path: x})[metric], grid[k], grid[k + 1], values[k], values[k + 1])


def _refine(f: Callable[[np.ndarray], np.ndarray], lo: float, hi: float, f_lo: float, f_hi: float) -> float:
    """False position with the Illinois fix, for one bracketed root."""
    side = 0
    x = lo
    for _ in range(100):
        if f_hi == f_lo:
            break
        x = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        fx = float(f(np.array([x]))[0])
        if abs(fx) <= 1e-9 * max(abs(f_lo), abs(f_hi), 1.0) or hi - lo < 1e-13:
            break
        if np.sign(fx) == np.sign(f_lo):
            lo, f_lo = x, fx
            if side == 1:
                f_hi /= 2
            side = 1
        else:
            hi, f_hi = x, fx
            if side == -1:
                f_lo /= 2
            side = -1
    return float(x)


def key_inputs(sc: Scenario) -> list[str]:
    """The inputs whose switching values are worth showing: rates, engagement, unit values."""
    paths = ["cohort.engagement_rate"]
    for o in sc.outcomes:
        paths.append(f"nodes.{o.id}.rate_with")
        paths += [f"nodes.{o.id}.benefits[{j}].value" for j, b in enumerate(o.benefits) if b.type == "fiscal"]
    return paths


def default_range(sc: Scenario, path: str) -> UncertainParameter:
    """A starting range for an input, wider for weaker evidence (grade 1 +-5% .. grade 6 +-40%)."""
    c = compile_scenario(sc)
    centre = central_value(c, path)
    grade = 3
    parts = path.split(".")
    if parts[0] == "nodes":
        node = next((n for n in sc.nodes if path.startswith(f"nodes.{n.id}.")), None)
        if node is not None and node.stage == "outcome":
            grade = node.evidence_grade
    spread = {1: 0.05, 2: 0.10, 3: 0.15, 4: 0.20, 5: 0.30, 6: 0.40}.get(grade, 0.20)
    lo_ok, hi_ok = valid_range(path)
    low = max(lo_ok, centre * (1 - spread))
    high = min(hi_ok, centre * (1 + spread))
    return UncertainParameter(path=path, dist="triangular", low=low, mode=centre, high=high)
