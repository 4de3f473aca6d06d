"""Who can see a saved scenario: its owner, whom it is shared with, and the controls to change that.

Shown only when sign-in is on (with sign-in off everyone sees everything, as the README says). The
rules are in logic/access.py, and the store applies them: these controls only ask it.
"""

from __future__ import annotations

import streamlit as st

from logic.access import MANAGE, ScenarioAccess, deletion_rows
from logic.store import Store, StoreError

CAN = {"viewer": "can view", "editor": "can view and edit"}


def sharing_panel(store: Store, scenario_id: str, name: str) -> None:
    """The owner and the grants of one scenario; share, stop sharing and hand over for its owner."""
    if store.viewer is None:
        return
    access = ScenarioAccess(store)
    try:
        sharing = access.sharing(scenario_id)
    except StoreError as exc:
        st.error(str(exc))
        return
    st.markdown("**Who can see it**")
    if sharing.owner is None:
        st.caption(
            "Saved before sharing existed (or while sign-in was off): everyone who signs in can see it, and every "
            "editor can change it. Take it on to make it yours and share it as a new scenario is."
        )
        if sharing.level >= MANAGE and st.button(
            "Take it on", key=f"take-on-{scenario_id}", icon=":material/person_add:"
        ):
            _act(lambda: access.take_on(scenario_id))
        return
    lines = [f"- Owner: **{_plain(sharing.owner.removeprefix('account:'))}**"]
    lines += [f"- {_plain(g.who)}: {CAN[g.role]}" for g in sharing.grants]
    if not sharing.grants:
        lines.append("- Nobody else")
    st.markdown("\n".join(lines))
    if sharing.level < MANAGE:
        st.caption("Only its owner can change who sees it.")
        return
    with st.popover("Share or hand over", icon=":material/share:"):
        _share_form(access, scenario_id)
        if sharing.grants:
            labels = {f"{g.kind}\x1f{g.principal}": f"{g.who} ({CAN[g.role]})" for g in sharing.grants}
            chosen = st.selectbox(
                "Stop sharing with", list(labels), format_func=labels.get, key=f"unshare-{scenario_id}"
            )
            if st.button("Stop sharing", key=f"unshare-button-{scenario_id}"):
                kind, principal = chosen.split("\x1f", 1)
                _act(lambda: access.unshare(scenario_id, kind, principal))
        new_owner = st.text_input(
            "Hand it over to (their email address)", key=f"hand-over-{scenario_id}", placeholder="name@council.gov.uk"
        )
        if st.button("Make them the owner", key=f"hand-over-button-{scenario_id}", disabled=not new_owner.strip()):
            _act(lambda: access.hand_over(scenario_id, new_owner))
        st.caption(f"You stay an editor of **{_plain(name)}** after handing it over.")


def _share_form(access: ScenarioAccess, scenario_id: str) -> None:
    with st.form(f"share-{scenario_id}", clear_on_submit=True, border=False):
        who = st.text_input(
            "Share with",
            placeholder="name@council.gov.uk, @council.gov.uk, group:ID or everyone",
            help="One person by email; everyone at a domain (@council.gov.uk); a group your sign-in provider "
            "names (group:ID); or everyone who signs in.",
        )
        role = st.radio("They", ["viewer", "editor"], format_func=CAN.get, horizontal=True)
        if st.form_submit_button("Share", type="primary", icon=":material/share:") and who.strip():
            _act(lambda: access.share(scenario_id, who, role))


def deletions_section(store: Store) -> None:
    """Scenarios deleted, by whom and when (those the viewer could have seen)."""
    try:
        deleted = ScenarioAccess(store).deletions()
    except StoreError as exc:
        st.error(str(exc))
        return
    if not deleted:
        return
    with st.expander(f"Deleted scenarios ({len(deleted)})", icon=":material/delete_history:"):
        st.dataframe(deletion_rows(deleted), hide_index=True, width="stretch")


def _act(action) -> None:
    try:
        action()
    except StoreError as exc:
        st.error(str(exc))
        return
    st.rerun()


def _plain(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]<>()#+.!|~$" else ch for ch in text)
