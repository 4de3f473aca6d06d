"""Outcomes contract and risk-share sections."""

from __future__ import annotations

import streamlit as st

from logic import Scenario, charts, views
from logic import case_views as cases
from logic import contract_editing as ce
from logic import editing as ed
from logic.model import CONTRACT_TYPES, PAYMENT_BASES
from logic.presentation import CONTRACT_TYPE_NAMES, currency_mark, money, money_columns

from .editors import MONEY, table_editor
from .state import document, evaluation, show_problems, try_apply, version
from .tables import figures_table

cc = st.column_config

INDEXATION = {
    "none": "None: prices and cap fixed in cash",
    "inflation": "Inflation: prices rise with inflation",
}
HYBRID_TYPES = ("payment_by_results", "social_impact_bond")


def terms_editor(sc: Scenario) -> None:
    v = version()
    k = sc.contract
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(
        "Contract type",
        CONTRACT_TYPES,
        CONTRACT_TYPES.index(k.type),
        format_func=CONTRACT_TYPE_NAMES.get,
        key=f"ctype-{v}",
    )
    basis = c2.selectbox(
        "Outcomes counted",
        PAYMENT_BASES,
        PAYMENT_BASES.index(k.payment_basis),
        key=f"basis-{v}",
        format_func={
            "gross": "Gross (every outcome achieved)",
            "above_baseline": "Above baseline (only those beyond the comparison group)",
        }.get,
    )
    lag = c3.number_input("Payment lag (years after intake)", 0, 20, k.payment_lag_years, key=f"lag-{v}")
    c4, c5, c6 = st.columns(3)
    capped = c4.toggle("Cap on total outcome payments", k.cap is not None, key=f"capped-{v}")
    cap = c5.number_input(
        f"Cap ({currency_mark(sc.settings.currency)})",
        0.0,
        1e12,
        float(k.cap or 0.0),
        step=50_000.0,
        format="%.0f",
        key=f"cap-{v}",
        disabled=not capped,
    )
    margin = c6.number_input(
        "Provider margin on delivery costs",
        0.0,
        1.0,
        float(k.provider_margin),
        step=0.01,
        format="%.2f",
        key=f"margin-{v}",
    )
    c7, c8, c9 = st.columns(3)
    indexation = c7.selectbox(
        "Indexation of prices",
        list(INDEXATION),
        list(INDEXATION).index(k.indexation),
        format_func=INDEXATION.get,
        key=f"indexation-{v}",
        help="With inflation, each year's price is the rate card's price grown by inflation since the price base "
        "year; caps stay fixed in cash either way.",
    )
    fixed = c8.number_input(
        "Fixed fee share (hybrid)",
        0.0,
        1.0,
        float(k.fixed_share),
        step=0.05,
        format="%.2f",
        key=f"fixed-{v}",
        disabled=kind not in HYBRID_TYPES,
        help="Payment by results and bonds only: this share of delivery costs is paid by the outcome payers as a "
        "fee, not at risk; the rest is funded by the provider or the investors and repaid through outcome payments.",
    )
    c9.caption(f"Inflation is set to {sc.settings.inflation:.1%} a year on the Programme page.")
    st.caption(views.CONTRACT_WORDS[kind] + _hybrid_words(kind, float(fixed)))
    new = {
        "type": kind,
        "payment_basis": basis,
        "payment_lag_years": int(lag),
        "cap": float(cap) if capped else None,
        "provider_margin": float(margin),
        "indexation": indexation,
        "fixed_share": float(fixed),
    }
    if new != ce.contract_terms(sc):
        try_apply("contract", lambda: ce.apply_contract_terms(document(), new))
    show_problems("contract")


def _hybrid_words(kind: str, fixed: float) -> str:
    if kind not in HYBRID_TYPES or fixed <= 0:
        return ""
    who = "provider" if kind == "payment_by_results" else "investors"
    return (
        f" A hybrid: the outcome payers pay {fixed:.0%} of delivery as a fee; the {who} fund the other "
        f"{1 - fixed:.0%} and are repaid by results."
    )


