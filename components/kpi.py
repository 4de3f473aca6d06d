"""The key-figure strip shown on every step."""

from __future__ import annotations

import streamlit as st

from logic.key_figures import key_figures

from .notice import show_notice
from .presenter import presenting
from .state import evaluation

# Five tiles at 1280 px leave about 100 px for a label, which Streamlit would cut short with "...".
# Labels wrap instead, each keeps room for as many lines as the longest needs (so the figures stay
# in one row), and a figure shrinks to fit its tile rather than be cut short.
_WRAP = """
<style>
.st-key-{key} [data-testid="stMetricLabel"] {{ align-items: flex-start; }}
.st-key-{key} [data-testid="stMetricLabel"] .stMarkdownEllipsis,
.st-key-{key} [data-testid="stMetricLabel"] p {{
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.3;
}}
.st-key-{key} [data-testid="stMetricLabel"] p {{ display: block; min-height: {lines}em; }}
.st-key-{key} [data-testid="stMetric"] {{ container-type: inline-size; }}
.st-key-{key} [data-testid="stMetricValue"] > div {{
  font-size: min(100%, {fit}cqw); line-height: 1.4; min-height: calc({fit}cqw * 1.4);
  display: flex; align-items: center;
}}
</style>
"""
# A longer figure ("Not in horizon") gets a smaller size: about 150 tile-widths-per-cent over its characters.
_LONG = '.st-key-kpi-{key} [data-testid="stMetricValue"] > div {{ font-size: min(100%, {fit:.1f}cqw); }}'


def wrapped_metrics(key: str, lines: int = 2, fit: int = 20) -> None:
    """Style the metrics inside st.container(key=key): labels wrap over up to `lines` lines, figures fit."""
    # A label of n lines at line-height 1.3; presenter mode's larger labels wrap one line more.
    n = lines + (1 if presenting() else 0)
    st.html(_WRAP.format(key=key, lines=round(1.3 * n, 2), fit=fit))


def kpi_strip() -> None:
    tiles = key_figures(evaluation())  # first: loading the scenario is what may raise the notice
    show_notice()
    wrapped_metrics("kpi-strip")
    long = [_LONG.format(key=t["key"], fit=150 / len(t["value"])) for t in tiles if len(t["value"]) > 7]
    if long:
        st.html("<style>" + "\n".join(long) + "</style>")
    with st.container(key="kpi-strip"):
        for col, tile in zip(st.columns(len(tiles)), tiles):
            col.container(key=f"kpi-{tile['key']}").metric(tile["label"], tile["value"], help=tile["help"], border=True)
