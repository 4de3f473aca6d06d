"""Scenarios: save versions, restore, fork, sign off, compare, and files in and out."""

import streamlit as st

from components import scenarios
from components.presenter import presenter_style
from components.step import prompt

presenter_style()
scenarios.open_from_link()
st.title("Scenarios")
prompt("scenarios")
scenarios.where_from()
st.subheader("Save")
scenarios.save_section()
st.subheader("Files: snapshot, workbook, board report")
scenarios.files_section()
st.subheader("Saved scenarios and their history")
scenarios.saved_section()
scenarios.who_can_see_it()
scenarios.deletions()
st.subheader("Compare two scenarios or versions")
scenarios.compare_section()
