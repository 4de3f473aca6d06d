"""Asking the room: structured expert elicitation (SHELF, Delphi) of an uncertain input.

Each participant gives, privately, their lowest plausible, most likely and highest plausible value
for a question. Each answer is read as a distribution (PERT or triangular on low..high, peaked at the
most likely value), and the room's judgement is their linear opinion pool: the equal-weights
mixture of the answers' distributions. Its median, 90% range and density are computed here, from
the exact CDFs (a triangular's in closed form, a PERT's a beta's regularised incomplete beta
function), so tests check them by hand. The pool becomes the input's uncertainty as a
`dist: mixture` parameter (logic/elicitation_use.py).

Also here: join codes, what a participant may send (validation), and the rate-limiting policy.
Pure Python and numpy; nothing here touches the database or Streamlit.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# --- join codes -----------------------------------------------------------------------------

# Crockford's base 32: digits and capitals without I, L, O and U, so nothing reads as something else;
# typed O is read as 0, and I or L as 1. Eight characters of 32 are 40 random bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CODE_BITS = CODE_LENGTH * 5
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh join code: 8 characters drawn with the operating system's secure random source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str | None:
    """A typed code as stored ('abcd-efgh', ' ABCD EFGH ' -> 'ABCDEFGH'); None if it cannot be a code."""
    if not text:
        return None
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -_\t").translate(_LOOK_ALIKES)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display_code(code: str) -> str:
    """'ABCDEFGH' -> 'ABCD-EFGH': easier to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


# --- questions and answers ------------------------------------------------------------------

SHAPES = ("pert", "triangular")
MAX_REASON = 500
MAX_NAME = 80
MAX_QUESTION = 500
MAX_UNIT = 30
MAX_QUESTIONS = 10


@dataclass(frozen=True)
class Question:
    """One input the room is asked about. Values are kept in the input's own units (a rate as 0.35);
    `percent` questions are asked and shown in per cent (35)."""

    key: str  # the input's path, e.g. nodes.out-stays-home.rate_without
    text: str  # the question in words
    unit: str = ""  # shown beside each box: "%", "£", "people"
    percent: bool = False
    valid_low: float = 0.0
    valid_high: float | None = None  # None: no upper limit
    show_current: bool = False
    current: float | None = None
    current_low: float | None = None
    current_high: float | None = None

    @property
    def scale(self) -> float:
        return 100.0 if self.percent else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Answer:
    """One participant's answer to one question, in the input's own units."""

    question: str
    low: float
    mode: float
    high: float
    reason: str | None = None


def clean_text(text: str | None, limit: int) -> str | None:
    """Free text as it is kept: control characters (other than line breaks) removed, trimmed; None if empty.
    Longer than `limit` is refused by validation, not cut here."""
    if text is None:
        return None
    kept = "".join(ch for ch in str(text) if ch == "\n" or unicodedata.category(ch)[0] != "C").strip()
    return kept or None


def rounded(q: Question, value: float) -> float:
    """A value to the precision the room reads it (`written`): per cent to one decimal place (0.001 of a rate),
    whole units from 100 up, else three significant figures."""
    shown = value * q.scale
    if q.percent:
        return round(shown, 1) / q.scale
    if abs(shown) >= 100:
        return float(round(shown)) / q.scale
    return float(f"{shown:.3g}") / q.scale


def written(q: Question, value: float) -> str:
    """A value as the room reads it: 0.3512 -> '35.1%' for a percent question, 12000 -> '£12,000', 2.345 -> '2.35'
    (per cent to one decimal place, whole numbers from 100 up, else three significant figures)."""
    shown = value * q.scale
    if q.percent:
        text = f"{shown:.1f}".rstrip("0").rstrip(".")
    elif abs(shown) >= 100:
        text = f"{shown:,.0f}"
    else:
        text = f"{shown:.3g}"
    text = "0" if text in ("-0", "") else text
    if q.percent or q.unit == "%":
        return f"{text}%"
    if q.unit in ("£", "$", "€"):
        return f"{q.unit}{text}"
    return f"{text} {q.unit}".strip()


