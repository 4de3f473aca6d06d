"""The Excel export: live formulas that LibreOffice recalculates to the same figures as evaluate().

Every workbook is written by logic.export.xlsx with formulas only (openpyxl stores no results), then
LibreOffice opens, recalculates and saves it again; the recalculated Summary (every key on it), the
Financial sheet and the Contract sheet's payments by year are compared with evaluate(sc).to_dict() to the
penny. All workbooks go through ONE soffice call, which is most of the cost of this module.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

from system_deps import require_binary  # noqa: E402
from xlsx_scenarios import INJECTION_TEXTS, format2_docs, generated_docs, injection_doc  # noqa: E402

from logic import evaluate, parse_scenario  # noqa: E402
from logic.export.xlsx import input_cells, workbook_bytes, write_workbook  # noqa: E402

PENNY = 0.005
RATIO_REL = 1e-9
RATIO_KEYS = {"bcr_fiscal", "bcr_public_value", "investor:multiple"}
IRR_KEYS = {"investor:irr", "investor:irr_real"}  # the spreadsheet's IRR may choose another root: checked apart
COUNT_PREFIX = "additional_outcomes:"
HEADLINE_KEYS = (
    "price_base",
    "price_base_year",
    "pv_costs",
    "pv_fiscal",
    "pv_transfers",
    "pv_cashable",
    "pv_economic",
    "pv_social",
    "npv_fiscal",
    "npv_cashable",
    "npv_public_value",
    "bcr_fiscal",
    "bcr_public_value",
    "payback_year",
    "indexation",
    "fixed_share",
    "outcome_payments_total",
    "outcome_payments_total_real",
    "pv_outcome_payments",
    "payments_beyond_horizon",
    "cap_binds",
    "premium_over_fee_for_service",
    "financial:public_sector_total_cash",
    "financial:public_sector_position",
)
ERROR_VALUE = re.compile(r"^(#(DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|NULL!)|Err:\d+)$")


# ------------------------------------------------------------------------------------------
# The scenarios
# ------------------------------------------------------------------------------------------


def example_docs() -> dict[str, dict]:
    """The bundled examples and the templates a programme can start from: each must recalculate to the penny."""
    paths = sorted((ROOT / "logic/examples").glob("*.yaml")) + sorted((ROOT / "logic/templates").glob("*.yaml"))
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths}


def set_in_doc(doc: dict, path: str, value) -> None:
    """Apply an input change to the snapshot dict, named as input_cells() names it."""
    if path.startswith("nodes."):
        node_id, rest = path[len("nodes.") :].split(".", 1)
        node = next(n for n in doc["nodes"] if n["id"] == node_id)
        m = re.fullmatch(r"costs\[(\d+)\]\.profile\[(\d+)\]", rest)
        if m:
            line = node["costs"][int(m.group(1))]
            profile = line.get("profile") or []
            profile.extend([0] * (int(m.group(2)) + 1 - len(profile)))
            profile[int(m.group(2))] = value
            line["profile"] = profile
            return
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
    if path.startswith("agencies."):
        agency_id, key = path[len("agencies.") :].rsplit(".", 1)
        next(a for a in doc["agencies"] if a["id"] == agency_id)[key] = value
        return
    group, key = path.split(".")
    doc[group][key] = value


# name -> (scenario it starts from, {input path: new value}, figures the change must move)
MODIFICATIONS = {
    "edge_of_care+rate_with": ("edge_of_care", {"nodes.out-stays-home.rate_with": 0.8}, ("npv_fiscal",)),
    "green_book_40_years+discounting": (
        "green_book_40_years",
        {"settings.discount_rate": 0.06, "settings.discount_schedule": "constant"},
        ("npv_fiscal",),
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
        ("npv_fiscal", "outcome_payments_total"),
    ),
    # Format 2: cash figures follow inflation, costs their grades, the hybrid its fixed share.
    "v2_everything_bond+inflation_grades_timing": (
        "v2_everything_bond",
        {
            "settings.inflation": 0.06,
            "nodes.act.costs[0].evidence_grade": 6,
            "nodes.act.costs[1].evidence_grade": 3,
            "nodes.act.costs[0].profile[3]": 80_000.0,
            "cohort.intake_timing": "start",
            "contract.fixed_share": 0.5,
            "settings.health_discount_rate": 0.01,
        },
        ("pv_costs", "npv_public_value", "outcome_payments_total_real", "financial:total_cash:council", "investor:irr"),
    ),
    "v2_hybrid_bond_investor_costs+index_kinds": (
        "v2_hybrid_bond_investor_costs",
        {
            "contract.indexation": "inflation",
            "settings.price_base_year": 2020,
            "nodes.act.costs[3].setup": 90_000.0,
            "agencies.council.kind": "donor",
        },
        ("outcome_payments_total", "financial:public_sector_position", "party:investor", "investor:irr"),
    ),
    "v2_transfers_donor_payer+lines_lags_caps": (
        "v2_transfers_donor_payer",
        {
            "nodes.out-0.benefits[0].transfer": False,
            "nodes.out-1.benefits[0].discount": "health",
            "nodes.out-2.benefits[0].cashable": 0.1,
            "nodes.out-0.payment_lag_years": 0,
            "nodes.out-1.payment_cap": 10_000.0,
            "contract.cap": 400_000.0,
        },
        ("pv_transfers", "npv_public_value", "outcome_payments_total", "pv_fiscal", "pv_cashable"),
    ),
}

BASE_DOCS = {**example_docs(), **generated_docs(), **format2_docs(), "injection": injection_doc()}


def modified_doc(name: str) -> dict:
    base, changes, _ = MODIFICATIONS[name]
    doc = copy.deepcopy(BASE_DOCS[base])
    for path, value in changes.items():
        set_in_doc(doc, path, value)
    return doc


def modified_workbook(name: str) -> bytes:
    """The base scenario's workbook with the input cells changed in the spreadsheet, as a user would."""
    base, changes, _ = MODIFICATIONS[name]
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


