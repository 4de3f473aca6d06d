"""Cell writing for the workbook: number formats, styles, references, and the rules that keep user text text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

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
AFTER_HORIZON_FILL = PatternFill("solid", fgColor="FCE4D6")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
WRAP = Alignment(wrap_text=True, vertical="top")

# Calculation sheets share one column plan, so the same column letter is the same year everywhere.
LABEL_COL, DETAIL_COL, TYPE_COL, TOTAL_COL, PV_COL = 1, 2, 3, 4, 5
FIRST_YEAR_COL = 6
YEAR_INDEX_ROW, YEAR_ROW = 1, 2

EXCEL_TEXT_LIMIT = 32_767  # characters in one cell
NONE_TEXT = "none"


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


def set_widths(ws: Worksheet, widths: Mapping[int, float]) -> None:
    for index, width in widths.items():
        ws.column_dimensions[col(index)].width = width


def list_validation(ws: Worksheet, cells: str, choices) -> None:
    """A drop-down of the allowed words, so a typo cannot silently change a formula's branch."""
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=False)
    dv.add(cells)
    ws.add_data_validation(dv)


def ratio(numerator: str, denominator: str) -> str:
    return f'=IF({denominator}>0,{numerator}/{denominator},"{NONE_TEXT}")'


def times(row: str, factor: str, sheet: str = "") -> Callable[[int], str]:
    """Year t's formula: the cell of `row` (e.g. "12" or "$12") in that year's column, times a fixed factor.

    A function, not a lambda with default arguments in a loop: each call binds its own row and factor.
    """
    return lambda t: f"={sheet}{year_col(t)}{row}*{factor}"
