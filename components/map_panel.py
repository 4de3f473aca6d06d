"""Beside the map: what the room clicked on, to read and change there, and the map's gestures applied.

Every change goes through components/state.py's try_apply (the tables' own path: validated by
parse_scenario, recorded for Undo and in the assumptions log) or, for a box moved on the map,
through the same validation and Undo without a log entry (a position changes no figure).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from logic import ScenarioError, parse_scenario
from logic import map_editing as me
from logic.editing import EditError, cost_payers, grade_text
from logic.model import BENEFIT_TYPES, STRENGTHS, Scenario
from logic.presentation import currency_mark

from .auth import can_edit
from .map_canvas import pending_event
from .state import PROBLEMS, clear_problems, document, scenario, set_scenario, show_problems, try_apply, version

AREA = "map"  # where the map's refusals and problems are kept (components/state.py PROBLEMS)
SELECTED = "map-selected"  # ("node", id) | ("link", source, target) | ("add", stage) | None
DELETING = "map-deleting"  # the selection whose removal waits for a yes
JUST_ADDED = "map-just-added"  # a box added from the panel: selected once it exists

STAGE_NAMES = {"need": "Need", "activity": "Activity", "outcome": "Outcome", "impact": "Impact"}
ARTICLE = {"need": "a need", "activity": "an activity", "outcome": "an outcome", "impact": "an impact"}
STRENGTH_WORDS = {"strong": "Strong (solid line)", "medium": "Medium (dashed)", "weak": "Weak (dotted)"}
cc = st.column_config
FRACTION = {"step": 0.001, "format": "%.3f"}
MONEY = {"step": 0.01, "format": "localized"}


# --- what is selected ---------------------------------------------------------------------------


def selection(sc: Scenario) -> tuple[str, ...] | None:
    """The selection, if what it names is still there (a removed box or link is no longer selected)."""
    added = st.session_state.get(JUST_ADDED)
    if added and any(n.id == added for n in sc.nodes):
        st.session_state.pop(JUST_ADDED)
        st.session_state[SELECTED] = ("node", added)
    sel = st.session_state.get(SELECTED)
    if not sel:
        return None
    if sel[0] == "node" and any(n.id == sel[1] for n in sc.nodes):
        return tuple(sel)
    if sel[0] == "link" and any((e.source, e.target) == tuple(sel[1:]) for e in sc.edges):
        return tuple(sel)
    if sel[0] == "add" and sel[1] in STAGE_NAMES:
        return tuple(sel)
    return None


def select(sel: tuple[str, ...] | None) -> None:
    st.session_state[SELECTED] = sel
    st.session_state.pop(DELETING, None)


# --- the map's gestures (a callback: runs before the page, so the page draws the outcome once) -----------


def on_map_event() -> None:
    event = pending_event()
    if not event:
        return
    clear_problems(AREA)  # the last refusal has been read; this gesture gets its own answer
    kind = event.get("kind")
    if kind == "select" and event.get("id"):
        select(("node", str(event["id"])))
    elif kind == "select_link":
        select(("link", str(event.get("source")), str(event.get("target"))))
    elif kind == "clear":
        select(None)
    elif kind == "add" and event.get("stage") in STAGE_NAMES:
        select(("add", str(event["stage"])))
    elif kind == "delete" and event.get("id"):
        select(("node", str(event["id"])))
        st.session_state[DELETING] = ("node", str(event["id"]))
    elif kind == "delete_link":
        source, target = str(event.get("source")), str(event.get("target"))
        try_apply(AREA, lambda: me.remove_link(document(), source, target))
    elif kind == "link":
        link_boxes(str(event.get("source")), str(event.get("target")))
    elif kind == "move" and event.get("id"):
        move_box(str(event["id"]), event.get("x"), event.get("y"))


def link_boxes(source: str, target: str) -> None:
    """A link drawn on the map: made if allowed (and then opened, to say why it holds), else refused in words."""
    before = st.session_state.get(SELECTED)
    select(("link", source, target))
    if not try_apply(AREA, lambda: me.add_link(document(), source, target)):
        select(before)  # refused: what was open stays open, with the reason beside it


def move_box(node_id: str, x: Any, y: Any) -> None:
    """A box dragged to a new place: validated and undoable like any change, but not an assumption to log."""
    if not can_edit():
        return
    try:
        new = parse_scenario(me.move_node(document(), node_id, x, y))
    except (ScenarioError, EditError) as exc:
        st.session_state.setdefault(PROBLEMS, {})[AREA] = exc.lines()
        return
    if new != scenario():
        set_scenario(new)


# --- the panel ----------------------------------------------------------------------------------


def details_panel(sc: Scenario, sel: tuple[str, ...]) -> None:
    """The selected box or link (or the form to add a box), its fields to change, and how to remove it."""
    with st.container(border=True, key="map-details"):
        top, close = st.columns([5, 2], vertical_alignment="center")
        close.button("Close", key="map-close", on_click=select, args=(None,), width="stretch")
        problems = st.empty()  # filled last: a change refused further down this run is said up here
        if sel[0] == "add":
            with top:
                st.markdown(f"**Add {ARTICLE[sel[1]]}**")
            add_form(sel[1])
        elif sel[0] == "node":
            node = next(n for n in sc.nodes if n.id == sel[1])
            with top:
                st.markdown(f"**{STAGE_NAMES[node.stage]}**")
            node_details(sc, node.id)
        else:
            with top:
                st.markdown("**Link**")
            link_details(sc, sel[1], sel[2])
        with problems.container():
            show_problems(AREA)


def add_form(stage: str) -> None:
    with st.form(key=f"map-add-{stage}", border=False, enter_to_submit=True):
        label = st.text_input("What the box says", key=f"map-add-label-{stage}", disabled=not can_edit())
        st.caption("Its id is made from these words. Its details open here once it is on the map.")
        added = st.form_submit_button("Add to the map", type="primary", disabled=not can_edit())
    if added:

        def build() -> dict:
            doc, new_id = me.add_node(document(), stage, label)
            st.session_state[JUST_ADDED] = new_id
            return doc

        try_apply(AREA, build)


def _apply(build) -> None:
    try_apply(AREA, build)


def _key(name: str, node_id: str) -> str:
    return f"map-{name}-{node_id}-{version()}"


def node_details(sc: Scenario, node_id: str) -> None:
    node = next(n for n in sc.nodes if n.id == node_id)
    off = not can_edit()
    label = st.text_input("What the box says", node.label, key=_key("label", node_id), disabled=off)
    if label != node.label:
        _apply(lambda: me.set_node_fields(document(), node_id, {"label": label}))
    st.caption(f"Id: `{node.id}`")
    if node.stage == "need":
        _need_fields(sc, node_id, off)
    elif node.stage == "activity":
        st.markdown("**Cost lines**")
        _costs(sc, node_id, off)
    elif node.stage == "outcome":
        _outcome_fields(sc, node_id, off)
        st.markdown("**What each extra outcome is worth a year, to whom**")
        _benefits(sc, node_id, off)
    _neighbours(sc, node_id)
    if not off:
        _remove_box(sc, node_id)


def _number(label: str, value: float | None, key: str, off: bool, **kw) -> float | None:
    return st.number_input(label, value=value, key=key, disabled=off, **kw)


def _need_fields(sc: Scenario, node_id: str, off: bool) -> None:
    node = next(n for n in sc.nodes if n.id == node_id)
    cur = currency_mark(sc.settings.currency)
    left, right = st.columns(2)
    with left:
        population = _number("People a year", node.population, _key("population", node_id), off, step=1.0)
    with right:
        unit_cost = _number(f"Cost each a year ({cur})", node.unit_cost, _key("unit_cost", node_id), off, step=100.0)
    fields = {"population": population, "unit_cost": unit_cost}
    changed = {k: v for k, v in fields.items() if v != getattr(node, k)}
    if changed:
        _apply(lambda: me.set_node_fields(document(), node_id, changed))


def _outcome_fields(sc: Scenario, node_id: str, off: bool) -> None:
    node = next(n for n in sc.nodes if n.id == node_id)
    left, right = st.columns(2)
    with left:
        rate_with = _number(
            "Rate with the programme",
            node.rate_with,
            _key("rate_with", node_id),
            off,
            help="Share of participants who achieve it, 0 to 1",
            **FRACTION,
        )
    with right:
        rate_without = _number(
            "Rate without (counterfactual)",
            node.rate_without,
            _key("rate_without", node_id),
            off,
            help="Share who would achieve it anyway, 0 to 1",
            **FRACTION,
        )
    grades = sorted(sc.settings.optimism_bias)
    grade = st.selectbox(
        "Evidence grade",
        grades,
        index=grades.index(node.evidence_grade) if node.evidence_grade in grades else None,
        format_func=lambda g: f"{g}: optimism bias {sc.settings.optimism_bias[g] * 100:.4g}%",
        key=_key("grade", node_id),
        disabled=off,
        help="1 strongest .. 6 weakest: weaker evidence, a bigger discount on the benefits",
    )
    indicator = st.text_input(
        "Indicator (how it is measured)", node.indicator or "", key=_key("indicator", node_id), disabled=off
    )
    accountable = st.checkbox(
        "The programme answers for it (inside the accountability line)",
        node.accountable,
        key=_key("accountable", node_id),
        disabled=off,
    )
    fields = {
        "rate_with": rate_with,
        "rate_without": rate_without,
        "evidence_grade": grade,
        "indicator": indicator or None,
        "accountable": accountable,
    }
    changed = {k: v for k, v in fields.items() if v != getattr(node, k)}
    if changed:
        _apply(lambda: me.set_node_fields(document(), node_id, changed))


def _edited(key: str) -> bool:
    state = st.session_state.get(key)
    return bool(state) and any(state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))


def _lines_editor(key: str, df, columns: dict, off: bool, apply) -> None:
    edited = st.data_editor(
        df,
        key=key,
        column_config=columns,
        num_rows="fixed" if off else "dynamic",
        hide_index=True,
        width="stretch",
        disabled=off,
        placeholder="",
    )
    if not off and _edited(key):
        _apply(lambda: apply(edited))


def _costs(sc: Scenario, node_id: str, off: bool) -> None:
    cur = currency_mark(sc.settings.currency)
    columns = {
        "item": cc.TextColumn("Cost item", required=True, width=120),
        "payer": cc.SelectboxColumn("Paid by", options=cost_payers(sc), required=True, width=90),
        "per_year": cc.NumberColumn(f"Per year ({cur})", width=95, **MONEY),
        "per_participant": cc.NumberColumn(f"Per person ({cur})", width=100, **MONEY),
        "setup": cc.NumberColumn(f"Set-up ({cur})", width=90, **MONEY),
        "evidence_grade": cc.SelectboxColumn(
            "Grade", options=sorted(sc.settings.optimism_bias), format_func=lambda g: grade_text(sc, g), width=85
        ),
        "profile": None,
    }
    _lines_editor(
        _key("costs", node_id),
        me.node_costs_table(sc, node_id),
        columns,
        off,
        lambda df: me.apply_node_costs(document(), scenario(), node_id, df),
    )


def _benefits(sc: Scenario, node_id: str, off: bool) -> None:
    cur = currency_mark(sc.settings.currency)
    columns = {
        "agency": cc.SelectboxColumn("Who benefits", options=sc.agency_ids, required=True, width=110),
        "type": cc.SelectboxColumn("Type", options=list(BENEFIT_TYPES), required=True, width=80),
        "value": cc.NumberColumn(f"Value a year ({cur})", required=True, width=110, **MONEY),
        "cashable": cc.NumberColumn("Cashable", width=80, **FRACTION),
        "transfer": cc.CheckboxColumn("Transfer", default=False, width=75),
        "discount": cc.SelectboxColumn("Discount", options=["standard", "health"], default="standard", width=90),
        "code": cc.TextColumn("Code", width=80),
    }
    _lines_editor(
        _key("benefits", node_id),
        me.node_benefits_table(sc, node_id),
        columns,
        off,
        lambda df: me.apply_node_benefits(document(), scenario(), node_id, df),
    )


def _neighbours(sc: Scenario, node_id: str) -> None:
    labels = {n.id: n.label for n in sc.nodes}
    before = [labels[e.source] for e in sc.edges if e.target == node_id]
    after = [labels[e.target] for e in sc.edges if e.source == node_id]
    words = []
    if before:
        words.append("Comes from: " + "; ".join(before) + ".")
    if after:
        words.append("Leads to: " + "; ".join(after) + ".")
    st.caption(" ".join(words) or "Linked to nothing yet: drag from the dot on a box's right side to another box.")


def _remove_box(sc: Scenario, node_id: str) -> None:
    labels = {n.id: n.label for n in sc.nodes}
    if st.session_state.get(DELETING) != ("node", node_id):
        st.button(
            "Delete this box",
            icon=":material/delete:",
            key=f"map-delete-{node_id}",
            on_click=lambda: st.session_state.__setitem__(DELETING, ("node", node_id)),
        )
        return
    links = me.links_of(document(), node_id)
    words = f"Delete '{labels[node_id]}'?"
    if links:
        words += f" It takes {len(links)} link{'s' if len(links) > 1 else ''} with it:\n\n" + "\n".join(
            f"- {labels.get(e['source'], e['source'])} \u2192 {labels.get(e['target'], e['target'])}" for e in links
        )
    else:
        words += " It has no links."
    inputs = me.uncertain_inputs_of(document(), node_id)
    if inputs:
        fields = ", ".join(path.rsplit(".", 1)[-1].replace("_", " ") for path in inputs)
        words += f"\n\nIts uncertain inputs on the Uncertainty page go too: {fields}."
    st.warning(words + "\n\nUndo (in the sidebar) brings it back.", icon=":material/delete:")
    yes, no = st.columns(2)
    if yes.button("Delete it", type="primary", key=f"map-delete-yes-{node_id}", width="stretch"):
        st.session_state.pop(DELETING, None)
        _apply(lambda: me.remove_node(document(), node_id))
    no.button(
        "Keep it",
        key=f"map-delete-no-{node_id}",
        width="stretch",
        on_click=lambda: st.session_state.pop(DELETING, None),
    )


def link_details(sc: Scenario, source: str, target: str) -> None:
    edge = next(e for e in sc.edges if (e.source, e.target) == (source, target))
    labels = {n.id: n.label for n in sc.nodes}
    off = not can_edit()
    st.markdown(f"{labels[source]} \u2192 {labels[target]}")
    key = f"{source}>{target}"
    strength = st.radio(
        "Strength of the evidence",
        list(STRENGTHS),
        index=list(STRENGTHS).index(edge.strength),
        format_func=STRENGTH_WORDS.get,
        key=_key("strength", key),
        disabled=off,
    )
    assumption = st.text_area(
        "Assumption (why this leads to that)", edge.assumption or "", key=_key("assumption", key), disabled=off
    )
    evidence = st.text_input("Evidence", edge.evidence or "", key=_key("evidence", key), disabled=off)
    fields = {"strength": strength, "assumption": assumption or None, "evidence": evidence or None}
    changed = {k: v for k, v in fields.items() if v != getattr(edge, k)}
    if changed and not off:
        _apply(lambda: me.set_link_fields(document(), source, target, changed))
    if not off and st.button("Delete this link", icon=":material/delete:", key=f"map-delete-link-{key}"):
        _apply(lambda: me.remove_link(document(), source, target))