def check_answer(
    q: Question, low: Any, mode: Any, high: Any, reason: str | None = None
) -> tuple[Answer | None, list[str]]:
    """An answer typed in the question's units (per cent for a percent question): the Answer, or the
    problems, each a sentence a participant can act on."""
    problems: list[str] = []
    names = (("lowest plausible", low), ("most likely", mode), ("highest plausible", high))
    values: list[float] = []
    for name, raw in names:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            problems.append(f"Please give your {name} value.")
            continue
        try:
            number = float(raw)
        except (TypeError, ValueError):
            problems.append(f"Your {name} value must be a number.")
            continue
        if not math.isfinite(number):
            problems.append(f"Your {name} value must be a number.")
            continue
        values.append(number / q.scale)
    kept_reason = clean_text(reason, MAX_REASON)
    if kept_reason is not None and len(kept_reason) > MAX_REASON:
        problems.append(f"Please keep your reasoning to {MAX_REASON} characters (it has {len(kept_reason)}).")
    if problems:
        return None, problems
    lo, mid, hi = values
    if lo > hi:
        problems.append(
            f"Your lowest plausible value ({written(q, lo)}) is above your highest ({written(q, hi)}): "
            "the lowest must not be above the highest."
        )
    elif not lo <= mid <= hi:
        problems.append(
            f"Your most likely value ({written(q, mid)}) must lie between your lowest ({written(q, lo)}) "
            f"and highest ({written(q, hi)})."
        )
    limit_hi = q.valid_high
    if lo < q.valid_low or (limit_hi is not None and hi > limit_hi):
        span = f"{written(q, q.valid_low)} to {written(q, limit_hi)}" if limit_hi is not None else None
        problems.append(
            f"Every value must lie between {span}." if span else f"No value may be below {written(q, q.valid_low)}."
        )
    if problems:
        return None, problems
    return Answer(q.key, lo, mid, hi, kept_reason), []


def check_name(name: str | None) -> tuple[str | None, list[str]]:
    kept = clean_text(name, MAX_NAME)
    if kept is not None and len(kept) > MAX_NAME:
        return None, [f"Please keep your name to {MAX_NAME} characters."]
    return kept, []


# --- one answer as a distribution -----------------------------------------------------------


def _pert_shape(low: Any, mode: Any, high: Any) -> tuple[Any, Any]:
    """The beta's (alpha, beta) of a PERT on low..high peaked at mode (weight 4 on the mode)."""
    span = high - low
    return 1.0 + 4.0 * (mode - low) / span, 1.0 + 4.0 * (high - mode) / span


def _betacf(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of the incomplete beta function (modified Lentz), elementwise."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        h = h * d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        step = d * c
        h = h * step
        if np.all(np.abs(step - 1.0) < eps):
            break
    return h


def beta_cdf(x: Any, a: Any, b: Any) -> np.ndarray:
    """The regularised incomplete beta function I_x(a, b), elementwise, for a, b >= 1."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    # log B(a, b), once per (a, b) before broadcasting over x.
    lbeta = np.vectorize(lambda p, q: math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q), otypes=[float])(a, b)
    x, a, b, lbeta = np.broadcast_arrays(np.clip(np.asarray(x, float), 0.0, 1.0), a, b, lbeta)
    inner = (x > 0) & (x < 1)
    xs = np.where(inner, x, 0.5)
    front = np.exp(a * np.log(xs) + b * np.log1p(-xs) - lbeta)
    direct = (xs < (a + 1.0) / (a + b + 2.0)).astype(bool)
    # Evaluate the fraction where it converges fast: at x itself, or by symmetry at 1 - x.
    aa, bb, xx = np.where(direct, a, b), np.where(direct, b, a), np.where(direct, xs, 1.0 - xs)
    frac = front * _betacf(aa, bb, xx) / aa
    value = np.where(direct, frac, 1.0 - frac)
    return np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, value))


@dataclass(frozen=True)
class Component:
    """One answer's distribution in the pool, with its weight."""

    dist: str  # pert | triangular
    low: float
    mode: float
    high: float
    weight: float

    @property
    def mean(self) -> float:
        if self.dist == "pert":
            return (self.low + 4.0 * self.mode + self.high) / 6.0
        return (self.low + self.mode + self.high) / 3.0

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.dist, "low": self.low, "mode": self.mode, "high": self.high, "weight": self.weight}


