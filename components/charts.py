"""Altair chart builders: board-paper ready (titles, axis labels, £ formats)."""

from __future__ import annotations

import altair as alt
import pandas as pd

PALETTE = ["#1f5a96", "#2f8a3e", "#c0582c", "#7b3f96", "#b8860b", "#4a8c9c", "#8c4a4a"]


def _money_axis(title: str) -> alt.Axis:
    return alt.Axis(title=title, labelExpr="(datum.value < 0 ? '-£' : '£') + format(abs(datum.value), '~s')")


def savings_by_agency(df: pd.DataFrame) -> alt.Chart:
    """Stacked bars: fiscal savings each year, by agency, cashable shaded solid."""
    return (
        alt.Chart(df, title=alt.Title("Fiscal savings by agency and year", subtitle="Undiscounted, real terms"))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("sum(amount):Q", axis=_money_axis("Savings")),
            color=alt.Color("agency:N", title="Agency", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")),
            opacity=alt.Opacity("kind:N", title="", scale=alt.Scale(domain=["Cashable", "Non-cashable"], range=[1.0, 0.45])),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("amount:Q", title="Amount (£)", format=",.0f"),
            ],
        )
        .properties(height=320)
    )


def cumulative_net(df: pd.DataFrame) -> alt.Chart:
    """Discounted cumulative costs, savings and the net position, with the zero line."""
    long = df.melt("year", var_name="series", value_name="amount")
    base = alt.Chart(long, title=alt.Title("Cumulative discounted position", subtitle="Present values, fiscal benefits only"))
    lines = base.mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("amount:Q", axis=_money_axis("Cumulative (PV)")),
        color=alt.Color(
            "series:N",
            title="",
            scale=alt.Scale(
                domain=["Cumulative costs", "Cumulative fiscal savings", "Net position"],
                range=["#c0582c", "#2f8a3e", "#1f5a96"],
            ),
            legend=alt.Legend(orient="bottom"),
        ),
        strokeDash=alt.condition(alt.datum.series == "Net position", alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("series:N", title=""),
                 alt.Tooltip("amount:Q", title="£", format=",.0f")],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444", strokeDash=[2, 2]).encode(y="y:Q")
    return (lines + zero).properties(height=320)


def do_nothing(df: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(df, title=alt.Title("Cost of the needs if nothing is done", subtitle="Population x unit cost, growing each year"))
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("sum(cost):Q", axis=_money_axis("Cost per year"), stack=True),
            color=alt.Color("need:N", title="Need", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom", labelLimit=400)),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("need:N", title="Need"),
                     alt.Tooltip("cost:Q", title="£", format=",.0f")],
        )
        .properties(height=260)
    )