def rate_card_editor(sc: Scenario) -> None:
    if not sc.outcomes:
        st.info("No outcomes yet, so nothing to price: add them on the Outcomes page.", icon=":material/flag:")
        return
    ev = evaluation()
    pb = cases.price_base(ev)
    paid = cases.paid_per_outcome_table(ev)
    card = ce.rate_card_table(sc)
    # The price, what it comes to per valued outcome and what that outcome is worth, side by side; then the terms.
    # Read-only figures to the pound: the grid would otherwise show every decimal.
    df = card[["id", "label", "price"]].assign(
        paid=paid["Paid per outcome the case values"].astype("Float64").round(0).values,
        worth=paid["Worth to the public sector per outcome valued"].round(0).values,
    )
    df = df.join(card[["payment_lag_years", "payment_cap"]])
    lag = sc.contract.payment_lag_years
    cur = currency_mark(sc.settings.currency)
    cols = {
        "id": None,  # hidden: it ties each row to its outcome
        "label": cc.TextColumn("Outcome", disabled=True, width="medium"),
        "price": cc.NumberColumn(f"Price ({cur})", help="What the contract pays for each outcome it counts", **MONEY),
        "payment_lag_years": cc.NumberColumn(
            "Own lag (years)",
            step=1,
            format="%d",
            help=f"Years after the intake year that this outcome is paid; blank: the contract's lag ({lag})",
        ),
        "payment_cap": cc.NumberColumn(
            f"Own cap ({cur})", help="The most ever paid for this outcome, in cash; blank: no cap of its own", **MONEY
        ),
        "paid": cc.NumberColumn(
            f"Paid per valued ({cur})",
            disabled=True,
            format="localized",
            help=f"What the contract pays in all, real terms ({pb}), for each outcome the business case values: "
            "after attribution, displacement and optimism bias, which the contract's count does not apply",
        ),
        "worth": cc.NumberColumn(
            f"Worth to public ({cur})",
            disabled=True,
            format="localized",
            help=f"Fiscal savings to public bodies from one valued outcome over its duration, undiscounted, {pb}",
        ),
    }
    # A lag or cap left blank shows blank (the contract's lag, no cap of its own: the headers' help says so).
    table_editor("rate-card", df, cols, lambda edited: ce.apply_rate_card_table(document(), edited), dynamic=False)
    notes = cases.paid_per_outcome_notes(ev)
    if notes:
        st.markdown(
            "**Why the cost per valued outcome is not the price:** the contract and the business case count "
            "outcomes differently.\n" + "\n".join(f"- {n}" for n in notes)
        )
    with st.expander("What one extra outcome is worth to each organisation"):
        st.caption(f"Undiscounted fiscal value of one extra outcome over its duration, before optimism bias, {pb}.")
        figures_table(money_columns(views.rate_card(ev), sc.settings.currency), names=("Outcome",))


def payers_editor(sc: Scenario) -> None:
    cols = {
        "agency": cc.SelectboxColumn(
            "Commissioner paying for outcomes",
            options=sc.agency_ids,
            required=True,
            width="large",
            format_func={a.id: a.name for a in sc.agencies}.get,
        ),
        "share": cc.NumberColumn("Share", step=0.05, format="%.4f", required=True),
    }
    table_editor("payers", ed.payers_table(sc), cols, lambda df: ed.apply_payers_table(document(), df))
    ev = evaluation()
    fair = views.fair_shares(ev)
    if fair:
        names = views.agency_names(ev)
        text = ", ".join(f"{names[a]} {s:.1%}" for a, s in fair.items())
        st.caption(f"Fair share (by each agency's PV of cashable savings): {text}")
        if st.button("Use the fair shares", key=f"fair-{version()}"):
            try_apply("payers", lambda: ed.set_shares(document(), fair))


