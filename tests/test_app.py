"""Every page under AppTest: runs without an exception, and edits change the figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario
from logic.report_text import compact_money

PAGES = [
    "app.py",
    "app_pages/1_programme.py",
    "app_pages/2_needs.py",
    "app_pages/3_activities.py",
    "app_pages/4_outcomes.py",
    "app_pages/5_impact.py",
    "app_pages/6_business_case.py",
    "app_pages/7_contract.py",
    "app_pages/8_risk_share.py",
    "app_pages/9_uncertainty.py",
]


ROOT = Path(__file__).resolve().parent.parent


def run(page: str) -> AppTest:
    return AppTest.from_file(str(ROOT / page), default_timeout=60).run()


def npv_shown(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "NPV (fiscal)")


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page):
    at = run(page)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    labels = [m.label for m in at.metric]
    assert labels[:5] == [
        "NPV (fiscal)",
        "Public sector under contract",
        "Benefit-cost ratio",
        "Pays back in",
        "PV of costs",
    ]


def test_key_figures_show_the_example():
    at = run("app_pages/6_business_case.py")
    expected = evaluate(load_scenario(DEFAULT_EXAMPLE))["npv_fiscal"]
    assert npv_shown(at) == compact_money(expected)


def _edit(at: AppTest, area: str, edits: dict) -> AppTest:
    key = f"{area}-{at.session_state['scenario_version']}"
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_editing_a_rate_on_the_outcomes_page_changes_the_npv():
    at = run("app_pages/4_outcomes.py")
    before = npv_shown(at)
    sc = at.session_state["scenario"]
    first = sc.outcomes[0]
    at = _edit(at, "nodes-outcome", {0: {"rate_with": first.rate_without}})
    assert not at.exception
    after_sc = at.session_state["scenario"]
    assert after_sc.outcomes[0].rate_with == first.rate_without
    # Independent check of the effect: with rate_with = rate_without the outcome adds nothing,
    # so the NPV falls by exactly that outcome's PV of fiscal benefits.
    doc = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
    for n in doc["nodes"]:
        if n["id"] == first.id:
            n["rate_with"] = n["rate_without"]
    expected = evaluate(load_scenario(yaml.safe_dump(doc)))["npv_fiscal"]
    assert npv_shown(at) == compact_money(expected)
    assert npv_shown(at) != before


def test_invalid_edit_shows_a_message_and_keeps_the_scenario():
    at = run("app_pages/4_outcomes.py")
    sc = at.session_state["scenario"]
    before = npv_shown(at)
    # Point a benefit at an agency that does not exist.
    at = _edit(at, "benefits", {0: {"agency": "no-such-agency"}})
    assert not at.exception
    assert at.session_state["scenario"] == sc
    assert npv_shown(at) == before
    messages = " ".join(e.value for e in at.error)
    assert "not applied" in messages and "no-such-agency" in messages


def test_adding_a_need_with_a_link_shows_in_the_graph():
    at = run("app_pages/2_needs.py")
    v = at.session_state["scenario_version"]
    at.session_state[f"nodes-need-{v}"] = {
        "edited_rows": {},
        "added_rows": [{"label": "Parents in crisis", "population": 50, "unit_cost": 1000, "agency": "council"}],
        "deleted_rows": [],
    }
    at = at.run()
    assert not at.exception and not at.error
    sc = at.session_state["scenario"]
    assert "parents-in-crisis" in [n.id for n in sc.nodes_of("need")]
    assert "Parents in crisis" in at.get("bidi_component")[0].proto.json  # the map (components/map_canvas.py)


def test_removing_a_need_removes_its_links():
    at = run("app_pages/2_needs.py")
    sc = at.session_state["scenario"]
    gone = sc.nodes_of("need")[0].id
    at = _edit(at, "nodes-need", {})
    v = at.session_state["scenario_version"]
    at.session_state[f"nodes-need-{v}"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}
    at = at.run()
    assert not at.exception
    after = at.session_state["scenario"]
    assert gone not in [n.id for n in after.nodes]
    assert all(gone not in (e.source, e.target) for e in after.edges)


def test_engagement_slider_changes_costs():
    at = run("app_pages/1_programme.py")
    before = next(m.value for m in at.metric if m.label == "PV of costs")
    at.slider[0].set_value(0.5).run()
    assert not at.exception
    assert at.session_state["scenario"].cohort.engagement_rate == 0.5
    assert next(m.value for m in at.metric if m.label == "PV of costs") != before


def _positions_table(at: AppTest):
    return next(df.value for df in at.dataframe if "Position (PV)" in df.value.columns)


def test_moving_performance_changes_the_positions_shown():
    at = run("app_pages/8_risk_share.py")
    central = _positions_table(at).copy()
    at.slider(key="performance").set_value(0.5).run()
    assert not at.exception
    low = _positions_table(at)
    investor_central = central.set_index("Party").loc["Social investor", "Position (PV)"]
    investor_low = low.set_index("Party").loc["Social investor", "Position (PV)"]
    assert investor_central != investor_low
    # Independently: at m = 0.5 the investor is paid for half the additional outcomes, which the
    # example's central case prices well above zero, so the position must fall.
    assert _parse_money(investor_low) < _parse_money(investor_central)


def _parse_money(text: str) -> float:
    return float(text.replace("£", "").replace(",", ""))


def test_contract_type_change_applies():
    at = run("app_pages/7_contract.py")
    v = at.session_state["scenario_version"]
    at.selectbox(key=f"ctype-{v}").set_value("payment_by_results").run()
    assert not at.exception
    assert at.session_state["scenario"].contract.type == "payment_by_results"


def test_fair_share_button_sets_shares_from_cashable_benefits():
    at = run("app_pages/7_contract.py")
    v = at.session_state["scenario_version"]
    at.button(key=f"fair-{v}").click().run()
    assert not at.exception
    sc = at.session_state["scenario"]
    ev = evaluate(sc)
    cash = {a: f["pv_cashable"] for a, f in ev["by_agency"].items() if a != "provider" and f["pv_cashable"] > 0}
    total = sum(cash.values())
    shares = {p.agency: p.share for p in sc.contract.outcome_payers}
    assert set(shares) == set(cash)
    for a, share in shares.items():
        assert abs(share - cash[a] / total) < 1e-4
