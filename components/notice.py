"""The notice shown when a format-1 snapshot is opened whose outcome payments run past the horizon.

Said once: it stays above the key figures until someone clicks "Understood" or another scenario is
opened, so the room cannot miss it but is not told twice.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from logic import Scenario
from logic.migration import opening_notice

NOTICE = "format1-notice"


def remember_opening(source: str | bytes | Path, sc: Scenario, where: str | None = None) -> None:
    """Call when `sc` has been opened from `source`: keeps the notice it needs, or clears an older one.

    `where` names the place on the Scenarios page it was opened from (the file box, the saved versions),
    so the notice shows there, next to what was clicked, and not twice on one page.
    """
    notice = opening_notice(source, sc)
    if notice is None:
        st.session_state.pop(NOTICE, None)
    else:
        st.session_state[NOTICE] = {"text": notice.text(), "where": where}


def show_notice(where: str | None = None) -> None:
    """Draw the notice, if there is one; on the Scenarios page only in the place it was opened from."""
    notice = st.session_state.get(NOTICE)
    if not notice or (where is not None and notice["where"] != where):
        return
    text = notice["text"]
    with st.container(key="format1-notice"):
        st.warning(text, icon=":material/update:")
        if st.button("Understood", key="format1-notice-ok", help="Hide this notice; the figures stay as they are."):
            st.session_state.pop(NOTICE, None)
            st.rerun()
