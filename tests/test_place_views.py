"""The Place page's frames (logic.place_views) on a tiny place worked by hand.

Two programmes, no discounting, no inflation, no optimism bias, everyone engaged, one cohort each:

  Alpha (2026, 3 years): 10 people. The council pays 100 a head (1,000 in 2026). Each person achieves the
    outcome (rate 1 against 0), worth 300 to the council (cashable, code X1) and 50 to the NHS (cashable):
    3,000 and 500 banked in 2026. Need "Families in crisis": 20 people x 1,000, growing 10% a year (council).
  Beta (from 2027, 2 years): 4 people. The police pay 250 a head (1,000 in 2027). Worth 500 to the council
    (half cashable, code X1): 2,000 fiscal, 1,000 banked in 2027. Needs: "  families IN crisis " (the same
    need by its label: 999 x 5, not counted again) and "Repeat callers": 10 x 100 a year (police).

The place: 2026, 3 years; the calendar is max(3, 0+3, 1+2) + 1 lag year = 4 years, 2026-2029. Fund: the
council alone, paying 500 in 2026; the fund pays all three cash items; a member keeps half its cashable
savings, the other half is paid in a year later; 10% a year on an overdrawn balance.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from logic import place_views as pv
from logic.model import Problem
from logic.place import EXAMPLE_PLACE, LoadedPlace, PlaceError, evaluate_place, load_place, parse_place, resolve_place
from logic.place_store import PlaceStore, store_resolver
from logic.store import Store


def programme(name, agencies, cost, benefits, needs, horizon, intake):
    return {
        "format": "toc-business-case/2",
        "name": name,
        "settings": {
            "start_year": 2026,
            "horizon_years": horizon,
            "discount_rate": 0.0,
            "price_base_year": 2025,
            "inflation": 0.0,
        },
        "agencies": [{"id": a, "name": n} for a, n in agencies],
        "cohort": {"intake": intake, "engagement_rate": 1.0, "intake_timing": "start"},
        "nodes": [
            *[{"id": f"need-{i}", "stage": "need", "label": lab, **n} for i, (lab, n) in enumerate(needs)],
            {"id": "act", "stage": "activity", "label": "Activity", "costs": [cost]},
            {
                "id": "out",
                "stage": "outcome",
                "label": "Out",
                "rate_with": 1.0,
                "rate_without": 0.0,
                "evidence_grade": 1,
                "duration_years": 1,
                "benefits": benefits,
            },
        ],
        "edges": [
            *[{"source": f"need-{i}", "target": "act", "strength": "medium"} for i in range(len(needs))],
            {"source": "act", "target": "out", "strength": "medium"},
        ],
    }


ALPHA = programme(
    "Alpha - family support",
    [("council", "County council"), ("nhs", "NHS board")],
    {"item": "Staff", "payer": "council", "per_participant": 100},
    [
        {"agency": "council", "value": 300, "type": "fiscal", "cashable": 1.0, "code": "X1"},
        {"agency": "nhs", "value": 50, "type": "fiscal", "cashable": 1.0},
    ],
    [("Families in crisis", {"population": 20, "unit_cost": 1000, "growth_rate": 0.1, "agency": "council"})],
    horizon=3,
    intake=[10],
)
BETA = programme(
    "Beta - street triage",
    [("council", "County council"), ("police", "Police force")],
    {"item": "Officers", "payer": "police", "per_participant": 250},
    [{"agency": "council", "value": 500, "type": "fiscal", "cashable": 0.5, "code": "X1"}],
    [
        ("  families IN crisis ", {"population": 999, "unit_cost": 5, "agency": "council"}),
        ("Repeat callers", {"population": 10, "unit_cost": 100, "growth_rate": 0.0, "agency": "police"}),
    ],
    horizon=2,
    intake=[4],
)
PLACE = {
    "format": "toc-place/1",
    "name": "Smalltown",
    "settings": {"start_year": 2026, "horizon_years": 3, "discount_rate": 0.0, "price_base_year": 2025},
    "programmes": [{"scenario": "alpha.yaml", "start_year": 2026}, {"scenario": "beta.yaml", "start_year": 2027}],
    "fund": {
        "members": ["council"],
        "contributions": [{"agency": "council", "by_year": [500]}],
        "savings_returned": 0.5,
        "savings_lag_years": 1,
        "bridge_rate": 0.1,
    },
}


@pytest.fixture
def small(tmp_path: Path):
    (tmp_path / "alpha.yaml").write_text(yaml.safe_dump(ALPHA), encoding="utf-8")
    (tmp_path / "beta.yaml").write_text(yaml.safe_dump(BETA), encoding="utf-8")
    path = tmp_path / "place.yaml"
    path.write_text(yaml.safe_dump(PLACE), encoding="utf-8")
    loaded = load_place(path)
    return loaded, evaluate_place(loaded)


def test_the_fund_year_by_year_with_the_bridge_and_the_year_it_pays_its_own_way(small):
    _, result = small
    df = pv.fund_frame(result)
    assert list(df["year"]) == [2026, 2027, 2028, 2029]
    assert list(df["contributions"]) == [500, 0, 0, 0]
    # paid out: the council's own cost in 2026 (the police are not members: their 1,000 in 2027 is not the fund's)
    assert list(df["outflow"]) == [1000, 0, 0, 0]
    # paid in a year late, half the council's cashable savings: 3,000 (2026) -> 1,500; 1,000 (2027) -> 500
    assert list(df["savings_in"]) == [0, 1500, 500, 0]
    # 0 + 500 - 1,000 = -500; -500 x 1.1 + 1,500 = 950; 950 + 500 = 1,450; 1,450
    assert df["balance"].tolist() == pytest.approx([-500, 950, 1450, 1450])
    assert df.attrs["bridge_needed"] == pytest.approx(500)
    assert df.attrs["bridge_year"] == 2026
    # 2027 on: each year's change less its contributions is >= 0 (1,450, 500, 0); 2026's is -1,000
    assert df.attrs["sustaining_year"] == 2027
    table = pv.fund_table(df)
    assert table.iloc[0].tolist() == ["2026", "£500", "£0", "£1,000", "-£500"]
    assert table.iloc[1]["Balance at year end"] == "£950"


def test_the_key_figures(small):
    _, result = small
    tiles = {t["label"]: t["value"] for t in pv.place_key_figures(result)}
    # costs 1,000 + 1,000; fiscal 3,000 + 500 + 2,000 = 5,500: NPV 3,500 either way (no economic or social lines)
    assert tiles == {
        "Bridge needed": "£500",
        "Pays its own way from": "2027",
        "NPV (public value)": "£3,500",
        "NPV to public budgets": "£3,500",
        "PV of costs": "£2,000",
    }


def test_a_fund_that_never_pays_its_own_way_says_by_when(small):
    loaded, _ = small
    # Each member keeps all its savings: nothing is paid in after the 500, and the council's 1,000 goes out.
    fund = loaded.place.fund.model_copy(update={"savings_returned": 1.0})
    place = loaded.place.model_copy(update={"fund": fund})
    result = evaluate_place(LoadedPlace(place, loaded.originals, loaded.programmes))
    tiles = {t["key"]: t for t in pv.place_key_figures(result)}
    assert tiles["self_sustaining_year"]["value"] == "Not by 2029"
    # -500, then 10% a year on the overdraft: -550, -605, -665.50
    assert tiles["bridge_needed"]["value"] == "£666"
    assert tiles["bridge_needed"]["help"].endswith("In full: £666.")


def test_what_each_programme_costs_and_saves_the_place(small):
    loaded, result = small
    df = pv.programme_cash_frame(result, loaded)
    pick = {(r.year, r.programme, r.kind): r.amount for r in df.itertuples()}
    assert pick[(2026, "1. Alpha", pv.SAVINGS)] == pytest.approx(3500)  # council 3,000 + NHS 500
    assert pick[(2026, "1. Alpha", pv.COSTS)] == pytest.approx(-1000)
    assert pick[(2027, "2. Beta", pv.SAVINGS)] == pytest.approx(1000)  # half of 2,000 is cashable
    assert pick[(2027, "2. Beta", pv.COSTS)] == pytest.approx(-1000)  # the police's, members or not
    assert pick[(2027, "1. Alpha", pv.SAVINGS)] == 0 and pick[(2026, "2. Beta", pv.COSTS)] == 0
    assert len(df) == 2 * 2 * 4  # two programmes, two kinds, four years
    net = pv.place_net_frame(df)
    assert net["net"].tolist() == pytest.approx([2500, 0, 0, 0])


def test_each_agency_puts_in_and_gets_back(small):
    loaded, result = small
    df = pv.agency_frame(result, loaded).set_index("id")
    council = df.loc["council"]
    # contributes 500; banks 4,000, keeps half (2,000), pays the other half in; the fund pays its 1,000 of costs
    assert council["member"]
    assert council["contributions"] == pytest.approx(500)
    assert council["savings_to_fund"] == pytest.approx(2000)
    assert council["savings_kept"] == pytest.approx(2000)
    assert council["costs_fund_pays"] == pytest.approx(1000)
    assert council["costs_own"] == pytest.approx(0)
    assert council["net_cash"] == pytest.approx(1500)  # 2,000 - 500 - 0
    assert council["net_without_fund"] == pytest.approx(3000)  # 4,000 - 1,000
    # with - without = gets back - puts in: 1,000 - (500 + 2,000) = -1,500
    assert council["net_cash"] - council["net_without_fund"] == pytest.approx(1000 - 2500)
    police, nhs = df.loc["police"], df.loc["nhs"]
    assert not police["member"] and police["costs_own"] == pytest.approx(1000)
    assert police["net_cash"] == pytest.approx(-1000) and police["contributions"] == 0
    assert nhs["savings_kept"] == pytest.approx(500) and nhs["net_cash"] == pytest.approx(500)
    assert df.loc["council", "agency"] == "County council"  # both programmes name it alike
    table = pv.agency_table(pv.agency_frame(result, loaded))
    assert table.iloc[0].tolist() == ["County council (member)", "£500", "£2,000", "£1,000", "£1,500", "£3,000"]
    assert table["Agency"].tolist() == ["County council (member)", "NHS board", "Police force"]
    terms = pv.agency_table(pv.agency_frame(result, loaded), terms=True)
    assert list(terms.columns) == ["Agency", "Savings kept", "Contributions", "Costs it pays", "Net, with the fund"]
    # 2,000 kept - 500 paid in - 0 = 1,500; the police: 0 - 0 - 1,000
    assert terms.iloc[0].tolist() == ["County council (member)", "£2,000", "£500", "£0", "£1,500"]
    assert terms.iloc[2].tolist() == ["Police force", "£0", "£0", "£1,000", "-£1,000"]
    bars = pv.agency_fund_frame(pv.agency_frame(result, loaded))
    assert bars[["side", "part", "amount"]].values.tolist() == [
        [pv.PUTS_IN, "Contributions", 500],
        [pv.PUTS_IN, "Savings paid in", 2000],
        [pv.GETS_BACK, "Costs paid for it", 1000],
    ]


def test_total_place_counts_a_shared_need_once_and_adds_by_agency(small):
    loaded, _ = small
    df = pv.total_place_frame(loaded)
    council = df[df["agency"] == "County council"]
    # 20 x 1,000 x 1.1^t over the place's 3 years; Beta's "  families IN crisis " is the same need: not counted
    assert council["cost"].tolist() == pytest.approx([20000, 22000, 24200])
    assert set(council["need"]) == {"Families in crisis"}
    police = df[df["agency"] == "Police force"]
    assert police["cost"].tolist() == pytest.approx([1000, 1000, 1000])
    by_agency = pv.total_place_by_agency(df)
    assert len(by_agency) == 6
    table = pv.total_place_table(df)
    assert table.values.tolist() == [
        ["County council", "£20,000", "£24,200", "£66,200", "Families in crisis"],
        ["Police force", "£1,000", "£1,000", "£3,000", "Repeat callers"],
        ["All agencies", "£21,000", "£25,200", "£69,200", ""],
    ]
    assert list(table.columns) == ["Agency", "In 2026", "In 2028", "Total 2026-2028", "Needs"]


def test_try_starting_later(small):
    loaded, _ = small
    df = pv.try_later_frame(loaded, 0, delays=range(3))
    # Alpha one year later (2027): 2026 +500; 2027 500 - 1,000 = -500; 2028 -550 + (3,000 + 1,000)/2 = 1,450.
    # Two years later (2028): Beta's 1,000 banked in 2027 comes in as 500 in 2028, as the 1,000 goes out:
    # 500, 500, 0, then 1,500: never overdrawn, no bridge; pays its way from 2029 (2028 falls by 500).
    assert df["bridge_needed"].tolist() == pytest.approx([500, 500, 0])
    assert df["sustaining_year"].tolist() == [2027, 2028, 2029]
    assert df["starts"].tolist() == [[2026], [2027], [2028]]
    assert df["npv_public_value"].tolist() == pytest.approx([3500] * 3)  # undiscounted: timing changes nothing
    table = pv.try_later_table(df)
    assert table["Start later by"].tolist() == ["As planned", "1 year", "2 years"]
    assert table["Change in the bridge"].tolist() == ["", "£0", "-£500"]
    assert table["Pays its own way from"].tolist() == ["2027", "2028", "2029"]
    assert df["last_year"].tolist() == [2029, 2030, 2031]  # each delay's own calendar
    # The place's own result stands for "as planned"
    _, result = small
    assert pv.try_later_frame(loaded, 0, delays=range(3), planned=result).equals(df)
    both = pv.try_later_frame(loaded, pv.ALL, delays=[1])
    assert both["starts"].tolist() == [[2027, 2028]]
    # The place itself is untouched
    assert loaded.place.start_of(0) == 2026


def test_double_counting_is_named_plainly(small):
    loaded, result = small
    assert pv.double_counting_lines(result, loaded) == [
        "Programmes 1. Alpha and 2. Beta both credit County council with savings coded 'X1'."
    ]


def test_agencies_named_differently_by_two_programmes_are_shown_by_their_id(tmp_path):
    beta = yaml.safe_load(yaml.safe_dump(BETA))
    beta["agencies"][0]["name"] = "County council (public health)"
    (tmp_path / "alpha.yaml").write_text(yaml.safe_dump(ALPHA), encoding="utf-8")
    (tmp_path / "beta.yaml").write_text(yaml.safe_dump(beta), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(PLACE), encoding="utf-8")
    labels = pv.agency_labels(load_place(tmp_path / "p.yaml"))
    assert labels == {"council": "council", "nhs": "NHS board", "police": "Police force"}


def test_the_contributions_table_reads_back_into_the_place(small):
    loaded, result = small
    df = pv.contributions_frame(loaded.place, result["years"])
    assert list(df.columns) == ["agency", "2026", "2027", "2028", "2029"]
    assert df.iloc[0]["agency"] == "council" and df.iloc[0]["2026"] == 500
    assert all(v is None or math.isnan(v) for v in df.iloc[0][["2027", "2028", "2029"]])
    df.loc[0, "2028"] = 250.0
    doc = pv.apply_contributions(pv.place_document(loaded.place), df)
    assert doc["fund"]["contributions"] == [{"agency": "council", "by_year": [500.0, 0.0, 250.0]}]
    assert parse_place(doc).fund.contributions[0].by_year == [500, 0, 250]
    # A row for an agency that is not a member: the place refuses it, saying so
    df.loc[1] = ["police", 100.0, None, None, None]
    doc = pv.apply_contributions(pv.place_document(loaded.place), df)
    with pytest.raises(PlaceError) as err:
        parse_place(doc)
    [line] = [pv.plain_place_problem(x) for x in err.value.lines()]
    assert line.startswith("Contributions, row 2: agency 'police' is not a member of the fund (members: council)")
    assert "add it to the members" in line
    # A blank row, or a member's row of nothing, is no contribution
    blank = pv.contributions_frame(loaded.place, result["years"])
    blank.loc[0, "2026"] = None
    assert pv.apply_contributions(pv.place_document(loaded.place), blank)["fund"]["contributions"] == []


def test_the_programmes_table_reads_back_into_the_place(small):
    loaded, _ = small
    df = pv.programmes_frame(loaded.place, [sc.name for sc in loaded.originals])
    assert df["programme"].tolist() == ["1. Alpha - family support", "2. Beta - street triage"]
    assert df["start_year"].tolist() == [2026, 2027]
    edited = df.drop(index=0)  # the editor returns the rows left, each with its position as shown
    edited.loc[1, "start_year"] = 2029
    edited.loc[1, "scale"] = 0.5
    doc = pv.apply_programmes(pv.place_document(loaded.place), edited)
    assert doc["programmes"] == [{"scenario": "beta.yaml", "start_year": 2029, "scale": 0.5}]
    doc = pv.add_programme(doc, "saved-id", 3, 2030, 2.0)
    place = parse_place(doc)
    assert place.programmes[1].saved == "saved-id" and place.programmes[1].version == 3
    assert place.start_of(1) == 2030 and place.programmes[1].scale == 2.0


def test_a_new_place_from_saved_scenarios(small):
    loaded, _ = small
    alpha, beta = loaded.originals
    doc = pv.new_place_document("Ours", [("a-1", 2, alpha), ("b-1", 1, beta.model_copy(deep=True))])
    place = parse_place(doc)
    assert [(e.saved, e.version) for e in place.programmes] == [("a-1", 2), ("b-1", 1)]
    # each its own start (both files say 2026); the place from 2026 to the latest end, 2026 + 3
    assert place.settings.start_year == 2026 and place.settings.horizon_years == 3
    assert place.settings.price_base == 2025 and place.settings.discount_rate == 0.0
    assert place.fund.members == ["council", "nhs", "police"]


def test_file_programmes_are_refused_in_the_app_and_unpinned_ones_pinned(small):
    loaded, _ = small
    problems = pv.app_place_problems(loaded.place)
    assert [p.where for p in problems] == ["programmes[0] alpha.yaml", "programmes[1] beta.yaml"]
    assert all(isinstance(p, Problem) and "saved scenarios" in p.message for p in problems)
    doc = pv.place_document(loaded.place)
    doc["programmes"] = [{"saved": "a"}, {"saved": "b", "version": 2}]
    pinned = pv.pin_versions(parse_place(doc), {"a": 7}.get)
    assert [e.version for e in pinned.programmes] == [7, 2]
    assert pv.plain_place_problem("programmes[1] x: gone") == "Programme 2 x: gone"


def test_a_place_file_that_is_not_one_is_refused_with_a_line():
    with pytest.raises(PlaceError) as err:
        pv.read_place(b"format: toc-business-case/2\nname: x\n")
    assert "must be 'toc-place/1'" in err.value.lines()[0]
    with pytest.raises(PlaceError):
        pv.read_place(b"{ not yaml")


def test_the_example_place_saved_in_a_store_gives_the_files_figures(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    place = pv.example_place_in_store(store, "Tester")
    assert all(e.saved and e.version == 1 for e in place.programmes)
    assert len(store.list_scenarios()) == 2
    again = pv.example_place_in_store(store, "Tester")  # the same scenarios are found, not saved twice
    assert again == place and len(store.list_scenarios()) == 2
    from_store = evaluate_place(resolve_place(place, resolver=store_resolver(store)))
    from_files = evaluate_place(load_place(EXAMPLE_PLACE))
    assert from_store["fund"] == from_files["fund"]
    assert from_store["economic"] == from_files["economic"]
    PlaceStore(store).save(place, "Tester", "The example")
    assert PlaceStore(store).load(PlaceStore(store).list_places()[0].id) == place


def test_each_programme_on_its_own_and_the_combined_case(small):
    loaded, result = small
    table = pv.programmes_table(result, loaded)
    # Alpha: 3,500 fiscal - 1,000 costs = 2,500, back in its first year; Beta: 2,000 - 1,000 = 1,000, from 2027
    assert table[["Programme", "Starts in", "NPV to public budgets", "Pays back"]].values.tolist() == [
        ["1. Alpha", "2026", "£2,500", "2026"],
        ["2. Beta", "2027", "£1,000", "2027"],
    ]
    assert table["Saved as"].tolist() == ["alpha.yaml", "beta.yaml"]
    economic = pv.economic_table(result).set_index("Figure")["Amount"]
    assert economic["PV of costs"] == "£2,000" and economic["PV of fiscal benefits"] == "£5,500"
    assert economic["Benefit-cost ratio (public value)"] == "2.75"  # 5,500 / 2,000
    words = pv.fund_words(loaded.place)
    assert "keeps 50% of its cashable savings" in words and "1 year after it is banked" in words


def test_the_charts_are_valid_vega_lite_and_mark_the_bridge_and_the_year_it_pays_its_way(small):
    from logic import place_charts as charts

    loaded, result = small
    cash = pv.programme_cash_frame(result, loaded)
    agencies = pv.agency_frame(result, loaded)
    built = [
        charts.fund_balance(pv.fund_frame(result)),
        charts.programme_cash(cash, pv.place_net_frame(cash)),
        charts.agency_fund(pv.agency_fund_frame(agencies)),
        charts.total_place(pv.total_place_by_agency(pv.total_place_frame(loaded))),
    ]
    specs = [c.to_dict() for c in built]  # validated against the Vega-Lite schema; raises if not valid
    assert [c.to_dict(validate=False) for c in built] == specs
    rows = [row for data in specs[0]["datasets"].values() for row in data]
    assert {"year": 2026, "balance": -500.0, "label": "Bridge: £500"} in rows
    assert {"year": 2027, "label": "Pays its own way from 2027"} in rows
