"""Outcomes contract and risk-share sections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logic import Scenario, charts, views
from logic import editing as ed
from logic.model import CONTRACT_TYPES, PAYMENT_BASES
from logic.report_text import money

from .editors import MONEY, table_editor
from .state import document, evaluation, show_problems, try_apply, version

cc = st.column_config
TYPE_NAMES = {
    "none": "None (plain grant)",
    "fee_for_service": "Fee for service",
    "payment_by_results": "Payment by results",
    "social_impact_bond": "Social impact bond",
}


def terms_editor(sc: Scenario) -> None:
    v = version()
    k = sc.contract
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(
        "Contract type", CONTRACT_TYPES, CONTRACT_TYPES.index(k.type), format_func=TYPE_NAMES.get, key=f"ctype-{v}"
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
        "Cap (£)", 0.0, 1e12, float(k.cap or 0.0), step=50_000.0, format="%.0f", key=f"cap-{v}", disabled=not capped
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
    st.caption(views.CONTRACT_WORDS[kind])
    new = {
        "type": kind,
        "payment_basis": basis,
        "payment_lag_years": int(lag),
        "cap": float(cap) if capped else None,
        "provider_margin": float(margin),
    }
    old = {
        "type": k.type,
        "payment_basis": k.payment_basis,
        "payment_lag_years": k.payment_lag_years,
        "cap": k.cap,
        "provider_margin": k.provider_margin,
    }
    if new != old:

        def build():
            doc = document()
            for key, value in new.items():
                doc = ed.set_value(doc, ("contract", key), value)
            return doc

        try_apply("contract", build)
    show_problems("contract")


def rate_card_editor(sc: Scenario) -> None:
    ev = evaluation()
    card = views.rate_card(ev)
    df = ed.prices_table(sc)
    for col in card.columns:
        if col.startswith("Value to "):
            df[col] = card[col].values
    cols = {
        "id": cc.TextColumn("Id", disabled=True),
        "label": cc.TextColumn("Outcome", disabled=True, width="large"),
        "price": cc.NumberColumn("Price per outcome (£)", **MONEY),
    } | {
        c: cc.NumberColumn(
            c,
            disabled=True,
            format="localized",
            help="Undiscounted fiscal value of one extra outcome over its duration",
        )
        for c in df.columns
        if c.startswith("Value to ")
    }
    table_editor("prices", df, cols, lambda edited: ed.apply_prices_table(document(), edited), dynamic=False)


def payers_editor(sc: Scenario) -> None:
    cols = {
        "agency": cc.SelectboxColumn(
            "Commissioner paying for outcomes", options=sc.agency_ids, required=True, width="large"
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
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Outcome payments",
        money(c["outcome_payments_total"]),
        border=True,
        help="Undiscounted total paid within the appraisal period",
    )
    m2.metric("Present value", money(c["pv_outcome_payments"]), border=True)
    m3.metric(
        "Paid after the horizon",
        money(c["payments_beyond_horizon"]),
        border=True,
        help="Due after the last year appraised; left out of every other figure",
    )
    if c["cap"] is not None:
        if c["cap_binds"]:
            st.warning(f"The cap of {money(c['cap'])} binds: outcomes beyond it are not paid for.")
        else:
            st.success(f"The cap of {money(c['cap'])} does not bind at central performance.")
    dead = views.deadweight_paid(ev)
    if c["payment_basis"] == "gross" and dead["share"] is not None:
        st.warning(
            f"On a gross basis {money(dead['deadweight'])} of {money(dead['total'])} "
            f"({dead['share']:.0%}) pays for outcomes that would have happened anyway (before the cap)."
        )
    elif c["payment_basis"] == "above_baseline":
        st.caption("Above baseline: only outcomes beyond what the comparison group achieves are paid for.")


def parties_section() -> None:
    ev = evaluation()
    df = views.parties_table(ev)
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        column_config={
            "Position (PV)": cc.NumberColumn(format="localized"),
            "Breaks even at performance m": cc.NumberColumn(
                format="%.2f", help="Blank: never changes sign for m in 0..3"
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


def risk_table() -> None:
    ev = evaluation()
    st.table(_format_risk(views.risk_table(ev)).set_index("Figure"))


def _format_risk(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns[1:]:
        out[col] = [
            ("n/a" if pd.isna(v) else f"{v:.1%}")
            if fig == "Investor IRR"
            else ("n/a" if pd.isna(v) else f"{v:.2f}x")
            if fig == "Investor multiple"
            else money(v)
            for fig, v in zip(out["Figure"], out[col])
        ]
    return out


def live_positions(m: float) -> None:
    ev = evaluation()
    df = views.positions_at(ev, m)
    df["Position (PV)"] = df["Position (PV)"].map(money)
    st.dataframe(df, hide_index=True, width="stretch")
