"""Start a programme of your own: blank or from a template."""

import streamlit as st

from components.new_programme import blank_form, gallery, unsaved_guard

st.title("New programme")
st.caption(
    "Start a new business case from nothing, or from a template you then make your own. "
    "What you have now can be saved first; Undo in the sidebar brings it back in this session."
)
if not unsaved_guard():
    blank_form()
    gallery()
