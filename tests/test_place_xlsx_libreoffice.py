"""A place's workbook recalculated by LibreOffice gives evaluate_place's figures, as written and after its
inputs are changed in the file.

Every workbook (the example place, the small places of tests/test_place_export.py, and copies with inputs
changed by openpyxl) goes through ONE soffice run, which recalculates every formula on load and saves the
results; the recalculated balance, bridge, year it pays its own way, paid in and out, each agency's net cash
and the economic case are compared with evaluate_place of the same place (with the same change made to the
place file) to the penny, and to 1e-6 of the figure where that is closer.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import yaml
from system_deps import require_binary
from test_export_xlsx import recalculate
from test_place_export import write_place, write_places

from logic.export.place_xlsx import place_input_cells, write_place_workbook
from logic.place import EXAMPLE_PLACE, evaluate_place, load_place

PENNY = 0.005
RELATIVE = 1e-6
ERROR_VALUE = re.compile(r"^(#(DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|NULL!)|Err:\d+)$")
FUND_ROWS = ("contributions_by_year", "savings_in_by_year", "inflow_by_year", "outflow_by_year", "balance_by_year")
ECONOMIC = ("pv_costs", "pv_fiscal", "pv_transfers", "pv_economic", "pv_social", "npv_fiscal", "npv_public_value")


def _set_fund(**changes) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        doc["fund"].update(changes)

    return change


def _pays_for(*items: str) -> Callable[[dict], None]:
    return _set_fund(pays_for=list(items))


def _dwp_joins(doc: dict) -> None:
    doc["fund"]["members"].append("dwp")
    doc["fund"]["contributions"].append({"agency": "dwp", "by_year": [0, 2000, 2000]})


def _both(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        for c in changes:
            c(doc)

    return change


# name -> (the place it starts from, {workbook input: new value}, the same change to the place file)
MODIFIED = {
    # The brief's own check: the share of savings a member keeps, changed in the file.
    "example+savings_returned": ("example", {"fund.savings_returned": 0.2}, _set_fund(savings_returned=0.2)),
    "mixed+savings_returned": ("mixed", {"fund.savings_returned": 0.9}, _set_fund(savings_returned=0.9)),
    # A negative opening balance and dearer bridging; funding pooled too; a contribution changed.
    "mixed+bridge_and_pooling": (
        "mixed",
        {
            "fund.opening_balance": -50000.0,
            "fund.bridge_rate": 0.12,
            "fund.balance_rate": 0.0,
            "fund.pays_for: funding": 1,
            "fund.contributions: nhs[1]": 7000.0,
        },
        _both(
            _set_fund(opening_balance=-50000.0, bridge_rate=0.12, balance_rate=0.0),
            _pays_for("own_costs", "funding", "outcome_payments"),
            lambda doc: doc["fund"]["contributions"][1].update(by_year=[5000, 7000]),
        ),
    ),
    # A non-member joins and pays in: its savings pool and its costs are paid by the fund.
    "mixed+dwp_joins": (
        "mixed",
        {"fund.members: dwp": 1, "fund.contributions: dwp[1]": 2000.0, "fund.contributions: dwp[2]": 2000.0},
        _dwp_joins,
    ),
    # The fund stops paying the members' own costs: they stay with the members.
    "hand+own_costs_off": ("hand", {"fund.pays_for: own_costs": 0}, _pays_for("funding", "outcome_payments")),
    "lag0+everything_pooled": (
        "lag0",
        {"fund.pays_for: own_costs": 1, "fund.pays_for: outcome_payments": 1, "fund.savings_returned": 0.5},
        _both(_pays_for("own_costs", "funding", "outcome_payments"), _set_fund(savings_returned=0.5)),
    ),
}
# A longer lag in the file: the calendar stays as written, so only its years are compared (see `prefix`).
LAGGED = {"hand+lag_2": ("hand", {"fund.savings_lag_years": 2}, _set_fund(savings_lag_years=2))}


def _docs(folder: Path) -> dict[str, Path]:
    """The small places, and the example with its programmes' paths made absolute, as files in `folder`."""
    paths = write_places(folder)
    example = yaml.safe_load(EXAMPLE_PLACE.read_text(encoding="utf-8"))
    for entry in example["programmes"]:  # the example names its programmes relative to its own folder
        entry["scenario"] = str((EXAMPLE_PLACE.parent / entry["scenario"]).resolve())
    paths["example"] = write_place(folder, "example", example)
    return paths


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Name -> (the recalculated workbook, evaluate_place's figures for the place as changed)."""
    soffice = require_binary("soffice")
    folder = tmp_path_factory.mktemp("place_files")
    written = tmp_path_factory.mktemp("place_xlsx")
    outdir = tmp_path_factory.mktemp("place_recalculated")
    paths = _docs(folder)
    jobs: dict[str, tuple[Path, dict]] = {}
    for name, path in paths.items():
        result = evaluate_place(load_place(path))
        jobs[name] = (write_place_workbook(result, written / f"{name}.xlsx"), result.figures)
    for name, (base, inputs, change) in {**MODIFIED, **LAGGED}.items():
        base_result = evaluate_place(load_place(paths[base]))
        cells = place_input_cells(base_result)
        wb = openpyxl.load_workbook(jobs[base][0])
        for key, value in inputs.items():
            sheet, coordinate = cells[key].split("!")
            wb[sheet.strip("'")][coordinate.replace("$", "")].value = value
        target = written / f"{name}.xlsx"
        wb.save(target)
        doc = yaml.safe_load(paths[base].read_text(encoding="utf-8"))
        change(doc)
        figures = evaluate_place(load_place(write_place(folder, name.replace("+", "_"), doc))).figures
        jobs[name] = (target, figures)
    recalculate(soffice, [p for p, _ in jobs.values()], outdir, tmp_path_factory.mktemp("lo_profile"))
    out = {}
    for name, (path, figures) in jobs.items():
        done = outdir / path.name
        assert done.exists(), f"LibreOffice did not convert {path.name}"
        out[name] = (done, figures)
    return out


# --- reading the recalculated workbook ------------------------------------------------------------------


@functools.cache
def _keyed(path: Path, sheet: str) -> dict[str, tuple[object, list]]:
    """Key (column C) -> (the total / key-figure cell in column D, the year cells from column F)."""
    ws = openpyxl.load_workbook(path, data_only=True, read_only=True)[sheet]
    out = {}
    for values in ws.iter_rows(min_row=3, values_only=True):
        if len(values) > 3 and isinstance(values[2], str) and ":" in values[2]:
            out[values[2]] = (values[3], [v for v in values[5:] if v is not None])
    return out


@functools.cache
def _summary(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True, read_only=True)["Summary"]
    return {r[2]: r[1] for r in ws.iter_rows(values_only=True, max_col=3) if isinstance(r[2], str) and ":" in r[2]}


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)  # LibreOffice saves 6.0 as 6


