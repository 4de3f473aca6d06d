"""Step: the programme - settings, agencies and cohort."""

import streamlit as st

from components import programme
from components.graph import toc_graph
from components.kpi import kpi_strip
from components.state import scenario
from components.step import prompt

sc = scenario()
st.title("Programme")
prompt("programme")
kpi_strip()
programme.settings_editor(sc)
left, right = st.columns([3, 2])
with left:
    st.subheader("Organisations that pay or benefit")
    programme.agencies_editor(sc)
with right:
    st.subheader("People referred each year")
    programme.intake_editor(sc)
st.subheader("The theory of change")
toc_graph(sc)
