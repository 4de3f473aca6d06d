"""The Business case page's sections."""

from __future__ import annotations

import streamlit as st

from logic import charts, views
from logic.report_text import money

from .state import evaluation

cc = st.column_config


def money_frame(df, skip=()):
    """Money columns as £1,234 text: what a finance officer expects to read."""
    out = df.copy()
    for c in out.columns:
        if c not in skip and out[c].dtype.kind in "fi":
            out[c] = out[c].map(money)
    return out


def headline_section() -> None:
    ev = evaluation()
    st.subheader("Headline figures")
    st.table(views.headline_table(ev).set_index("Figure"))


def savings_section() -> None:
    ev = evaluation()
    df = views.savings_by_agency_year(ev)
    if df.empty:
        st.info("No fiscal savings yet: add outcomes with fiscal benefits.")
    else:
        st.vega_lite_chart(charts.savings_by_agency(df).to_dict(validate=False), width="stretch")
    st.vega_lite_chart(charts.cumulative_net(views.cumulative_position(ev)).to_dict(validate=False), width="stretch")


def who_pays_section() -> None:
    ev = evaluation()
    st.subheader("Who pays, who benefits")
    st.caption(
        "Present values over the appraisal period, before any outcomes contract. "
        "Delivery costs sit with the provider here; the contract pages show who funds them."
    )
    df = views.who_pays_matrix(ev)
    # A medium name column keeps every money column on a 1280-pixel screen; the full name shows on hover.
    st.dataframe(
        money_frame(df),
        hide_index=True,
        width="stretch",
        column_config={"Organisation": cc.TextColumn("Organisation", width="medium")},
    )


def yearly_section() -> None:
    ev = evaluation()
    with st.expander("Year by year"):
        df = views.yearly_table(ev)
        st.dataframe(
            money_frame(df, skip=("Year", "Participants", "Discount factor")),
            hide_index=True,
            width="stretch",
            column_config={
                "Discount factor": cc.NumberColumn(format="%.4f"),
                "Participants": cc.NumberColumn(format="%.1f"),
            },
        )


def do_nothing_section() -> None:
    ev = evaluation()
    st.subheader("The cost of doing nothing")
    df = views.do_nothing_frame(ev)
    if df.empty:
        st.info("Give a need its population and unit cost to see what it costs if nothing is done.")
        return
    st.vega_lite_chart(charts.do_nothing(df).to_dict(validate=False), width="stretch")
    summary = views.do_nothing_summary(ev)
    st.dataframe(money_frame(summary), hide_index=True, width="stretch")


def outcomes_section() -> None:
    ev = evaluation()
    with st.expander("Outcomes: achieved, would have happened anyway, additional"):
        df = views.outcomes_table(ev)
        st.dataframe(
            df,
            hide_index=True,
            width="stretch",
            column_config={c: cc.NumberColumn(c, format="%.1f") for c in df.columns if c != "Outcome"},
        )