@functools.cache
def keyed_rows(path: Path, sheet: str) -> dict[str, list]:
    """Key (column C) -> the row's year cells (from column F), from a recalculated sheet."""
    ws = openpyxl.load_workbook(path, data_only=True, read_only=True)[sheet]
    rows = {}
    for values in ws.iter_rows(min_row=3, values_only=True):
        if len(values) > 5 and isinstance(values[2], str) and ":" in values[2]:
            rows[values[2]] = list(values[5:])
    return rows


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
    if key.startswith("outcome_caps_bind:"):
        return contract["outcome_caps_bind"][key[len("outcome_caps_bind:") :]]
    if key.startswith("paid_per_valued_outcome:"):
        paid = contract["paid_per_valued_outcome"]  # None where the contract pays for no outcomes
        return None if paid is None else paid[key[len("paid_per_valued_outcome:") :]]
    if key.startswith("financial:total_cash:"):
        return figures["financial"]["total_cash"][key[len("financial:total_cash:") :]]
    if key.startswith("financial:"):
        return figures["financial"][key[len("financial:") :]]
    return figures[key] if key in figures else contract[key]


def difference(key: str, sheet, engine) -> float:
    """How far apart the two are, in the unit the key is checked in (0 = equal); inf = different kind."""
    if engine is None:
        return 0.0 if sheet == "none" else math.inf
    if isinstance(engine, str):
        return 0.0 if sheet == engine else math.inf
    if isinstance(engine, bool):  # LibreOffice may keep TRUE as 1
        return 0.0 if isinstance(sheet, (bool, int)) and bool(sheet) == engine else math.inf
    if not isinstance(sheet, (int, float)) or isinstance(sheet, bool):
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
        if key in IRR_KEYS:
            continue
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


def yearly_mismatches(sheet: list, engine: list, what: str, tolerance: float = PENNY) -> list[str]:
    """The sheet's years run at least as far as the engine's; any year beyond must be 0."""
    padded = list(engine) + [0.0] * (len(sheet) - len(engine))
    if len(sheet) < len(engine):
        return [f"{what}: the sheet has {len(sheet)} years, evaluate {len(engine)}"]
    return [
        f"{what} year {t}: workbook {s!r}, evaluate {e!r}"
        for t, (s, e) in enumerate(zip(sheet, padded))
        if not (isinstance(s, (int, float)) and abs(s - e) < tolerance)
    ]


# ------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BASE_DOCS))
def test_recalculated_summary_matches_evaluate(recalculated, name):
    problems, _ = mismatches(recalculated[name], name)
    assert not problems, "\n".join(problems)