def _close(sheet: object, engine: float) -> bool:
    """To the penny, and to a millionth of the figure where that is closer (1e-6 for a figure near 0)."""
    if not _is_number(sheet):
        return False
    return abs(sheet - engine) <= min(PENNY, max(RELATIVE * abs(engine), 1e-6))


def _year_index(value: object) -> int | None:
    return None if value == "none" else value  # type: ignore[return-value]


def _differences(path: Path, figures: dict, years: int | None = None) -> list[str]:
    """Every figure of the recalculated workbook that is not the engine's, as readable lines."""
    years = years or len(figures["years"])
    out = []
    fund = _keyed(path, "Fund")
    for key in FUND_ROWS:
        got, want = fund[f"fund:{key}"][1], figures["fund"][key][:years]
        if len(got) != years or not all(_close(g, w) for g, w in zip(got, want)):
            out.append(f"fund {key}: workbook {got} engine {want}")
    agencies = _keyed(path, "Agencies")
    for a, figs in figures["agencies"].items():
        got, want = agencies[f"agencies:{a}:net_cash_by_year"][1], figs["net_cash_by_year"][:years]
        if not all(_close(g, w) for g, w in zip(got, want)) or len(got) != years:
            out.append(f"net cash of {a}: workbook {got} engine {want}")
    if years == len(figures["years"]):
        bridge = fund["fund:bridge_needed"][0]
        if not _close(bridge, figures["fund"]["bridge_needed"]):
            out.append(f"bridge: workbook {bridge} engine {figures['fund']['bridge_needed']}")
        sustaining = _year_index(fund["fund:self_sustaining_year"][0])
        if sustaining != figures["fund"]["self_sustaining_year"]:
            out.append(f"self-sustaining year: workbook {sustaining} engine {figures['fund']['self_sustaining_year']}")
        summary = _summary(path)
        for key in ECONOMIC:
            if not _close(summary[f"economic:{key}"], figures["economic"][key]):
                out.append(f"{key}: workbook {summary[f'economic:{key}']} engine {figures['economic'][key]}")
        bcr = figures["economic"]["bcr_public_value"]
        got = summary["economic:bcr_public_value"]
        if not (got == "none" if bcr is None else _is_number(got) and math.isclose(got, bcr, rel_tol=1e-9)):
            out.append(f"bcr: workbook {got} engine {bcr}")
        if not _close(summary["fund:bridge_needed"], figures["fund"]["bridge_needed"]):
            out.append("the Summary's bridge is not the Fund sheet's")
    return out


