"""The map's canvas: one small adapter between the browser and the scenario.

A custom component on Streamlit's own components API (st.components.v2): the SVG is the report's
drawing (logic/export/toc_svg.py), and map_canvas.js (about 200 lines, no library, nothing fetched
from a network) turns clicks and drags on it into events. The events are plain dicts; what they do to
the scenario is decided in Python (components/map_panel.py, logic/map_editing.py), so the canvas
can be swapped without touching a rule.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable

import streamlit as st

HERE = Path(__file__).resolve().parent
KEY = "toc-map"

_CSS = """
.tocmap { overflow-x: auto; overflow-y: hidden; user-select: none; -webkit-user-select: none;
  touch-action: pan-x pan-y; }
.tocmap svg { display: block; }
.tocmap .toc-box, .tocmap .toc-link, .tocmap .toc-add { cursor: pointer; }
.tocmap.editable .toc-box { cursor: grab; }
.tocmap .toc-box.dragging { cursor: grabbing; opacity: 0.85; }
.tocmap .toc-box:hover > rect, .tocmap .toc-box.drop-target > rect { stroke: #1f5a96; stroke-width: 3; }
.tocmap .toc-box:focus, .tocmap .toc-link:focus, .tocmap .toc-add:focus { outline: none; }
.tocmap .toc-box:focus-visible > rect { stroke: #1f5a96; stroke-width: 3.5; }
.tocmap .toc-link:hover > path:last-child, .tocmap .toc-link:focus-visible > path:last-child { stroke: #1f5a96; }
.tocmap .toc-add:hover > rect, .tocmap .toc-add:focus-visible > rect { fill: #eef4fb; }
.tocmap .toc-handle { cursor: crosshair; }
.tocmap .toc-handle:hover { fill: #1f5a96; }
.tocmap:not(.editable) .toc-handle, .tocmap:not(.editable) .toc-add { display: none; }
.tocmap .toc-drag-line { fill: none; stroke: #1f5a96; stroke-width: 2; stroke-dasharray: 6 3; pointer-events: none; }
"""

_canvas = st.components.v2.component("toc_map", css=_CSS, js=(HERE / "map_canvas.js").read_text(encoding="utf-8"))


def _ignore() -> None:
    """The event is read from the result; registering a callback is what makes Streamlit report it."""


def map_canvas(
    svg: str,
    width: float,
    *,
    editable: bool,
    selected: str | None = None,
    large: bool = False,
    on_event: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Draw the map; return the gesture made on it since the last run (a dict with 'kind'), if any.

    width: the drawing's own width; it is shown at 90% to 130% of it (presenter mode: up to 160%),
    scrolling sideways rather than shrinking further. on_event: called before the page runs again
    (a Streamlit callback), where st.session_state[KEY].event holds the gesture.
    """
    data = {
        "svg": svg,
        "hash": hashlib.sha1(svg.encode("utf-8")).hexdigest()[:16],
        "width": width,
        "editable": editable,
        "selected": selected,
        "min_scale": 0.9,
        "max_scale": 1.6 if large else 1.3,
    }
    result = _canvas(key=KEY, data=data, on_event_change=on_event or _ignore)
    event = result.get("event")
    return event if isinstance(event, dict) else None


def pending_event() -> dict[str, Any] | None:
    """Inside the on_event callback: the gesture that was just made."""
    state = st.session_state.get(KEY)
    event = state.get("event") if hasattr(state, "get") else None
    return event if isinstance(event, dict) else None