def expected_keys(name: str) -> set[str]:
    """Every Summary key the scenario's evaluate output calls for."""
    figures = engine_figures(name)
    k = figures["contract"]
    keys = set(HEADLINE_KEYS)
    keys |= {f"party:{p}" for p in k["parties"]}
    keys |= {
        f"by_agency:{a}:{m}" for a, v in figures["by_agency"].items() for m in v if a not in ("provider", "investor")
    }
    keys |= {f"by_agency:{a}:pv_costs" for a in figures["by_agency"] if a in ("provider", "investor")}
    keys |= {f"{p}:{o}" for o in figures["additional_outcomes"] for p in ("additional_outcomes", "outcome_caps_bind")}
    keys |= {f"paid_per_valued_outcome:{o}" for o in figures["additional_outcomes"]}
    keys |= {f"financial:total_cash:{a}" for a in figures["financial"]["total_cash"]}
    if k["type"] == "social_impact_bond":
        keys |= {f"investor:{m}" for m in k["investor"]}
    return keys


@pytest.mark.parametrize("name", list(BASE_DOCS))
def test_summary_lists_every_figure_of_evaluate(recalculated, name):
    keys = set(summary_figures(recalculated[name]))
    assert keys == expected_keys(name)


@pytest.mark.parametrize("name", list(BASE_DOCS))
def test_financial_sheet_and_payments_by_year_match_evaluate(recalculated, name):
    figures = engine_figures(name)
    money = keyed_rows(recalculated[name], "Financial")
    fin = figures["financial"]
    problems = []
    for agency, cash in fin["by_year"].items():
        problems += yearly_mismatches(money[f"financial:by_year:{agency}"], cash, agency)
    problems += yearly_mismatches(money["financial:public_sector_by_year"], fin["public_sector_by_year"], "public")
    index = money["financial:cash_index"]
    problems += yearly_mismatches(index[: len(fin["cash_index"])], fin["cash_index"], "cash index", 1e-12)
    contract = keyed_rows(recalculated[name], "Contract")
    k = figures["contract"]
    problems += yearly_mismatches(contract["contract:payments_by_year"], k["payments_by_year"], "payments")
    for o, paid in k["payments_by_outcome"].items():
        problems += yearly_mismatches(contract[f"contract:payments_by_outcome:{o}"], paid, f"payments for {o}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", list(MODIFICATIONS))
def test_changing_inputs_in_the_spreadsheet_recalculates_like_the_engine(recalculated, name):
    base, _, moved = MODIFICATIONS[name]
    sheet = summary_figures(recalculated[name])
    before, after = engine_figures(base), engine_figures(name)
    for key in moved:  # the change matters, and the sheet follows it
        old, new = engine_value(before, key), engine_value(after, key)
        assert old is not None and new is not None and abs(new - old) > (1e-4 if key in IRR_KEYS else 1.0), key
        assert sheet[key] == pytest.approx(new, abs=1e-7 if key in IRR_KEYS else PENNY), key
    problems, _ = mismatches(recalculated[name], name)
    assert not problems, "\n".join(problems)


def test_spreadsheet_irr_agrees_with_the_engine_where_both_find_one(recalculated):
    checked = {key: 0 for key in IRR_KEYS}
    for name in ALL_DOCS:
        engine, sheet = engine_figures(name)["contract"]["investor"], summary_figures(recalculated[name])
        for key in IRR_KEYS:
            irr = engine[key.split(":")[1]]
            if irr is None or sheet.get(key) in (None, "none"):
                continue
            assert sheet[key] == pytest.approx(irr, abs=1e-7), (name, key)
            checked[key] += 1
    assert min(checked.values()) >= 8, checked


def test_price_base_is_named_on_the_summary(recalculated):
    ws = openpyxl.load_workbook(recalculated["v2_everything_bond"], data_only=True, read_only=True)["Summary"]
    texts = [v for row in ws.iter_rows(max_row=6, values_only=True) for v in row if isinstance(v, str)]
    assert any("2024/25 prices" in t for t in texts), texts
    assert summary_figures(recalculated["edge_of_care"])["price_base"] == "2025/26 prices"


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
    # A unit-cost code is an input, but text: "=1+1" as a code is not a formula.
    codes = openpyxl.load_workbook(recalculated["v2_transfers_donor_payer"])["Inputs"]
    typed = [c for row in codes.iter_rows() for c in row if c.value == "=1+1"]
    assert typed and all(c.data_type == "s" for c in typed)


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


