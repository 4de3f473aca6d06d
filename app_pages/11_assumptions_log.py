"""The assumptions log: every change made to the scenario, carried in its snapshot."""

import streamlit as st

from components.presenter import presenter_style
from components.state import scenario
from components.step import prompt
from logic.views import log_table

presenter_style()
sc = scenario()
st.title("Assumptions log")
prompt("assumptions_log")
table = log_table(sc)
if table.empty:
    st.info("No changes yet in this scenario. Every edit you make is recorded here, newest first.")
else:
    st.caption(f"{len(table)} changes recorded, newest first. The log is saved inside the snapshot.")
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button(
        "Download the log (CSV)",
        table.to_csv(index=False).encode("utf-8"),
        file_name="assumptions-log.csv",
        mime="text/csv",
    )
