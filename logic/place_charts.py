"""The Place page's charts (Altair), from the frames of logic.place_views, in the house style of logic.charts:
a title that says what is drawn, money axes in the place's currency, the price base (or cash) named."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import FIT_WIDTH, PALETTE
from .place_views import COSTS, GETS_BACK, PUTS_IN, SAVINGS
from .presentation import compact_money, currency_mark, money_axis_label

FLOWS = {
    "contributions": ("Members' contributions", "#1f5a96"),
    "savings_in": ("Savings paid in", "#2f8a3e"),
    "outflow": ("Paid out", "#c0582c"),
}
YEAR = alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0))


def _axis(title: str, df: pd.DataFrame) -> alt.Axis:
    return alt.Axis(title=title, labelExpr=money_axis_label(df.attrs.get("currency", "GBP")))


def _tip(field: str, title: str, df: pd.DataFrame) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=f"{title} ({currency_mark(df.attrs.get('currency', 'GBP'))})", format=",.0f")


def _zero() -> alt.Chart:
    return alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y=alt.Y("y:Q"))


def fund_balance(df: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """The fund each year: what is paid in (above zero) and out (below) as bars, the balance at each year end
    as a line; the bridge (the lowest balance) and the year the fund pays its own way from, marked."""
    cur = df.attrs.get("currency", "GBP")
    long = pd.DataFrame(
        [
            {"year": y, "flow": FLOWS[k][0], "amount": -v if k == "outflow" else v}
            for k in FLOWS
            for y, v in zip(df["year"], df[k])
        ]
    )
    bars = (
        alt.Chart(long)
        .mark_bar(opacity=0.55)
        .encode(
            x=YEAR,
            y=alt.Y("amount:Q", axis=_axis("Cash", df), stack=True),
            color=alt.Color(
                "flow:N",
                title="",
                scale=alt.Scale(domain=[f[0] for f in FLOWS.values()], range=[f[1] for f in FLOWS.values()]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("flow:N", title=""), _tip("amount", "Cash", df)],
        )
    )
    balance = (
        alt.Chart(df.assign(series="Balance at year end"))
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=45, color="#111"), color="#111", strokeWidth=2.5)
        .encode(
            x=YEAR,
            y=alt.Y("balance:Q"),
            tooltip=[alt.Tooltip("year:O", title="Year"), _tip("balance", "Balance", df)],
        )
    )
    layers: list[alt.Chart] = [bars, _zero(), balance]
    year = df.attrs.get("bridge_year")
    if year is not None:
        bridge = -df.attrs["bridge_needed"]
        low = pd.DataFrame({"year": [year], "balance": [bridge], "label": [f"Bridge: {compact_money(-bridge, cur)}"]})
        # The label beside the diamond, on the side with room: left of a late low point, right of an early one.
        late = list(df["year"]).index(year) >= len(df) / 2
        layers.append(
            alt.Chart(low)
            .mark_point(shape="diamond", size=220, filled=True, color="#c0582c")
            .encode(x=YEAR, y=alt.Y("balance:Q"))
        )
        layers.append(
            alt.Chart(low)
            .mark_text(
                align="right" if late else "left",
                dy=20,
                fontWeight="bold",
                color="#8a3a1a",
                fontSize=13,
            )
            .encode(x=YEAR, y=alt.Y("balance:Q"), text=alt.Text("label:N"))
        )
    sustaining = df.attrs.get("sustaining_year")
    if sustaining is not None:
        mark = pd.DataFrame({"year": [sustaining], "label": [f"Pays its own way from {sustaining}"]})
        layers.append(alt.Chart(mark).mark_rule(color="#2f8a3e", strokeDash=[6, 3], strokeWidth=2).encode(x=YEAR))
        layers.append(
            alt.Chart(mark)
            .mark_text(align="left", dx=4, baseline="top", color="#1f5e2a", fontWeight="bold", fontSize=13)
            .encode(x=YEAR, y=alt.value(4), text=alt.Text("label:N"))
        )
    return alt.layer(*layers).properties(
        autosize=FIT_WIDTH,
        height=360,
        title=alt.Title(
            "The pooled fund, year by year",
            subtitle="Cash. Bars: paid in (above zero) and paid out (below); line: the balance at each year end",
        ),
    )


def programme_cash(df: pd.DataFrame, net: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Stacked by programme: every agency's cashable savings above zero and cash costs below, each year; the
    place's net as a line."""
    order = df.attrs.get("order") or list(dict.fromkeys(df["programme"]))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=YEAR,
            y=alt.Y("amount:Q", axis=_axis("Cash", df), stack=True),
            color=alt.Color(
                "programme:N",
                title="Programme",
                scale=alt.Scale(domain=order, range=[PALETTE[i % len(PALETTE)] for i in range(len(order))]),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=520),
            ),
            opacity=alt.Opacity(
                "kind:N",
                title="",
                scale=alt.Scale(domain=[SAVINGS, COSTS], range=[1.0, 0.5]),
                legend=alt.Legend(orient="right"),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("programme:N", title="Programme"),
                alt.Tooltip("kind:N", title=""),
                _tip("amount", "Cash", df),
            ],
        )
    )
    line = (
        alt.Chart(net)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=40, color="#111"), color="#111", strokeWidth=2)
        .encode(
            x=YEAR,
            y=alt.Y("net:Q"),
            tooltip=[alt.Tooltip("year:O", title="Year"), _tip("net", "The place's net", net)],
        )
    )
    return alt.layer(bars, _zero(), line).properties(
        autosize=FIT_WIDTH,
        height=360,
        title=alt.Title(
            "What each programme costs and saves the place, year by year",
            subtitle="Cash, every agency: cashable savings above zero (solid), cash costs below (pale); "
            "the black line is the place's net",
        ),
    )


