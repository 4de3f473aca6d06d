"""The Excel export: live formulas that LibreOffice recalculates to the same figures as evaluate().

Every workbook is written by logic.export.xlsx with formulas only (openpyxl stores no results), then
LibreOffice opens, recalculates and saves it again; the recalculated Summary is compared with
evaluate(sc).to_dict() to the penny. All workbooks go through ONE soffice call, which is most of the
cost of this module.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from system_deps import require_binary  # noqa: E402
from xlsx_scenarios import INJECTION_TEXTS, generated_docs, injection_doc  # noqa: E402

from logic import evaluate, parse_scenario  # noqa: E402
from logic.export.xlsx import input_cells, workbook_bytes, write_workbook  # noqa: E402

PENNY = 0.005
RATIO_REL = 1e-9
RATIO_KEYS = {"bcr_fiscal", "bcr_public_value", "investor:multiple"}
COUNT_PREFIX = "additional_outcomes:"
HEADLINE_KEYS = (
    "pv_costs",
    "pv_fiscal",
    "pv_cashable",
    "pv_economic",
    "pv_social",
    "npv_fiscal",
    "npv_cashable",
    "npv_public_value",
    "bcr_fiscal",
    "bcr_public_value",
    "payback_year",
    "outcome_payments_total",
    "pv_outcome_payments",
    "payments_beyond_horizon",
)
ERROR_VALUE = re.compile(r"^(#(DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|NULL!)|Err:\d+)$")


# ------------------------------------------------------------------------------------------
# The scenarios
# ------------------------------------------------------------------------------------------


def example_docs() -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "logic/examples").glob("*.yaml"))
    }


def set_in_doc(doc: dict, path: str, value) -> None:
    """Apply an input change to the snapshot dict, named as input_cells() names it."""
    if path.startswith("nodes."):
        node_id, rest = path[len("nodes.") :].split(".", 1)
        node = next(n for n in doc["nodes"] if n["id"] == node_id)
        m = re.fullmatch(r"(costs|benefits)\[(\d+)\]\.(\w+)", rest)
        if m:
            node[m.group(1)][int(m.group(2))][m.group(3)] = value
        else:
            node[rest] = value
        return
    m = re.fullmatch(r"cohort\.intake\[(\d+)\]", path)
    if m:
        intake = doc["cohort"]["intake"]
        intake.extend([0] * (int(m.group(1)) + 1 - len(intake)))
        intake[int(m.group(1))] = value
        return
    group, key = path.split(".")
    doc[group][key] = value


# name -> (scenario it starts from, {input path: new value})
MODIFICATIONS = {
    "edge_of_care+rate_with": ("edge_of_care", {"nodes.out-stays-home.rate_with": 0.8}),
    "green_book_40_years+discounting": (
        "green_book_40_years",
        {"settings.discount_rate": 0.06, "settings.discount_schedule": "constant"},
    ),
    "employment_support+contract_and_volumes": (
        "employment_support",
        {
            "contract.cap": 2_000_000.0,
            "contract.payment_lag_years": 3,
            "contract.payment_basis": "above_baseline",
            "cohort.intake[2]": 600.0,
            "nodes.act-ips.costs[0].per_year": 700_000.0,
            "nodes.out-sustained-work.benefits[0].value": 15_000.0,
            "nodes.out-sustained-work.drop_off": 0.4,
        },
    ),
}

BASE_DOCS = {**example_docs(), **generated_docs(), "injection": injection_doc()}


def modified_doc(name: str) -> dict:
    base, changes = MODIFICATIONS[name]
    doc = copy.deepcopy(BASE_DOCS[base])
    for path, value in changes.items():
        set_in_doc(doc, path, value)
    return doc


def modified_workbook(name: str) -> bytes:
    """The base scenario's workbook with the input cells changed in the spreadsheet, as a user would."""
    base, changes = MODIFICATIONS[name]
    sc = parse_scenario(copy.deepcopy(BASE_DOCS[base]))
    cells = input_cells(sc)
    wb = openpyxl.load_workbook(_bytes_io(workbook_bytes(sc)))  # the file as a user would open it
    for path, value in changes.items():
        sheet, coordinate = cells[path].split("!")
        wb[sheet][coordinate.replace("$", "")] = value
    out = _bytes_io()
    wb.save(out)
    return out.getvalue()


def _bytes_io(data: bytes = b"") -> io.BytesIO:
    return io.BytesIO(data)


ALL_DOCS = {**BASE_DOCS, **{name: modified_doc(name) for name in MODIFICATIONS}}


@functools.cache
def engine_figures(name: str) -> dict:
    """evaluate --json for a scenario of this module, computed once."""
    return evaluate(parse_scenario(copy.deepcopy(ALL_DOCS[name]))).to_dict()


