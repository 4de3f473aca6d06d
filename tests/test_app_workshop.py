"""The workshop features under AppTest: Back / Next, presenter mode, pathway focus, the assumptions
log, and the Scenarios page (save, sign off, fork, delete, compare, open a snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, dump_scenario, evaluate, load_scenario
from logic.presentation import money
from logic.report_text import EXPLANATIONS
from logic.store import Store
from logic.toc import pathway

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = load_scenario(DEFAULT_EXAMPLE)


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=60).run()


def no_trouble(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def test_next_and_back_walk_the_stages_in_order():
    at = app()
    at.switch_page("app_pages/2_needs.py").run()
    assert at.title[0].value == "Needs"
    at.button(key="step-next").click().run()
    no_trouble(at)
    assert at.title[0].value == "Activities"
    at.button(key="step-back").click().run()
    at.button(key="step-back").click().run()
    assert at.title[0].value == "Programme"
    # The first stage has no Back, the last no Next.
    assert not [b for b in at.button if b.key == "step-back"]
    at.switch_page("app_pages/9_uncertainty.py").run()
    assert not [b for b in at.button if b.key == "step-next"]


def test_presenter_mode_hides_the_editors_and_keeps_the_figures():
    at = app()
    at.switch_page("app_pages/4_outcomes.py").run()
    assert any(h.value.startswith("Outcomes: edit") for h in at.subheader)
    at.toggle(key="presenter").set_value(True).run()
    no_trouble(at)
    assert not any(h.value.startswith("Outcomes: edit") for h in at.subheader)
    assert {"NPV (fiscal)", "Benefit-cost ratio"} <= {m.label for m in at.metric}  # the key figures stay
    # It stays on when moving to another page.
    at.switch_page("app_pages/7_contract.py").run()
    assert at.toggle(key="presenter").value is True
    assert not any(h.value == "Rate card" for h in at.subheader)


def test_pathway_focus_shows_only_the_chain_to_the_chosen_impact():
    at = page("5_impact.py")
    impact = next(n for n in EXAMPLE.nodes if n.stage == "impact")
    at.selectbox(key="focus-widget").select(impact.id).run()
    no_trouble(at)
    expected = len(pathway(EXAMPLE, impact.id))
    assert f"Showing {expected} of {len(EXAMPLE.nodes)} boxes" in " ".join(c.value for c in at.caption)
    assert expected < len(EXAMPLE.nodes)


def test_completeness_check_names_a_need_with_no_activity():
    at = page("2_needs.py")
    key = f"nodes-need-{at.session_state['scenario_version']}"
    at.session_state[key] = {
        "edited_rows": {},
        "added_rows": [{"id": "need-new", "label": "Young carers"}],
        "deleted_rows": [],
    }
    at.run()
    no_trouble(at)
    text = " ".join(m.value for m in at.markdown)
    assert "'Young carers' is not linked to anything" in text


def test_an_edit_is_logged_and_carried_into_the_snapshot():
    at = app()
    at.switch_page("app_pages/4_outcomes.py").run()
    outcome = EXAMPLE.outcomes[0]
    key = f"nodes-outcome-{at.session_state['scenario_version']}"
    at.session_state[key] = {"edited_rows": {0: {"rate_with": 0.6}}, "added_rows": [], "deleted_rows": []}
    at.run()
    no_trouble(at)
    sc = at.session_state["scenario"]
    assert sc.outcomes[0].rate_with == 0.6
    [entry] = sc.log
    assert entry.path == f"nodes.{outcome.id}.rate_with"
    assert (entry.before, entry.after) == (f"{outcome.rate_with:g}", "0.6")
    reopened = load_scenario(dump_scenario(sc))
    assert reopened.log == sc.log
    # The log page lists it.
    at.switch_page("app_pages/11_assumptions_log.py").run()
    no_trouble(at)
    [table] = at.dataframe
    assert table.value.iloc[0]["To"] == "0.6"


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("TOC_DATABASE_URL", url)
    return url


def scenarios_page() -> AppTest:
    return page("10_scenarios.py")


def save(at: AppTest, author: str, message: str) -> AppTest:
    at.text_input[0].input(author)
    at.text_input[1].input(message)
    at.button[0].click()  # the form's Save
    return at.run()


def test_saving_twice_makes_two_versions_and_a_signed_off_version_forks(store_url):
    at = scenarios_page()
    no_trouble(at)
    save(at, "Asha", "First draft")
    no_trouble(at)
    store = Store(store_url)
    [info] = store.list_scenarios()
    assert info.latest_version == 1
    assert store.load(info.id) == EXAMPLE
    save(at, "Asha", "Same again")
    assert store.list_scenarios()[0].latest_version == 2
    # Sign off version 2, open it, save: a new scenario, the signed-off one untouched.
    store.lock(info.id, 2, author="Board")
    at.run()
    at.selectbox(key=f"version-{info.id}").select(2).run()
    at.button(key="open-version").click().run()
    no_trouble(at)
    assert "signed off (locked)" in " ".join(w.value for w in at.warning)
    save(at, "Ben", "After sign-off")
    no_trouble(at)
    assert len(store.list_scenarios()) == 2
    assert [v.version for v in store.versions(info.id)] == [2, 1]
    assert "saved as a new scenario" in " ".join(s.value for s in at.success)


def test_delete_needs_the_name_typed(store_url):
    store = Store(store_url)
    info = store.save(EXAMPLE, author="Asha", message="draft")
    at = scenarios_page()
    delete = at.button(key="delete-scenario")
    assert delete.disabled
    at.text_input(key=f"confirm-delete-{info.scenario_id}").input(EXAMPLE.name).run()
    at.button(key="delete-scenario").click().run()
    no_trouble(at)
    assert store.list_scenarios() == []


def test_compare_lists_the_changed_input_and_the_moved_figures(store_url):
    store = Store(store_url)
    store.save(EXAMPLE, author="Asha", message="draft")
    at = app()
    at.switch_page("app_pages/4_outcomes.py").run()
    key = f"nodes-outcome-{at.session_state['scenario_version']}"
    at.session_state[key] = {"edited_rows": {0: {"rate_with": 0.6}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.switch_page("app_pages/10_scenarios.py").run()
    no_trouble(at)
    inputs = at.dataframe[-2].value
    figures = at.dataframe[-1].value
    assert list(inputs["Where"]) == [f"nodes.{EXAMPLE.outcomes[0].id}.rate_with"]
    changed = EXAMPLE.model_copy(deep=True)
    changed.outcomes[0].rate_with = 0.6
    # Written as the app writes money, in the scenario's currency, to the pound.
    npv = figures.set_index("Figure").loc[EXPLANATIONS["npv_fiscal"][0]]
    before, after = evaluate(EXAMPLE)["npv_fiscal"], evaluate(changed)["npv_fiscal"]
    assert (npv["Before"], npv["After"]) == (money(before), money(after))
    assert npv["Change"] == money(after - before, signed=True)
    assert not figures.isin(["None", "nan", "NaN"]).any().any()


def test_opening_a_bad_snapshot_says_why_and_keeps_the_scenario(store_url):
    at = scenarios_page()
    bad = dump_scenario(EXAMPLE).replace("rate_with: 0.7", "rate_with: 1.4", 1).encode()
    assert bad != dump_scenario(EXAMPLE).encode()
    at.file_uploader[0].upload("bad.yaml", bad, "application/x-yaml")
    at.run()
    no_trouble(at)
    message = " ".join(e.value for e in at.error)
    assert "was not opened" in message and "rate_with must be between 0 and 1, got 1.4" in message
    assert at.session_state["scenario"] == EXAMPLE


def test_opening_a_snapshot_replaces_the_scenario(store_url):
    other = load_scenario(ROOT / "logic" / "examples" / "employment_support.yaml")
    at = scenarios_page()
    at.file_uploader[0].upload("other.yaml", dump_scenario(other).encode(), "application/x-yaml")
    at.run()
    no_trouble(at)
    assert at.session_state["scenario"] == other
    assert [d.label for d in at.download_button][:1] == ["Download snapshot (YAML)"]


def test_uncertainty_page_for_a_second_visitor_uses_the_finished_simulation():
    """A second session with the same scenario gets the cached simulation, and the page still draws
    (a cached function that draws a progress bar cannot be replayed: it used to fail here)."""
    first = page("9_uncertainty.py")
    second = page("9_uncertainty.py")
    for at in (first, second):
        no_trouble(at)
        assert not at.error, [e.value for e in at.error]
        assert any(h.value == "How sure are we?" for h in at.subheader)
    assert first.dataframe[0].value.equals(second.dataframe[0].value)
