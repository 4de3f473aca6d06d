"""The scenario in session state: the one source of truth, and cached results.

Derived results are cached by the scenario's content (its canonical YAML),
never stored beside it.
"""

from __future__ import annotations

import streamlit as st

from logic import DEFAULT_EXAMPLE, Evaluation, Scenario, ScenarioError, evaluate, load_scenario, parse_scenario
from logic.assumptions_log import log_entries, with_entries
from logic.report_text import plain_problem

from .auth import can_edit, current_user
from .notice import remember_opening

SCENARIO = "scenario"
VERSION = "scenario_version"
PROBLEMS = "problems"


SAVED = "scenario_saved_key"  # the content of the scenario as last opened, started or saved
STORED = "stored"  # where the current scenario came from in the store: {"scenario_id", "version", "locked"}


def scenario() -> Scenario:
    """The current scenario; the bundled example on first use."""
    if SCENARIO not in st.session_state:
        st.session_state[SCENARIO] = load_scenario(DEFAULT_EXAMPLE)
        remember_opening(DEFAULT_EXAMPLE, st.session_state[SCENARIO])  # a format-1 example says what changed
        st.session_state[VERSION] = 0
        st.session_state[PROBLEMS] = {}
        mark_saved()
    return st.session_state[SCENARIO]


def version() -> int:
    scenario()
    return st.session_state[VERSION]


@st.cache_resource(max_entries=64, show_spinner=False)
def _evaluate(key: str, _sc: Scenario) -> Evaluation:
    # Keyed on the scenario's content (its JSON, cheap to make); the object itself is not hashed.
    return evaluate(_sc)


def content_key(sc: Scenario) -> str:
    # The assumptions log never changes a figure, so it is not part of the key.
    return sc.model_dump_json(exclude={"log"})


def evaluation(sc: Scenario | None = None) -> Evaluation:
    """The evaluation of a scenario, cached on its content."""
    sc = sc or scenario()
    return _evaluate(content_key(sc), sc)


def set_scenario(sc: Scenario) -> None:
    """Make `sc` the scenario; the one before can be brought back with Undo."""
    from .undo import history  # noqa: PLC0415 - undo imports this module

    history().record(scenario())
    replace_scenario(sc)


def replace_scenario(sc: Scenario) -> None:
    """Make `sc` the scenario without recording it for Undo (Undo and Redo themselves)."""
    st.session_state[SCENARIO] = sc
    st.session_state[VERSION] = version() + 1


def start_scenario(sc: Scenario) -> None:
    """A new programme, a template or an opened snapshot: undoable, and nothing unsaved yet."""
    set_scenario(sc)
    st.session_state[PROBLEMS] = {}
    mark_saved()


def mark_saved() -> None:
    """Call when the scenario has been saved or opened: it has no unsaved changes."""
    st.session_state[SAVED] = content_key(scenario())


def has_unsaved_changes() -> bool:
    return st.session_state.get(SAVED) != content_key(scenario())


def try_apply(area: str, build) -> bool:
    """Run `build()` -> new document, validate it, and make it the scenario.

    On a problem the message is kept for `area` (shown beside its editor) and
    the last valid scenario stays. On success the page is rerun so every
    figure reflects the change.
    """
    from logic.editing import EditError  # noqa: PLC0415 - editing (pandas, networkx) is not needed for the figures

    problems = st.session_state.setdefault(PROBLEMS, {})
    if not can_edit():  # the backstop: a viewer's change is never applied, whichever widget sent it
        problems[area] = ["You can look but not change: sign in as an editor to edit this scenario."]
        return False
    try:
        new = parse_scenario(build())
    except (ScenarioError, EditError) as exc:
        problems[area] = exc.lines()
        return False
    except Exception as exc:  # a page must never show a traceback
        problems[area] = [f"That change could not be applied: {exc}"]
        return False
    problems.pop(area, None)
    old = scenario()
    if new != old:
        set_scenario(with_entries(new, log_entries(old, new, by=_user_name())))
        st.rerun()
    return True


def _user_name() -> str | None:
    user = current_user()
    return user.name if user else None


def clear_problems(area: str) -> None:
    st.session_state.get(PROBLEMS, {}).pop(area, None)


def show_problems(area: str) -> None:
    lines = st.session_state.get(PROBLEMS, {}).get(area)
    if lines:
        labels = {n.id: n.label for n in scenario().nodes}
        lines = [plain_problem(line, labels) for line in lines]
        st.error(
            "This change was not applied - the figures still show the last valid version.\n\n"
            + "\n".join(f"- {line}" for line in lines)
        )


def document() -> dict:
    """The current scenario as an editable dict (a fresh copy)."""
    from logic.editing import document as as_document  # noqa: PLC0415 - see try_apply

    return as_document(scenario())
