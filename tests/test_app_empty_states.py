"""A blank programme on every page: no exception, no empty chart, and the way on named (issue: start a programme)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic.templates import blank_scenario

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.name for p in (ROOT / "app_pages").glob("*.py"))


def blank_page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=60)
    at.session_state["scenario"] = blank_scenario()
    at.session_state["scenario_version"] = 0
    at.session_state["problems"] = {}
    return at.run()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_runs_on_a_blank_programme(name):
    at = blank_page(name)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # no chart of nothing: results pages say what to do instead
    assert not at.get("arrow_vega_lite_chart") and not at.get("vega_lite_chart")


@pytest.mark.parametrize("name", ["6_business_case.py", "7_contract.py", "8_risk_share.py", "9_uncertainty.py"])
def test_results_pages_name_the_next_steps(name):
    at = blank_page(name)
    text = " ".join(m.value for m in at.markdown)
    assert "Nothing to show here yet" in text
    links = [p.proto.label for p in at.get("page_link")]
    assert any(label.startswith("Needs: ") for label in links), links


def test_the_map_says_it_is_empty():
    at = blank_page("1_programme.py")
    assert any("The map is empty" in m.value for m in at.markdown)
    assert not at.get("graphviz_chart")