# ------------------------------------------------------------------------------------------
# LibreOffice
# ------------------------------------------------------------------------------------------

# Recalculate every formula on load whatever the file says about its cached results.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(soffice: str, files: list[Path], outdir: Path, profile: Path) -> None:
    """Open, recalculate and save every file as xlsx in outdir, in one LibreOffice run.

    A private profile per run, so parallel test runs (and a user's own LibreOffice) never collide.
    """
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, Path]:
    """Name -> the LibreOffice-recalculated workbook, for every base and modified scenario."""
    soffice = require_binary("soffice")
    written = tmp_path_factory.mktemp("xlsx_written")
    outdir = tmp_path_factory.mktemp("xlsx_recalculated")
    files = []
    for name, doc in BASE_DOCS.items():
        path = written / f"{name}.xlsx"
        write_workbook(parse_scenario(copy.deepcopy(doc)), path)
        files.append(path)
    for name in MODIFICATIONS:
        path = written / f"{name}.xlsx"
        path.write_bytes(modified_workbook(name))
        files.append(path)
    recalculate(soffice, files, outdir, tmp_path_factory.mktemp("lo_profile"))
    result = {}
    for path in files:
        out = outdir / path.name
        assert out.exists(), f"LibreOffice did not convert {path.name}"
        result[path.stem] = out
    return result


# ------------------------------------------------------------------------------------------
# Reading and comparing
# ------------------------------------------------------------------------------------------


@functools.cache
def summary_figures(path: Path) -> dict[str, object]:
    """Key (the cell right of the value) -> value, from the recalculated Summary sheet."""
    ws = openpyxl.load_workbook(path, data_only=True, read_only=True)["Summary"]
    figures = {}
    for label, value, key, *_ in ws.iter_rows(min_row=1, max_col=4, values_only=True):
        if isinstance(key, str) and label is not None and key != "Key (evaluate --json)":
            figures[key] = value
    return figures


def engine_value(figures: dict, key: str):
    """The evaluate --json value a Summary key names."""
    contract = figures["contract"]
    if key.startswith("party:"):
        return contract["parties"][key[len("party:") :]]
    if key.startswith("investor:"):
        return contract["investor"][key[len("investor:") :]]
    if key.startswith("by_agency:"):
        agency, measure = key[len("by_agency:") :].rsplit(":", 1)
        return figures["by_agency"][agency][measure]
    if key.startswith(COUNT_PREFIX):
        return figures["additional_outcomes"][key[len(COUNT_PREFIX) :]]
    return figures[key] if key in figures else contract[key]


def difference(key: str, sheet, engine) -> float:
    """How far apart the two are, in the unit the key is checked in (0 = equal); inf = different kind."""
    if engine is None:
        return 0.0 if sheet == "none" else math.inf
    if not isinstance(sheet, (int, float)):
        return math.inf
    if key in RATIO_KEYS:
        return abs(sheet - engine) / max(1.0, abs(engine)) / RATIO_REL * PENNY
    return abs(sheet - engine)


def mismatches(path: Path, name: str) -> tuple[list[str], float]:
    """Keys whose recalculated value is not the engine's, and the largest money difference seen."""
    figures = engine_figures(name)
    sheet = summary_figures(path)
    problems, largest = [], 0.0
    for key, value in sheet.items():
        if key == "investor:irr":
            continue  # the spreadsheet's IRR; checked separately, it may choose another root
        try:
            expected = engine_value(figures, key)
        except KeyError:
            problems.append(f"{key}: not in evaluate() output")
            continue
        diff = difference(key, value, expected)
        if key not in RATIO_KEYS and diff != math.inf:
            largest = max(largest, diff)
        if not diff < PENNY:
            problems.append(f"{key}: workbook {value!r}, evaluate {expected!r}")
    return problems, largest


# ------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BASE_DOCS))
def test_recalculated_summary_matches_evaluate(recalculated, name):
    problems, _ = mismatches(recalculated[name], name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(BASE_DOCS))
def test_summary_lists_every_headline_figure_and_party(recalculated, name):
    keys = set(summary_figures(recalculated[name]))
    parties = set(engine_figures(name)["contract"]["parties"])
    assert set(HEADLINE_KEYS) <= keys
    assert {k[len("party:") :] for k in keys if k.startswith("party:")} == parties


@pytest.mark.parametrize("name", list(MODIFICATIONS))
def test_changing_inputs_in_the_spreadsheet_recalculates_like_the_engine(recalculated, name):
    base, _ = MODIFICATIONS[name]
    sheet = summary_figures(recalculated[name])
    before, after = engine_figures(base), engine_figures(name)
    assert abs(after["npv_fiscal"] - before["npv_fiscal"]) > 1.0  # the change matters
    assert abs(sheet["npv_fiscal"] - after["npv_fiscal"]) < PENNY
    problems, _ = mismatches(recalculated[name], name)
    assert not problems, "\n".join(problems)


