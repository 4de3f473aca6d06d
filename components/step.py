"""The frame every step page shares: prompt, key figures, graph, editors."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from logic.toc import PREVIOUS_STAGE, STAGE_TITLES

from . import editors
from .graph import toc_graph
from .kpi import kpi_strip
from .state import scenario

TXT = Path(__file__).resolve().parent.parent / "txt"


def prompt(name: str) -> None:
    """Facilitator's words for a page, kept in txt/NAME.md."""
    path = TXT / f"{name}.md"
    if path.exists():
        st.markdown(path.read_text(encoding="utf-8"))


def stage_page(stage: str) -> None:
    sc = scenario()
    st.title(STAGE_TITLES[stage])
    prompt(stage)
    kpi_strip()
    toc_graph(sc, highlight=stage)
    st.subheader(f"{STAGE_TITLES[stage]}: edit, add or remove")
    st.caption("Click a cell to edit; use the + below the table to add a row and the bin to remove selected rows.")
    editors.nodes_editor(sc, stage)
    if stage == "activity":
        st.subheader("Costs of the activities")
        editors.costs_editor(sc)
    if stage == "outcome":
        st.subheader("What each extra outcome is worth, and to whom")
        editors.benefits_editor(sc)
    if stage in PREVIOUS_STAGE:
        names = " or ".join(STAGE_TITLES[s].lower() for s in PREVIOUS_STAGE[stage])
        st.subheader(f"Links from {names}")
        editors.links_editor(sc, stage)
