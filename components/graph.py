"""The theory-of-change drawing (DOT rendered in the browser)."""

from __future__ import annotations

import streamlit as st

from logic import Scenario
from logic.toc import graph_warnings, to_dot


def toc_graph(sc: Scenario, highlight: str | None = None, height: int | None = None) -> None:
    st.graphviz_chart(to_dot(sc, highlight=highlight), width="stretch")
    for w in graph_warnings(sc):
        st.caption(f":material/warning: {w}")
