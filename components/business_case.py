"""The Business case page's sections."""

from __future__ import annotations

import streamlit as st

from logic import views

from . import charts
from .state import evaluation

cc = st.column_config
MONEY = cc.NumberColumn(format="£%,.0f")


def _money_columns(df, skip=()) -> dict:
    return {c: cc.NumberColumn(c, format="localized") for c in df.columns if c not in skip and df[c].dtype.kind in "fi"}


def headline_section() -> None:
    ev = evaluation()
    st.subheader("Headline figures")
    st.dataframe(
        views.headline_table(ev),
        hide_index=True,
        width="stretch",
        column_config={"What it means": cc.TextColumn(width="large")},
    )


def savings_section() -> None:
    ev = evaluation()
    left, right = st.columns(2)
    df = views.savings_by_agency_year(ev)
    if df.empty:
        left.info("No fiscal savings yet: add outcomes with fiscal benefits.")
    else:
        left.altair_chart(charts.savings_by_agency(df), width="stretch")
    right.altair_chart(charts.cumulative_net(views.cumulative_position(ev)), width="stretch")


def who_pays_section() -> None:
    ev = evaluation()
    st.subheader("Who pays, who benefits")
    st.caption("Present values over the appraisal period, before any outcomes contract. "
               "Delivery costs sit with the provider here; the contract pages show who funds them.")
    df = views.who_pays_matrix(ev)
    st.dataframe(df, hide_index=True, width="stretch", column_config=_money_columns(df, skip=("Organisation",)))


def yearly_section() -> None:
    ev = evaluation()
    with st.expander("Year by year"):
        df = views.yearly_table(ev)
        st.dataframe(df, hide_index=True, width="stretch", column_config=_money_columns(df, skip=("Year", "Discount factor")))


def do_nothing_section() -> None:
    ev = evaluation()
    st.subheader("The cost of doing nothing")
    df = views.do_nothing_frame(ev)
    if df.empty:
        st.info("Give a need its population and unit cost to see what it costs if nothing is done.")
        return
    st.altair_chart(charts.do_nothing(df), width="stretch")
    summary = views.do_nothing_summary(ev)
    st.dataframe(summary, hide_index=True, width="stretch", column_config=_money_columns(summary))


def outcomes_section() -> None:
    ev = evaluation()
    with st.expander("Outcomes: achieved, would have happened anyway, additional"):
        df = views.outcomes_table(ev)
        st.dataframe(df, hide_index=True, width="stretch",
                     column_config={c: cc.NumberColumn(c, format="%.1f") for c in df.columns if c != "Outcome"})
