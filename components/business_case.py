"""The Business case page's sections."""

from __future__ import annotations

import streamlit as st

from logic import case_views as cases
from logic import charts, views
from logic.presentation import compact_money, money, money_columns, ratio
from logic.report_text import ECONOMIC_CASE, FINANCIAL_CASE, WHAT_COUNTS

from .kpi import wrapped_metrics
from .state import evaluation
from .tables import figures_table

cc = st.column_config


def money_frame(ev, df, skip=()):
    """Money columns as text in the scenario's currency (£1,234; n/a where there is no figure)."""
    return money_columns(df, ev.scenario.settings.currency, skip=skip)


def headline_section() -> None:
    ev = evaluation()
    st.subheader("Headline figures")
    st.caption(f"Present values, real terms, {cases.price_base(ev)}.")
    st.table(views.headline_table(ev).set_index("Figure"))


def two_questions() -> None:
    """Is it worth it? Can we afford it, under this contract? Side by side, each answered in figures and words."""
    ev = evaluation()
    cur = ev.scenario.settings.currency
    r, fin, c = ev.figures, ev.figures["financial"], ev.figures["contract"]
    wrapped_metrics("two-questions", lines=1, fit=22)
    worth, afford = st.container(key="two-questions").columns(2, border=True)
    with worth:
        st.markdown("##### Is it worth it?")
        st.caption(f"The economic case: value to society. {cases.real_note(ev)}.")
        a, b = st.columns(2)
        a.metric(
            "NPV to society",
            compact_money(r["npv_public_value"], cur),
            help=ECONOMIC_CASE["npv_public_value"][1],
        )
        b.metric("Benefit-cost ratio", ratio(r["bcr_public_value"]), help=ECONOMIC_CASE["bcr_public_value"][1])
        st.markdown(cases.worth_it(ev))
        with st.container(key="economic-case"):
            _figure_table(cases.economic_case_table(ev))
        st.caption(WHAT_COUNTS)
        with st.expander("What these figures mean"):
            _meanings(cases.economic_case_table(ev))
    with afford:
        st.markdown("##### Can we afford it, under this contract?")
        st.caption(
            f"The financial case, under the {cases.CONTRACT_NAMES[c['type']]}: positions real, {cases.price_base(ev)}; "
            "cash at each year's prices."
        )
        a, b = st.columns(2)
        a.metric(
            "Public sector's position",
            compact_money(fin["public_sector_position"], cur),
            help=FINANCIAL_CASE["public_sector_position"][1],
        )
        premium = c["premium_over_fee_for_service"]
        b.metric(
            "Risk-transfer premium",
            "n/a" if premium is None else compact_money(premium, cur),
            help=FINANCIAL_CASE["premium_over_fee_for_service"][1],
        )
        st.markdown(cases.afford_it(ev))
        with st.container(key="financial-case"):
            _figure_table(cases.financial_case_table(ev))
        with st.expander("What these figures mean"):
            _meanings(cases.financial_case_table(ev))


def _figure_table(df) -> None:
    st.table(df[["Figure", "Value"]].set_index("Figure"))


def _meanings(df) -> None:
    st.markdown("\n".join(f"- **{fig}**: {text}" for fig, text in zip(df["Figure"], df["What it means"])))


def economic_section() -> None:
    ev = evaluation()
    st.subheader("Is it worth it? Value against cost")
    st.vega_lite_chart(charts.economic_case(cases.economic_lines(ev)).to_dict(validate=False), width="stretch")


def financial_section() -> None:
    ev = evaluation()
    st.subheader("Can we afford it? Each budget's cash, year by year")
    st.caption(_after_horizon(ev))
    df = cases.cash_by_budget_year(ev)
    if df.empty:
        st.info("No budget pays or saves any cash yet.")
        return
    spec = charts.cash_by_budget(df, cases.public_sector_cash(ev)).to_dict(validate=False)
    st.vega_lite_chart(spec, width="stretch")
    table = cases.cash_by_budget_table(ev)
    figures_table(money_frame(ev, table), Budget=cc.TextColumn("Budget", width="medium", pinned=True))
    st.caption(
        f"Each year and the total in cash; the position is the present value in real terms, {cases.price_base(ev)}."
    )


def _after_horizon(ev) -> str:
    c = ev.figures["contract"]
    last = ev.scenario.settings.start_year + ev.scenario.settings.horizon_years - 1
    if c["payments_beyond_horizon"] > 0:
        return (
            f"Outcome payments of {money(c['payments_beyond_horizon'], ev.scenario.settings.currency)} fall after "
            f"{last}, the last year appraised: they are owed for outcomes achieved within it, and they count."
        )
    return f"Every outcome payment falls by {last}, the last year appraised."


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
        f"Present values over the appraisal period, real terms, {cases.price_base(ev)}, before any outcomes "
        "contract. Delivery costs sit with the provider here; the contract pages show who funds them."
    )
    df = views.who_pays_matrix(ev)
    # A medium name column keeps every money column on a 1280-pixel screen; the full name shows on hover.
    figures_table(money_frame(ev, df), Organisation=cc.TextColumn("Organisation", width="medium"))


def yearly_section() -> None:
    ev = evaluation()
    with st.expander("Year by year"):
        st.caption(f"Undiscounted, real terms, {cases.price_base(ev)}.")
        df = views.yearly_table(ev)
        figures_table(
            money_frame(ev, df, skip=("Year", "Participants", "Discount factor")),
            names=("Year",),
            **{"Discount factor": cc.NumberColumn(format="%.4f"), "Participants": cc.NumberColumn(format="%.1f")},
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
    st.caption(f"Real terms, {cases.price_base(ev)}; the present value is discounted as every other figure.")
    figures_table(money_frame(ev, summary), names=("Need", "Borne by"))


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
