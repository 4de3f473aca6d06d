"""Outcomes contract: type, rate card, cap, lag, indexation, payers and margin; what it pays and who gains."""

import streamlit as st

from components import contract
from components.empty import empty_state
from components.kpi import kpi_strip
from components.navigation import back_next
from components.presenter import presenter_style, presenting
from components.state import scenario
from components.step import prompt

sc = scenario()
presenter_style()
st.title("Outcomes contract")
prompt("contract")
kpi_strip()
if not presenting():
    contract.terms_editor(sc)
    st.subheader("Rate card")
    st.caption(
        "What is paid per outcome the contract counts, each outcome's own payment lag and cap, and beside them what "
        "is paid per outcome the business case values and what that outcome is worth to the public sector."
    )
    contract.rate_card_editor(sc)
    st.subheader("Who pays for outcomes")
    contract.payers_editor(sc)
if not empty_state("What the contract pays, and each party's position,"):
    st.subheader("Payments")
    contract.payment_summary()
    st.subheader("Cash by budget and year")
    contract.cash_section()
    st.subheader("Each party's position")
    contract.parties_section()
    contract.investor_section()
back_next("7_contract.py")