def _errors(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    return [
        f"{ws.title}: {v}"
        for ws in wb
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str) and ERROR_VALUE.match(v)
    ]


# --- the tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "hand", "mixed", "lag0", *MODIFIED])
def test_the_recalculated_workbook_gives_the_engines_figures(recalculated, name):
    path, figures = recalculated[name]
    assert _errors(path) == []
    assert _differences(path, figures) == []


def test_the_hand_place_recalculates_to_the_hand_worked_figures(recalculated):
    """tests/test_place_export.py's docstring works these out."""
    path, _ = recalculated["hand"]
    fund = _keyed(path, "Fund")
    assert fund["fund:balance_by_year"][1] == pytest.approx([-5000, 4500, 14500, 24500], abs=1e-9)
    assert fund["fund:interest"][1] == pytest.approx([0, -500, 0, 0], abs=1e-9)
    assert fund["fund:bridge_needed"][0] == pytest.approx(5000)
    assert fund["fund:self_sustaining_year"][0] == 1
    assert fund["fund:self_sustaining_calendar_year"][0] == 2027
    assert fund["fund:lowest_balance_year"][0] == 2026
    net = _keyed(path, "Agencies")["agencies:council:net_cash_by_year"][1]
    assert net == pytest.approx([5000, 10000, 10000, 0], abs=1e-9)
    summary = _summary(path)
    assert summary["economic:npv_fiscal"] == pytest.approx(50000) and summary["economic:pv_costs"] == pytest.approx(
        10000
    )
    # With the fund no longer paying the council's 10,000 of costs, the fund never goes below zero:
    # 5,000 | 15,000 | 25,000 | 35,000, and the council pays the 10,000 itself: -5,000 in 2026.
    changed, _ = recalculated["hand+own_costs_off"]
    assert _keyed(changed, "Fund")["fund:balance_by_year"][1] == pytest.approx([5000, 15000, 25000, 35000])
    assert _keyed(changed, "Agencies")["agencies:council:net_cash_by_year"][1][0] == pytest.approx(-5000)


def test_a_change_in_the_share_of_savings_kept_moves_the_balance(recalculated):
    base, _ = recalculated["example"]
    changed, figures = recalculated["example+savings_returned"]
    before = _keyed(base, "Fund")["fund:balance_by_year"][1]
    after = _keyed(changed, "Fund")["fund:balance_by_year"][1]
    # Keeping 20% rather than 50%, the members pay in more of their savings: a higher balance from the second year.
    assert after[0] == pytest.approx(before[0]) and all(a > b for a, b in zip(after[1:], before[1:]))
    assert _differences(changed, figures) == []


def test_a_longer_lag_typed_in_keeps_the_calendar_and_follows_the_engine_within_it(recalculated):
    path, figures = recalculated["hand+lag_2"]
    # The engine's calendar grows by a year for the longer lag; the workbook's stays 2026-2029, where they agree.
    assert len(figures["years"]) == 5
    assert _errors(path) == []
    assert _differences(path, figures, years=4) == []
    # Savings paid in two years after they are banked: 0, 0, 10,000, 10,000 (the 2028 half falls in 2030).
    assert _keyed(path, "Fund")["fund:savings_in_by_year"][1] == pytest.approx([0, 0, 10000, 10000])
