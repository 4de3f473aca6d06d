"""The business case: who pays, who saves, how much, when."""

import streamlit as st

from components import business_case as bc
from components.kpi import kpi_strip
from components.step import prompt

st.title("Business case")
prompt("business_case")
kpi_strip()
bc.savings_section()
bc.who_pays_section()
bc.headline_section()
bc.do_nothing_section()
bc.outcomes_section()
bc.yearly_section()
