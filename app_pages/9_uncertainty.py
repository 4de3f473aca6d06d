"""Uncertainty: Monte Carlo, tornado and switching values."""

import streamlit as st

from components import elicitation, uncertainty
from components.empty import empty_state
from components.kpi import kpi_strip
from components.navigation import back_next
from components.presenter import presenter_style
from components.state import scenario
from components.step import prompt

sc = scenario()
presenter_style()
st.title("Uncertainty")
prompt("uncertainty")
kpi_strip()
if not empty_state("The simulation, the tornado and the switching values"):
    st.subheader("Which inputs are uncertain, and how much")
    uncertainty.inputs_editor(sc)
    uncertainty.correlations_editor(sc)
    elicitation.panel(sc)  # ask the room for their own ranges
    uncertainty.results(sc)
back_next("9_uncertainty.py")
