"""Independent reference for correlated inputs and mixtures (DESIGN.md, "Uncertainty").

Written from /work/shared/DESIGN.md only, without importing the project's
``logic`` package: the distributions come from scipy.stats (not the formulas
the engine uses), expectations under the Gaussian copula are worked out by
quadrature on a grid of normal scores (no sampling), and a mixture's quantile
is found by bisection on its CDF (the engine interpolates on a grid).

What it answers:

- ``cdf`` / ``mean`` / ``ppf`` of one triangular, pert, uniform or normal
  (a normal clipped to the input's valid range: the mass beyond a bound sits
  on the bound) and of a mixture (a linear opinion pool: sum of weight x CDF)
- ``spearman_of_normal_correlation`` (12 E[U V] - 3 by quadrature) and its
  inverse by bisection: the normal scores' correlation that gives a rank
  correlation rho (READING: DESIGN.md asks for the drawn pair's Spearman
  rank correlation to be close to rho, so rho is read as the rank
  correlation; the copula's normal scores carry the correlation that makes it)
- ``pair_moments``: mean, variance and covariance of two inputs drawn through
  the copula with rank correlation rho, by quadrature
- ``possible``: whether a correlation table can hold (its normal scores'
  matrix positive definite)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

Z95 = 1.959963984540054  # the normal's 97.5% point: low..high is a normal's 95% interval when no sd is given


@dataclass(frozen=True)
class Dist:
    dist: str
    low: float
    high: float
    mode: float | None = None
    sd: float | None = None
    weight: float = 1.0

    @property
    def centre(self) -> float:
        return self.mode if self.mode is not None else (self.low + self.high) / 2

    @property
    def spread(self) -> float:
        return self.sd if self.sd is not None else (self.high - self.low) / (2 * Z95)


def frozen(d: Dist):
    """The scipy.stats distribution of one (unclipped) input."""
    span = d.high - d.low
    if d.dist == "uniform":
        return stats.uniform(loc=d.low, scale=span)
    if d.dist == "triangular":
        return stats.triang(c=(d.centre - d.low) / span, loc=d.low, scale=span)
    if d.dist == "pert":
        # PERT: Beta with shape 1 + 4 (mode - low) / span and 1 + 4 (high - mode) / span on low..high
        a = 1 + 4 * (d.centre - d.low) / span
        b = 1 + 4 * (d.high - d.centre) / span
        return stats.beta(a, b, loc=d.low, scale=span)
    if d.dist == "normal":
        return stats.norm(loc=d.centre, scale=d.spread)
    raise ValueError(d.dist)


def cdf(d: Dist, x, valid=(0.0, math.inf)) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if d.high == d.low:
        return (x >= d.low).astype(float)
    f = frozen(d).cdf(x)
    if d.dist == "normal":  # clipped: nothing below the valid low, everything at or above the valid high
        f = np.where(x < valid[0], 0.0, np.where(x >= valid[1], 1.0, f))
    return f


def ppf(d: Dist, u, valid=(0.0, math.inf)) -> np.ndarray:
    u = np.asarray(u, dtype=float)
    if d.high == d.low:
        return np.full(u.shape, d.low)
    x = frozen(d).ppf(u)
    return np.clip(x, *valid) if d.dist == "normal" else x


def mean(d: Dist) -> float:
    """Hand formulas (a normal far from its bounds)."""
    if d.dist == "uniform":
        return (d.low + d.high) / 2
    if d.dist == "triangular":
        return (d.low + d.centre + d.high) / 3
    if d.dist == "pert":
        return (d.low + 4 * d.centre + d.high) / 6
    return d.centre


def mixture_cdf(parts: list[Dist], x, valid=(0.0, math.inf)) -> np.ndarray:
    return sum(p.weight * cdf(p, x, valid) for p in parts)


def mixture_mean(parts: list[Dist]) -> float:
    return math.fsum(p.weight * mean(p) for p in parts)


def mixture_ppf(parts: list[Dist], u, valid=(0.0, math.inf)) -> np.ndarray:
    """The smallest x with F(x) >= u, by bisection (60 halvings of the components' whole range)."""
    u = np.asarray(u, dtype=float)
    lo = np.full(u.shape, min(p.low for p in parts) - 1e-12)
    hi = np.full(u.shape, max(p.high if p.dist != "normal" else p.centre + 12 * p.spread for p in parts))
    hi = np.minimum(hi, valid[1])
    for _ in range(60):
        mid = (lo + hi) / 2
        below = mixture_cdf(parts, mid, valid) < u
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return hi


# --- the Gaussian copula, by quadrature -------------------------------------------------------------------

_Z = np.linspace(-8.5, 8.5, 401)
_DZ = _Z[1] - _Z[0]
_W = stats.norm.pdf(_Z) * _DZ
_W /= _W.sum()


def _expect(f, r: float) -> float:
    """E[f(Z1, Z2)] for standard normals with correlation r: Z2 = r Z1 + sqrt(1 - r^2) W, on a grid."""
    z1 = _Z[:, None]
    z2 = r * z1 + math.sqrt(max(1 - r * r, 0.0)) * _Z[None, :]
    return float(np.sum(_W[:, None] * _W[None, :] * f(z1, z2)))


_Z1 = np.linspace(-9.0, 9.0, 6001)
_W1 = stats.norm.pdf(_Z1) * (_Z1[1] - _Z1[0])


def spearman_of_normal_correlation(r: float) -> float:
    """The rank correlation of a Gaussian copula: 12 E[Phi(Z1) Phi(Z2)] - 3.

    Given Z1 = z, Z2 is normal with mean r z and variance 1 - r^2, and E[Phi(a + b W)] = Phi(a / sqrt(1 + b^2))
    for a standard normal W, so E[Phi(Z2) | Z1 = z] = Phi(r z / sqrt(2 - r^2)): one integral over z.
    """
    inner = stats.norm.cdf(r * _Z1 / math.sqrt(2 - r * r))
    return 12 * float(np.sum(_W1 * stats.norm.cdf(_Z1) * inner)) - 3


@functools.lru_cache(maxsize=None)
def normal_correlation_for(rho: float) -> float:
    """The normal scores' correlation whose rank correlation is rho (bisection)."""
    lo, hi = -1.0, 1.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if spearman_of_normal_correlation(mid) < rho:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def pair_moments(a: Dist, b: Dist, rho: float, valid=(0.0, math.inf)) -> dict[str, float]:
    """Means, variances and covariance of two inputs drawn through the copula with rank correlation rho."""
    r = normal_correlation_for(rho) if rho else 0.0

    def xa(z1, z2):
        return ppf(a, stats.norm.cdf(z1), valid)

    def xb(z1, z2):
        return ppf(b, stats.norm.cdf(z2), valid)

    ma, mb = _expect(lambda z1, z2: xa(z1, z2) + 0 * z2, r), _expect(lambda z1, z2: xb(z1, z2) + 0 * z1, r)
    va = _expect(lambda z1, z2: (xa(z1, z2) - ma) ** 2 + 0 * z2, r)
    vb = _expect(lambda z1, z2: (xb(z1, z2) - mb) ** 2 + 0 * z1, r)
    cov = _expect(lambda z1, z2: (xa(z1, z2) - ma) * (xb(z1, z2) - mb), r)
    return {"mean_a": ma, "mean_b": mb, "var_a": va, "var_b": vb, "cov": cov}


def possible(paths: list[str], pairs: list[tuple[str, str, float]], margin: float = 0.0) -> bool:
    """Whether the table can hold: the normal scores' correlation matrix is positive definite."""
    k = {p: i for i, p in enumerate(paths)}
    m = np.eye(len(paths))
    for a, b, rho in pairs:
        m[k[a], k[b]] = m[k[b], k[a]] = normal_correlation_for(rho)
    return bool(np.linalg.eigvalsh(m).min() > margin)


def smallest_eigenvalue(paths: list[str], pairs: list[tuple[str, str, float]]) -> float:
    k = {p: i for i, p in enumerate(paths)}
    m = np.eye(len(paths))
    for a, b, rho in pairs:
        m[k[a], k[b]] = m[k[b], k[a]] = normal_correlation_for(rho)
    return float(np.linalg.eigvalsh(m).min())


def ranks(x: np.ndarray) -> np.ndarray:
    r = np.empty(len(x))
    r[np.argsort(x, kind="stable")] = np.arange(len(x))
    return r


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of the ranks (ties are rare: continuous draws)."""
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def ks_distance(draws: np.ndarray, cdf_of) -> float:
    """The Kolmogorov-Smirnov distance between the draws' empirical CDF and a CDF."""
    x = np.sort(draws)
    n = len(x)
    f = cdf_of(x)
    return float(max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n)))
