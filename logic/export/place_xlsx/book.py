"""The place's workbook while it is written: its sheets, where each sheet put things, and shared cell writing.

Every sheet with years uses the scenario workbook's column plan (logic.export.xlsx.cells): label, detail,
key, total, then one column per year of the place's calendar from F, so the same column letter is the same
year on every sheet. Row 1 holds the year index (0 = the place's first year), row 2 the calendar year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from ...place import PlaceResult
from ...presentation import currency_symbol
from ..xlsx.cells import (
    BOLD,
    DETAIL_COL,
    FIRST_YEAR_COL,
    HEADER_FILL,
    LABEL_COL,
    PV_COL,
    TITLE,
    TOTAL_COL,
    TYPE_COL,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    put_formula,
    put_text,
    ref,
    set_widths,
    year_col,
)

KEY_COL = TYPE_COL  # the JSON key of a row (`python -m logic place FILE --json`), for scripts and tests
MEMBER_COL = PV_COL  # on the Agencies sheet: the agency's member switch, as the Inputs sheet has it
ITEMS = ("cashable", "own_costs", "funding", "outcome_payments")
ITEM_WORDS = {
    "cashable": "Cashable savings banked",
    "own_costs": "Own cost lines paid",
    "funding": "Delivery it funds",
    "outcome_payments": "Its share of outcome payments",
}
SWITCH_NAMES = {"own_costs": "pays_own_costs", "funding": "pays_funding", "outcome_payments": "pays_outcome_payments"}


def money_format(currency: str) -> str:
    """Whole units with the currency, negatives red: "£"#,##0 for GBP; 1,234 CHF for a code without a symbol."""
    symbol = currency_symbol(currency)
    if symbol:
        body = f'"{symbol}"#,##0'
    else:
        code = re.sub(r"[^A-Za-z0-9 ]", "", currency)[:10] or "?"
        body = f'#,##0" {code}"'
    return f"{body};[Red]-{body}"


@dataclass
class Rows:
    """Where things are, recorded by the sheet that writes them for the sheets written after it."""

    member: dict[str, str] = field(default_factory=dict)  # agency -> Inputs cell of its member switch
    contributions: dict[str, int] = field(default_factory=dict)  # agency -> Inputs row
    contributions_span: tuple[int, int] = (0, 0)
    data: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (agency, item) -> Programme cash rows
    agency: dict[str, dict[str, int]] = field(default_factory=dict)  # item -> agency -> Agencies row
    net: dict[str, int] = field(default_factory=dict)  # agency -> Agencies row of its net cash
    fund: dict[str, int] = field(default_factory=dict)  # fund row name -> Fund row
    fund_cells: dict[str, str] = field(default_factory=dict)  # key figure -> Fund cell
    economic_cells: dict[str, str] = field(default_factory=dict)  # economic key -> Economic case cell


class PlaceBook:
    """One place's workbook while it is written."""

    def __init__(self, result: PlaceResult):
        self.result = result
        self.figures = result.figures
        self.place = result.loaded.place
        self.years: list[int] = list(self.figures["years"])
        self.L = len(self.years)
        self.agencies: list[str] = list(self.figures["agencies"])
        self.names = agency_names(result)
        self.currency = self.place.settings.currency
        self.money = money_format(self.currency)
        self.wb = Workbook()
        self.summary = self.wb.active
        self.summary.title = "Summary"
        self.inputs = self.wb.create_sheet("Inputs")
        self.fund = self.wb.create_sheet("Fund")
        self.agency_sheet = self.wb.create_sheet("Agencies")
        self.economic = self.wb.create_sheet("Economic case")
        self.programmes = self.wb.create_sheet("Programmes")
        self.data = self.wb.create_sheet("Programme cash")
        self.rows = Rows()
        self.cells: dict[str, str] = {}  # place-file path -> the Inputs cell holding it

    def name_of(self, agency: str) -> str:
        return self.names.get(agency, agency)

    def span(self, row: int, absolute_row: bool = False) -> str:
        """$F{row}:$R{row}: every year of one row."""
        r = f"${row}" if absolute_row else str(row)
        return f"${year_col(0)}{r}:${year_col(self.L - 1)}{r}"

    def define(self, key: str, sheet: str, column: str, row: int) -> str:
        """A workbook-wide name for an input cell, so formulas read `savings_returned`, not Inputs!$B$6."""
        address = ref(sheet, column, row)
        self.wb.defined_names[key] = DefinedName(key, attr_text=address)
        return address

    def year_headers(self, ws: Worksheet, title: str, key_title: str = "Key (place --json)") -> None:
        put_text(ws, YEAR_INDEX_ROW, LABEL_COL, title, TITLE)
        put_text(ws, YEAR_INDEX_ROW, DETAIL_COL, "Agency", BOLD)
        put_text(ws, YEAR_INDEX_ROW, KEY_COL, key_title, BOLD)
        put_text(ws, YEAR_INDEX_ROW, TOTAL_COL, "Total", BOLD)
        put_text(ws, YEAR_ROW, LABEL_COL, "Year (index above: 0 = the place's first year)", BOLD)
        for t, y in enumerate(self.years):
            ws.cell(row=YEAR_INDEX_ROW, column=FIRST_YEAR_COL + t, value=t).font = BOLD
            ws.cell(row=YEAR_ROW, column=FIRST_YEAR_COL + t, value=y).font = BOLD
        for c in range(1, FIRST_YEAR_COL + self.L):
            ws.cell(row=YEAR_INDEX_ROW, column=c).fill = HEADER_FILL
            ws.cell(row=YEAR_ROW, column=c).fill = HEADER_FILL
        ws.freeze_panes = ws.cell(row=YEAR_ROW + 1, column=FIRST_YEAR_COL)
        set_widths(ws, {LABEL_COL: 62, DETAIL_COL: 14, KEY_COL: 30, TOTAL_COL: 15, PV_COL: 15})
        for t in range(self.L):
            ws.column_dimensions[year_col(t)].width = 13
        landscape(ws)

    def year_row(
        self,
        ws: Worksheet,
        row: int,
        label: str,
        formula,
        number_format: str | None = None,
        *,
        key: str = "",
        agency: str = "",
        total: bool = True,
    ) -> int:
        """One row of yearly formulas (formula(t) -> text), with its total over the calendar."""
        number_format = number_format or self.money
        put_text(ws, row, LABEL_COL, label)
        if agency:
            put_text(ws, row, DETAIL_COL, agency)
        if key:
            put_text(ws, row, KEY_COL, key)
        for t in range(self.L):
            put_formula(ws, row, FIRST_YEAR_COL + t, formula(t), number_format)
        if total:
            put_formula(ws, row, TOTAL_COL, f"=SUM({self.span(row)})", number_format)
        return row


def landscape(ws: Worksheet) -> None:
    """Printed landscape, as wide as the page: a finance officer prints the sheet to annotate it."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def agency_names(result: PlaceResult) -> dict[str, str]:
    """Each agency id -> its name, as the first programme naming it has it."""
    names: dict[str, str] = {}
    for sc in result.loaded.programmes:
        for a in sc.agencies:
            names.setdefault(a.id, a.name)
    return names
