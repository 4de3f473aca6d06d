"""Altair chart builders: board-paper ready (titles, axis labels, money in the scenario's currency).

Used by the app and the HTML report. A frame from logic.views or logic.case_views carries its price base
and currency in `attrs`; a frame without them is taken to be in pounds.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .presentation import currency_mark, money_axis_label

# Streamlit's default autosize "fit" squeezes legends and titles into the given height,
# leaving a sliver of plot; fit-x keeps `height` for the plot and fits only the width.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
PALETTE = ["#1f5a96", "#2f8a3e", "#c0582c", "#7b3f96", "#b8860b", "#4a8c9c", "#8c4a4a", "#e377c2", "#5a5a5a", "#9acd32"]


def _currency(df: pd.DataFrame) -> str:
    return df.attrs.get("currency", "GBP")


def _money_axis(title: str, df: pd.DataFrame) -> alt.Axis:
    return alt.Axis(title=title, labelExpr=money_axis_label(_currency(df)))


def _in_currency(text: str, df: pd.DataFrame) -> str:
    """A tooltip's title naming the currency: 'Amount (€)'; the bare mark where there is no other word."""
    mark = currency_mark(_currency(df))
    return f"{text} ({mark})" if text else mark


def _agency_colours(df: pd.DataFrame, field: str) -> alt.Scale:
    """Each organisation keeps its colour from chart to chart: by its place in the scenario's list (attrs["order"])."""
    order = df.attrs.get("order")
    if not order:
        return alt.Scale(range=PALETTE)
    present = set(df[field])
    pairs = [(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(order) if name in present]
    return alt.Scale(domain=[n for n, _ in pairs], range=[c for _, c in pairs])


def _priced(df: pd.DataFrame, text: str) -> str:
    """Text with the frame's price base after it ('..., 2025/26 prices'), where logic.views attached one."""
    base = df.attrs.get("price_base")
    return f"{text}, {base}" if base else text


def savings_by_agency(df: pd.DataFrame) -> alt.Chart:
    """Stacked bars: fiscal savings each year, by agency, cashable shaded solid."""
    return (
        alt.Chart(
            df, title=alt.Title("Fiscal savings by agency and year", subtitle=_priced(df, "Undiscounted, real terms"))
        )
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(amount):Q", axis=_money_axis(_priced(df, "Savings"), df)),
            color=alt.Color(
                "agency:N",
                title="Agency",
                scale=_agency_colours(df, "agency"),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            opacity=alt.Opacity(
                "kind:N",
                title="Savings",
                scale=alt.Scale(domain=["Cashable", "Non-cashable"], range=[1.0, 0.45]),
                legend=alt.Legend(orient="right"),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("amount:Q", title=_in_currency("Amount", df), format=",.0f"),
            ],
        )
        .properties(autosize=FIT_WIDTH, height=340)
    )


def cumulative_net(df: pd.DataFrame) -> alt.Chart:
    """Discounted cumulative costs, savings and the net position, with the zero line."""
    long = df.melt("year", var_name="series", value_name="amount")
    base = alt.Chart(
        long,
        title=alt.Title("Cumulative discounted position", subtitle=_priced(df, "Present values, fiscal benefits only")),
    )
    lines = base.mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("amount:Q", axis=_money_axis(_priced(df, "Cumulative (PV)"), df)),
        color=alt.Color(
            "series:N",
            title="",
            scale=alt.Scale(
                domain=["Cumulative costs", "Cumulative fiscal savings", "Net position"],
                range=["#c0582c", "#1f5a96", "#222222"],
            ),
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
        ),
        # A scale rather than alt.condition: the same picture, and much quicker to build on every rerun.
        strokeDash=alt.StrokeDash(
            "series:N",
            scale=alt.Scale(
                domain=["Cumulative costs", "Cumulative fiscal savings", "Net position"],
                range=[[5, 3], [5, 3], [1, 0]],
            ),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("series:N", title=""),
            alt.Tooltip("amount:Q", title=_in_currency("", df), format=",.0f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444", strokeDash=[2, 2]).encode(y="y:Q")
    return (lines + zero).properties(autosize=FIT_WIDTH, height=340)


def do_nothing(df: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(
            df,
            title=alt.Title(
                "Cost of the needs if nothing is done",
                subtitle=_priced(df, "Population x unit cost, growing each year"),
            ),
        )
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(cost):Q", axis=_money_axis(_priced(df, "Cost per year"), df), stack=True),
            color=alt.Color(
                "need:N",
                title="Need",
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("need:N", title="Need"),
                alt.Tooltip("cost:Q", title=_in_currency("", df), format=",.0f"),
            ],
        )
        .properties(autosize=FIT_WIDTH, height=300)
    )


def risk_share(
    curve: pd.DataFrame,
    switching: pd.DataFrame,
    cap_zone: tuple[float, float] | None,
    m_now: float,
    shown: list[str] | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """Each party's position against performance m, with central case, switching values and cap zone.

    `shown` leaves parties out (one big line can flatten the rest); each keeps its colour.
    """
    parties = list(dict.fromkeys(curve["party"]))
    y_axis = _money_axis(_priced(curve, "Position (PV)"), curve)
    position = _in_currency("Position", curve)
    if shown:
        curve = curve[curve["party"].isin(shown)]
        switching = switching[switching["party"].isin(shown)]
    layers = []
    if cap_zone is not None:
        zone = pd.DataFrame({"start": [cap_zone[0]], "end": [cap_zone[1]], "label": ["Cap binds"]})
        layers.append(alt.Chart(zone).mark_rect(color="#f2d7a6", opacity=0.45).encode(x="start:Q", x2="end:Q"))
        layers.append(
            alt.Chart(zone)
            .mark_text(align="left", dx=4, baseline="top", color="#8a6d2f", fontSize=12)
            .encode(x="start:Q", y=alt.value(4), text="label:N")
        )
    lines = (
        alt.Chart(curve)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X(
                "m:Q",
                title="Performance (m): 0 = no effect, 1 = as planned, 1.5 = half as good again",
                scale=alt.Scale(domain=[0, 1.5], nice=False),
            ),
            y=alt.Y("position:Q", axis=y_axis),
            color=alt.Color(
                "party:N",
                title="Party",
                scale=alt.Scale(domain=[p for p in parties if not shown or p in shown], range=_colours(parties, shown)),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            tooltip=[
                alt.Tooltip("party:N", title="Party"),
                alt.Tooltip("m:Q", title="m", format=".2f"),
                alt.Tooltip("position:Q", title=position, format=",.0f"),
            ],
        )
    )
    layers.append(lines)
    layers.append(alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y="y:Q"))
    central = pd.DataFrame({"m": [1.0], "label": ["Central case"]})
    layers.append(alt.Chart(central).mark_rule(color="#444", strokeDash=[4, 3]).encode(x="m:Q"))
    layers.append(
        alt.Chart(central)
        .mark_text(align="left", dx=4, baseline="top", color="#444")
        .encode(x="m:Q", y=alt.value(20), text="label:N")
    )
    if abs(m_now - 1.0) > 1e-9:
        now = pd.DataFrame({"m": [m_now]})
        layers.append(alt.Chart(now).mark_rule(color="#1f5a96", strokeWidth=2).encode(x="m:Q"))
    if not switching.empty:
        switching = switching.assign(position=0.0)
        layers.append(
            alt.Chart(switching)
            .mark_point(shape="diamond", size=140, filled=True, color="#000")
            .encode(
                x="m:Q",
                y="position:Q",
                tooltip=[alt.Tooltip("party:N", title="Breaks even"), alt.Tooltip("m:Q", format=".2f")],
            )
        )
    return alt.layer(*layers).properties(
        autosize=FIT_WIDTH,
        title=alt.Title(
            "Who gains and who loses as performance varies",
            subtitle=_priced(
                curve, "Each party's present-value position; diamonds mark where a party breaks even; real terms"
            ),
        ),
        height=380,
    )


def _colours(parties: list[str], shown: list[str] | None) -> list[str]:
    """Each party's colour by its place among all parties, so hiding one does not recolour the rest."""
    return [PALETTE[i % len(PALETTE)] for i, p in enumerate(parties) if not shown or p in shown]


def histogram(df: pd.DataFrame, title: str, money_axis: bool = True, fmt: str = ",.0f") -> alt.LayerChart:
    """Distribution of one Monte Carlo figure, with the zero line marked."""
    axis = _money_axis(title, df) if money_axis else alt.Axis(title=title, format=fmt)
    bars = (
        alt.Chart(df)
        .mark_bar(color="#1f5a96", opacity=0.85)
        .encode(
            x=alt.X("value:Q", bin=alt.Bin(maxbins=40), axis=axis),
            y=alt.Y("count():Q", title="Draws"),
            tooltip=[alt.Tooltip("count():Q", title="Draws")],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#c0582c", strokeWidth=2).encode(x="x:Q")
    return (bars + zero).properties(autosize=FIT_WIDTH, title=title, height=240)


def tornado(df: pd.DataFrame, title: str) -> alt.LayerChart:
    """Bars from the central NPV to its value with each input at its low and its high."""
    order = list(dict.fromkeys(df["input"]))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y(
                "input:N", sort=order, title=None, axis=alt.Axis(labelLimit=380), scale=alt.Scale(paddingInner=0.35)
            ),
            x=alt.X("value:Q", axis=_money_axis(title, df), stack=None),
            x2="central:Q",
            # One colour per end (low, high); the input's value at that end is in the tooltip. Orange and blue,
            # not red and green: about one man in twelve cannot tell those apart.
            color=alt.Color(
                "side:N" if "side" in df.columns else "end:N",
                title="Input at its",
                scale=alt.Scale(domain=["Low", "High"], range=["#c0582c", "#1f5a96"])
                if "side" in df.columns
                else alt.Scale(range=["#c0582c", "#1f5a96"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("input:N", title="Input"),
                alt.Tooltip("end:N", title="At"),
                alt.Tooltip("value:Q", title=_in_currency("", df), format=",.0f"),
            ],
        )
    )
    centre = alt.Chart(df.head(1)).mark_rule(color="#444", strokeDash=[4, 3]).encode(x="central:Q")
    return (bars + centre).properties(
        autosize=FIT_WIDTH,
        title=alt.Title("What moves the answer most", subtitle="Each input from its low to its high, the rest central"),
        height=max(120, 34 * len(order)),
    )


def loss_chances(df: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(df, title="Chance each party loses money")
        .mark_bar(color="#c0582c")
        .encode(
            y=alt.Y("party:N", title=None, sort="-x", axis=alt.Axis(labelLimit=380)),
            x=alt.X(
                "p_loss:Q",
                title="Chance of a negative position",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[alt.Tooltip("party:N"), alt.Tooltip("p_loss:Q", format=".1%", title="Chance")],
        )
        .properties(autosize=FIT_WIDTH, height=max(120, 30 * len(df)))
    )


def economic_case(df: pd.DataFrame) -> alt.LayerChart:
    """What the programme is worth and what it costs, as present values; transfers drawn apart, not counted."""
    order = list(df["line"])
    colours = alt.Scale(domain=["Counted", "Shown, not counted", "Cost"], range=["#2f8a3e", "#b5b5b5", "#c0582c"])
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("line:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("amount:Q", axis=_money_axis(_priced(df, "Present value"), df)),
            color=alt.Color(
                "counts:N", title="In the net present value", scale=colours, legend=alt.Legend(orient="bottom")
            ),
            tooltip=[
                alt.Tooltip("line:N", title=""),
                alt.Tooltip("amount:Q", title=_in_currency("Present value", df), format=",.0f"),
                alt.Tooltip("counts:N", title="In the NPV"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4).encode(text="label:N", color=alt.value("#333"))
    return (bars + labels).properties(
        autosize=FIT_WIDTH,
        height=34 * len(order),
        title=alt.Title(
            "What it is worth and what it costs",
            subtitle=_priced(df, "Present values, real terms; transfers shown, not counted"),
        ),
    )


def cash_by_budget(df: pd.DataFrame, public: pd.DataFrame | None = None) -> alt.LayerChart | alt.FacetChart:
    """Each budget's cash in and out by year under the contract, the public sector's net as a line.

    Years after the horizon are shaded: only outcome payments fall there, and they count.
    """
    note = df.attrs.get("cash_note", "Cash")
    last = df.attrs.get("last_year")
    line = "" if public is None or public.empty else "; the black line is the public sector's net cash"
    layers = []
    if last is not None and bool(df["after_horizon"].any()):
        after = pd.DataFrame(
            {"start": [last + 0.5], "end": [int(df["year"].max()) + 0.5], "label": ["After the horizon"]}
        )
        layers.append(alt.Chart(after).mark_rect(color="#e8e8e8", opacity=0.7).encode(x="start:Q", x2="end:Q"))
        layers.append(
            alt.Chart(after)
            .mark_text(align="left", dx=4, baseline="top", color="#555", fontSize=12)
            .encode(x="start:Q", y=alt.value(4), text="label:N")
        )
    years = sorted(set(int(y) for y in df["year"]))
    x = alt.X(
        "year:Q",
        title="Year",
        scale=alt.Scale(domain=[years[0] - 0.5, years[-1] + 0.5], nice=False, zero=False) if years else alt.Undefined,
        axis=alt.Axis(format="d", values=years, labelAngle=0, grid=False),
    )
    layers.append(
        alt.Chart(df)
        .mark_bar(size=_bar_width(len(years)))
        .encode(
            x=x,
            y=alt.Y("sum(cash):Q", axis=_money_axis("Cash, each year's prices", df)),
            color=alt.Color(
                "budget:N",
                title="Budget",
                scale=_agency_colours(df, "budget"),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            tooltip=[
                alt.Tooltip("year:Q", title="Year", format="d"),
                alt.Tooltip("budget:N", title="Budget"),
                alt.Tooltip("cash:Q", title=_in_currency("Cash", df), format=",.0f"),
            ],
        )
    )
    if public is not None and not public.empty:
        layers.append(
            alt.Chart(public)
            .mark_line(point=alt.OverlayMarkDef(filled=True, size=50, color="#111"), color="#111", strokeWidth=2)
            .encode(
                x=x,
                y="cash:Q",
                tooltip=[
                    alt.Tooltip("year:Q", title="Year", format="d"),
                    alt.Tooltip("series:N", title=""),
                    alt.Tooltip("cash:Q", title=_in_currency("Cash", df), format=",.0f"),
                ],
            )
        )
    layers.append(alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444").encode(y="y:Q"))
    return alt.layer(*layers).properties(
        autosize=FIT_WIDTH,
        height=340,
        title=alt.Title(
            "Cash in and out of each budget, by year, under the contract",
            subtitle=f"{note}. Above zero: the budget banks more than it pays that year{line}",
        ),
    )


def _bar_width(years: int) -> float:
    # A quantitative year axis (so the after-horizon band can sit between years) needs an explicit bar width.
    return max(6.0, min(40.0, 600.0 / max(years, 1)))
