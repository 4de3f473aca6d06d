"""Drawing the uncertain inputs: each distribution, mixtures (linear opinion pools) and the Gaussian copula.

All draws are taken at once as arrays, never a Python loop over draws.

A parameter in no correlation and not a mixture is drawn exactly as format 1
drew it (numpy's own triangular, beta, uniform and normal generators, one
parameter after another from the seeded generator), so a file without
correlations or mixtures gives the figures it always gave. The rest are drawn
together afterwards through a Gaussian copula (DESIGN.md, "Uncertainty"):
standard normals made correlated by the Cholesky factor of the correlation
matrix, turned into uniforms by the normal CDF, then into each parameter's
value by its inverse CDF. A mixture's inverse CDF is the inverse of its
weighted CDF, worked out on a fine grid, so its draws follow the mixture and
keep the rank order the copula gave them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from .model import Correlation, MixtureComponent, Problem, UncertainParameter

# The normal 95% interval: a normal with no sd has low..high as its 95% range.
Z95 = 1.959964
GRID_POINTS = 400  # per component of a mixture: its CDF is linear between them
NORMAL_TAIL = 9.0  # a normal component's grid reaches this many sd either side (beyond: < 1e-18)
_U_EDGE = 1e-15  # uniforms kept inside (0, 1), so a normal's inverse CDF stays finite


class Shape(Protocol):
    """What a distribution needs: a parameter and a mixture's component both have these."""

    @property
    def dist(self) -> str: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def mode(self) -> float | None: ...
    @property
    def sd(self) -> float | None: ...


def mode_of(p: Shape) -> float:
    return p.mode if p.mode is not None else 0.5 * (p.low + p.high)


def sd_of(p: Shape) -> float:
    """A normal's sd: given, or so that low..high is its 95% interval."""
    return p.sd if p.sd is not None else (p.high - p.low) / (2 * Z95)


def pert_shape(p: Shape) -> tuple[float, float]:
    """The Beta(a, b) of a PERT on low..high with its mode (the classic weight 4 on the mode)."""
    span = p.high - p.low
    m = mode_of(p)
    return 1.0 + 4.0 * (m - p.low) / span, 1.0 + 4.0 * (p.high - m) / span


# --- independent draws, exactly as format 1 made them --------------------------------------------------


def draw_direct(p: Shape, n: int, rng: np.random.Generator, valid: tuple[float, float]) -> np.ndarray:
    """n draws of one (non-mixture) parameter from numpy's generators; normal draws clipped to `valid`."""
    mode = mode_of(p)
    if p.high == p.low:
        return np.full(n, p.low)
    if p.dist == "uniform":
        return rng.uniform(p.low, p.high, n)
    if p.dist == "triangular":
        return rng.triangular(p.low, mode, p.high, n)
    if p.dist == "pert":
        a, b = pert_shape(p)
        return p.low + (p.high - p.low) * rng.beta(a, b, n)
    return np.clip(rng.normal(mode, sd_of(p), n), *valid)


# --- inverse CDFs and CDFs --------------------------------------------------------------------------------


def inverse_cdf(p: Shape, u: np.ndarray, valid: tuple[float, float]) -> np.ndarray:
    """The value at each probability u (in [0, 1]) of one triangular, pert, uniform or normal."""
    lo, hi = p.low, p.high
    if hi == lo:
        return np.full(u.shape, lo)
    if p.dist == "uniform":
        return lo + u * (hi - lo)
    if p.dist == "triangular":
        m = mode_of(p)
        c = (m - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (m - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - m))
        return np.where(u < c, left, right)
    if p.dist == "pert":
        from scipy.special import betaincinv

        a, b = pert_shape(p)
        return lo + (hi - lo) * betaincinv(a, b, u)
    from scipy.special import ndtri

    z = ndtri(np.clip(u, _U_EDGE, 1.0 - _U_EDGE))
    return np.clip(mode_of(p) + sd_of(p) * z, *valid)