def test_spreadsheet_irr_agrees_with_the_engine_where_both_find_one(recalculated):
    checked = 0
    for name in ALL_DOCS:
        irr = engine_figures(name)["contract"]["investor"]["irr"]
        sheet = summary_figures(recalculated[name]).get("investor:irr")
        if irr is None or sheet in (None, "none"):
            continue
        assert sheet == pytest.approx(irr, abs=1e-7), name
        checked += 1
    assert checked >= 4


def test_user_text_that_looks_like_a_formula_comes_back_as_text(recalculated):
    wb = openpyxl.load_workbook(recalculated["injection"])  # formulas, not results: a text cell stays "s"
    found: dict[str, int] = {text: 0 for text in INJECTION_TEXTS}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in found:
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} is {cell.data_type}: {cell.value!r}"
                    found[cell.value] += 1
    assert all(found.values()), found
    summary = wb["Summary"]
    assert summary["B2"].value == "=1+1" and summary["B2"].data_type == "s"
    # The party keys built from those ids are text too, and name the right figures.
    keys = set(summary_figures(recalculated["injection"]))
    assert {"party:=1+1", "party:+cmd", "party:-2", "party:@SUM(A1)"} <= keys


def test_no_cell_shows_a_spreadsheet_error(recalculated):
    errors = []
    for name, path in recalculated.items():
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and ERROR_VALUE.match(cell.value):
                        errors.append(f"{name} {ws.title}!{cell.coordinate}: {cell.value}")
    assert not errors, "\n".join(errors[:20])


def test_generated_scenarios_reach_the_corners_they_are_named_for():
    """Keeps the comparison above honest: the cap binds, payments fall beyond the horizon, and so on."""

    figures = engine_figures
    assert figures("sib_above_baseline_cap_binds")["contract"]["cap_binds"]
    capped = figures("pbr_gross_cap_and_beyond")["contract"]
    assert capped["cap_binds"] and capped["payments_beyond_horizon"] > 0
    assert figures("pbr_gross_lag_beyond_horizon")["contract"]["payments_beyond_horizon"] > 0
    assert figures("no_costs")["bcr_fiscal"] is None
    assert figures("payback_never")["payback_year"] is None
    assert min(figures("lags_durations_harm")["additional_outcomes"].values()) < 0
    types = {doc.get("contract", {}).get("type") for doc in BASE_DOCS.values()}
    assert types >= {"none", "fee_for_service", "payment_by_results", "social_impact_bond"}
    bases = {doc["contract"]["payment_basis"] for doc in BASE_DOCS.values() if "contract" in doc}
    assert bases == {"gross", "above_baseline"}
    long = BASE_DOCS["green_book_100_years"]["settings"]
    assert long["discount_schedule"] == "green_book" and long["horizon_years"] > 31


# -- structure (no LibreOffice needed) ---------------------------------------------------------


@pytest.fixture(scope="module")
def example_workbook():
    sc = parse_scenario(copy.deepcopy(BASE_DOCS["edge_of_care"]))
    return sc, openpyxl.load_workbook(_bytes_io(workbook_bytes(sc)))


def test_sheets_and_file_writing(example_workbook, tmp_path):
    sc, wb = example_workbook
    assert wb.sheetnames == ["Summary", "Inputs", "Outcomes", "Flows", "Contract", "Theory of change"]
    write_workbook(sc, tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames == wb.sheetnames


def test_inputs_are_plain_values_and_every_figure_is_a_formula(example_workbook):
    sc, wb = example_workbook
    for path, address in input_cells(sc).items():
        sheet, coordinate = address.split("!")
        cell = wb[sheet][coordinate.replace("$", "")]
        assert cell.data_type != "f", f"{path} at {address} is a formula"
    # On the calculation sheets, every number in a year column is computed, never pasted.
    for title in ("Outcomes", "Flows", "Contract"):
        ws = wb[title]
        for row in ws.iter_rows(min_row=3, min_col=4):
            for cell in row:
                if cell.value is not None and not isinstance(cell.value, str):
                    pytest.fail(f"{title}!{cell.coordinate} holds the value {cell.value!r}, not a formula")
    summary = wb["Summary"]
    for _label, value, key, *_ in summary.iter_rows(min_row=8, max_col=4):
        if isinstance(key.value, str) and key.value:
            assert value.data_type == "f", f"Summary {key.value} is not a formula"


def test_snapshot_hash_and_gmca_source_are_noted(example_workbook):
    from logic import snapshot_sha256

    sc, wb = example_workbook
    texts = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert snapshot_sha256(sc) in texts
    assert any("Source: GMCA Unit Cost Database v1.4" in t for t in texts)