def payment_summary() -> None:
    ev = evaluation()
    c = ev.figures["contract"]
    if c["type"] in ("none", "fee_for_service"):
        st.info("This contract type pays nothing for outcomes: prices are ignored.")
        return
    pb = cases.price_base(ev)
    last = ev.scenario.settings.start_year + ev.scenario.settings.horizon_years - 1
    cur = ev.scenario.settings.currency
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Outcome payments (cash)",
        money(c["outcome_payments_total"], cur),
        border=True,
        help="Undiscounted total paid in cash over every year a payment falls, after the horizon too",
    )
    m2.metric(
        f"Present value ({pb})",
        money(c["pv_outcome_payments"], cur),
        border=True,
        help="The payments in real terms, discounted as every other figure",
    )
    m3.metric(
        f"Paid after {last}, counted",
        money(c["payments_beyond_horizon"], cur),
        border=True,
        help=f"Due after {last}, the last year appraised, for outcomes achieved within it: counted in every figure",
    )
    if c["payments_beyond_horizon"] > 0:
        st.info(
            f"{money(c['payments_beyond_horizon'], cur)} of outcome payments fall after {last}, the last year "
            "appraised. They are owed for outcomes achieved within it, so every figure on this page counts them: "
            "the payments, each party's position and the cash by budget below.",
            icon=":material/event_upcoming:",
        )
    capped = [o.label for o in ev.scenario.outcomes if c["outcome_caps_bind"].get(o.id)]
    if capped:
        st.warning("An outcome's own cap binds: " + "; ".join(capped) + ".")
    if c["cap"] is not None:
        if c["cap_binds"]:
            st.warning(f"The cap of {money(c['cap'], cur)} binds: outcomes beyond it are not paid for.")
        else:
            st.success(f"The cap of {money(c['cap'], cur)} does not bind at central performance.")
    dead = views.deadweight_paid(ev)
    if c["payment_basis"] == "gross" and dead["share"] is not None:
        st.warning(
            f"On a gross basis {money(dead['deadweight'], cur)} of {money(dead['total'], cur)} "
            f"({dead['share']:.0%}) pays for outcomes that would have happened anyway (before the cap)."
        )
    elif c["payment_basis"] == "above_baseline":
        st.caption("Above baseline: only outcomes beyond what the comparison group achieves are paid for.")


def cash_section() -> None:
    ev = evaluation()
    df = cases.cash_by_budget_year(ev)
    if df.empty:
        st.info("No budget pays or saves any cash yet.")
        return
    spec = charts.cash_by_budget(df, cases.public_sector_cash(ev)).to_dict(validate=False)
    st.vega_lite_chart(spec, width="stretch")


def parties_section() -> None:
    ev = evaluation()
    st.caption(f"Present values, real terms, {cases.price_base(ev)}.")
    figures_table(
        views.parties_table_text(ev),
        names=("Party",),
        **{
            "Breaks even at performance m": cc.TextColumn(
                help="The performance at which the party's position changes sign (1 = as planned)"
            ),
        },
    )


def risk_chart(m_now: float) -> None:
    """The risk-share chart with a picker below it to leave parties out (one curve computed per rerun)."""
    ev = evaluation()
    curve = views.risk_curve(ev)
    chart = st.empty()  # drawn above the picker, which it depends on
    parties = list(dict.fromkeys(curve["party"]))
    shown = st.pills(
        "Parties on the chart",
        parties,
        selection_mode="multi",
        default=parties,
        key=f"risk-parties-{'|'.join(parties)}",  # a new set of parties starts from all shown
        help="Leave out a party with a large position to see the others at a closer scale.",
    )
    spec = charts.risk_share(curve, views.switching_points(ev), views.cap_zone(ev), m_now, shown or None)
    chart.altair_chart(spec, width="stretch")


def investor_section() -> None:
    ev = evaluation()
    df = cases.investor_table(ev)
    if df.empty:
        return
    st.markdown("**The investors**")
    st.table(df.set_index("Figure"))


def risk_table() -> None:
    ev = evaluation()
    st.caption(
        f"Outcome payments in cash; positions are present values in real terms, {cases.price_base(ev)}; "
        "the investor's return nominal (on cash) and real."
    )
    st.table(views.risk_table_text(ev).set_index("Figure"))


def live_positions(m: float) -> None:
    ev = evaluation()
    st.caption(f"Present values, real terms, {cases.price_base(ev)}.")
    figures_table(views.positions_at_text(ev, m), names=("Party",))