def test_every_payment_falls_within_the_contract_sheets_years(recalculated):
    for name, path in recalculated.items():
        ws = openpyxl.load_workbook(path, data_only=True, read_only=True)["Contract"]
        notes = [row[0] for row in ws.iter_rows(max_col=1, values_only=True) if isinstance(row[0], str)]
        assert "Every payment falls within this sheet's years" in notes, name


def test_generated_scenarios_reach_the_corners_they_are_named_for():
    """Keeps the comparison above honest: the cap binds, payments fall beyond the horizon, and so on."""

    def figures(name):
        return engine_figures(name)

    def contract(name):
        return figures(name)["contract"]

    assert contract("sib_above_baseline_cap_binds")["cap_binds"]
    capped = contract("pbr_gross_cap_and_beyond")
    assert capped["cap_binds"] and capped["payments_beyond_horizon"] > 0
    assert contract("pbr_gross_lag_beyond_horizon")["payments_beyond_horizon"] > 0
    assert figures("no_costs")["bcr_fiscal"] is None
    assert figures("payback_never")["payback_year"] is None
    assert min(figures("lags_durations_harm")["additional_outcomes"].values()) < 0
    types = {doc.get("contract", {}).get("type") for doc in BASE_DOCS.values()}
    assert types >= {"none", "fee_for_service", "payment_by_results", "social_impact_bond"}
    bases = {doc["contract"]["payment_basis"] for doc in BASE_DOCS.values() if "contract" in doc}
    assert bases == {"gross", "above_baseline"}
    long = BASE_DOCS["green_book_100_years"]["settings"]
    assert long["discount_schedule"] == "green_book" and long["horizon_years"] > 31

    # Format 2.
    docs = {name: doc for name, doc in BASE_DOCS.items() if name.startswith("v2_")}
    assert all(doc["format"] == "toc-business-case/2" for doc in docs.values())
    lines = {name: [b for n in doc["nodes"] for b in n.get("benefits", [])] for name, doc in docs.items()}
    costs = {name: [c for n in doc["nodes"] for c in n.get("costs", [])] for name, doc in docs.items()}
    assert BASE_DOCS["v2_mid_year_graded_costs_profiles"]["cohort"]["intake_timing"] == "mid"
    graded = costs["v2_mid_year_graded_costs_profiles"]
    assert any(c.get("evidence_grade") for c in graded) and any("evidence_grade" not in c for c in graded)
    assert any(c.get("profile") for c in graded)
    assert figures("v2_transfers_donor_payer")["pv_transfers"] > 0
    assert any(b.get("code") for b in lines["v2_transfers_donor_payer"])
    health = BASE_DOCS["v2_health_green_book_45"]["settings"]
    assert health["discount_schedule"] == "green_book" and health["horizon_years"] > 30
    assert any(b.get("discount") == "health" for b in lines["v2_health_green_book_45"])
    caps = contract("v2_outcome_lags_and_caps")
    assert caps["cap_binds"] and any(caps["outcome_caps_bind"].values()) and caps["payments_beyond_horizon"] > 0
    lags = {n.get("payment_lag_years") for n in BASE_DOCS["v2_outcome_lags_and_caps"]["nodes"]}
    assert {0, 4} <= lags
    indexed = contract("v2_index_inflation_price_base")
    assert (
        indexed["indexation"] == "inflation"
        and indexed["outcome_payments_total"] > indexed["outcome_payments_total_real"]
    )
    assert BASE_DOCS["v2_index_inflation_price_base"]["settings"]["price_base_year"] == 2022
    assert contract("v2_hybrid_pbr")["fixed_share"] > 0 and contract("v2_hybrid_pbr")["type"] == "payment_by_results"
    bond = contract("v2_hybrid_bond_investor_costs")
    assert bond["fixed_share"] > 0 and figures("v2_hybrid_bond_investor_costs")["by_agency"]["investor"]["pv_costs"] > 0
    assert bond["investor"]["irr"] != pytest.approx(bond["investor"]["irr_real"], abs=1e-4)
    payers = {p["agency"] for p in BASE_DOCS["v2_transfers_donor_payer"]["contract"]["outcome_payers"]}
    kinds = {a["id"]: a["kind"] for a in BASE_DOCS["v2_transfers_donor_payer"]["agencies"]}
    assert "donor" in {kinds[a] for a in payers}
    assert figures("v2_grant_mid_year_health")["financial"]["total_cash"]  # a plain grant has a financial case
    # The worked examples of DESIGN.md, as written there.
    assert figures("v2_worked_example_1")["financial"]["by_year"]["a"] == pytest.approx([4_750, 19_895, 9_790])
    assert contract("v2_worked_example_2")["payments_beyond_horizon"] == pytest.approx(1_331)


