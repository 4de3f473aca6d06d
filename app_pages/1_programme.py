"""Step: the programme - settings, agencies and cohort."""

import streamlit as st

from components.graph import toc_graph
from components.kpi import kpi_strip
from components.navigation import NEW_PROGRAMME, back_next, page
from components.presenter import presenter_style, presenting
from components.state import scenario
from components.step import prompt, still_to_decide

sc = scenario()
presenter_style()
st.title("Programme")
kpi_strip()
toc_graph(sc)  # the whole theory of change under the key figures, as on every step
prompt("programme")
if not presenting():
    # The editors bring pandas and the graph library; the first page of a cold start shows its figures first.
    from components import programme

    st.page_link(page(NEW_PROGRAMME), label="Start a new programme: blank, or from a template", icon=NEW_PROGRAMME.icon)
    still_to_decide(sc, "programme", only_gaps=True)  # the horizon, the discount schedule
    programme.settings_editor(sc)
    st.subheader("Organisations that pay or benefit")
    programme.agencies_editor(sc)
    st.subheader("People referred each year")
    left, _ = st.columns([2, 3])
    with left:
        programme.intake_editor(sc)
back_next("1_programme.py")