def agency_fund(df: pd.DataFrame) -> alt.Chart:
    """Each member: what it puts into the fund (contributions, savings paid in) beside what it gets back (the
    costs the fund pays for it), totals over the calendar."""
    parts = ["Contributions", "Savings paid in", "Costs paid for it"]
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("agency:N", title=None, sort=df.attrs.get("order"), axis=alt.Axis(labelLimit=300)),
            yOffset=alt.YOffset("side:N", sort=[PUTS_IN, GETS_BACK]),
            x=alt.X(
                "amount:Q",
                axis=alt.Axis(
                    title="Cash, totals over the calendar",
                    labelExpr=money_axis_label(df.attrs.get("currency", "GBP")),
                    tickCount=8,
                ),
                stack=True,
            ),
            color=alt.Color(
                "part:N",
                title="",
                scale=alt.Scale(domain=parts, range=["#1f5a96", "#6fa8dc", "#2f8a3e"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("side:N", title=""),
                alt.Tooltip("part:N", title=""),
                _tip("amount", "Cash", df),
            ],
        )
        .properties(
            autosize=FIT_WIDTH,
            height=max(140, 90 * df["agency"].nunique()),
            title=alt.Title(
                "What each member puts into the fund, and what the fund pays for it",
                subtitle="Cash over the whole calendar. Top bar: contributions and the savings it pays in; "
                "bottom bar: its costs the fund pays",
            ),
        )
    )


def total_place(df: pd.DataFrame) -> alt.Chart:
    """The needs' cost with no action, stacked by the agency that bears it."""
    base = df.attrs.get("price_base")
    return (
        alt.Chart(df)
        .mark_area(opacity=0.85)
        .encode(
            x=YEAR,
            y=alt.Y("cost:Q", axis=_axis("Cost per year", df), stack=True),
            color=alt.Color(
                "agency:N",
                title="Borne by",
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("agency:N", title="Agency"),
                _tip("cost", "Cost", df),
            ],
        )
        .properties(
            autosize=FIT_WIDTH,
            height=300,
            title=alt.Title(
                "What the needs cost each agency if nothing is done",
                subtitle="Total Place: people in need x unit cost, growing each year; each need counted once"
                + (f"; {base}" if base else ""),
            ),
        )
    )
