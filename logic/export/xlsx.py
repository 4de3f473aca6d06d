"""The business case as an Excel workbook with live formulas, for a finance officer to audit and change.

Sheets, in order:

- Summary: the headline figures, each a formula; the cell to the right of each value holds its
  ``evaluate --json`` key (``npv_fiscal``, ``party:council``, ...), so scripts can find it.
- Inputs: every number the arithmetic uses, as a plain value (blue). Change one and every other sheet
  recalculates. A few things fix the layout (the horizon, which outcome a benefit line belongs to,
  how many lines there are): change those in the app and export again.
- Outcomes: participants, gross, deadweight and additional outcomes by intake year, and how long each
  intake year's outcomes keep yielding benefit (a cohort-by-year grid per outcome).
- Flows: discount factors, each benefit and cost line by year, totals, and who pays / who benefits.
- Contract: outcome payments (basis, lag, cap), who funds delivery, each party's position.
- Theory of change: the nodes and links with their notes, for reference.

The arithmetic is DESIGN.md "How the numbers are computed", written as spreadsheet formulas; the tests
recalculate the workbook in LibreOffice and compare it with ``evaluate`` to the penny.

Text typed by users (names, labels, notes, ids) is always written as a text cell, never as a formula:
openpyxl would otherwise treat "=..." as a formula, which is both wrong and a formula-injection risk.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model import CONTRACT_TYPES, PAYMENT_BASES, PROVIDER, Node, Scenario
from ..snapshots import snapshot_sha256

# Number formats a finance officer expects.
MONEY = "#,##0.00"
COUNT = "#,##0.00"
RATE = "0.00%"
RATIO = "0.0000"
FACTOR = "0.000000"
WHOLE = "0"

INPUT_FONT = Font(color="0000FF")  # the usual convention: blue = an input you may change
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
WRAP = Alignment(wrap_text=True, vertical="top")

# Calculation sheets share one column plan, so the same column letter is the same year everywhere.
LABEL_COL, DETAIL_COL, TYPE_COL, TOTAL_COL, PV_COL = 1, 2, 3, 4, 5
FIRST_YEAR_COL = 6
YEAR_INDEX_ROW, YEAR_ROW = 1, 2

# Green Book declining long-term rates: (last year the band covers, rate); None = the scenario's rate.
GREEN_BOOK_BANDS = ((1, 30, None), (31, 75, 0.030), (76, 125, 0.025), (126, 200, 0.020), (201, 300, 0.015))
GREEN_BOOK_AFTER = (301, 0.010)

EXCEL_TEXT_LIMIT = 32_767  # characters in one cell
GMCA_ATTRIBUTION = "Source: GMCA Unit Cost Database v1.4"
NONE_TEXT = "none"


# ----------------------------------------------------------------------------------------------
# Cell helpers
# ----------------------------------------------------------------------------------------------


def col(index: int) -> str:
    return get_column_letter(index)


def year_col(t: int) -> str:
    return col(FIRST_YEAR_COL + t)


def ref(sheet: str, column: str, row: int) -> str:
    """An absolute reference to one cell on another sheet: Inputs!$C$12."""
    sheet = sheet if re.fullmatch(r"\w+", sheet) else quote_sheetname(sheet)
    return f"{sheet}!${column}${row}"


def safe_text(value: object) -> str:
    """User text as a cell can hold it: no XML-illegal control characters, within Excel's length limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:EXCEL_TEXT_LIMIT]


def put_text(ws: Worksheet, row: int, column: int, value: object, font: Font | None = None):
    """Write text that must stay text. Setting data_type after the value stops "=1+1" becoming a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = safe_text(value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def put_formula(ws: Worksheet, row: int, column: int, formula: str, number_format: str | None = None):
    cell = ws.cell(row=row, column=column, value=formula if formula.startswith("=") else "=" + formula)
    if number_format:
        cell.number_format = number_format
    return cell


def put_input(ws: Worksheet, row: int, column: int, value, number_format: str | None = None):
    """A plain value a user may change: blue on pale yellow, so inputs are easy to tell from formulas."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    cell.font = INPUT_FONT
    cell.fill = INPUT_FILL
    if number_format:
        cell.number_format = number_format
    return cell


