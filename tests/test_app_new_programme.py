"""Starting a programme of one's own in the app (AppTest): blank, template, undo / redo, unsaved work."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario
from logic.templates import template

ROOT = Path(__file__).resolve().parent.parent
NEW = "app_pages/12_new_programme.py"


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    return at


def inputs(sc):
    return sc.model_dump(exclude={"log"})


def edit_first_rate(at: AppTest) -> AppTest:
    """An edit through the Outcomes page's table, as a user makes it."""
    at.switch_page("app_pages/4_outcomes.py").run()
    first = at.session_state["scenario"].outcomes[0]
    key = f"nodes-outcome-{at.session_state['scenario_version']}"
    edits = {0: {"rate_with": first.rate_without}}
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert at.session_state["scenario"].outcomes[0].rate_with == first.rate_without
    return at


def test_start_a_blank_programme():
    at = app()
    at.switch_page(NEW).run()
    at.text_input[0].input("Parenting support in Anytown")
    at.button(key="FormSubmitter:blank-programme-Start a blank programme").click().run()
    assert not at.exception
    sc = at.session_state["scenario"]
    assert sc.name == "Parenting support in Anytown" and sc.nodes == []
    assert evaluate(sc)["payback_year"] is None
    # the key figures say what is true of an empty programme, in full
    shown = {m.label: m.value for m in at.metric}
    assert shown["Pays back in"] == "Not yet"
    assert shown["Benefit-cost ratio"] == "No costs yet"


def test_open_a_template_then_undo_and_redo_exactly():
    at = app()
    example = at.session_state["scenario"]
    at.switch_page(NEW).run()
    at.button(key="template-employment_support").click().run()
    assert not at.exception
    opened = at.session_state["scenario"]
    assert inputs(opened) == inputs(template("employment_support").load())

    at.button(key="undo").click().run()
    back = at.session_state["scenario"]
    assert inputs(back) == inputs(example)
    assert evaluate(back).to_dict() == evaluate(load_scenario(DEFAULT_EXAMPLE)).to_dict()
    assert back.log and all(e.what.startswith("Undo: ") for e in back.log)  # the log records the undo

    at.button(key="redo").click().run()
    assert inputs(at.session_state["scenario"]) == inputs(opened)


def test_undo_an_edit_brings_the_figures_back_exactly():
    at = edit_first_rate(app())
    changed = evaluate(at.session_state["scenario"]).to_dict()
    at.button(key="undo").click().run()
    figures = evaluate(at.session_state["scenario"]).to_dict()
    assert figures == evaluate(load_scenario(DEFAULT_EXAMPLE)).to_dict() != changed


def test_starting_new_with_unsaved_changes_asks_first():
    at = edit_first_rate(app())
    edited = at.session_state["scenario"]
    at.switch_page(NEW).run()
    at.button(key="template-employment_support").click().run()
    assert at.session_state["scenario"] == edited  # nothing replaced yet
    assert any("not saved" in w.value for w in at.warning)
    labels = [b.label for b in at.button]
    assert "Save it first" in labels and "Keep working on it" in labels
    assert [d.label for d in at.get("download_button")] == ["Download its snapshot"]

    at.button(key="pending-cancel").click().run()
    assert at.session_state["scenario"] == edited

    at.button(key="template-employment_support").click().run()
    at.button(key="pending-go").click().run()
    assert not at.exception
    assert inputs(at.session_state["scenario"]) == inputs(template("employment_support").load())


def test_a_template_opened_after_a_saved_scenario_is_not_saved_as_its_next_version():
    at = app()
    # As after opening or saving version 3 of a saved scenario on the Scenarios page.
    at.session_state["stored"] = {"scenario_id": "edge-of-care-1234", "version": 3, "locked": False}
    at.switch_page(NEW).run()
    at.button(key="template-employment_support").click().run()
    assert not at.exception
    assert at.session_state["scenario"].name == template("employment_support").load().name
    assert "stored" not in at.session_state
