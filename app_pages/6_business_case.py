"""The business case: who pays, who saves, how much, when."""

import streamlit as st

from components import business_case as bc
from components.empty import empty_state
from components.kpi import kpi_strip
from components.navigation import back_next
from components.presenter import presenter_style
from components.state import scenario
from components.step import prompt, still_to_decide

presenter_style()
st.title("Business case")
prompt("business_case")
kpi_strip()
still_to_decide(scenario())
if not empty_state("The business case"):
    bc.two_questions()
    bc.economic_section()
    bc.financial_section()
    bc.savings_section()
    bc.who_pays_section()
    bc.headline_section()
    bc.do_nothing_section()
    bc.outcomes_section()
    bc.yearly_section()
back_next("6_business_case.py")