def header_row(ws: Worksheet, row: int, titles: list[str], first_column: int = 1) -> None:
    for i, title in enumerate(titles):
        cell = put_text(ws, row, first_column + i, title, BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def section(ws: Worksheet, row: int, title: str, width: int = 5) -> None:
    put_text(ws, row, 1, title, BOLD)
    for c in range(1, width + 1):
        ws.cell(row=row, column=c).fill = SECTION_FILL


def set_widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for index, width in widths.items():
        ws.column_dimensions[col(index)].width = width


# ----------------------------------------------------------------------------------------------
# Where things are: filled in as the sheets are written, read by the formulas that follow
# ----------------------------------------------------------------------------------------------


@dataclass
class InputsLayout:
    names: dict[str, str] = field(default_factory=dict)  # defined name -> absolute reference
    cells: dict[str, str] = field(default_factory=dict)  # snapshot path -> absolute reference
    intake: list[str] = field(default_factory=list)  # by year index
    ob_table: str = ""  # grade | bias, for VLOOKUP
    green_book: list[tuple[str, str]] = field(default_factory=list)  # (last year cell, rate cell) by band
    green_book_after: str = ""
    agency_id: list[str] = field(default_factory=list)  # by agency
    agency_share: list[str] = field(default_factory=list)
    outcome_row: dict[str, int] = field(default_factory=dict)
    benefit_rows: list[int] = field(default_factory=list)
    cost_rows: list[int] = field(default_factory=list)


@dataclass
class OutcomeRows:
    gross: int
    deadweight: int
    additional: int
    valued: int
    persistence: int
    units: int


@dataclass
class FlowRows:
    rate: int = 0
    discount: int = 0
    benefit_lines: list[int] = field(default_factory=list)
    cost_lines: list[int] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    payback_marker: int = 0
    own_costs: list[int] = field(default_factory=list)  # by agency
    delivery: int = 0
    by_agency: dict[str, list[int]] = field(default_factory=dict)  # fiscal/cashable/economic/social -> rows


@dataclass
class ContractRows:
    payments: int = 0  # outcome payments by payment year
    beyond: int = 0
    delivery: int = 0
    funding: list[int] = field(default_factory=list)  # by agency
    investor_funding: int = 0
    paying: list[int] = field(default_factory=list)  # outcome payments by agency
    investor_flow: int = 0
    positions: dict[str, int] = field(default_factory=dict)  # party id -> row
    peak_capital: int = 0
    multiple: int = 0
    irr: int = 0


# Inputs columns (tables start at column A; each table has its own header row).
OUT_COLUMNS = (
    ("rate_with", "Rate with the programme (rate_with)", RATE),
    ("rate_without", "Rate without it (rate_without)", RATE),
    ("attribution", "Attribution", RATE),
    ("displacement", "Displacement", RATE),
    ("evidence_grade", "Evidence grade (1 strongest .. 6)", WHOLE),
    ("optimism_bias", "Optimism bias used (from the grade)", RATE),
    ("lag_years", "Lag (years)", WHOLE),
    ("duration_years", "Duration (years)", WHOLE),
    ("drop_off", "Drop-off a year", RATE),
    ("price", "Outcome payment price", MONEY),
)
OUT_FIRST_COL = 3  # A id, B label, then OUT_COLUMNS from C
BEN_COLUMNS = {"outcome": 1, "agency": 2, "type": 3, "value": 4, "cashable": 5}
COST_COLUMNS = {"activity": 1, "item": 2, "payer": 3, "setup": 4, "per_year": 5, "per_participant": 6}


def out_col(name: str) -> str:
    names = [c[0] for c in OUT_COLUMNS]
    return col(OUT_FIRST_COL + names.index(name))


# ----------------------------------------------------------------------------------------------
# The workbook
# ----------------------------------------------------------------------------------------------


class _Writer:
    """Writes one scenario's workbook; each method writes one section and records where it put things."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.H = sc.settings.horizon_years
        self.outcomes: list[Node] = sc.outcomes
        self.benefits = [(o, j, b) for o in self.outcomes for j, b in enumerate(o.benefits)]
        self.costs = [(n, j, c) for n in sc.nodes for j, c in enumerate(n.costs)]
        self.wb = Workbook()
        self.summary = self.wb.active
        self.summary.title = "Summary"
        self.inputs = self.wb.create_sheet("Inputs")
        self.outcome_sheet = self.wb.create_sheet("Outcomes")
        self.flows = self.wb.create_sheet("Flows")
        self.contract = self.wb.create_sheet("Contract")
        self.toc = self.wb.create_sheet("Theory of change")
        self.inp = InputsLayout()
        self.out_rows: dict[str, OutcomeRows] = {}
        self.participants_row = 0
        self.intake_row = 0
        self.flow = FlowRows()
        self.con = ContractRows()

    # -- shared pieces ---------------------------------------------------------------------

    def years(self) -> range:
        return range(self.H)

    def last_year_col(self) -> str:
        return year_col(self.H - 1)

    def year_span(self, row: int, absolute_row: bool = False) -> str:
        """F{row}:O{row}: the year cells of one row."""
        r = f"${row}" if absolute_row else str(row)
        return f"${year_col(0)}{r}:${self.last_year_col()}{r}"

    def discount_span(self) -> str:
        return f"Flows!{self.year_span(self.flow.discount, absolute_row=True)}"

    def year_headers(self, ws: Worksheet, title: str, pv_column: bool = True) -> None:
        put_text(ws, YEAR_INDEX_ROW, LABEL_COL, title, TITLE)
        put_text(ws, YEAR_INDEX_ROW, TOTAL_COL, "Total", BOLD)
        if pv_column:
            put_text(ws, YEAR_INDEX_ROW, PV_COL, "Present value", BOLD)
        put_text(ws, YEAR_ROW, LABEL_COL, "Year (index above: 0 = first delivery year)", BOLD)
        for t in self.years():
            c = FIRST_YEAR_COL + t
            ws.cell(row=YEAR_INDEX_ROW, column=c, value=t).font = BOLD
            put_formula(ws, YEAR_ROW, c, f"=start_year+{year_col(t)}${YEAR_INDEX_ROW}", WHOLE).font = BOLD
        for c in range(1, FIRST_YEAR_COL + self.H):
            ws.cell(row=YEAR_INDEX_ROW, column=c).fill = HEADER_FILL
            ws.cell(row=YEAR_ROW, column=c).fill = HEADER_FILL
        ws.freeze_panes = ws.cell(row=YEAR_ROW + 1, column=FIRST_YEAR_COL)
        set_widths(ws, {LABEL_COL: 52, DETAIL_COL: 16, TYPE_COL: 11, TOTAL_COL: 17, PV_COL: 17})
        for t in self.years():
            ws.column_dimensions[year_col(t)].width = 15

    def year_row(
        self,
        ws: Worksheet,
        row: int,
        label: str,
        formula_for_year: Callable[[int], str],
        number_format: str = MONEY,
        *,
        total: bool = True,
        pv: bool | None = None,
    ) -> int:
        """One row of yearly formulas, with its total and (by default for money) its present value."""
        put_text(ws, row, LABEL_COL, label)
        for t in self.years():
            put_formula(ws, row, FIRST_YEAR_COL + t, formula_for_year(t), number_format)
        if total:
            put_formula(ws, row, TOTAL_COL, f"=SUM({self.year_span(row)})", number_format)
        if number_format == MONEY if pv is None else pv:
            put_formula(ws, row, PV_COL, f"=SUMPRODUCT({self.year_span(row)},{self.discount_span()})", MONEY)
        return row

    def cumulative_row(self, ws: Worksheet, row: int, label: str, source: int) -> int:
        """The running total of another row of this sheet, year by year."""

        def running(t: int) -> str:
            y = year_col(t)
            return f"={y}{source}" + (f"+{year_col(t - 1)}{row}" if t else "")

        return self.year_row(ws, row, label, running, total=False, pv=False)

    def define(self, key: str, sheet: str, column: str, row: int) -> str:
        address = ref(sheet, column, row)
        self.wb.defined_names[key] = DefinedName(key, attr_text=address)
        self.inp.names[key] = address
        return address

    # -- Inputs ----------------------------------------------------------------------------

    def write_inputs(self) -> None:
        ws = self.inputs
        put_text(ws, 1, 1, "Inputs: the blue cells are the assumptions; change one and every sheet recalculates", TITLE)
        put_text(ws, 2, 1, "Scenario")
        put_text(ws, 2, 2, self.sc.name)
        row = self.write_settings(ws, 4)
        row = self.write_green_book(ws, row + 1)
        row = self.write_optimism_bias(ws, row + 1)
        row = self.write_agencies(ws, row + 1)
        row = self.write_cohort(ws, row + 1)
        row = self.write_outcome_inputs(ws, row + 1)
        row = self.write_benefit_inputs(ws, row + 1)
        row = self.write_cost_inputs(ws, row + 1)
        self.write_contract_inputs(ws, row + 1)
        ws.freeze_panes = "A3"
        set_widths(ws, {1: 44, 2: 40, 3: 16, 4: 16, 5: 16, 6: 16, 7: 14, 8: 14, 9: 11, 10: 11, 11: 11, 12: 16, 13: 14})

    def scalar_input(self, ws, row, label, value, number_format, key, path, note=""):
        put_text(ws, row, 1, label)
        put_input(ws, row, 2, value, number_format)
        if note:
            put_text(ws, row, 3, note)
        self.define(key, "Inputs", "B", row)
        self.inp.cells[path] = ref("Inputs", "B", row)
        return row + 1

    def write_settings(self, ws, row: int) -> int:
        s = self.sc.settings
        section(ws, row, "Settings", 3)
        row += 1
        row = self.scalar_input(
            ws, row, "First delivery year (year index 0)", s.start_year, WHOLE, "start_year", "settings.start_year"
        )
        row = self.scalar_input(
            ws,
            row,
            "Horizon (years appraised)",
            s.horizon_years,
            WHOLE,
            "horizon_years",
            "settings.horizon_years",
            "Fixes the layout (one column per year): change it in the app and export again.",
        )
        row = self.scalar_input(
            ws, row, "Discount rate (real, a year)", s.discount_rate, RATE, "discount_rate", "settings.discount_rate"
        )
        row = self.scalar_input(
            ws,
            row,
            "Discount schedule",
            s.discount_schedule,
            None,
            "discount_schedule",
            "settings.discount_schedule",
            "constant, or green_book (declining rates after year 30, table below)",
        )
        self.add_list_validation(ws, f"B{row - 1}", ("constant", "green_book"))
        put_text(ws, row, 1, "Currency (amounts in real terms, price base year)")
        put_text(ws, row, 2, s.currency)
        return row + 1

    def write_green_book(self, ws, row: int) -> int:
        section(ws, row, "Green Book declining discount rates (used when the schedule is green_book)", 3)
        header_row(ws, row + 1, ["From year", "To year", "Rate"])
        row += 2
        for first, last, rate in GREEN_BOOK_BANDS:
            ws.cell(row=row, column=1, value=first)
            put_input(ws, row, 2, last, WHOLE)
            if rate is None:
                put_formula(ws, row, 3, "=discount_rate", RATE)
                put_text(ws, row, 4, "the discount rate above")
            else:
                put_input(ws, row, 3, rate, RATE)
            self.inp.green_book.append((ref("Inputs", "B", row), ref("Inputs", "C", row)))
            row += 1
        first, rate = GREEN_BOOK_AFTER
        ws.cell(row=row, column=1, value=first)
        put_text(ws, row, 2, "and after")
        put_input(ws, row, 3, rate, RATE)
        self.inp.green_book_after = ref("Inputs", "C", row)
        return row + 1

    def write_optimism_bias(self, ws, row: int) -> int:
        section(ws, row, "Optimism bias by evidence grade (benefits are reduced by it)", 3)
        header_row(ws, row + 1, ["Evidence grade", "Optimism bias"])
        row += 2
        first = row
        for grade, bias in sorted(self.sc.settings.optimism_bias.items()):
            ws.cell(row=row, column=1, value=grade)
            put_input(ws, row, 2, bias, RATE)
            self.inp.cells[f"settings.optimism_bias.{grade}"] = ref("Inputs", "B", row)
            row += 1
        last = max(first, row - 1)
        self.inp.ob_table = f"Inputs!$A${first}:$B${last}"
        return max(row, first + 1)

    def write_agencies(self, ws, row: int) -> int:
        section(ws, row, "Agencies (who pays and who benefits)", 4)
        header_row(ws, row + 1, ["Agency id", "Name", "Share of outcome payments", "Note"])
        row += 2
        shares = {a: 0.0 for a in self.sc.agency_ids}
        for p in self.sc.contract.outcome_payers:
            shares[p.agency] += p.share
        for i, a in enumerate(self.sc.agencies):
            put_text(ws, row, 1, a.id)
            put_text(ws, row, 2, a.name)
            put_input(ws, row, 3, shares[a.id], RATE)
            if i == 0:
                put_text(ws, row, 4, "listed first: funds delivery under a plain grant (contract type none)")
            self.inp.agency_id.append(ref("Inputs", "A", row))
            self.inp.agency_share.append(ref("Inputs", "C", row))
            self.inp.cells[f"contract.outcome_payers.{a.id}.share"] = ref("Inputs", "C", row)
            row += 1
        return row

    def write_cohort(self, ws, row: int) -> int:
        section(ws, row, "Cohort", 3)
        row = self.scalar_input(
            ws,
            row + 1,
            "Engagement rate (share of those referred who take part)",
            self.sc.cohort.engagement_rate,
            RATE,
            "engagement_rate",
            "cohort.engagement_rate",
        )
        header_row(ws, row, ["Year index", "Year", "Intake (people referred)"])
        row += 1
        intake = list(self.sc.cohort.intake) + [0.0] * (self.H - len(self.sc.cohort.intake))
        for t, n in enumerate(intake):
            ws.cell(row=row, column=1, value=t)
            put_formula(ws, row, 2, f"=start_year+A{row}", WHOLE)
            put_input(ws, row, 3, n, COUNT)
            self.inp.intake.append(ref("Inputs", "C", row))
            self.inp.cells[f"cohort.intake[{t}]"] = ref("Inputs", "C", row)
            row += 1
        return row

    def write_outcome_inputs(self, ws, row: int) -> int:
        section(ws, row, "Outcomes", OUT_FIRST_COL + len(OUT_COLUMNS) - 1)
        header_row(ws, row + 1, ["Outcome id", "Label"] + [title for _, title, _ in OUT_COLUMNS])
        row += 2
        for o in self.outcomes:
            put_text(ws, row, 1, o.id)
            put_text(ws, row, 2, o.label)
            for i, (name, _, number_format) in enumerate(OUT_COLUMNS):
                c = OUT_FIRST_COL + i
                if name == "optimism_bias":  # derived from the grade, so it follows a change of grade
                    grade = f"{out_col('evidence_grade')}{row}"
                    put_formula(ws, row, c, f"=VLOOKUP({grade},{self.inp.ob_table},2,FALSE)", number_format)
                    continue
                put_input(ws, row, c, getattr(o, name), number_format)
                self.inp.cells[f"nodes.{o.id}.{name}"] = ref("Inputs", col(c), row)
            self.inp.outcome_row[o.id] = row
            row += 1
        if not self.outcomes:
            put_text(ws, row, 1, "(no outcomes)")
            row += 1
        return row

    def write_benefit_inputs(self, ws, row: int) -> int:
        section(ws, row, "Benefit lines (value per additional outcome per benefit year)", 5)
        put_text(ws, row + 1, 7, "The outcome a line belongs to fixes the layout: move lines in the app.")
        header_row(ws, row + 1, ["Outcome id", "Agency id", "Type", "Value", "Cashable share (fiscal only)"])
        row += 2
        for o, j, b in self.benefits:
            put_text(ws, row, BEN_COLUMNS["outcome"], o.id)
            put_input(ws, row, BEN_COLUMNS["agency"], b.agency)
            put_input(ws, row, BEN_COLUMNS["type"], b.type)
            put_input(ws, row, BEN_COLUMNS["value"], b.value, MONEY)
            put_input(ws, row, BEN_COLUMNS["cashable"], b.cashable, RATE)
            for name in ("agency", "type", "value", "cashable"):
                self.inp.cells[f"nodes.{o.id}.benefits[{j}].{name}"] = ref("Inputs", col(BEN_COLUMNS[name]), row)
            self.inp.benefit_rows.append(row)
            row += 1
        if self.benefits:
            first, last = self.inp.benefit_rows[0], self.inp.benefit_rows[-1]
            self.add_list_validation(ws, f"C{first}:C{last}", ("fiscal", "economic", "social"))
        else:
            put_text(ws, row, 1, "(no benefit lines)")
            row += 1
        return row

    def write_cost_inputs(self, ws, row: int) -> int:
        section(ws, row, "Cost lines (payer: provider for delivery costs, or an agency id)", 6)
        header_row(
            ws,
            row + 1,
            ["Activity id", "Item", "Payer", "Setup (year 0)", "Per year with intake", "Per engaged participant"],
        )
        row += 2
        for n, j, c in self.costs:
            put_text(ws, row, COST_COLUMNS["activity"], n.id)
            put_text(ws, row, COST_COLUMNS["item"], c.item)
            put_input(ws, row, COST_COLUMNS["payer"], c.payer)
            for name in ("setup", "per_year", "per_participant"):
                put_input(ws, row, COST_COLUMNS[name], getattr(c, name), MONEY)
            for name in ("payer", "setup", "per_year", "per_participant"):
                self.inp.cells[f"nodes.{n.id}.costs[{j}].{name}"] = ref("Inputs", col(COST_COLUMNS[name]), row)
            self.inp.cost_rows.append(row)
            row += 1
        if not self.costs:
            put_text(ws, row, 1, "(no cost lines)")
            row += 1
        return row

    def write_contract_inputs(self, ws, row: int) -> int:
        k = self.sc.contract
        section(ws, row, "Outcomes contract", 3)
        row += 1
        row = self.scalar_input(
            ws, row, "Contract type", k.type, None, "contract_type", "contract.type", ", ".join(CONTRACT_TYPES)
        )
        self.add_list_validation(ws, f"B{row - 1}", CONTRACT_TYPES)
        row = self.scalar_input(
            ws,
            row,
            "Payment basis",
            k.payment_basis,
            None,
            "payment_basis",
            "contract.payment_basis",
            "gross: every achiever counts; above_baseline: only those above the comparison group",
        )
        self.add_list_validation(ws, f"B{row - 1}", PAYMENT_BASES)
        row = self.scalar_input(
            ws,
            row,
            "Payment lag (years after the intake year)",
            k.payment_lag_years,
            WHOLE,
            "payment_lag",
            "contract.payment_lag_years",
        )
        row = self.scalar_input(
            ws,
            row,
            "Cap on all outcome payments",
            k.cap,
            MONEY,
            "outcome_cap",
            "contract.cap",
            "leave blank for no cap",
        )
        row = self.scalar_input(
            ws,
            row,
            "Provider margin on delivery costs",
            k.provider_margin,
            RATE,
            "provider_margin",
            "contract.provider_margin",
            "not paid under payment_by_results",
        )
        return row

    def add_list_validation(self, ws: Worksheet, cells: str, choices) -> None:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=False)
        dv.add(cells)
        ws.add_data_validation(dv)

    # -- Outcomes --------------------------------------------------------------------------

    def write_outcomes_sheet(self) -> None:
        ws = self.outcome_sheet
        self.year_headers(ws, "Outcomes by intake year", pv_column=False)
        row = YEAR_ROW + 2
        section(ws, row, "Cohort", FIRST_YEAR_COL - 1)
        self.intake_row = self.year_row(
            ws, row + 1, "Intake (people referred)", lambda t: f"={self.inp.intake[t]}", COUNT, pv=False
        )
        self.participants_row = self.year_row(
            ws,
            row + 2,
            "Participants (intake x engagement rate)",
            lambda t: f"={year_col(t)}{row + 1}*engagement_rate",
            COUNT,
            pv=False,
        )
        row += 4
        for o in self.outcomes:
            row = self.write_outcome_block(ws, row, o) + 1

    def write_outcome_block(self, ws: Worksheet, row: int, o: Node) -> int:
        r = self.inp.outcome_row[o.id]
        w, b = ref("Inputs", out_col("rate_with"), r), ref("Inputs", out_col("rate_without"), r)
        a, d = ref("Inputs", out_col("attribution"), r), ref("Inputs", out_col("displacement"), r)
        ob = ref("Inputs", out_col("optimism_bias"), r)
        lag, dur = ref("Inputs", out_col("lag_years"), r), ref("Inputs", out_col("duration_years"), r)
        drop = ref("Inputs", out_col("drop_off"), r)
        p = self.participants_row

        section(ws, row, "", FIRST_YEAR_COL - 1)
        put_text(ws, row, LABEL_COL, o.label, BOLD)
        put_text(ws, row, DETAIL_COL, o.id, BOLD)
        put_text(ws, row + 1, DETAIL_COL, "by intake year")
        gross = self.year_row(
            ws,
            row + 1,
            "Gross achievers (participants x rate with)",
            lambda t: f"={year_col(t)}${p}*{w}",
            COUNT,
            pv=False,
        )
        deadweight = self.year_row(
            ws,
            row + 2,
            "Deadweight (participants x rate without)",
            lambda t: f"={year_col(t)}${p}*{b}",
            COUNT,
            pv=False,
        )
        additional = self.year_row(
            ws,
            row + 3,
            "Additional outcomes: P x (with - without) x attribution x (1 - displacement)",
            lambda t: f"={year_col(t)}${p}*({w}-{b})*{a}*(1-{d})",
            COUNT,
            pv=False,
        )
        valued = self.year_row(
            ws,
            row + 4,
            "Valued outcomes after optimism bias: additional x (1 - bias)",
            lambda t: f"={year_col(t)}{row + 3}*(1-{ob})",
            COUNT,
            pv=False,
        )

        def persist(t: int) -> str:
            # Column t here is k = years since intake; j = k - lag. 0^0 is 1 (drop-off of 100% still
            # leaves the first benefit year), which Excel's POWER would report as an error: hence j=0.
            j = f"({year_col(t)}${YEAR_INDEX_ROW}-{lag})"
            return f"=IF(AND({j}>=0,{j}<{dur}),IF({j}=0,1,(1-{drop})^{j}),0)"

        persistence = self.year_row(
            ws,
            row + 5,
            "Persistence k years after intake (k = the year index above)",
            persist,
            FACTOR,
            total=False,
            pv=False,
        )
        put_text(
            ws, row + 6, LABEL_COL, "Valued outcomes yielding benefit, by intake year (rows) and year (columns)", BOLD
        )
        grid_first = row + 7
        for c in self.years():
            grid_row = grid_first + c
            put_text(ws, grid_row, LABEL_COL, f"    from the intake of year index {c}")
            put_formula(ws, grid_row, DETAIL_COL, f"=start_year+{c}", WHOLE)
            for t in range(c, self.H):
                put_formula(
                    ws, grid_row, FIRST_YEAR_COL + t, f"={year_col(c)}${valued}*{year_col(t - c)}${persistence}", COUNT
                )
            put_formula(ws, grid_row, TOTAL_COL, f"=SUM({self.year_span(grid_row)})", COUNT)
        grid_last = grid_first + self.H - 1
        units = self.year_row(
            ws,
            grid_last + 1,
            "Benefit units in year (valued outcomes still yielding benefit)",
            lambda t: f"=SUM({year_col(t)}{grid_first}:{year_col(t)}{grid_last})",
            COUNT,
            pv=False,
        )
        ws.cell(row=units, column=LABEL_COL).font = BOLD
        self.out_rows[o.id] = OutcomeRows(gross, deadweight, additional, valued, persistence, units)
        return units + 1

    # -- Flows -----------------------------------------------------------------------------

    def write_flows_sheet(self) -> None:
        ws = self.flows
        self.year_headers(ws, "Costs, benefits and discounting by year")
        put_text(ws, YEAR_INDEX_ROW, DETAIL_COL, "Agency / payer", BOLD)
        put_text(ws, YEAR_INDEX_ROW, TYPE_COL, "Type", BOLD)
        row = self.write_discounting(ws, YEAR_ROW + 1)
        row = self.write_benefit_lines(ws, row + 1)
        row = self.write_cost_lines(ws, row + 1)
        row = self.write_totals(ws, row + 1)
        self.write_by_agency(ws, row + 1)

    def write_discounting(self, ws, row: int) -> int:
        def yearly_rate(t: int) -> str:
            if t == 0:
                return "=0"
            bands = self.inp.green_book
            expr = self.inp.green_book_after
            for last, rate in reversed(bands):
                expr = f"IF({year_col(t)}${YEAR_INDEX_ROW}<={last},{rate},{expr})"
            return f'=IF(discount_schedule="green_book",{expr},discount_rate)'

        def factor(t: int) -> str:
            if t == 0:
                return "=1"  # year 0 is not discounted
            # constant: (1 + r)^-t; green_book: the product of 1 / (1 + r_s) for s = 1..t
            return (
                f'=IF(discount_schedule="green_book",{year_col(t - 1)}{row + 1}/(1+{year_col(t)}{row}),'
                f"(1+discount_rate)^(-{year_col(t)}${YEAR_INDEX_ROW}))"
            )

        self.flow.rate = self.year_row(
            ws, row, "Discount rate that applies in the year", yearly_rate, RATE, total=False, pv=False
        )
        self.flow.discount = self.year_row(ws, row + 1, "Discount factor", factor, FACTOR, total=False, pv=False)
        ws.cell(row=self.flow.discount, column=LABEL_COL).font = BOLD
        return row + 2

    def write_benefit_lines(self, ws, row: int) -> int:
        section(ws, row, "Benefit lines: benefit units of the outcome x value per outcome", FIRST_YEAR_COL - 1)
        row += 1
        for (o, _, _), input_row in zip(self.benefits, self.inp.benefit_rows):
            units = self.out_rows[o.id].units
            value = ref("Inputs", col(BEN_COLUMNS["value"]), input_row)
            self.year_row(ws, row, o.label, lambda t, u=units, v=value: f"=Outcomes!{year_col(t)}${u}*{v}")
            put_formula(ws, row, DETAIL_COL, "=" + ref("Inputs", col(BEN_COLUMNS["agency"]), input_row))
            put_formula(ws, row, TYPE_COL, "=" + ref("Inputs", col(BEN_COLUMNS["type"]), input_row))
            self.flow.benefit_lines.append(row)
            row += 1
        if not self.benefits:
            put_text(ws, row, LABEL_COL, "(no benefit lines)")
            row += 1
        return row

    def write_cost_lines(self, ws, row: int) -> int:
        section(ws, row, "Cost lines: setup in year 0 + per year with intake + per participant", FIRST_YEAR_COL - 1)
        row += 1
        intake, people = self.intake_row, self.participants_row
        for (_, _, c), input_row in zip(self.costs, self.inp.cost_rows):
            setup, per_year, per_person = (
                ref("Inputs", col(COST_COLUMNS[name]), input_row) for name in ("setup", "per_year", "per_participant")
            )

            def cost(t: int, setup=setup, per_year=per_year, per_person=per_person) -> str:
                y = year_col(t)
                start = f"{setup}+" if t == 0 else ""
                return f"={start}IF(Outcomes!{y}${intake}>0,{per_year},0)+{per_person}*Outcomes!{y}${people}"

            self.year_row(ws, row, c.item, cost)
            put_formula(ws, row, DETAIL_COL, "=" + ref("Inputs", col(COST_COLUMNS["payer"]), input_row))
            self.flow.cost_lines.append(row)
            row += 1
        if not self.costs:
            put_text(ws, row, LABEL_COL, "(no cost lines)")
            row += 1
        return row

    def benefit_sum(self, t: int, *, type_: str | None = None, cashable: bool = False, agency: str | None = None):
        """SUMPRODUCT over the benefit lines of year t, filtered by type and agency (exact, case-sensitive)."""
        if not self.benefits:
            return "=0"
        first, last = self.inp.benefit_rows[0], self.inp.benefit_rows[-1]

        def inputs_range(name: str) -> str:
            c = col(BEN_COLUMNS[name])
            return f"Inputs!${c}${first}:${c}${last}"

        terms = []
        if agency is not None:
            # EXACT, not "=" or SUMIF: ids are case-sensitive and may contain *, ?, < or =.
            terms.append(f"EXACT({inputs_range('agency')},{agency})")
        if type_ is not None:
            terms.append(f'({inputs_range("type")}="{type_}")')
        if cashable:
            terms.append(inputs_range("cashable"))
        y = year_col(t)
        terms.append(f"{y}{self.flow.benefit_lines[0]}:{y}{self.flow.benefit_lines[-1]}")
        return "=SUMPRODUCT(" + "*".join(terms) + ")"

    def cost_sum(self, t: int, payer: str) -> str:
        if not self.costs:
            return "=0"
        first, last = self.inp.cost_rows[0], self.inp.cost_rows[-1]
        c = col(COST_COLUMNS["payer"])
        y = year_col(t)
        lines = f"{y}{self.flow.cost_lines[0]}:{y}{self.flow.cost_lines[-1]}"
        return f"=SUMPRODUCT(EXACT(Inputs!${c}${first}:${c}${last},{payer})*{lines})"

    def write_totals(self, ws, row: int) -> int:
        section(ws, row, "Totals", FIRST_YEAR_COL - 1)
        row += 1
        rows = self.flow.totals

        def total_costs(t: int) -> str:
            if not self.costs:
                return "=0"
            y = year_col(t)
            return f"=SUM({y}{self.flow.cost_lines[0]}:{y}{self.flow.cost_lines[-1]})"

        specs = [
            ("costs", "Costs (all cost lines)", total_costs),
            ("fiscal", "Fiscal benefits", lambda t: self.benefit_sum(t, type_="fiscal")),
            ("cashable", "  of which cashable", lambda t: self.benefit_sum(t, type_="fiscal", cashable=True)),
            (
                "non_cashable",
                "  of which non-cashable",
                lambda t: f"={year_col(t)}{rows['fiscal']}-{year_col(t)}{rows['cashable']}",
            ),
            ("economic", "Economic benefits", lambda t: self.benefit_sum(t, type_="economic")),
            ("social", "Social benefits", lambda t: self.benefit_sum(t, type_="social")),
            (
                "net_fiscal",
                "Net fiscal (fiscal - costs)",
                lambda t: f"={year_col(t)}{rows['fiscal']}-{year_col(t)}{rows['costs']}",
            ),
            (
                "discounted_net_fiscal",
                "Discounted net fiscal",
                lambda t: f"={year_col(t)}{rows['net_fiscal']}*{year_col(t)}${self.flow.discount}",
            ),
        ]
        for key, label, formula in specs:
            rows[key] = self.year_row(ws, row, label, formula, pv=key != "discounted_net_fiscal")
            row += 1
        discounted = rows["discounted_net_fiscal"]
        rows["cumulative"] = self.cumulative_row(ws, row, "Cumulative discounted net fiscal", discounted)
        row += 1
        # Payback: the first year whose cumulative discounted net fiscal reaches 0; MIN of this row.
        cumulative = rows["cumulative"]
        self.flow.payback_marker = self.year_row(
            ws,
            row,
            "Year index if the cumulative has reached 0 (payback = the first)",
            lambda t: f'=IF({year_col(t)}{cumulative}>=0,{year_col(t)}${YEAR_INDEX_ROW},"")',
            WHOLE,
            total=False,
            pv=False,
        )
        return row + 1

    def write_by_agency(self, ws, row: int) -> int:
        agencies = self.sc.agencies
        section(ws, row, "Costs each party pays itself (cost lines naming it as payer)", FIRST_YEAR_COL - 1)
        row += 1
        for a, id_ref in zip(agencies, self.inp.agency_id):
            self.year_row(ws, row, a.name, lambda t, i=id_ref: self.cost_sum(t, i))
            put_formula(ws, row, DETAIL_COL, "=" + id_ref)
            self.flow.own_costs.append(row)
            row += 1
        self.flow.delivery = self.year_row(
            ws, row, "Delivery costs (payer: provider)", lambda t: self.cost_sum(t, f'"{PROVIDER}"')
        )
        put_text(ws, row, DETAIL_COL, PROVIDER)
        row += 1
        measures = (
            ("fiscal", "Fiscal benefit each agency receives", dict(type_="fiscal")),
            ("cashable", "Cashable fiscal benefit each agency receives", dict(type_="fiscal", cashable=True)),
            ("economic", "Economic benefit by agency", dict(type_="economic")),
            ("social", "Social benefit by agency", dict(type_="social")),
        )
        for key, title, filters in measures:
            section(ws, row, title, FIRST_YEAR_COL - 1)
            row += 1
            self.flow.by_agency[key] = []
            for a, id_ref in zip(agencies, self.inp.agency_id):
                self.year_row(ws, row, a.name, lambda t, i=id_ref, f=filters: self.benefit_sum(t, agency=i, **f))
                put_formula(ws, row, DETAIL_COL, "=" + id_ref)
                self.flow.by_agency[key].append(row)
                row += 1
        return row

    # -- Contract --------------------------------------------------------------------------

    def write_contract_sheet(self) -> None:
        ws = self.contract
        self.year_headers(ws, "Outcomes contract")
        put_text(ws, YEAR_INDEX_ROW, DETAIL_COL, "Party", BOLD)
        row = self.write_payments(ws, YEAR_ROW + 2)
        row = self.write_funding(ws, row + 1)
        row = self.write_positions(ws, row + 1)
        self.write_investor(ws, row + 1)

    def write_payments(self, ws, row: int) -> int:
        section(
            ws,
            row,
            "Outcome payments: the columns are INTAKE years until 'Outcome payments in the year'",
            FIRST_YEAR_COL - 1,
        )
        row += 1
        put_text(ws, row, LABEL_COL, "Contract pays for outcomes (1 yes, 0 no: none and fee_for_service pay nothing)")
        put_formula(
            ws,
            row,
            TOTAL_COL,
            '=IF(OR(contract_type="payment_by_results",contract_type="social_impact_bond"),1,0)',
            WHOLE,
        )
        pays = f"$D${row}"
        row += 1
        earned_rows = []
        p = self.participants_row
        for o in self.outcomes:
            r = self.inp.outcome_row[o.id]
            w, b = ref("Inputs", out_col("rate_with"), r), ref("Inputs", out_col("rate_without"), r)
            price = ref("Inputs", out_col("price"), r)
            g = self.out_rows[o.id].gross
            # gross: everyone achieving it; above_baseline: only those above the comparison group (no
            # attribution or optimism bias: the contract measures against a comparison group).
            self.year_row(
                ws,
                row,
                f"Counted: {o.label}",
                lambda t, g=g, w=w, b=b: (
                    f'=IF(payment_basis="gross",Outcomes!{year_col(t)}${g},MAX(0,Outcomes!{year_col(t)}${p}*({w}-{b})))'
                ),
                COUNT,
                pv=False,
            )
            put_text(ws, row, DETAIL_COL, o.id)
            self.year_row(
                ws,
                row + 1,
                f"Earned (counted x price): {o.label}",
                lambda t, r=row, price=price: f"={year_col(t)}{r}*{price}",
                pv=False,
            )
            earned_rows.append(row + 1)
            row += 2

        def earned(t: int) -> str:
            if not earned_rows:
                return "=0"
            y = year_col(t)
            return f"={pays}*(" + "+".join(f"{y}{r}" for r in earned_rows) + ")"

        total = self.year_row(ws, row, "Earned by intake year (all outcomes, before the cap)", earned, pv=False)
        cumulative = self.cumulative_row(ws, row + 1, "Cumulative earned", total)
        capped = self.year_row(
            ws,
            row + 2,
            "Cumulative after the cap",
            lambda t: (
                f"=IF(ISNUMBER(outcome_cap),MIN({year_col(t)}{cumulative},outcome_cap),{year_col(t)}{cumulative})"
            ),
            total=False,
            pv=False,
        )
        # The year that crosses the cap is paid in part: the difference of the capped running total.
        paid = self.year_row(
            ws,
            row + 3,
            "Paid for the intake year (after the cap)",
            lambda t: f"={year_col(t)}{capped}" + (f"-{year_col(t - 1)}{capped}" if t else ""),
            pv=False,
        )
        self.year_row(
            ws,
            row + 4,
            "Paid in year (intake year + payment lag)",
            lambda t: f"={year_col(t)}${YEAR_INDEX_ROW}+payment_lag",
            WHOLE,
            total=False,
            pv=False,
        )
        span = self.year_span(paid, absolute_row=True)
        self.con.payments = self.year_row(
            ws,
            row + 5,
            "Outcome payments in the year",
            lambda t: (
                f"=IF({year_col(t)}${YEAR_INDEX_ROW}-payment_lag>=0,"
                f"INDEX({span},1,{year_col(t)}${YEAR_INDEX_ROW}-payment_lag+1),0)"
            ),
        )
        ws.cell(row=self.con.payments, column=LABEL_COL).font = BOLD
        self.con.beyond = row + 6
        put_text(ws, row + 6, LABEL_COL, "Payments falling after the horizon (left out of every other figure)")
        index_span = self.year_span(YEAR_INDEX_ROW, absolute_row=True)
        put_formula(ws, row + 6, TOTAL_COL, f"=SUMPRODUCT({span}*(({index_span}+payment_lag)>=horizon_years))", MONEY)
        put_text(ws, row + 7, LABEL_COL, "Cap binds (outcomes earned exceed the cap)")
        put_formula(ws, row + 7, TOTAL_COL, f'=IF(ISNUMBER(outcome_cap),IF(D{total}>outcome_cap,"yes","no"),"no cap")')
        return row + 8

    def agency_funding_share(self, i: int) -> str:
        """The share of funded delivery an agency pays: all of it under a plain grant (first agency only),
        its outcome-payer share under fee for service, nothing otherwise."""
        share = self.inp.agency_share[i]
        grant = "1" if i == 0 else "0"
        return f'IF(contract_type="none",{grant},IF(contract_type="fee_for_service",{share},0))'

    def write_funding(self, ws, row: int) -> int:
        section(ws, row, "Who funds delivery (delivery costs x (1 + margin))", FIRST_YEAR_COL - 1)
        row += 1
        delivery = self.year_row(
            ws,
            row,
            "Delivery costs (cost lines paid by the provider)",
            lambda t: f"=Flows!{year_col(t)}${self.flow.delivery}",
        )
        put_text(ws, row + 1, LABEL_COL, "Margin applied (none under payment by results)")
        put_formula(ws, row + 1, TOTAL_COL, '=IF(contract_type="payment_by_results",0,provider_margin)', RATE)
        margin = f"$D${row + 1}"
        funded = self.year_row(
            ws, row + 2, "Delivery funded (delivery x (1 + margin))", lambda t: f"={year_col(t)}{delivery}*(1+{margin})"
        )
        row += 3
        for i, a in enumerate(self.sc.agencies):
            share = self.agency_funding_share(i)
            self.year_row(ws, row, f"Funding from: {a.name}", lambda t, s=share: f"={year_col(t)}{funded}*{s}")
            put_formula(ws, row, DETAIL_COL, "=" + self.inp.agency_id[i])
            self.con.funding.append(row)
            row += 1
        self.con.investor_funding = self.year_row(
            ws,
            row,
            "Funding from the investor (social impact bond)",
            lambda t: f'={year_col(t)}{funded}*IF(contract_type="social_impact_bond",1,0)',
        )
        put_text(ws, row, DETAIL_COL, "investor")
        self.year_row(
            ws,
            row + 1,
            "Funded by the provider itself (payment by results)",
            lambda t: f'={year_col(t)}{funded}*IF(contract_type="payment_by_results",1,0)',
        )
        put_text(ws, row + 1, DETAIL_COL, PROVIDER)
        row += 2
        section(ws, row, "Outcome payments by payer (payments x share)", FIRST_YEAR_COL - 1)
        row += 1
        for i, a in enumerate(self.sc.agencies):
            share = self.inp.agency_share[i]
            self.year_row(
                ws, row, f"Pays for outcomes: {a.name}", lambda t, s=share: f"={year_col(t)}${self.con.payments}*{s}"
            )
            put_formula(ws, row, DETAIL_COL, "=" + self.inp.agency_id[i])
            self.con.paying.append(row)
            row += 1
        self.con.delivery = delivery
        return row

    def write_positions(self, ws, row: int) -> int:
        section(ws, row, "Each party's position: cash in - cash out (present value in column E)", FIRST_YEAR_COL - 1)
        row += 1
        for i, a in enumerate(self.sc.agencies):
            cash, own = self.flow.by_agency["cashable"][i], self.flow.own_costs[i]
            funding, paying = self.con.funding[i], self.con.paying[i]

            def position(t: int, cash=cash, own=own, funding=funding, paying=paying) -> str:
                y = year_col(t)
                return f"=Flows!{y}${cash}-Flows!{y}${own}-{y}{paying}-{y}{funding}"

            self.year_row(ws, row, f"{a.name}: cashable benefits - own costs - outcome payments - funding", position)
            put_formula(ws, row, DETAIL_COL, "=" + self.inp.agency_id[i])
            self.con.positions[a.id] = row
            row += 1
        pay, delivery = self.con.payments, self.con.delivery
        self.year_row(
            ws,
            row,
            "Provider: margin received (payment by results: payments - delivery costs)",
            lambda t: (
                f'=IF(contract_type="payment_by_results",{year_col(t)}{pay}-{year_col(t)}{delivery},'
                f"{year_col(t)}{delivery}*provider_margin)"
            ),
        )
        put_text(ws, row, DETAIL_COL, PROVIDER)
        self.con.positions[PROVIDER] = row
        row += 1
        self.con.investor_flow = self.year_row(
            ws,
            row,
            "Investor: outcome payments - funding (social impact bond)",
            lambda t: f"={year_col(t)}{pay}-{year_col(t)}{self.con.investor_funding}",
        )
        put_text(ws, row, DETAIL_COL, "investor")
        self.con.positions["investor"] = row
        for r in self.con.positions.values():
            ws.cell(row=r, column=PV_COL).font = BOLD
        return row + 1

    def write_investor(self, ws, row: int) -> int:
        section(ws, row, "Investor (social impact bond)", FIRST_YEAR_COL - 1)
        flow = self.con.investor_flow
        cumulative = self.cumulative_row(ws, row + 1, "Cumulative cash flow (undiscounted)", flow)
        put_text(ws, row + 2, LABEL_COL, "Peak capital (largest cumulative shortfall)")
        put_formula(ws, row + 2, TOTAL_COL, f"=MAX(0,-MIN({self.year_span(cumulative)}))", MONEY)
        put_text(ws, row + 3, LABEL_COL, "Multiple (outcome payments / funding, undiscounted)")
        put_formula(
            ws,
            row + 3,
            TOTAL_COL,
            f'=IF(D{self.con.investor_funding}>0,D{self.con.payments}/D{self.con.investor_funding},"{NONE_TEXT}")',
            RATIO,
        )
        put_text(ws, row + 4, LABEL_COL, "Internal rate of return (the spreadsheet's IRR; none if it finds none)")
        # IRR searches from a guess (10%); a deep loss is often only found from a negative one.
        flows = self.year_span(flow)
        irr = f'=IFERROR(IRR({flows}),IFERROR(IRR({flows},-0.5),"{NONE_TEXT}"))'
        put_formula(ws, row + 4, TOTAL_COL, irr, RATE)
        self.con.peak_capital, self.con.multiple, self.con.irr = row + 2, row + 3, row + 4
        return row + 5

    # -- Summary ---------------------------------------------------------------------------

    def write_summary(self) -> None:
        ws = self.summary
        put_text(ws, 1, 1, "Business case summary", TITLE)
        put_text(ws, 2, 1, "Scenario")
        put_text(ws, 2, 2, self.sc.name)
        put_text(ws, 3, 1, "Snapshot SHA-256 (of the scenario this workbook was made from)")
        put_text(ws, 3, 2, snapshot_sha256(self.sc))
        put_text(ws, 4, 1, "Contract type")
        put_formula(ws, 4, 2, "=contract_type")
        put_text(ws, 5, 1, "Money is in real terms; present values use the discount factors on the Flows sheet.")
        header = 7
        header_row(ws, header, ["Figure", "Value", "Key (evaluate --json)", "Note"])
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
        row = self.write_headline_rows(ws, header + 1)
        row = self.write_contract_rows(ws, row + 1)
        row = self.write_agency_rows(ws, row + 1)
        row = self.write_additional_rows(ws, row + 1)
        self.write_sources(ws, row + 1)
        set_widths(ws, {1: 62, 2: 22, 3: 34, 4: 50})

    def summary_row(self, ws, row: int, label: str, formula: str, key: str, number_format: str, note: str = ""):
        put_text(ws, row, 1, label)
        put_formula(ws, row, 2, formula, number_format)
        put_text(ws, row, 3, key)
        if note:
            put_text(ws, row, 4, note)
        return row + 1

    def write_headline_rows(self, ws, row: int) -> int:
        t = self.flow.totals
        pv = {k: f"Flows!$E${t[k]}" for k in ("costs", "fiscal", "cashable", "economic", "social")}
        section(ws, row, "Headline figures (present values)", 4)
        row += 1
        money = [
            ("Costs", "pv_costs", f"={pv['costs']}"),
            ("Fiscal benefits", "pv_fiscal", f"={pv['fiscal']}"),
            ("Cashable fiscal benefits", "pv_cashable", f"={pv['cashable']}"),
            ("Economic benefits", "pv_economic", f"={pv['economic']}"),
            ("Social benefits", "pv_social", f"={pv['social']}"),
            ("Net present budget impact (fiscal - costs)", "npv_fiscal", f"={pv['fiscal']}-{pv['costs']}"),
            ("Net cashable (cashable - costs)", "npv_cashable", f"={pv['cashable']}-{pv['costs']}"),
            (
                "Net public value (fiscal + economic + social - costs)",
                "npv_public_value",
                f"={pv['fiscal']}+{pv['economic']}+{pv['social']}-{pv['costs']}",
            ),
        ]
        for label, key, formula in money:
            row = self.summary_row(ws, row, label, formula, key, MONEY)
        public = f"({pv['fiscal']}+{pv['economic']}+{pv['social']})"
        row = self.summary_row(
            ws,
            row,
            "Benefit-cost ratio, fiscal",
            self.ratio(pv["fiscal"], pv["costs"]),
            "bcr_fiscal",
            RATIO,
            "none when there are no costs",
        )
        row = self.summary_row(
            ws,
            row,
            "Benefit-cost ratio, public value",
            self.ratio(public, pv["costs"]),
            "bcr_public_value",
            RATIO,
            "none when there are no costs",
        )
        marker = f"Flows!{self.year_span(self.flow.payback_marker, absolute_row=True)}"
        row = self.summary_row(
            ws,
            row,
            "Payback year (index: first year the discounted cumulative net fiscal reaches 0)",
            f'=IF(COUNT({marker})=0,"{NONE_TEXT}",MIN({marker}))',
            "payback_year",
            WHOLE,
        )
        put_formula(
            ws,
            row - 1,
            4,
            f'=IF(ISNUMBER(B{row - 1}),"calendar year "&(start_year+B{row - 1}),"not within the horizon")',
        )
        return row

    @staticmethod
    def ratio(numerator: str, denominator: str) -> str:
        return f'=IF({denominator}>0,{numerator}/{denominator},"{NONE_TEXT}")'

    def write_contract_rows(self, ws, row: int) -> int:
        section(ws, row, "Outcomes contract", 4)
        row += 1
        pay = self.con.payments
        row = self.summary_row(
            ws,
            row,
            "Outcome payments within the horizon (undiscounted)",
            f"=Contract!$D${pay}",
            "outcome_payments_total",
            MONEY,
        )
        row = self.summary_row(
            ws, row, "Outcome payments, present value", f"=Contract!$E${pay}", "pv_outcome_payments", MONEY
        )
        row = self.summary_row(
            ws,
            row,
            "Outcome payments falling after the horizon",
            f"=Contract!$D${self.con.beyond}",
            "payments_beyond_horizon",
            MONEY,
            "left out of every other figure",
        )
        names = {a.id: a.name for a in self.sc.agencies}
        for party, party_row in self.con.positions.items():
            if party == "investor" and self.sc.contract.type != "social_impact_bond":
                continue
            label = names.get(party, {"provider": "Provider", "investor": "Investor"}.get(party, party))
            row = self.summary_row(
                ws, row, f"Position (PV): {label}", f"=Contract!$E${party_row}", f"party:{party}", MONEY
            )
        if self.sc.contract.type == "social_impact_bond":
            row = self.summary_row(
                ws,
                row,
                "Investor: peak capital",
                f"=Contract!$D${self.con.peak_capital}",
                "investor:peak_capital",
                MONEY,
            )
            row = self.summary_row(
                ws,
                row,
                "Investor: multiple (payments / funding)",
                f"=Contract!$D${self.con.multiple}",
                "investor:multiple",
                RATIO,
            )
            row = self.summary_row(
                ws,
                row,
                "Investor: internal rate of return",
                f"=Contract!$D${self.con.irr}",
                "investor:irr",
                RATE,
                "the spreadsheet's IRR; where flows change sign more than once it may pick another root than the app",
            )
        return row

    def write_agency_rows(self, ws, row: int) -> int:
        section(ws, row, "Who pays, who benefits (present values by agency)", 4)
        row += 1
        measures = (
            ("pv_costs", "costs it pays itself", self.flow.own_costs),
            ("pv_fiscal", "fiscal benefit", self.flow.by_agency["fiscal"]),
            ("pv_cashable", "cashable benefit", self.flow.by_agency["cashable"]),
            ("pv_economic", "economic benefit", self.flow.by_agency["economic"]),
            ("pv_social", "social benefit", self.flow.by_agency["social"]),
        )
        for i, a in enumerate(self.sc.agencies):
            for key, what, rows in measures:
                row = self.summary_row(
                    ws, row, f"{a.name}: {what}", f"=Flows!$E${rows[i]}", f"by_agency:{a.id}:{key}", MONEY
                )
        row = self.summary_row(
            ws,
            row,
            "Provider: delivery costs",
            f"=Flows!$E${self.flow.delivery}",
            f"by_agency:{PROVIDER}:pv_costs",
            MONEY,
        )
        return row

    def write_additional_rows(self, ws, row: int) -> int:
        section(ws, row, "Additional outcomes (people, summed over intake years, before optimism bias)", 4)
        row += 1
        for o in self.outcomes:
            row = self.summary_row(
                ws, row, o.label, f"=Outcomes!$D${self.out_rows[o.id].additional}", f"additional_outcomes:{o.id}", COUNT
            )
        return row

    def write_sources(self, ws, row: int) -> None:
        section(ws, row, "Sources and notes", 4)
        row += 1
        if mentions_gmca(self.sc):
            put_text(
                ws, row, 1, GMCA_ATTRIBUTION + " (GMCA Research Team, via the Government Outcomes Lab; CC licence)"
            )
            row += 1
        if self.sc.description:
            put_text(ws, row, 1, "Description")
            cell = put_text(ws, row, 2, self.sc.description)
            cell.alignment = WRAP
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
            ws.row_dimensions[row].height = min(400, 15 * (1 + self.sc.description.count("\n")))

    # -- Theory of change ------------------------------------------------------------------

    def write_theory_of_change(self) -> None:
        ws = self.toc
        put_text(ws, 1, 1, "Theory of change (for reference; the numbers use the Inputs sheet)", TITLE)
        header_row(ws, 3, ["Stage", "Id", "Label", "Indicator", "Data source", "Notes"])
        row = 4
        for n in self.sc.nodes:
            for c, value in enumerate((n.stage, n.id, n.label, n.indicator, n.data_source, n.notes), start=1):
                if value:
                    put_text(ws, row, c, value).alignment = WRAP
            row += 1
        row += 1
        header_row(ws, row, ["Link from", "Link to", "Strength", "Assumption", "Evidence"])
        row += 1
        for e in self.sc.edges:
            for c, value in enumerate((e.source, e.target, e.strength, e.assumption, e.evidence), start=1):
                if value:
                    put_text(ws, row, c, value).alignment = WRAP
            row += 1
        ws.freeze_panes = "A4"
        set_widths(ws, {1: 16, 2: 26, 3: 50, 4: 40, 5: 40, 6: 80})

    # -- all of it -------------------------------------------------------------------------

    def build(self) -> Workbook:
        self.write_inputs()
        self.write_outcomes_sheet()
        self.write_flows_sheet()
        self.write_contract_sheet()
        self.write_summary()
        self.write_theory_of_change()
        # Ask Excel (and LibreOffice) to compute every formula on opening: openpyxl stores no results.
        self.wb.calculation.fullCalcOnLoad = True
        return self.wb


def mentions_gmca(sc: Scenario) -> bool:
    texts = [sc.description or ""] + [n.notes or "" for n in sc.nodes]
    return any(re.search(r"\bGMCA\b", t) for t in texts)


def build_workbook(sc: Scenario) -> tuple[Workbook, InputsLayout]:
    """The workbook and where its inputs are (snapshot path -> cell), for scripts that change them."""
    writer = _Writer(sc)
    return writer.build(), writer.inp


def input_cells(sc: Scenario) -> dict[str, str]:
    """Snapshot path (e.g. ``nodes.out-x.rate_with``) -> the Inputs cell holding it (``Inputs!$C$40``)."""
    return dict(build_workbook(sc)[1].cells)


def workbook_bytes(sc: Scenario) -> bytes:
    wb, _ = build_workbook(sc)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_workbook(sc: Scenario, path: str | Path) -> None:
    Path(path).write_bytes(workbook_bytes(sc))
