"""The theory-of-change drawing (DOT rendered in the browser), with a pathway focus."""

from __future__ import annotations

import streamlit as st

from logic import Scenario

WHOLE_MAP = ""
FOCUS = "focus"  # the chosen outcome or impact, kept across pages


def _remember_focus() -> None:
    st.session_state[FOCUS] = st.session_state[f"{FOCUS}-widget"]


def pathway_focus(sc: Scenario) -> set[str] | None:
    """A select to show only the chain that leads to one outcome or impact."""
    from logic.toc import pathway  # noqa: PLC0415 - networkx, loaded after the page's key figures are drawn

    labels = {n.id: n.label for n in sc.nodes if n.stage in ("outcome", "impact")}
    options = [WHOLE_MAP, *labels]
    current = st.session_state.get(FOCUS, WHOLE_MAP)
    if current not in options:  # the node was removed or renamed
        current = WHOLE_MAP
    st.session_state[f"{FOCUS}-widget"] = current
    chosen = st.selectbox(
        "Focus on a pathway",
        options,
        format_func=lambda i: "The whole map" if i == WHOLE_MAP else labels[i],
        key=f"{FOCUS}-widget",
        on_change=_remember_focus,
        help="Pick an outcome or impact to see only the needs, activities and outcomes that lead to it.",
    )
    return None if chosen == WHOLE_MAP else pathway(sc, chosen)


def toc_graph(sc: Scenario, highlight: str | None = None) -> None:
    from logic.toc import graph_warnings, to_dot  # noqa: PLC0415 - see pathway_focus

    from .empty import empty_map  # noqa: PLC0415 - empty needs state, which the graph does not otherwise

    if empty_map(sc, highlight):
        return
    focus = pathway_focus(sc)
    # A fixed height would centre the drawing in empty space; its own aspect ratio fills the width.
    st.graphviz_chart(to_dot(sc, highlight=highlight, focus=focus), width="stretch")
    if focus is not None:
        st.caption(f"Showing {len(focus)} of {len(sc.nodes)} boxes: the pathway to the chosen outcome or impact.")
    for w in graph_warnings(sc):
        st.caption(f":material/warning: {w}")
