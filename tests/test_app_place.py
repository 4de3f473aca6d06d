"""The Place page under AppTest: a place built from two saved scenarios, edited live, saved and reopened;
bad input shown as lines, never a traceback. Each figure on the page is checked against the engine run on
the same place, built here from its documented defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic import EXAMPLES, load_scenario
from logic.place import EXAMPLE_PLACE, evaluate_place, load_place, parse_place, resolve_place
from logic.place_store import PlaceStore, store_resolver
from logic.presentation import compact_money
from logic.store import Store

ROOT = Path(__file__).resolve().parent.parent
PLACE_PAGE = "app_pages/13_place.py"
EDGE = load_scenario(EXAMPLES / "edge_of_care.yaml")
WORK = load_scenario(EXAMPLES / "employment_support.yaml")


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("TOC_DATABASE_URL", url)
    return Store(url)


def no_trouble(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def place_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(PLACE_PAGE).run()
    no_trouble(at)
    return at


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def version(at: AppTest) -> int:
    return at.session_state["place_version"]


def saved_two(store: Store) -> tuple[str, str]:
    edge = store.save(EDGE, author="Asha", message="Edge of care")
    work = store.save(WORK, author="Asha", message="Employment support")
    return edge.scenario_id, work.scenario_id


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def build(at: AppTest, ids: tuple[str, ...]) -> AppTest:
    picker = at.multiselect(key="place-new-programmes")
    for i in ids:
        picker.select(i)
    at.run()
    button(at, "Build the place").click().run()
    no_trouble(at)
    return at


def expected_place(edge: str, work: str, **fund):
    """The place the page builds from the two, by the page's documented defaults: each at its own start year
    and scale 1; the place from the first start to the last end, in the first one's prices, inflation, rate
    and currency; the members the public bodies the programmes name, in order; nothing else set."""
    members = ["council", "education", "police", "cjs", "nhs", "lcf", "dwp", "hmrc"]
    return parse_place(
        {
            "format": "toc-place/1",
            "name": "Our place",
            "settings": {
                "start_year": 2026,
                "horizon_years": 10,
                "discount_rate": 0.035,
                "currency": "GBP",
                "price_base_year": 2025,
                "inflation": 0.02,
            },
            "programmes": [
                {"saved": edge, "version": 1, "start_year": 2026},
                {"saved": work, "version": 1, "start_year": 2026},
            ],
            "fund": {"members": members, **fund},
        }
    )


def figures(store: Store, place) -> dict:
    return evaluate_place(resolve_place(place, resolver=store_resolver(store))).to_dict()


def test_an_empty_store_says_what_to_do_first(store):
    at = place_page()
    text = " ".join(m.value for m in at.markdown)
    assert "No saved scenarios yet" in text and "Scenarios page" in text
    assert not at.metric  # no figures of a place that does not exist


def test_build_a_place_from_two_saved_scenarios_and_change_the_share_of_savings_kept(store):
    edge, work = saved_two(store)
    at = build(place_page(), (edge, work))
    place = expected_place(edge, work)
    assert at.session_state["place"] == place
    first = figures(store, place)
    shown = tiles(at)
    assert shown["Bridge needed"] == compact_money(first["fund"]["bridge_needed"])
    assert shown["NPV (public value)"] == compact_money(first["economic"]["npv_public_value"])
    assert shown["PV of costs"] == compact_money(first["economic"]["pv_costs"])
    # Each member keeps half its savings: half as much is paid in, so the fund must bridge more.
    at.number_input(key=f"place-returned-{version(at)}").set_value(0.5).run()
    no_trouble(at)
    assert at.session_state["place"].fund.savings_returned == 0.5
    then = figures(store, expected_place(edge, work, savings_returned=0.5))
    assert then["fund"]["bridge_needed"] > first["fund"]["bridge_needed"]
    assert tiles(at)["Bridge needed"] == compact_money(then["fund"]["bridge_needed"])
    assert tiles(at)["Bridge needed"] != shown["Bridge needed"]
    # The economic case does not depend on who keeps the cash
    assert tiles(at)["NPV (public value)"] == shown["NPV (public value)"]


def test_contributions_by_an_agency_that_is_not_a_member_are_refused_with_a_clear_line(store):
    edge, work = saved_two(store)
    at = build(place_page(), (edge, work))
    before = at.session_state["place"]
    shown = tiles(at)
    key = f"place-contributions-{version(at)}"
    at.session_state[key] = {
        "edited_rows": {},
        "added_rows": [{"agency": "families", "2026": 1000}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    [error] = at.error
    assert "This change was not applied" in error.value
    assert "agency 'families' is not a member of the fund" in error.value
    assert "Contributions, row 1" in error.value
    assert at.session_state["place"] == before and tiles(at) == shown
    # A member's contribution is taken, and lowers the bridge by what it pays in before the fund is overdrawn
    at.session_state[key] = {"edited_rows": {}, "added_rows": [{"agency": "council", "2026": 1e6}], "deleted_rows": []}
    at.run()
    no_trouble(at)
    place = at.session_state["place"]
    assert [(c.agency, c.by_year) for c in place.fund.contributions] == [("council", [1e6])]
    assert tiles(at)["Bridge needed"] == compact_money(figures(store, place)["fund"]["bridge_needed"])


def test_programmes_start_later_and_scale_and_try_later_table(store):
    edge, work = saved_two(store)
    at = build(place_page(), (edge, work))
    key = f"place-programmes-{version(at)}"
    at.session_state[key] = {
        "edited_rows": {1: {"start_year": 2028, "scale": 0.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    no_trouble(at)
    place = at.session_state["place"]
    assert place.start_of(1) == 2028 and place.programmes[1].scale == 0.5
    result = figures(store, place)
    assert tiles(at)["Bridge needed"] == compact_money(result["fund"]["bridge_needed"])
    # "Try starting later": the first row is the place as planned
    later = next(d.value for d in at.dataframe if "Start later by" in d.value.columns)
    assert later.iloc[0]["Start later by"] == "As planned"
    assert len(later) == 6
    # A programme starting before the place is refused, with the line from the place's rules
    key = f"place-programmes-{version(at)}"
    at.session_state[key] = {"edited_rows": {0: {"start_year": 2020}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("starts in 2020, before the place (2026)" in e.value for e in at.error)
    assert at.session_state["place"] == place


def test_save_reopen_a_version_and_a_deleted_programme_is_a_line_not_a_traceback(store):
    edge, work = saved_two(store)
    at = build(place_page(), (edge, work))
    first = at.session_state["place"]
    form = [t for t in at.text_input if t.label in ("Your name", "What changed, in a sentence")]
    form[0].input("Asha")
    form[1].input("First go")
    button(at, "Save the place").click().run()
    no_trouble(at)
    places = PlaceStore(store)
    [info] = places.list_places()
    assert places.load(info.id, 1) == first
    assert all(e.version == 1 for e in places.load(info.id, 1).programmes)  # pinned
    # A second version, with a different share kept
    at.number_input(key=f"place-returned-{version(at)}").set_value(0.25).run()
    form = [t for t in at.text_input if t.label in ("Your name", "What changed, in a sentence")]
    form[0].input("Asha")
    form[1].input("A quarter kept")
    button(at, "Save the place").click().run()
    no_trouble(at)
    assert [v.version for v in places.versions(info.id)] == [2, 1]
    assert places.load(info.id, 2).fund.savings_returned == 0.25
    # Reopen version 1
    at.selectbox(key=f"place-saved-version-{info.id}").set_value(1).run()
    button(at, "Open this version").click().run()
    no_trouble(at)
    assert at.session_state["place"] == first
    assert at.session_state["place_stored"] == {"place_id": info.id, "version": 1}
    # The scenario behind programme 2 is deleted by a teammate: version 2 cannot be opened, and says why
    store.delete_scenario(work, confirm_name=WORK.name)
    at.selectbox(key=f"place-saved-version-{info.id}").set_value(2).run()
    button(at, "Open this version").click().run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "Version 2 was not opened" in text and "Programme 2" in text and work in text
    assert at.session_state["place"] == first


def test_start_from_the_example_place(store):
    at = place_page()
    button(at, "Start from the example place").click().run()
    no_trouble(at)
    example = evaluate_place(load_place(EXAMPLE_PLACE)).to_dict()
    assert tiles(at)["Bridge needed"] == compact_money(example["fund"]["bridge_needed"])
    assert tiles(at)["Pays its own way from"] == f"Not by {example['years'][-1]}"
    assert len(store.list_scenarios()) == 2  # the two bundled programmes, saved so the place can name them
    text = " ".join(t.value.to_string() for t in at.table)
    assert compact_money(example["economic"]["npv_public_value"]) == tiles(at)["NPV (public value)"]
    assert "NPV (public value)" in text


def test_presenter_mode_shows_the_figures_and_hides_the_editors(store):
    edge, work = saved_two(store)
    at = build(place_page(), (edge, work))
    editors = len(at.dataframe)
    at.session_state["presenter"] = True
    at.run()
    no_trouble(at)
    assert tiles(at)["Bridge needed"] == compact_money(
        figures(store, expected_place(edge, work))["fund"]["bridge_needed"]
    )
    assert not any(n.label.startswith("Share of savings") for n in at.number_input)
    assert not [b for b in at.button if b.label == "Save the place"]
    assert len(at.dataframe) < editors
