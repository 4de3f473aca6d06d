"""The theory-of-change map: the report's drawing, on screen, built on directly; with a pathway focus.

Click a box or a link to open it beside the map; drag from the dot on a box's right side to another
box to link them; drag a box to arrange the map; "+ Add" in a column adds a box. Presenter mode
shows the same map large and read-only.
"""

from __future__ import annotations

import streamlit as st

from logic import Scenario

WHOLE_MAP = ""
FOCUS = "focus"  # the chosen outcome or impact, kept across pages

# The step pages give the map the main area's full width (Streamlit's wide layout keeps 5rem each side).
_WIDE = """
<style>
[data-testid="stMainBlockContainer"] { padding: 1.5rem 1.5rem 4rem 1.5rem; }
</style>
"""
HOW_TO = (
    "Click a box or an arrow to open it beside the map. Drag from a box's dot to another box to link them, "
    "drag a box to move it; **+ Add** puts a box in a column. Undo is in the sidebar."
)


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


@st.cache_data(max_entries=32, show_spinner=False)
def _drawing(
    content: str,
    _sc: Scenario,
    figures: dict[str, list[str]],
    focus: frozenset[str] | None,
    highlight: str | None,
    selected: tuple[str, ...] | None,
    interactive: bool,
) -> tuple[str, float]:
    """The SVG and its width, cached on the scenario's content and what is shown (a click redraws nothing)."""
    from logic.export.toc_svg import toc_svg  # noqa: PLC0415
    from logic.toc_layout import layout  # noqa: PLC0415

    focus_set = set(focus) if focus is not None else None
    svg = toc_svg(_sc, focus_set, figures=figures, highlight=highlight, selected=selected, interactive=interactive)
    return svg, max(layout(_sc, focus_set, figures).width, 620.0)


def toc_graph(sc: Scenario, highlight: str | None = None) -> None:
    """The map, and beside it what is selected on it; read-only in presenter mode or for a viewer."""
    from logic.map_figures import box_figures  # noqa: PLC0415
    from logic.toc import graph_warnings  # noqa: PLC0415 - see pathway_focus

    from .auth import can_edit  # noqa: PLC0415
    from .empty import empty_map  # noqa: PLC0415 - empty needs state, which the graph does not otherwise
    from .map_canvas import map_canvas  # noqa: PLC0415
    from .map_panel import AREA, details_panel, on_map_event, selection  # noqa: PLC0415
    from .presenter import presenting  # noqa: PLC0415
    from .state import content_key, evaluation, show_problems  # noqa: PLC0415

    presenter = presenting()
    editable = can_edit() and not presenter
    st.html(_WIDE)
    if empty_map(sc, highlight) and not editable:
        return
    how_to = None if presenter else HOW_TO if editable else "Click a box or an arrow to read it beside the map."
    focus = None
    if sc.nodes:
        left, right = st.columns([2, 3], vertical_alignment="bottom")
        with left:
            focus = pathway_focus(sc)
        if how_to:
            right.caption(how_to)
    elif how_to:
        st.caption(how_to)
    sel = None if presenter else selection(sc)
    svg, width = _drawing(
        content_key(sc),
        sc,
        box_figures(evaluation(sc)),
        frozenset(focus) if focus is not None else None,
        highlight,
        sel if sel and sel[0] != "add" else None,
        not presenter,
    )
    # Always there, empty or not: a refusal appearing above the map must not move the map in the page's
    # tree (the browser would draw it afresh, losing its scroll).
    notice = st.container()
    if sel is None:
        with notice:
            show_problems(AREA)
        map_area, panel = st.container(), None
    else:
        map_area, panel = st.columns([3, 2], gap="small")
    with map_area:
        map_canvas(
            svg,
            width,
            editable=editable,
            selected="|".join(sel) if sel else None,
            large=presenter,
            on_event=on_map_event,
        )
    if panel is not None and sel is not None:
        with panel:
            details_panel(sc, sel)
    if focus is not None:
        st.caption(f"Showing {len(focus)} of {len(sc.nodes)} boxes: the pathway to the chosen outcome or impact.")
    for w in graph_warnings(sc):
        st.caption(f":material/warning: {w}")
