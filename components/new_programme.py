"""Start a programme of one's own: blank, or from a template shown in a gallery; never losing unsaved work."""

from __future__ import annotations

import streamlit as st

from logic import dump_scenario
from logic.export.toc_svg import toc_svg
from logic.key_figures import key_figures
from logic.model import Scenario
from logic.templates import Template, blank_scenario, templates

from .auth import can_edit
from .state import STORED, evaluation, has_unsaved_changes, scenario, start_scenario

PENDING = "new-programme-pending"  # the scenario waiting for the user to say what to do with unsaved work


@st.cache_data(show_spinner=False, max_entries=16)
def _preview(path: str, mtime: float) -> tuple[str, list[dict]]:
    """A template's map (SVG) and key figures; cached on the file, which only changes with a new release."""
    from logic.snapshots import load_scenario  # noqa: PLC0415

    sc = load_scenario(path)
    return toc_svg(sc), key_figures(evaluation(sc))


def _choose(sc: Scenario) -> None:
    if has_unsaved_changes():
        st.session_state[PENDING] = sc
        st.rerun()  # the question replaces the gallery
    else:
        _start(sc)


def _start(sc: Scenario) -> None:
    st.session_state.pop(PENDING, None)
    # A new programme is no version of the scenario saved before it: saving it starts a new one.
    st.session_state.pop(STORED, None)
    start_scenario(sc)
    from .navigation import STEPS, page  # noqa: PLC0415 - navigation knows the pages; this is one of them

    st.switch_page(page(STEPS[0]))


def unsaved_guard() -> bool:
    """If a start is waiting on unsaved work, ask what to do with it. True while the question is on screen."""
    pending: Scenario | None = st.session_state.get(PENDING)
    if pending is None:
        return False
    current = scenario()
    with st.container(border=True):
        st.warning(
            f"**{current.name}** has changes that are not saved. Starting **{pending.name}** replaces it "
            "(Undo in the sidebar brings it back in this session, but it is lost when the tab closes)."
        )
        save, download, go, cancel = st.columns(4)
        if save.button("Save it first", icon=":material/save:", key="pending-save", width="stretch"):
            from .navigation import KEEPING, page  # noqa: PLC0415

            st.session_state.pop(PENDING, None)
            st.switch_page(page(KEEPING[0]))
        download.download_button(
            "Download its snapshot",
            data=dump_scenario(current),
            file_name=_file_name(current),
            mime="application/x-yaml",
            icon=":material/download:",
            key="pending-download",
            width="stretch",
        )
        # Not "Start <its name>": a template's name is longer than a quarter of the page; the warning names it.
        if go.button("Start without saving", type="primary", key="pending-go", width="stretch"):
            _start(pending)
        if cancel.button("Keep working on it", key="pending-cancel", width="stretch"):
            st.session_state.pop(PENDING, None)
            st.rerun()
    return True


def _file_name(sc: Scenario) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in sc.name.lower()).strip("-") or "scenario"
    return f"{stem[:60]}.yaml"


def blank_form() -> None:
    with st.form("blank-programme", border=True):
        st.markdown("**A blank programme**: a name, the appraisal settings and one organisation; you add the rest.")
        name = st.text_input("Programme name", value="New programme", max_chars=200)
        left, right = st.columns(2)
        start = left.number_input("First delivery year", min_value=1990, max_value=2100, value=2026, step=1)
        horizon = right.number_input("Years appraised", min_value=1, max_value=100, value=10, step=1)
        if st.form_submit_button("Start a blank programme", type="primary", disabled=not can_edit()):
            _choose(blank_scenario(name.strip() or "New programme", int(start), int(horizon)))


def gallery() -> None:
    st.markdown("**From a template**: a realistic, sourced starting point; replace its figures with your own.")
    items = templates()
    for row in range(0, len(items), 2):
        for col, t in zip(st.columns(2), items[row : row + 2]):
            with col.container(border=True):
                _card(t)


def _card(t: Template) -> None:
    svg, tiles = _preview(str(t.path), t.path.stat().st_mtime)
    st.markdown(f"**{t.name}**")
    st.caption(t.summary)
    # The map in miniature: the report's drawing, scaled to the card.
    scaled = svg.replace("<svg ", '<svg style="width:100%;height:auto" ', 1)
    st.html(f'<div style="max-height:230px;overflow:hidden">{scaled}</div>')
    st.markdown(" · ".join(f"{tile['label']}: **{tile['value']}**" for tile in tiles[:3]))
    if st.button("Open this template", key=f"template-{t.key}", disabled=not can_edit(), width="stretch"):
        _choose(t.load())
