"""The room's answers drawn for the live view (Altair, in logic/charts.py's style).

Two charts on one scale, in the question's own units (per cent for a rate): each answer as an anonymous
range (a line from lowest to highest plausible, a dot at most likely), and the pooled distribution
(its density, the median and the 90% range). No names: the room's screen is seen by everyone.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from .charts import FIT_WIDTH, PALETTE
from .elicitation import Answer, Pool, Question, density_curve, written

BLUE, ORANGE = PALETTE[0], PALETTE[2]


def _unit_title(q: Question) -> str:
    return "Per cent" if q.percent else (q.unit or "Value")


def scale_domain(q: Question, answers: Sequence[Answer], p: Pool | None) -> list[float]:
    """The x range both charts share: every answer, a little margin, within the input's valid range."""
    lows = [a.low for a in answers] or [q.valid_low]
    highs = [a.high for a in answers] or [q.valid_high if q.valid_high is not None else 1.0]
    lo, hi = min(lows), max(highs)
    pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi) * 0.1, 0.01)
    lo = max(q.valid_low, lo - pad)
    hi = hi + pad if q.valid_high is None else min(q.valid_high, hi + pad)
    return [lo * q.scale, hi * q.scale]


def answers_frame(q: Question, answers: Sequence[Answer]) -> pd.DataFrame:
    """One row per answer, ordered by most likely value, numbered 1.. (no names, no order of arrival)."""
    ordered = sorted(answers, key=lambda a: (a.mode, a.low, a.high))
    rows = [
        {
            "answer": i + 1,
            "low": a.low * q.scale,
            "mode": a.mode * q.scale,
            "high": a.high * q.scale,
            "range": f"{written(q, a.low)} to {written(q, a.high)}, most likely {written(q, a.mode)}",
        }
        for i, a in enumerate(ordered)
    ]
    return pd.DataFrame(rows, columns=["answer", "low", "mode", "high", "range"])


def answers_chart(q: Question, answers: Sequence[Answer], domain: list[float]) -> alt.LayerChart:
    df = answers_frame(q, answers)
    x = alt.X("low:Q", title=_unit_title(q), scale=alt.Scale(domain=domain, nice=False, zero=False))
    y = alt.Y("answer:O", title=None, axis=alt.Axis(labels=False, ticks=False), sort="ascending")
    tip = [alt.Tooltip("range:N", title="Answer")]
    height = max(180, min(24 * len(df), 480))
    title = alt.Title("The room's answers", subtitle="One line per person, lowest to highest; dot: most likely")
    base = alt.Chart(df, title=title, height=height)
    lines = base.mark_rule(strokeWidth=4, color=BLUE, opacity=0.55).encode(x=x, x2="high:Q", y=y, tooltip=tip)
    dots = base.mark_point(filled=True, size=90, color=BLUE).encode(x=alt.X("mode:Q"), y=y, tooltip=tip)
    return (lines + dots).properties(autosize=FIT_WIDTH)


def pool_frame(q: Question, p: Pool) -> pd.DataFrame:
    xs, ys = density_curve(p)
    return pd.DataFrame({"x": xs * q.scale, "density": ys / q.scale})


def pool_chart(q: Question, p: Pool, domain: list[float]) -> alt.LayerChart:
    """The pooled density, the 90% range shaded and the median marked."""
    curve = pool_frame(q, p)
    scale = alt.Scale(domain=domain, nice=False, zero=False)
    x = alt.X("x:Q", title=_unit_title(q), scale=scale)
    title = alt.Title(
        "The room's pooled judgement",
        subtitle=f"Median {written(q, p.median)}; 90% range {written(q, p.p5)} to {written(q, p.p95)} (shaded)",
    )
    band_df = pd.DataFrame({"from": [p.p5 * q.scale], "to": [p.p95 * q.scale]})
    band = alt.Chart(band_df).mark_rect(color=BLUE, opacity=0.12).encode(x=alt.X("from:Q", scale=scale), x2="to:Q")
    area = (
        alt.Chart(curve)
        .mark_area(color=BLUE, opacity=0.35, line={"color": BLUE})
        .encode(x=x, y=alt.Y("density:Q", title="How likely", axis=alt.Axis(labels=False, ticks=False)))
    )
    median_df = pd.DataFrame({"x": [p.median * q.scale], "label": [f"median {written(q, p.median)}"]})
    median = alt.Chart(median_df).mark_rule(color=ORANGE, strokeWidth=3).encode(x=alt.X("x:Q", scale=scale))
    label = (
        alt.Chart(median_df)
        .mark_text(align="left", dx=5, dy=-6, color=ORANGE, fontSize=13, fontWeight="bold")
        .encode(x=alt.X("x:Q", scale=scale), y=alt.value(10), text="label:N")
    )
    return (band + area + median + label).properties(title=title, height=180, autosize=FIT_WIDTH)
