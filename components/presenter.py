"""Presenter mode: the room's screen shows the map and the key figures large, no editors."""

from __future__ import annotations

import streamlit as st

PRESENTER = "presenter"

_LARGE = """
<style>
[data-testid="stMetricValue"] { font-size: 2.8rem; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; }
h1 { font-size: 2.8rem; }
</style>
"""


def presenting() -> bool:
    return bool(st.session_state.get(PRESENTER, False))


# Streamlit's default top padding pushes the charts below the fold of a 1280x800 projector.
_COMPACT = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>
"""


def presenter_style() -> None:
    """A tighter page for the room's screen; larger figures too while presenting."""
    st.html(_COMPACT + (_LARGE if presenting() else ""))
