"""The key-figure strip shown on every step."""

from __future__ import annotations

import streamlit as st

from logic.views import key_figures

from .state import evaluation


def kpi_strip() -> None:
    tiles = key_figures(evaluation())
    for col, tile in zip(st.columns(len(tiles)), tiles):
        col.metric(tile["label"], tile["value"], help=tile["help"], border=True)