def _arrays(components: Sequence[Component]) -> dict[str, np.ndarray]:
    return {k: np.array([getattr(c, k) for c in components], float) for k in ("low", "mode", "high", "weight")}


def component_cdf(components: Sequence[Component], x: np.ndarray) -> np.ndarray:
    """Each component's CDF at each x: shape (len(x), len(components)). A point answer (low = high) is a step."""
    x = np.asarray(x, float)[:, None]
    p = _arrays(components)
    lo, mo, hi = p["low"][None, :], p["mode"][None, :], p["high"][None, :]
    span = hi - lo
    point = span <= 0
    safe = np.where(point, 1.0, span)
    # Triangular, in closed form.
    left = np.where(mo > lo, (x - lo) ** 2 / (safe * np.where(mo > lo, mo - lo, 1.0)), 0.0)
    right = np.where(hi > mo, 1.0 - (hi - x) ** 2 / (safe * np.where(hi > mo, hi - mo, 1.0)), 1.0)
    tri = np.where(x <= lo, 0.0, np.where(x >= hi, 1.0, np.where(x <= mo, left, right)))
    out = tri
    pert = np.array([c.dist == "pert" for c in components])[None, :]
    if pert.any():
        a, b = _pert_shape(lo, np.clip(mo, lo, hi), np.where(point, lo + 1.0, hi))
        out = np.where(pert & ~point, beta_cdf((x - lo) / safe, a, b), tri)
    return np.where(point, (x >= lo).astype(float), out)


def mixture_cdf(components: Sequence[Component], x: Iterable[float] | np.ndarray) -> np.ndarray:
    """The pooled CDF: the weighted sum of the answers' CDFs."""
    xs = np.atleast_1d(np.asarray(list(x) if not isinstance(x, np.ndarray) else x, float))
    return component_cdf(components, xs) @ _arrays(components)["weight"]


def mixture_quantiles(components: Sequence[Component], qs: Sequence[float]) -> list[float]:
    """The smallest x with CDF(x) >= q, for each q, by bisection on the exact CDF (to 1e-12 of the range)."""
    lows, highs = _arrays(components)["low"], _arrays(components)["high"]
    lo = np.full(len(qs), float(lows.min()))
    hi = np.full(len(qs), float(highs.max()))
    target = np.asarray(qs, float)
    tol = 1e-12 * max(1.0, float(hi[0] - lo[0]))
    for _ in range(200):
        if np.all(hi - lo <= tol):
            break
        mid = 0.5 * (lo + hi)
        above = mixture_cdf(components, mid) >= target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return [float(v) for v in hi]


def component_pdf(c: Component, x: np.ndarray) -> np.ndarray:
    """One component's density (zero for a point answer, which has none)."""
    x = np.asarray(x, float)
    if c.high <= c.low:
        return np.zeros_like(x)
    span = c.high - c.low
    inside = (x >= c.low) & (x <= c.high)
    if c.dist == "pert":
        a, b = _pert_shape(c.low, c.mode, c.high)
        t = np.clip((x - c.low) / span, 0.0, 1.0)
        lbeta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        with np.errstate(divide="ignore", invalid="ignore"):
            # A shape of 1 (the mode at an end) has no power term: its density is finite at that end.
            left = np.zeros_like(t) if a == 1 else (a - 1) * np.log(t)
            right = np.zeros_like(t) if b == 1 else (b - 1) * np.log1p(-t)
            dens = np.exp(left + right - lbeta) / span
        return np.where(inside, dens, 0.0)
    up = np.where(c.mode > c.low, 2 * (x - c.low) / (span * max(c.mode - c.low, 1e-300)), 0.0)
    down = np.where(c.high > c.mode, 2 * (c.high - x) / (span * max(c.high - c.mode, 1e-300)), 0.0)
    return np.where(inside, np.where(x < c.mode, up, np.where(x > c.mode, down, 2.0 / span)), 0.0)


