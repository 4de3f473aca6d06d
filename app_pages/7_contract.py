"""Outcomes contract: type, rate card, cap, lag, payers and margin."""

import streamlit as st

from components import contract
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
    st.caption("What is paid per outcome, beside what one extra outcome is worth to each organisation.")
    contract.rate_card_editor(sc)
    st.subheader("Who pays for outcomes")
    contract.payers_editor(sc)
st.subheader("Payments")
contract.payment_summary()
st.subheader("Each party's position")
contract.parties_section()
back_next("7_contract.py")
