"""The frame every step page shares: key figures, the map, prompt, completeness, editors, Back / Next."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from .auth import can_edit
from .kpi import kpi_strip
from .navigation import back_next
from .presenter import presenter_style, presenting
from .state import scenario

TXT = Path(__file__).resolve().parent.parent / "txt"
STAGE_FILES = {"need": "2_needs.py", "activity": "3_activities.py", "outcome": "4_outcomes.py", "impact": "5_impact.py"}


def prompt(name: str) -> None:
    """Facilitator's words for a page, kept in txt/NAME.md."""
    path = TXT / f"{name}.md"
    if path.exists():
        st.markdown(path.read_text(encoding="utf-8"))


def still_to_decide(sc, stage: str | None = None, only_gaps: bool = False) -> None:
    """The completeness check: gaps on this page (or everywhere when stage is None); only_gaps: nothing if none."""
    # Imported here, as in stage_page: the graph library behind them is not needed for a page's key figures,
    # which a cold start shows first.
    from logic.completeness import PAGE_TITLES, completeness  # noqa: PLC0415

    gaps = [g for g in completeness(sc) if stage is None or g.stage == stage]
    if not gaps:
        if only_gaps:
            return
        st.success("Nothing left to decide here: every box is linked and described.", icon=":material/check_circle:")
        return
    title = f"Still to decide ({len(gaps)})"
    with st.expander(title, expanded=len(gaps) <= 4, icon=":material/checklist:"):
        for gap in gaps:
            where = "" if stage else f"**{PAGE_TITLES[gap.stage]}:** "
            st.markdown(f"- {where}{gap.message}")


def stage_page(stage: str) -> None:
    from logic.toc import PREVIOUS_STAGE, STAGE_TITLES  # noqa: PLC0415 - see still_to_decide

    from . import editors  # noqa: PLC0415
    from .graph import toc_graph  # noqa: PLC0415
    from .unit_costs import unit_cost_library  # noqa: PLC0415

    sc = scenario()
    presenter_style()
    st.title(STAGE_TITLES[stage])
    kpi_strip()
    # The map first, under the key figures: at 1280x800 the room sees both without scrolling.
    toc_graph(sc, highlight=stage)
    prompt(stage)
    if presenting():
        back_next(STAGE_FILES[stage])
        return
    still_to_decide(sc, stage)
    st.subheader(f"{STAGE_TITLES[stage]}: edit, add or remove")
    st.caption("Click a cell to edit; use the + below the table to add a row and the bin to remove selected rows.")
    editors.nodes_editor(sc, stage)
    if stage == "activity":
        st.subheader("Costs of the activities")
        editors.costs_editor(sc)
    if stage == "outcome":
        st.subheader("What each extra outcome is worth, and to whom")
        editors.benefits_editor(sc)
        if can_edit():
            with st.expander("Find a value in the GMCA unit-cost library", icon=":material/search:"):
                unit_cost_library(sc)
    if stage in PREVIOUS_STAGE:
        names = " or ".join(STAGE_TITLES[s].lower() for s in PREVIOUS_STAGE[stage])
        st.subheader(f"Links from {names}")
        editors.links_editor(sc, stage)
    back_next(STAGE_FILES[stage])
