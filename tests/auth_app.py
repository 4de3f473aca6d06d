"""A tiny app for testing the sign-in gate under AppTest: the gate, then content only the signed-in may see."""

import streamlit as st

from components.auth import can_edit, current_user, gate

user = gate()
st.markdown("SECRET CONTENT")
st.markdown(f"can_edit={can_edit()}")
st.markdown(f"user={current_user()}")
st.sidebar.caption("Scenario: SECRET SCENARIO NAME")
