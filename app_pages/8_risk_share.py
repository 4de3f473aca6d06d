"""Risk share: how gains and losses split as performance varies."""

import streamlit as st

from components import contract
from components.empty import empty_state
from components.kpi import kpi_strip
from components.navigation import back_next
from components.presenter import presenter_style
from components.step import prompt

presenter_style()
st.title("Risk share")
prompt("risk_share")
kpi_strip()


@st.fragment
def performance_view() -> None:
    m = st.slider(
        "Performance (m): how well the programme works compared with plan", 0.0, 1.5, 1.0, 0.05, key="performance"
    )
    contract.risk_chart(m)
    st.markdown(f"**Each party's position at m = {m:.2f}**")
    contract.live_positions(m)


if not empty_state("How gains and losses split as performance varies"):
    performance_view()
    st.subheader("Low, central and high performance")
    contract.risk_table()
back_next("8_risk_share.py")
