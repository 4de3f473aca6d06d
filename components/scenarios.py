"""The Scenarios page pieces: save, history, restore, fork, lock, delete, compare, files in and out."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from logic import Scenario, ScenarioError, dump_scenario, load_scenario, snapshot_sha256
from logic.access import EDIT, MANAGE, VIEW, ScenarioAccess
from logic.assumptions_log import without_log
from logic.compare import headline_changes, input_differences
from logic.presentation import format_figure, m_value, missing, money, multiple, number, payback, rate, ratio
from logic.store import Store, StoreError, database_url
from logic.views import stored_versions_table

from .auth import can_edit, current_user, current_viewer, secrets_settings
from .notice import remember_opening, show_notice
from .sharing import deletions_section, sharing_panel
from .state import STORED, evaluation, mark_saved, scenario, start_scenario
from .tables import figures_table

UPLOADED = "uploaded-file"  # the last uploaded file opened, so a rerun does not open it again
CURRENT = "current"
SHOWN = "saved-shown"  # (id, name) of the saved scenario the history shows, for "Who can see it" below it


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def store() -> Store:
    """The scenario store as the person signed in sees it: only what they may see (everything with sign-in off)."""
    return _store(database_url(secrets_settings())).as_viewer(current_viewer())


def _file_stem(sc: Scenario) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in sc.name.lower()).strip("-")
    return "-".join(part for part in stem.split("-") if part)[:60] or "scenario"


def _author_default() -> str:
    user = current_user()
    return user.name if user else st.session_state.get("author", "")


def where_from() -> None:
    """Say plainly which stored version the scenario on screen came from."""
    stored = st.session_state.get(STORED)
    sc = scenario()
    if not stored:
        st.info(f"**{sc.name}** is not saved in the store yet.", icon=":material/info:")
        return
    text = f"**{sc.name}**: based on version {stored['version']} of a saved scenario."
    if stored.get("locked"):
        st.warning(
            text + " That version is **signed off (locked)**: it can never change. Saving your edits creates a "
            "new scenario (a fork) and leaves the signed-off version as it was.",
            icon=":material/lock:",
        )
    else:
        st.info(text, icon=":material/info:")


def save_section() -> None:
    if not can_edit():
        st.caption("You are signed in as a viewer: you can open, compare and download, but not save.")
        return
    sc = scenario()
    stored = st.session_state.get(STORED)
    with st.form("save-version", clear_on_submit=True, border=True):
        author = st.text_input("Your name", value=_author_default(), disabled=current_user() is not None)
        message = st.text_input("What changed, in a sentence", placeholder="e.g. Agreed rates after the May workshop")
        new = (
            st.checkbox("Save as a new scenario, not a new version of the one it came from", value=False)
            if stored
            else True
        )
        submitted = st.form_submit_button("Save", type="primary", icon=":material/save:")
    if not submitted:
        return
    if not author.strip() or not message.strip():
        st.error("Give your name and a short message: the history is only useful if it says who and why.")
        return
    st.session_state["author"] = author.strip()
    try:
        if new or not stored:
            info = store().save(sc, author=author.strip(), message=message.strip())
        else:
            info = store().save(
                sc,
                author=author.strip(),
                message=message.strip(),
                scenario_id=stored["scenario_id"],
                based_on=stored["version"],
            )
    except StoreError as exc:
        st.error(f"Not saved: {exc}")
        return
    forked = stored and not new and info.scenario_id != stored["scenario_id"]
    st.session_state[STORED] = {"scenario_id": info.scenario_id, "version": info.version, "locked": False}
    mark_saved()
    if forked:
        st.success(
            f"The version you started from is signed off, so this was saved as a new scenario (version {info.version})."
        )
    else:
        st.success(f"Saved as version {info.version}.")


# The exporters (openpyxl; Altair, vl-convert and networkx for the report) are imported when a file is
# asked for, not when the page is drawn.
def _workbook(sc: Scenario) -> bytes:
    from logic.export.xlsx import workbook_bytes  # noqa: PLC0415

    return workbook_bytes(sc)


def _report(sc: Scenario) -> bytes:
    from logic.export.html_report import report_html  # noqa: PLC0415

    return report_html(sc).encode("utf-8")


def files_section() -> None:
    sc = scenario()
    stem = _file_stem(sc)
    st.caption(f"SHA-256 of this snapshot: `{snapshot_sha256(sc)}`")
    a, b, c = st.columns(3)
    a.download_button(
        "Download snapshot (YAML)",
        dump_scenario(sc).encode("utf-8"),
        file_name=f"{stem}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        help="The whole scenario in one file: email it, file it with the decision, open it here again later.",
    )
    b.download_button(
        "Download Excel workbook",
        lambda: _workbook(sc),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        help="Inputs, calculations as live formulas, and a summary: change an input and every figure recomputes.",
    )
    c.download_button(
        "Download board report (HTML)",
        lambda: _report(sc),
        file_name=f"{stem}.html",
        mime="text/html",
        icon=":material/description:",
        help="One self-contained file: the map, the figures and charts, the assumptions, the contract.",
    )
    upload = st.file_uploader(
        "Open a snapshot (YAML)",
        type=["yaml", "yml"],
        help="Replaces the scenario on screen (save it first if you want to keep it).",
    )
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(UPLOADED) == digest:
        st.caption(f"Opened {upload.name}.")
        show_notice("file")
        return
    try:
        opened = load_scenario(data)
    except ScenarioError as exc:
        st.error(
            f"**{upload.name}** was not opened: the scenario on screen is unchanged.\n\n"
            + "\n".join(f"- {line}" for line in exc.lines())
        )
        return
    st.session_state[UPLOADED] = digest
    st.session_state.pop(STORED, None)
    remember_opening(data, opened, "file")
    start_scenario(opened)
    st.rerun()


def open_from_link() -> None:
    """Open the saved version a link names (?scenario=ID&version=N): a link anyone may send round.

    Through the store as the person signed in sees it, so a link to a scenario they may not see says
    it does not exist, exactly as for one that does not.
    """
    scenario_id = st.query_params.get("scenario")
    if not scenario_id:
        return
    wanted = st.query_params.get("version", "")
    try:
        versions = store().versions(scenario_id)
        chosen = next((v for v in versions if str(v.version) == wanted), None) if wanted else versions[0]
        if chosen is None:
            raise StoreError(f"the link names a version ({wanted}) this scenario does not have")
    except (StoreError, IndexError) as exc:
        st.error(f"The link could not be opened: {exc}.")
        return
    st.query_params.clear()
    _open_version(scenario_id, chosen.version, chosen.locked)


def _link(scenario_id: str, version: int) -> str:
    try:
        base = str(st.context.url).split("?", 1)[0]
    except Exception:  # no browser context (tests): the path alone
        base = "scenarios"
    return f"{base}?scenario={scenario_id}&version={version}"


def _open_version(scenario_id: str, version: int, locked: bool) -> None:
    try:
        sc = store().load(scenario_id, version)
        remember_opening(store().snapshot_text(scenario_id, version), sc, "saved")
    except StoreError as exc:
        st.error(str(exc))
        return
    st.session_state[STORED] = {"scenario_id": scenario_id, "version": version, "locked": locked}
    start_scenario(sc)
    st.rerun()


def saved_section() -> None:
    st.session_state.pop(SHOWN, None)
    try:
        scenarios = store().list_scenarios()
    except StoreError as exc:
        st.error(f"The store cannot be read: {exc}")
        return
    if not scenarios:
        st.caption("Nothing saved yet.")
        return
    names = {s.id: f"{s.name} ({s.latest_version} version{'s' if s.latest_version != 1 else ''})" for s in scenarios}
    stored = st.session_state.get(STORED) or {}
    ids = list(names)
    index = ids.index(stored["scenario_id"]) if stored.get("scenario_id") in ids else 0
    chosen = st.selectbox("Saved scenario", ids, index=index, format_func=names.get, key="saved-scenario")
    info = next(s for s in scenarios if s.id == chosen)
    try:
        versions = store().versions(chosen)
    except StoreError as exc:  # deleted by a teammate since the list was read
        st.error(str(exc))
        return
    show_notice("saved")
    st.dataframe(stored_versions_table(versions), hide_index=True, width="stretch")
    st.session_state[SHOWN] = (chosen, info.name)
    numbers = [v.version for v in versions]
    picked = st.selectbox("Version", numbers, key=f"version-{chosen}", format_func=lambda n: f"Version {n}")
    v = next(x for x in versions if x.version == picked)
    editor = can_edit()
    level = _level(chosen)
    changer = editor and level >= EDIT  # sign off, unlock: anyone it is shared with as editor
    who = _author_default() or "unknown"
    cols = st.columns(4)
    if cols[0].button("Open this version", icon=":material/open_in_browser:", key="open-version"):
        _open_version(chosen, picked, v.locked)
    if editor and cols[1].button("Fork it", icon=":material/fork_right:", key="fork-version"):
        _fork(chosen, picked, who)
    st.caption(f"Link to version {picked}, for anyone who may see it: `{_link(chosen, picked)}`")
    if v.locked:
        if changer and cols[2].button("Unlock", icon=":material/lock_open:", key="unlock-version"):
            _act(lambda: store().unlock(chosen, picked, author=who))
        st.caption(f"Version {picked} was signed off by {v.locked_by} on {v.locked_at:%d %b %Y %H:%M} UTC.")
    elif changer and cols[2].button("Sign off (lock)", icon=":material/lock:", key="lock-version"):
        _act(lambda: store().lock(chosen, picked, author=who))
    if not editor or level < MANAGE:  # deleting is for its owner
        return
    with cols[3].popover("Delete scenario", icon=":material/delete:"):
        st.write(
            f"This deletes **{info.name}** and all {len(versions)} of its versions, for everyone. It cannot be undone."
        )
        typed = st.text_input("Type the scenario's name to confirm", key=f"confirm-delete-{chosen}")
        if st.button("Delete for good", type="primary", key="delete-scenario", disabled=typed != info.name):
            try:
                store().delete_scenario(chosen, confirm_name=typed, author=who)
            except StoreError as exc:
                st.error(str(exc))
            else:
                if stored.get("scenario_id") == chosen:
                    st.session_state.pop(STORED, None)
                st.rerun()


def _level(scenario_id: str) -> int:
    """What the person signed in may do with a saved scenario (everything with sign-in off)."""
    s = store()
    if s.viewer is None:
        return MANAGE
    try:
        return ScenarioAccess(s).sharing(scenario_id).level
    except StoreError:
        return VIEW


def who_can_see_it() -> None:
    """The owner and sharing of the saved scenario shown above (sign-in on only)."""
    shown = st.session_state.get(SHOWN)
    if shown:
        sharing_panel(store(), *shown)


def deletions() -> None:
    deletions_section(store())


def _act(action) -> None:
    """Run a store action; a teammate may have changed the store since this page was drawn."""
    try:
        action()
    except StoreError as exc:
        st.error(str(exc))
        return
    st.rerun()


def _fork(scenario_id: str, version: int, who: str) -> None:
    try:
        forked = store().fork(scenario_id, version, author=who)
        sc = store().load(forked.scenario_id, forked.version)
        remember_opening(store().snapshot_text(forked.scenario_id, forked.version), sc, "saved")
    except StoreError as exc:
        st.error(str(exc))
        return
    st.session_state[STORED] = {"scenario_id": forked.scenario_id, "version": forked.version, "locked": False}
    start_scenario(sc)
    st.rerun()


def _choices() -> dict[str, str]:
    out = {CURRENT: "The scenario on screen (unsaved)"}
    try:
        for s in store().list_scenarios():
            for v in store().versions(s.id):
                out[f"{s.id}@{v.version}"] = f"{s.name}, version {v.version}{' (signed off)' if v.locked else ''}"
    except StoreError:
        pass
    return out


def _resolve(choice: str) -> Scenario:
    if choice == CURRENT:
        return scenario()
    scenario_id, version = choice.rsplit("@", 1)
    return store().load(scenario_id, int(version))


def compare_section() -> None:
    choices = _choices()
    if len(choices) < 2:
        st.caption("Save a version to compare the scenario on screen with it.")
        return
    keys = list(choices)
    left, right = st.columns(2)
    a = left.selectbox("Compare", keys, index=1, format_func=choices.get, key="compare-a")
    b = right.selectbox("with", keys, index=0, format_func=choices.get, key="compare-b")
    try:
        sa, sb = _resolve(a), _resolve(b)
    except StoreError as exc:
        st.error(str(exc))
        return
    diffs = input_differences(without_log(sa), without_log(sb))
    st.markdown(f"**Inputs that differ: {len(diffs)}**")
    if diffs:
        st.dataframe(
            pd.DataFrame(
                [{"Input": d.label, "Where": d.path, "Before": _show(d.before), "After": _show(d.after)} for d in diffs]
            ),
            hide_index=True,
            width="stretch",
        )
    st.markdown("**How the figures move**")
    names = {a.id: a.name for a in [*sa.agencies, *sb.agencies]} | {o.id: o.label for o in [*sa.outcomes, *sb.outcomes]}
    table = headline_changes(evaluation(sa).to_dict(), evaluation(sb).to_dict(), names)
    figures_table(changes_text(table, sb.settings.currency), names=("Figure",))


def changes_text(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The compare table as it is read: each figure written as its kind is (money, ratio, rate, count, year)."""

    def write(key: str, value, change: bool = False) -> str:
        if key.startswith("contract.switching_values.") and not change:
            return m_value(value)  # none: the position never changes sign
        if missing(value):
            return "" if change else "n/a"
        if key.startswith("additional_outcomes."):
            return f"{value:+,.1f}" if change else number(value)
        if key == "contract.investor.irr":
            return f"{value * 100:+.1f} points" if change else rate(value)
        if key == "contract.investor.multiple":
            return f"{value:+.2f}x" if change else multiple(value)
        if key.startswith("contract.switching_values."):
            return f"{value:+.2f}"
        if key.startswith("bcr"):
            return f"{value:+.2f}" if change else ratio(value)
        if key == "payback_year":
            return f"{value:+.0f} year{'' if abs(value) == 1 else 's'}" if change else payback(int(value))
        return money(value, currency, signed=True) if change else format_figure(key, value, currency=currency)

    return pd.DataFrame(
        {
            "Figure": table["figure"],
            "Before": [write(k, v) for k, v in zip(table["key"], table["before"])],
            "After": [write(k, v) for k, v in zip(table["key"], table["after"])],
            "Change": [write(k, v, change=True) for k, v in zip(table["key"], table["change"])],
        }
    )


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)