def cdf(p: Shape, x: np.ndarray, valid: tuple[float, float]) -> np.ndarray:
    """P(value <= x) for one triangular, pert, uniform or normal (a normal clipped to `valid`)."""
    lo, hi = p.low, p.high
    if hi == lo:
        return (x >= lo).astype(float)
    if p.dist == "uniform":
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    if p.dist == "triangular":
        m = mode_of(p)
        t = np.clip(x, lo, hi)
        d_left, d_right = (hi - lo) * (m - lo), (hi - lo) * (hi - m)
        left = (t - lo) ** 2 / d_left if d_left > 0 else np.zeros_like(t)
        right = 1.0 - (hi - t) ** 2 / d_right if d_right > 0 else np.ones_like(t)
        return np.where(t < m, left, right)
    if p.dist == "pert":
        from scipy.special import betainc

        a, b = pert_shape(p)
        return betainc(a, b, np.clip((x - lo) / (hi - lo), 0.0, 1.0))
    from scipy.special import ndtr

    m, sd = mode_of(p), sd_of(p)
    inside = (x >= m).astype(float) if sd <= 0 else ndtr((x - m) / sd)
    return np.where(x < valid[0], 0.0, np.where(x >= valid[1], 1.0, inside))


def _support(p: MixtureComponent, valid: tuple[float, float]) -> tuple[float, float, list[float]]:
    """Where a component's mass lies (for the grid), and the points where its CDF jumps."""
    if p.high == p.low:
        return p.low, p.low, [p.low]
    if p.dist != "normal":
        return p.low, p.high, []
    m, sd = mode_of(p), sd_of(p)
    a, b = max(valid[0], m - NORMAL_TAIL * sd), min(valid[1], m + NORMAL_TAIL * sd)
    jumps = [x for x, cut in ((valid[0], a == valid[0]), (valid[1], b == valid[1])) if cut]
    if sd == 0:
        jumps.append(min(max(m, valid[0]), valid[1]))
    return a, b, jumps


