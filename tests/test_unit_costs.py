"""The unit-cost library: search, uprating, unit conversion, benefit lines, and the Streamlit section."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario, parse_scenario
from logic import unit_costs as uc
from logic.editing import EditError, document

ROOT = Path(__file__).resolve().parents[1]
DEFLATOR_CSV = ROOT / "logic" / "reference" / "gdp_deflators.csv"


@pytest.fixture(scope="module")
def costs():
    return uc.load_unit_costs()


@pytest.fixture(scope="module")
def deflators():
    return uc.load_deflators()


def index_by_hand(year: str) -> float:
    """The deflator index read straight from the CSV, without pandas or the module under test."""
    with DEFLATOR_CSV.open(encoding="utf-8") as f:
        return next(float(r["index"]) for r in csv.DictReader(f) if r["financial_year"] == year)


def row(costs, code: str):
    return costs[costs["code"] == code].iloc[0]


# --- data shipped -------------------------------------------------------------


def test_the_database_is_shipped_whole_with_its_attribution(costs):
    assert len(costs) == 674
    assert costs["code"].is_unique
    assert list(costs.columns) == [
        "code",
        "category",
        "detail",
        "description",
        "unit",
        "value_gbp",
        "agency",
        "agency_detail",
        "price_year",
    ]
    readme = (ROOT / "logic" / "reference" / "README.md").read_text(encoding="utf-8")
    assert "Source: GMCA Unit Cost Database v1.4" in readme
    assert "Government Outcomes Lab" in readme and "Creative Commons" in readme


def test_the_deflator_table_covers_every_price_year_and_the_scenario_years(costs, deflators):
    years = list(deflators["financial_year"])
    assert years == [f"{y}/{(y + 1) % 100:02d}" for y in range(2000, 2031)]
    assert set(costs["price_year"]) <= set(years)
    assert index_by_hand("2024/25") == 100.0  # the base year the README states
    assert set(deflators["status"]) == {"interpolated", "outturn", "projection"}
    assert (deflators["index"].diff().dropna() > 0).all()


# --- search ---------------------------------------------------------------------------


def test_search_finds_residential_care_per_week(costs):
    found = uc.search(costs, "residential care week")
    assert "SS3.0" in set(found["code"])
    ss3 = row(found, "SS3.0")
    assert (ss3["value_gbp"], ss3["unit"], ss3["price_year"]) == (2995.0, "Per week", "2013/14")


def test_search_needs_every_word_in_any_case_and_finds_codes(costs):
    assert "SS2.0" in set(uc.search(costs, "FOSTER Week")["code"])
    assert uc.search(costs, "foster zzzz-no-such-word").empty
    assert list(uc.search(costs, "cr1.0")["code"]) == ["CR1.0"]


def test_empty_search_gives_everything(costs):
    assert len(uc.search(costs)) == len(costs)
    assert len(uc.search(costs, "   ")) == len(costs)


def test_agency_filter_takes_both_spellings_of_local_authority(costs):
    found = uc.search(costs, agency="local authority")
    assert set(found["agency"]) == {"Local Authority", "Local authority"}
    assert len(found) == (costs["agency"].str.lower() == "local authority").sum()
    assert uc.agencies(costs).count("Local Authority") == 1
    assert "Local authority" not in uc.agencies(costs)


def test_category_filter_and_words_together(costs):
    crime = uc.search(costs, category="Crime")
    assert len(crime) == (costs["category"] == "Crime").sum() and set(crime["category"]) == {"Crime"}
    arrests = uc.search(costs, "arrest", agency="Police", category="crime")
    assert len(arrests) > 0
    assert set(arrests["agency"]) == {"Police"}
    assert all("arrest" in " ".join(r).lower() for r in arrests[uc.SEARCHED].astype(str).values)


# --- uprating ---------------------------------------------------------------------------


@pytest.mark.parametrize("from_year", ["2013/14", "2002/03"])
def test_uprating_factor_is_the_ratio_of_the_indices(deflators, from_year):
    expected = index_by_hand("2025/26") / index_by_hand(from_year)
    up = uc.uprate(1000.0, from_year, "2025/26", deflators)
    assert up.factor == pytest.approx(expected, abs=5e-5)  # rounded to 4 places
    assert up.uprated == pytest.approx(1000.0 * up.factor)
    assert (up.value, up.from_year, up.to_year) == (1000.0, from_year, "2025/26")
    assert up.projected  # 2025/26 is a forecast in the shipped table


def test_uprating_reads_years_written_with_a_dash(deflators):
    assert uc.uprate(10, "2013-14", "2025-26", deflators) == uc.uprate(10, "2013/14", "2025/26", deflators)


def test_an_unknown_year_is_a_readable_error(deflators):
    with pytest.raises(uc.DeflatorError, match=r"No GDP deflator for 1990/91: it covers 2000/01 to 2030/31"):
        uc.uprate(100, "1990/91", "2025/26", deflators)
    with pytest.raises(uc.DeflatorError, match="not a financial year"):
        uc.uprate(100, "last year", "2025/26", deflators)


def test_price_base_is_the_year_before_delivery_starts():
    assert uc.price_base(2026) == "2025/26"
    assert uc.price_base(2000) == "1999/00"
    assert uc.price_year(2023) == "2023/24"  # a price base chosen on the Programme page
    assert uc.price_year(1999) == "1999/00"


def test_an_edited_deflator_table_is_checked(deflators):
    edited = deflators.copy()
    edited.loc[len(edited)] = {"financial_year": "2031-32", "index": 115.0, "status": ""}
    clean = uc.check_deflators(edited)
    assert clean["financial_year"].iloc[-1] == "2031/32"
    bad = deflators.copy()
    bad.loc[3, "index"] = -1.0
    bad.loc[4, "financial_year"] = "2004"
    with pytest.raises(uc.DeflatorError, match=r"row 4 2003/04: the index must be a number above 0.*row 5"):
        uc.check_deflators(bad)


# --- units ------------------------------------------------------------------------------


def test_weekly_costs_are_times_52():
    conv = uc.annual_factor("Per week")
    assert (conv.factor, conv.explanation, conv.needs_judgement) == (52, "per week x 52 = per year", False)


@pytest.mark.parametrize(
    ("unit", "factor"),
    [("Per year", 1), ("per annum", 1), ("Per person per year", 1), ("Per day", 365), ("Per month", 12)],
)
def test_periodic_units_convert_without_judgement(unit, factor):
    conv = uc.annual_factor(unit)
    assert conv.factor == factor and not conv.needs_judgement


@pytest.mark.parametrize("unit", ["Per incident", "Per episode", "Each", "Per hour", "Per bed day"])
def test_event_units_count_once_and_ask_for_judgement(unit):
    conv = uc.annual_factor(unit)
    assert conv.factor == 1 and conv.needs_judgement
    assert "counted once per outcome per year: check this fits the outcome" in conv.explanation


# --- benefit lines --------------------------------------------------------------------------


def test_benefit_line_arithmetic(costs, deflators):
    line = uc.benefit_line_from(row(costs, "SS3.0"), "council", deflators, "2025/26", cashable=0.6)
    factor = round(index_by_hand("2025/26") / index_by_hand("2013/14"), 4)
    assert line == {
        "agency": "council",
        "value": round(2995 * factor * 52, 2),
        "type": "fiscal",
        "cashable": 0.6,
        "code": "SS3.0",  # the line names its source
    }


def test_benefit_line_with_times_a_year_set_by_hand(costs, deflators):
    line = uc.benefit_line_from(row(costs, "CR1.0"), "police", deflators, "2025/26", type="social", per_year=2)
    factor = round(index_by_hand("2025/26") / index_by_hand("2002/03"), 4)
    assert line == {"agency": "police", "value": round(500 * factor * 2, 2), "type": "social", "code": "CR1.0"}


def test_a_welfare_benefit_line_can_be_marked_a_transfer(costs, deflators):
    line = uc.benefit_line_from(row(costs, "E&E1.0.1"), "dwp", deflators, "2025/26", transfer=True)
    assert (line["type"], line["transfer"], line["code"]) == ("fiscal", True, "E&E1.0.1")
    social = uc.benefit_line_from(row(costs, "E&E1.0.1"), "dwp", deflators, "2025/26", type="social", transfer=True)
    assert "transfer" not in social  # only a fiscal line can be a transfer


def test_welfare_benefit_codes_are_payments_not_the_cost_of_running_them():
    codes = uc.welfare_benefit_codes()
    for code in ("E&E1.0.1", "E&E1.3", "E&E2.0.1", "E&E5.0", "E&E9.0", "HO7.0"):  # JSA, ESA, PIP, Carer's, HB
        assert code in codes
    for code in ("E&E1.6", "E&E1.7", "E&E1.9", "E&E1.0.2", "E&E2.10", "E&E4.1", "HO8.0", "SS3.0", "CR1.0"):
        assert code not in codes  # processing, maintaining, advice, health gain, interview, provider fee


def test_an_agency_that_pays_benefits_is_known_by_its_id_or_name():
    assert uc.pays_welfare_benefits("dwp", "Central government")
    assert uc.pays_welfare_benefits("central", "Department for Work and Pensions")
    assert uc.pays_welfare_benefits("benefits", "Benefits")
    assert not uc.pays_welfare_benefits("council", "County council children's services")
    assert not uc.pays_welfare_benefits("participants", "People supported into work (household income)")


def test_provenance_shows_every_step(costs, deflators):
    text = uc.provenance(row(costs, "SS3.0"), deflators, "2025/26")
    factor = round(index_by_hand("2025/26") / index_by_hand("2013/14"), 4)
    assert text.startswith("GMCA SS3.0 Local authority residential care home for children")
    assert f"£2,995 per week in 2013/14 prices x {factor:.4f}" in text
    assert "GDP deflator 2013/14 to 2025/26; 2025/26 a forecast)" in text
    assert "x 52 a year (per week x 52 = per year)" in text
    assert f"= £{round(2995 * factor * 52, 2):,.2f} per outcome per year" in text
    assert "Source: GMCA Unit Cost Database v1.4" in text
    hand = uc.provenance(row(costs, "SS3.0"), deflators, "2025/26", per_year=10)
    assert "x 10 a year (set by hand; the unit suggested 52)" in hand
    early = uc.provenance(row(costs, "CR1.0"), deflators, "2025/26")
    assert "2002/03 to 2025/26; 2002/03 estimated from calendar years; 2025/26 a forecast)" in early
    assert "x 1 a year (counted once per outcome per year: check this fits the outcome)" in early


def test_agency_suggestions(edge_of_care, employment_support):
    assert uc.suggest_agency("NHS", edge_of_care) == "nhs"
    assert uc.suggest_agency("Police", edge_of_care) == "police"
    assert uc.suggest_agency("Local authority", edge_of_care) == "council"
    assert uc.suggest_agency("Court", edge_of_care) == "cjs"
    assert uc.suggest_agency("DWP", edge_of_care) is None
    assert uc.suggest_agency("Multiple", edge_of_care) is None
    assert uc.suggest_agency("DWP", employment_support) == "dwp"


@pytest.fixture
def edge_of_care():
    return load_scenario(DEFAULT_EXAMPLE)


@pytest.fixture
def employment_support():
    from logic import EXAMPLES, load_scenario

    return load_scenario(EXAMPLES / "employment_support.yaml")


# --- into the scenario -------------------------------------------------------------------------


def test_add_benefit_appends_the_line_and_the_note_without_touching_the_input(edge_of_care):
    doc = document(edge_of_care)
    before = copy.deepcopy(doc)
    outcome = edge_of_care.outcomes[0]
    line = {"agency": "nhs", "value": 1234.5, "type": "fiscal", "cashable": 0.5}
    new = uc.add_benefit(doc, outcome.id, line, "GMCA XX1.0: workings")
    assert doc == before
    node = next(n for n in new["nodes"] if n["id"] == outcome.id)
    assert node["benefits"][-1] == line and len(node["benefits"]) == len(outcome.benefits) + 1
    assert node["notes"].endswith("\nGMCA XX1.0: workings")
    assert node["notes"].startswith(outcome.notes.rstrip())
    assert parse_scenario(new).outcomes[0].benefits[-1].value == 1234.5


@pytest.mark.parametrize("target", ["no-such-outcome", "need-care-entry"])
def test_add_benefit_to_something_that_is_not_an_outcome(edge_of_care, target):
    with pytest.raises(EditError, match="is not an outcome"):
        uc.add_benefit(document(edge_of_care), target, {"agency": "nhs", "value": 1, "type": "fiscal"}, "n")


SIMPLE = {
    "format": "toc-business-case/1",
    "name": "Simple",
    "settings": {"start_year": 2026, "horizon_years": 5, "discount_rate": 0.035},
    "agencies": [{"id": "council", "name": "Borough council"}],
    "cohort": {"intake": [100], "engagement_rate": 1.0},
    "nodes": [
        {
            "id": "act",
            "stage": "activity",
            "label": "Help",
            "costs": [{"item": "Staff", "payer": "council", "setup": 50000}],
        },
        {
            "id": "out",
            "stage": "outcome",
            "label": "Stays at home",
            "rate_with": 0.5,
            "rate_without": 0.3,
            "evidence_grade": 1,  # no optimism bias, so the hand sum below is the whole story
            "duration_years": 3,
        },
    ],
    "edges": [{"source": "act", "target": "out"}],
}


def test_an_added_line_raises_the_npv_by_its_present_value(costs, deflators):
    sc = parse_scenario(copy.deepcopy(SIMPLE))
    to_year = uc.price_base(sc.settings.start_year)
    r = row(costs, "SS2.0")  # foster care, 700 per week in 2013/14 prices
    line = uc.benefit_line_from(r, "council", deflators, to_year, cashable=0.5)
    new = parse_scenario(uc.add_benefit(document(sc), "out", line, uc.provenance(r, deflators, to_year)))
    # By hand: 100 people x (0.5 - 0.3) = 20 extra outcomes in year 0, each worth the value in years 0, 1, 2.
    value = round(700 * round(index_by_hand("2025/26") / index_by_hand("2013/14"), 4) * 52, 2)
    pv = 20 * value * (1 + 1 / 1.035 + 1 / 1.035**2)
    assert evaluate(new)["npv_fiscal"] - evaluate(sc)["npv_fiscal"] == pytest.approx(pv, rel=1e-9)
    assert "GMCA SS2.0" in new.outcomes[0].notes


# --- the Streamlit section ----------------------------------------------------------------------


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "tests" / "unit_costs_app.py"), default_timeout=60).run()


def results(at: AppTest):
    return next(d for d in at.dataframe if d.key and d.key.startswith("uc-results-"))


def select(at: AppTest, code: str) -> AppTest:
    table = results(at)
    at.session_state[table.key] = {"selection": {"rows": [list(table.value["code"]).index(code)], "columns": []}}
    return at.run()


def test_select_a_row_and_add_it_as_a_benefit_line():
    at = app()
    assert not at.exception and not at.error
    assert any("Source: GMCA Unit Cost Database v1.4" in c.value for c in at.caption)
    at.text_input(key="uc-words").set_value("residential care home week").run()
    at = select(at, "SS3.0")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Value in 2013/14 prices"] == "£2,995.00"
    assert (
        metrics["Deflator 2013/14 -> 2025/26"]
        == f"x {round(index_by_hand('2025/26') / index_by_hand('2013/14'), 4):.4f}"
    )
    assert at.number_input(key="uc-times-SS3.0").value == 52
    before = at.session_state["scenario"]
    target = before.outcomes[-1]
    at.selectbox(key="uc-outcome").set_value(target.id).run()
    assert at.selectbox(key="uc-benefits-agency-SS3.0").value == "council"  # the suggestion for Local Authority
    at.button(key="uc-add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    after = at.session_state["scenario"]
    old = {o.id: len(o.benefits) for o in before.outcomes}
    new = {o.id: len(o.benefits) for o in after.outcomes}
    assert new == {**old, target.id: old[target.id] + 1}
    added = next(o for o in after.outcomes if o.id == target.id).benefits[-1]
    factor = round(index_by_hand("2025/26") / index_by_hand("2013/14"), 4)
    assert (added.agency, added.type, added.value) == ("council", "fiscal", round(2995 * factor * 52, 2))
    assert (added.code, added.transfer) == ("SS3.0", False)
    assert "GMCA SS3.0" in next(o for o in after.outcomes if o.id == target.id).notes
    assert any("Added" in s.value for s in at.success)


def test_an_edited_deflator_table_is_used_and_can_be_reset():
    at = app()
    at.text_input(key="uc-words").set_value("residential care home week").run()
    at = select(at, "SS3.0")
    shown = {m.label: m.value for m in at.metric}["Deflator 2013/14 -> 2025/26"]
    i = list(at.session_state["deflators"]["financial_year"]).index("2025/26")
    at.session_state["uc-deflator-editor-0"] = {
        "edited_rows": {i: {"index": 2 * index_by_hand("2025/26")}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception and not at.error
    factor = round(2 * index_by_hand("2025/26") / index_by_hand("2013/14"), 4)
    assert {m.label: m.value for m in at.metric}["Deflator 2013/14 -> 2025/26"] == f"x {factor:.4f}"
    at.button(key="uc-deflator-reset").click().run()
    assert {m.label: m.value for m in at.metric}["Deflator 2013/14 -> 2025/26"] == shown


def test_the_library_uprates_to_the_price_base_chosen_for_the_scenario():
    at = AppTest.from_file(str(ROOT / "tests" / "unit_costs_app.py"), default_timeout=60)
    sc = load_scenario(DEFAULT_EXAMPLE)
    at.session_state["scenario"] = sc.model_copy(
        update={"settings": sc.settings.model_copy(update={"price_base_year": 2023})}
    )
    at.session_state["scenario_version"] = 0
    at.session_state["problems"] = {}
    at.run()
    at.text_input(key="uc-words").set_value("residential care home week").run()
    at = select(at, "SS3.0")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Deflator 2013/14 -> 2023/24"] == (
        f"x {round(index_by_hand('2023/24') / index_by_hand('2013/14'), 4):.4f}"
    )


def test_a_welfare_benefit_is_added_as_a_transfer():
    at = app()
    at.text_input(key="uc-words").set_value("job seekers benefits payments").run()
    at = select(at, "E&E1.0.1")
    assert at.checkbox(key="uc-transfer-E&E1.0.1").value is True
    target = at.session_state["scenario"].outcomes[0]
    at.selectbox(key="uc-outcome").set_value(target.id).run()
    at.button(key="uc-add").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    added = next(o for o in at.session_state["scenario"].outcomes if o.id == target.id).benefits[-1]
    assert (added.code, added.type, added.transfer) == ("E&E1.0.1", "fiscal", True)
