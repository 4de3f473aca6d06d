"""The app's own CSS, drawn on every page from app.py: what Streamlit's theme settings cannot say."""

from __future__ import annotations

import streamlit as st

# Captions: Streamlit fades a whole caption to 60% opacity, which leaves its grey text at 3.9:1 on white
# (WCAG AA asks 4.5:1 for text this size) and fades any inline code in it (a snapshot's SHA-256) to 3:1.
# Faded by the colour of its text instead (6:1), the code inside keeps its own colour.
_CSS = """
<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: rgba(47, 45, 43, 0.75); }
</style>
"""


def app_style() -> None:
    st.html(_CSS)