# -- structure (no LibreOffice needed) ---------------------------------------------------------


@pytest.fixture(scope="module")
def example_workbook():
    sc = parse_scenario(copy.deepcopy(BASE_DOCS["edge_of_care"]))
    return sc, openpyxl.load_workbook(_bytes_io(workbook_bytes(sc)))


SHEETS = ["Summary", "Inputs", "Outcomes", "Flows", "Contract", "Financial", "Theory of change"]


def test_sheets_and_file_writing(example_workbook, tmp_path):
    sc, wb = example_workbook
    assert wb.sheetnames == SHEETS
    write_workbook(sc, tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames == wb.sheetnames


@pytest.mark.parametrize("name", ["edge_of_care", "v2_everything_bond"])
def test_inputs_are_plain_values_and_every_figure_is_a_formula(name):
    sc = parse_scenario(copy.deepcopy(BASE_DOCS[name]))
    wb = openpyxl.load_workbook(_bytes_io(workbook_bytes(sc)))
    for path, address in input_cells(sc).items():
        sheet, coordinate = address.split("!")
        cell = wb[sheet][coordinate.replace("$", "")]
        assert cell.data_type != "f", f"{path} at {address} is a formula"
        assert cell.font.color.rgb.endswith("0000FF"), f"{path} at {address} is not blue"
    # On the calculation sheets, every number in a year column is computed, never pasted.
    for title in ("Outcomes", "Flows", "Contract", "Financial"):
        ws = wb[title]
        for row in ws.iter_rows(min_row=3, min_col=4):
            for cell in row:
                if cell.value is not None and not isinstance(cell.value, str):
                    pytest.fail(f"{title}!{cell.coordinate} holds the value {cell.value!r}, not a formula")
    summary = wb["Summary"]
    for _label, value, key, *_ in summary.iter_rows(min_row=8, max_col=4):
        if isinstance(key.value, str) and key.value:
            assert value.data_type == "f", f"Summary {key.value} is not a formula"


def test_every_format_2_input_is_an_input_cell_holding_the_scenarios_value():
    doc = BASE_DOCS["v2_everything_bond"]
    sc = parse_scenario(copy.deepcopy(doc))
    wb = openpyxl.load_workbook(_bytes_io(workbook_bytes(sc)))
    cells = input_cells(sc)

    def value(path):
        sheet, coordinate = cells[path].split("!")
        return wb[sheet][coordinate.replace("$", "")].value

    s = doc["settings"]
    for key in ("price_base_year", "inflation", "health_discount_rate"):
        assert value(f"settings.{key}") == s[key]
    assert value("cohort.intake_timing") == "mid"
    assert value("contract.indexation") == "inflation" and value("contract.fixed_share") == 0.2
    for a in doc["agencies"]:
        assert value(f"agencies.{a['id']}.kind") == a["kind"]
    checked = 0
    for n in doc["nodes"]:
        for j, c in enumerate(n.get("costs", [])):
            assert value(f"nodes.{n['id']}.costs[{j}].evidence_grade") == c.get("evidence_grade")
            profile = c.get("profile") or []
            for t in range(s["horizon_years"]):
                assert value(f"nodes.{n['id']}.costs[{j}].profile[{t}]") == (profile[t] if t < len(profile) else 0)
        for j, b in enumerate(n.get("benefits", [])):
            line = f"nodes.{n['id']}.benefits[{j}]"
            assert value(f"{line}.transfer") is b.get("transfer", False)
            assert value(f"{line}.discount") == b.get("discount", "standard")
            assert value(f"{line}.code") == b.get("code")
            checked += 1
        if n["stage"] == "outcome":
            assert value(f"nodes.{n['id']}.payment_lag_years") == n.get("payment_lag_years")
            assert value(f"nodes.{n['id']}.payment_cap") == n.get("payment_cap")
    assert checked


def test_snapshot_hash_and_gmca_source_are_noted(example_workbook):
    from logic import snapshot_sha256

    sc, wb = example_workbook
    texts = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert snapshot_sha256(sc) in texts
    assert any("Source: GMCA Unit Cost Database v1.4" in t for t in texts)
