"""Presenter mode: the room's screen shows the map and the key figures large, no editors."""

from __future__ import annotations

import streamlit as st

PRESENTER = "presenter"

_LARGE = """
<style>
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMetricLabel"] p { font-size: 1.15rem; }
h1 { font-size: 2.8rem; }
</style>
"""


def presenting() -> bool:
    return bool(st.session_state.get(PRESENTER, False))


def presenter_style() -> None:
    """Larger figures for the projector; only while presenting."""
    if presenting():
        st.html(_LARGE)
