"""A place: several saved programmes, the pooled fund that pays for them, and what it means for each agency."""

import streamlit as st

from components import place, place_setup
from components.presenter import presenter_style, presenting
from components.step import prompt

presenter_style()
st.title("Place")
prompt("place")
current = place.current()
if current is None:
    place_setup.start_section()
else:
    ev = place.evaluated(current)
    place_setup.where_from(current)
    place.headline_section(ev)
    if not presenting():  # the room's screen: the figures, not the editors
        st.subheader("The programmes")
        place_setup.programmes_section(current, ev)
        st.subheader("The fund: who pools, what it pays for, what comes back")
        place_setup.fund_section(current, ev)
        st.markdown("**What each member pays in, by year** (cash)")
        place_setup.contributions_section(current, ev)
        with st.expander("The place's name, years and discounting", icon=":material/tune:"):
            place_setup.settings_section(current)
    if ev.loaded is not None and ev.result is not None:
        st.subheader("What each programme costs and saves the place")
        place.programmes_cash_section(ev)
        st.subheader("Each agency: what it puts in and what it gets back")
        place.agencies_section(ev)
        st.subheader("The combined economic case")
        place.economic_section(ev)
        st.subheader("Total Place: what the needs cost with no action")
        place.total_place_section(ev)
        st.subheader("Try starting later")
        place.try_later_section(ev)
    if not presenting():
        st.subheader("Save, reopen, download")
        place_setup.keep_section(current)