# --- the pool -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """The room's pooled judgement of one question."""

    question: str
    components: tuple[Component, ...]
    median: float
    p5: float
    p95: float
    mean: float
    lowest: float  # the lowest of the answers' lows
    highest: float  # the highest of the answers' highs
    mode_range: tuple[float, float]  # the answers' most likely values, lowest and highest

    @property
    def count(self) -> int:
        return len(self.components)

    def mixture(self) -> list[dict[str, Any]]:
        """The pool as DESIGN.md's `dist: mixture` components."""
        return [c.to_dict() for c in self.components]


def pool(question: str, answers: Sequence[Answer], shape: str = "pert") -> Pool | None:
    """The linear opinion pool of the answers (equal weights); None when nobody has answered."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    if not answers:
        return None
    weight = 1.0 / len(answers)
    comps = tuple(Component(shape, a.low, a.mode, a.high, weight) for a in answers)
    p5, median, p95 = mixture_quantiles(comps, (0.05, 0.5, 0.95))
    modes = [a.mode for a in answers]
    return Pool(
        question=question,
        components=comps,
        median=median,
        p5=p5,
        p95=p95,
        mean=sum(c.mean for c in comps) * weight,
        lowest=min(a.low for a in answers),
        highest=max(a.high for a in answers),
        mode_range=(min(modes), max(modes)),
    )


def density_curve(p: Pool, points: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """The pooled density on an even grid from the lowest low to the highest high (for the chart)."""
    lo, hi = p.lowest, p.highest
    if hi <= lo:
        return np.array([lo]), np.array([0.0])
    xs = np.linspace(lo, hi, points)
    ys = sum(c.weight * component_pdf(c, xs) for c in p.components)
    return xs, np.asarray(ys, float)


# --- the answers as kept --------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """An answer as the store keeps it: whose (an anonymous token), in which stage, when."""

    participant: str
    stage: int
    answer: Answer
    name: str | None = None
    answered_at: Any = None


def current_answers(given: Iterable[Given], stage: int) -> dict[str, list[Given]]:
    """Each participant's latest answer to each question up to `stage` (a Delphi round's revisions replace
    the first answers; who did not revise keeps theirs), by question, in order of participant."""
    latest: dict[tuple[str, str], Given] = {}
    for g in given:
        if g.stage > stage:
            continue
        key = (g.answer.question, g.participant)
        if key not in latest or g.stage >= latest[key].stage:
            latest[key] = g
    out: dict[str, list[Given]] = {}
    for (question, _), g in sorted(latest.items()):
        out.setdefault(question, []).append(g)
    return out


def pools(questions: Sequence[Question], given: Iterable[Given], stage: int, shape: str) -> dict[str, Pool | None]:
    by_question = current_answers(given, stage)
    return {q.key: pool(q.key, [g.answer for g in by_question.get(q.key, [])], shape) for q in questions}


def answered(given: Iterable[Given], stage: int) -> int:
    """How many people have answered (at least one question) so far, up to this stage."""
    return len({g.participant for g in given if g.stage <= stage})


# --- rate limiting --------------------------------------------------------------------------


@dataclass
class RateLimit:
    """Sliding one-minute windows on submissions: per participant (a person changing their mind is a few a
    minute; a script is hundreds) and per join code (a room of 40 answering and revising within a minute is
    well under it). `wait` returns 0 and counts the submission when it is allowed, else the seconds until it
    would be. Kept per server process, like the sign-in throttle."""

    per_participant: int = 12
    per_code: int = 600
    window_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pruned: float = field(default=-math.inf, repr=False)

    def _room(self, key: str, limit: int, now: float) -> float:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return 0.0 if len(times) < limit else times[0] + self.window_s - now

    def wait(self, code: str, participant: str) -> float:
        with self._lock:
            now = self.clock()
            keys = ((f"code:{code}", self.per_code), (f"person:{code}:{participant}", self.per_participant))
            waits = [self._room(k, limit, now) for k, limit in keys]
            if max(waits) > 0:
                return max(waits)
            for k, _ in keys:
                self._seen[k].append(now)
            if len(self._seen) > 10_000 and now >= self._pruned + self.window_s:
                # Forget idle keys (at most once a window, so a busy table costs nothing extra per call).
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.window_s}
                self._pruned = now
            return 0.0
