"""Undo and redo in the sidebar: the last 50 changes on any page, restored exactly."""

from __future__ import annotations

import streamlit as st

from logic.history import History, restored

from .auth import can_edit, current_user

HISTORY = "history"


def history() -> History:
    if HISTORY not in st.session_state:
        st.session_state[HISTORY] = History()
    return st.session_state[HISTORY]


def _step(action: str) -> None:
    from .state import replace_scenario, scenario  # noqa: PLC0415 - state records into this module's history

    h = history()
    current = scenario()
    can = h.can_undo() if action == "Undo" else h.can_redo()
    if not can or not can_edit():
        return
    target = h.undo(current) if action == "Undo" else h.redo(current)
    user = current_user()
    replace_scenario(restored(current, target, action, by=user.name if user else None))


def undo_redo_buttons() -> None:
    """A button pair (Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z); each click reruns the page with the scenario put back."""
    if not can_edit():
        return
    h = history()
    # One above the other: side by side, the shortcut hint leaves no room for the word ("U... Ctrl + Z").
    st.sidebar.button(
        "Undo",
        icon=":material/undo:",
        key="undo",
        disabled=not h.can_undo(),
        on_click=_step,
        args=("Undo",),
        shortcut="Mod+Z",
        help=f"Undo the last change ({len(h.undo_stack)} can be undone)",
        width="stretch",
    )
    st.sidebar.button(
        "Redo",
        icon=":material/redo:",
        key="redo",
        disabled=not h.can_redo(),
        on_click=_step,
        args=("Redo",),
        shortcut="Mod+Shift+Z",
        help="Redo what was undone",
        width="stretch",
    )
