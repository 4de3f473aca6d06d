"""The modules that hold a session's edits: the assumptions log, undo and redo, and the contract page's inputs."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from unit_scenarios import bond_doc, scenario, tiny_doc

from logic import assumptions_log as alog
from logic import contract_editing as ce
from logic import parse_scenario
from logic.editing import EditError
from logic.history import LIMIT, History, restored

WHEN = datetime.datetime(2026, 3, 1, 9, 30, 5, tzinfo=datetime.UTC)


def _edited(**nodes_out) -> object:
    doc = tiny_doc()
    doc["nodes"][2].update(nodes_out)
    return scenario(doc)


# --- the assumptions log -------------------------------------------------------------------------


def test_timestamp_is_utc_to_the_second():
    assert alog.timestamp(WHEN) == "2026-03-01T09:30:05Z"
    east = datetime.timezone(datetime.timedelta(hours=2))
    assert alog.timestamp(datetime.datetime(2026, 3, 1, 11, 30, 5, tzinfo=east)) == "2026-03-01T09:30:05Z"


def test_log_entries_one_per_changed_input():
    before = scenario(tiny_doc())
    after = _edited(rate_with=0.6, attribution=0.9)
    entries = alog.log_entries(before, after, by="Ann", when=WHEN)
    assert [(e.path, e.before, e.after, e.by, e.when) for e in entries] == [
        ("nodes.out.rate_with", "0.5", "0.6", "Ann", "2026-03-01T09:30:05Z"),
        ("nodes.out.attribution", "1", "0.9", "Ann", "2026-03-01T09:30:05Z"),
    ]
    assert all("Stays at home" in e.what for e in entries)
    assert alog.log_entries(before, before) == []


def test_the_log_itself_is_not_an_input():
    before = scenario(tiny_doc())
    after = _edited(rate_with=0.6)
    logged = alog.with_entries(after, alog.log_entries(before, after, when=WHEN))
    assert len(logged.log) == 1
    assert alog.log_entries(after, logged) == []
    assert alog.without_log(logged).log == [] and alog.without_log(after) is after
    assert alog.with_entries(after, []) is after


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (0.1 + 0.2, "0.3"),
        ({"1": 0.0, "2": 0.05}, "1: 0.0, 2: 0.05"),
        ([0, 0, 30000.0], "0, 0, 30000"),
        (["a", "b"], "['a', 'b']"),
        (True, "True"),
        ("x" * 400, "x" * 299 + "…"),
    ],
)
def test_values_in_the_log_are_short_text(value, text):
    assert alog._text(value) == text


# --- undo and redo -----------------------------------------------------------------------------


def test_undo_and_redo_walk_back_and_forth():
    a, b, c = scenario(tiny_doc()), _edited(rate_with=0.6), _edited(rate_with=0.7)
    h = History()
    assert not h.can_undo() and not h.can_redo()
    h.record(a)  # a -> b
    h.record(b)  # b -> c
    assert h.undo(c) is b
    assert h.undo(b) is a
    assert not h.can_undo() and h.can_redo()
    assert h.redo(a) is b
    h.record(b)  # a new change ends any redo
    assert not h.can_redo()
    h.clear()
    assert not h.can_undo()
    with pytest.raises(IndexError, match="nothing to undo"):
        h.undo(a)
    with pytest.raises(IndexError, match="nothing to redo"):
        h.redo(a)


def test_history_keeps_only_the_last_changes():
    h = History(limit=3)
    states = [_edited(rate_with=0.5 + i / 100) for i in range(5)]
    for s in states:
        h.record(s)
    assert h.undo_stack == states[2:]
    assert LIMIT == 50


def test_restored_logs_what_undo_put_back():
    a = scenario(tiny_doc())
    b = _edited(rate_with=0.6)
    b = alog.with_entries(b, alog.log_entries(a, b, when=WHEN))
    back = restored(b, a, "Undo", by="Ann")
    assert back.nodes[2].rate_with == 0.5  # a's inputs exactly
    assert [e.what.split(":")[0] for e in back.log] == [b.log[0].what.split(":")[0], "Undo"]
    assert (back.log[-1].before, back.log[-1].after, back.log[-1].by) == ("0.6", "0.5", "Ann")


# --- the contract page's inputs ------------------------------------------------------------------


def test_contract_terms_read_and_write():
    sc = scenario(bond_doc())
    terms = ce.contract_terms(sc)
    assert terms == {
        "type": "social_impact_bond",
        "payment_basis": "above_baseline",
        "payment_lag_years": 1,
        "cap": None,
        "provider_margin": 0.1,
        "indexation": "none",
        "fixed_share": 0.0,
    }
    doc = ce.apply_contract_terms(bond_doc(), {"cap": 5_000.0, "fixed_share": 0.25})
    assert parse_scenario(doc).contract.cap == 5_000 and doc["contract"]["fixed_share"] == 0.25
    doc = ce.apply_contract_terms(doc, {"cap": None})
    assert "cap" not in doc["contract"]
    with pytest.raises(EditError, match="contract.outcome_payers: is not a contract term this page edits"):
        ce.apply_contract_terms(doc, {"outcome_payers": []})


def test_rate_card_table_keeps_blanks_blank():
    doc = bond_doc()
    doc["nodes"][2]["payment_cap"] = 4_000
    df = ce.rate_card_table(scenario(doc))
    row = df.iloc[0]
    assert (row["id"], row["label"], row["price"], row["payment_cap"]) == ("out", "Stays at home", 300.0, 4_000.0)
    assert row["payment_lag_years"] is pd.NA  # blank: the contract's lag, not a number
    assert str(df["payment_lag_years"].dtype) == "Int64"


def test_apply_rate_card_table():
    df = pd.DataFrame(
        [{"id": "out", "label": "Stays at home", "price": 450, "payment_lag_years": 2.0, "payment_cap": None}]
    )
    doc = ce.apply_rate_card_table(bond_doc(), df)
    node = doc["nodes"][2]
    assert node["price"] == 450.0 and node["payment_lag_years"] == 2 and "payment_cap" not in node
    sc = parse_scenario(doc)
    assert sc.outcomes[0].payment_lag_years == 2
    blank = df.assign(price=None, payment_lag_years=None, payment_cap=1_000)
    node = ce.apply_rate_card_table(doc, blank)["nodes"][2]
    assert node["price"] == 0.0 and "payment_lag_years" not in node and node["payment_cap"] == 1_000.0
    # A row for an outcome that has gone is skipped.
    assert ce.apply_rate_card_table(bond_doc(), df.assign(id="gone")) == bond_doc()


def test_a_fractional_lag_is_refused_naming_the_outcome():
    df = pd.DataFrame([{"id": "out", "price": 300, "payment_lag_years": 1.5, "payment_cap": None}])
    with pytest.raises(EditError, match="rate card, Stays at home: payment lag must be a whole number of years"):
        ce.apply_rate_card_table(bond_doc(), df)