class Mixture:
    """A linear opinion pool: CDF F(x) = sum of weight_k F_k(x); its inverse on a fine grid."""

    def __init__(self, components: Sequence[MixtureComponent], valid: tuple[float, float]):
        self.components = list(components)
        self.valid = valid
        # Each opinion's own stretch of grid, finer when there are few (a room of 40 shares 8,000 points).
        points = max(64, min(GRID_POINTS, 8000 // max(len(self.components), 1)))
        pieces, jumps, own = [], [], []
        for comp in self.components:
            a, b, j = _support(comp, valid)
            xs = np.linspace(a, b, points) if b > a else np.array([a])
            if b > a:  # its kink (a mode) and the points just below its jumps are worked out exactly
                extra = [mode_of(comp)] if comp.dist != "normal" else []
                extra += [float(np.nextafter(x, -np.inf)) for x in j if a < x <= b]
                xs = np.unique(np.append(xs, extra))
            own.append(xs)
            pieces.append(xs)
            jumps += j
        # Just below each jump too, so a draw that lands in a jump comes out at the jump's point.
        pieces.append(np.nextafter(np.array(jumps, dtype=float), -np.inf))
        grid = np.unique(np.concatenate(pieces))
        # F on the grid: each component's CDF worked out on its own points and read between them
        # (0 before its support, its weight after), so a room of 40 costs 40 x `points` CDF values.
        F = np.zeros(grid.shape)
        for comp, xs in zip(self.components, own):
            a, b = xs[0], xs[-1]
            i0, i1 = np.searchsorted(grid, a, side="left"), np.searchsorted(grid, b, side="right")
            if b > a:
                F[i0:i1] += comp.weight * np.interp(grid[i0:i1], xs, cdf(comp, xs, valid))
                F[i1:] += comp.weight
            else:  # all its mass at one point
                F[i0:] += comp.weight
        self.grid = grid
        self.F = np.maximum.accumulate(np.clip(F, 0.0, 1.0))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return sum((c.weight * cdf(c, x, self.valid) for c in self.components), np.zeros(x.shape))

    def inverse(self, u: np.ndarray) -> np.ndarray:
        """The smallest grid-interpolated x with F(x) >= u: draws keep the order of their uniforms."""
        F, x = self.F, self.grid
        i = np.searchsorted(F, u, side="right")  # F[i - 1] <= u < F[i]
        hi = np.minimum(i, len(F) - 1)
        lo = np.maximum(hi - 1, 0)
        span = F[hi] - F[lo]
        t = np.where(span > 0, (u - F[lo]) / np.where(span > 0, span, 1.0), 1.0)
        out = x[lo] + np.clip(t, 0.0, 1.0) * (x[hi] - x[lo])
        # A draw in a jump of F (an opinion with no spread, a normal's mass piled on a bound) is the jump's point.
        out = np.where(np.nextafter(x[hi], -np.inf) == x[lo], x[hi], out)
        out = np.where(i == 0, x[0], np.where(i >= len(F), x[-1], out))
        return np.clip(out, *self.valid)

    def mean(self) -> float:
        """The pool's mean: the weighted mean of its components' means (by the grid for a clipped normal)."""
        return float(math.fsum(c.weight * component_mean(c, self.valid) for c in self.components))


def component_mean(p: Shape, valid: tuple[float, float]) -> float:
    if p.high == p.low:
        return p.low
    m = mode_of(p)
    if p.dist == "uniform":
        return 0.5 * (p.low + p.high)
    if p.dist == "triangular":
        return (p.low + m + p.high) / 3
    if p.dist == "pert":
        return (p.low + 4 * m + p.high) / 6
    # A normal clipped to valid: E = lo + integral of (1 - F) over lo..hi, by the grid.
    mix = Mixture([MixtureComponent(dist="normal", low=p.low, high=p.high, mode=p.mode, sd=p.sd, weight=1.0)], valid)
    g, F = mix.grid, mix.F
    return float(g[0] + np.sum((1.0 - 0.5 * (F[1:] + F[:-1])) * np.diff(g)))


# --- the copula ---------------------------------------------------------------------------------------------


def normal_score_correlation(rho: float) -> float:
    """The correlation of two normal scores whose rank (Spearman) correlation is rho: 2 sin(pi rho / 6).

    A table's rho is read as the rank correlation the draws should show, whatever the two
    distributions; the copula's normals need this slightly larger figure (0.518 for 0.5).
    """
    return 2.0 * math.sin(math.pi * rho / 6.0)


def correlation_matrix(paths: list[str], correlations: Sequence[Correlation]) -> np.ndarray:
    """The normal scores' correlation matrix for `paths` (identity where no correlation is given)."""
    k = {p: i for i, p in enumerate(paths)}
    r = np.eye(len(paths))
    for c in correlations:
        r[k[c.a], k[c.b]] = r[k[c.b], k[c.a]] = normal_score_correlation(c.rho)
    return r


def _positive_definite(r: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        return False
    return bool(np.linalg.eigvalsh(r).min() > 1e-10)


def correlation_problems(
    parameters: Sequence[UncertainParameter], correlations: Sequence[Correlation]
) -> list[Problem]:
    """Each correlation joins two different parameters once; together they must be possible (positive definite)."""
    known = {p.path for p in parameters}
    out: list[Problem] = []
    seen: dict[frozenset[str], int] = {}
    usable: list[tuple[int, Correlation]] = []
    for i, c in enumerate(correlations):
        where = f"uncertainty.correlations[{i}]"
        missing = [x for x in (c.a, c.b) if x not in known]
        if c.a == c.b:
            out.append(Problem(where, f"a and b are the same input ({c.a}); a correlation joins two different inputs"))
        elif missing:
            for x in dict.fromkeys(missing):
                out.append(
                    Problem(
                        where,
                        f"'{x}' is not one of the uncertain inputs (uncertainty.parameters): give it a range first",
                    )
                )
        elif frozenset((c.a, c.b)) in seen:
            j = seen[frozenset((c.a, c.b))]
            out.append(Problem(where, f"{c.a} and {c.b} are already paired in uncertainty.correlations[{j}]"))
        elif abs(c.rho) == 1.0:
            out.append(
                Problem(
                    where,
                    f"rho {c.rho:g} would make {c.a} and {c.b} one input; use at most 0.99 (or vary only one of them)",
                )
            )
        else:
            seen[frozenset((c.a, c.b))] = i
            usable.append((i, c))
    if out:
        return out
    paths = list(dict.fromkeys(x for _, c in usable for x in (c.a, c.b)))
    r = correlation_matrix(paths, [c for _, c in usable])
    if _positive_definite(r):
        return out
    # The inputs that clash are those the matrix's weakest direction leans on.
    vector = np.abs(np.linalg.eigh(r)[1][:, 0])
    group = [p for p, w in zip(paths, vector) if w >= 0.1 * vector.max()]
    clash = [(i, c) for i, c in usable if c.a in group and c.b in group]
    listed = "; ".join(f"[{i}] {c.a} ~ {c.b} {c.rho:g}" for i, c in clash)
    unlisted = len(clash) < len(group) * (len(group) - 1) // 2
    zero = " (pairs among them not listed count as 0)" if unlisted else ""
    out.append(
        Problem(
            "uncertainty.correlations",
            "these correlations cannot all hold at once (the table is not positive definite): "
            f"{listed}{zero}; weaken one of them",
        )
    )
    return out


def copula_uniforms(n: int, k: int, r: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """(n, k) uniforms whose normal scores have correlation matrix r (None: independent)."""
    from scipy.special import ndtr

    z = rng.standard_normal((n, k))
    if r is not None:
        z = z @ np.linalg.cholesky(r).T
    return ndtr(z)


def draw_inputs(
    parameters: Sequence[UncertainParameter],
    correlations: Sequence[Correlation],
    n: int,
    rng: np.random.Generator,
    valid_range: Callable[[str], tuple[float, float]],
) -> dict[str, np.ndarray]:
    """n draws of every uncertain input, by path (a path listed twice: the last one counts, as in format 1)."""
    last = {p.path: p for p in parameters}
    together = [c for c in correlations if c.a != c.b and c.a in last and c.b in last]
    joint = {x for c in together for x in (c.a, c.b)} | {p for p, q in last.items() if q.dist == "mixture"}
    inputs: dict[str, np.ndarray] = {}
    for p in parameters:
        if p.path not in joint:
            inputs[p.path] = draw_direct(p, n, rng, valid_range(p.path))
        else:
            inputs.setdefault(p.path, np.empty(0))  # keeps the parameters' order
    if joint:
        paths = [p for p in inputs if p in joint]
        r = correlation_matrix(paths, together) if together else None
        u = copula_uniforms(n, len(paths), r, rng)
        for j, path in enumerate(paths):
            inputs[path] = value_at(last[path], u[:, j], valid_range(path))
    return inputs


def value_at(p: UncertainParameter, u: np.ndarray, valid: tuple[float, float]) -> np.ndarray:
    """A parameter's values at probabilities u: its inverse CDF (a mixture's worked out on its grid)."""
    if p.dist == "mixture":
        return Mixture(p.components or [], valid).inverse(u)
    return inverse_cdf(p, u, valid)


def spans_components(p: UncertainParameter) -> bool:
    """Whether a mixture's low and high are its components' lowest low and highest high."""
    if p.dist != "mixture" or not p.components:
        return False
    return p.low == min(c.low for c in p.components) and p.high == max(c.high for c in p.components)


def mixture_problems(p: UncertainParameter, where: str, valid: tuple[float, float]) -> list[Problem]:
    """A mixture's components: each a sensible range within the input's valid range; weights summing to 1."""
    out: list[Problem] = []
    if p.dist != "mixture":
        if p.components is not None:
            out.append(Problem(where, f"components are only for dist: mixture (this one is {p.dist})"))
        return out
    if not p.components:
        out.append(Problem(where, "a mixture needs components: [{dist, low, mode, high, weight}, ...]"))
        return out
    if p.mode is not None or p.sd is not None:
        out.append(Problem(where, "a mixture takes its shape from its components: leave out mode and sd"))
    lo, hi = valid
    for j, c in enumerate(p.components):
        at = f"{where}.components[{j}]"
        if c.low > c.high:
            out.append(Problem(at, f"low ({c.low:g}) must not be above high ({c.high:g})"))
        elif c.mode is not None and not c.low <= c.mode <= c.high:
            out.append(Problem(at, f"mode ({c.mode:g}) must lie between low and high"))
        if c.low < lo or c.high > hi:
            out.append(Problem(at, f"the range {c.low:g}..{c.high:g} goes outside the valid {lo:g}..{hi:g}"))
        if c.sd is not None and c.sd < 0:
            out.append(Problem(at, "sd must be 0 or more"))
    total = math.fsum(c.weight for c in p.components)
    if abs(total - 1.0) > 1e-9:
        out.append(Problem(f"{where}.components", f"weights must sum to 1, got {total:.12g}"))
    return out
