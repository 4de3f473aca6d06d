"""The Inputs sheet: the fund's terms and each agency's membership and contributions, as plain values (blue).

Change one and the Fund, Agencies and Summary sheets recalculate. The programmes themselves (their cash
on the Programme cash sheet) and the calendar are fixed when the workbook is written: change a programme
in the app and export again.
"""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ...place_text import POOLED_ITEMS
from ..xlsx.cells import (
    FIRST_YEAR_COL,
    HEADER_FILL,
    RATE,
    TITLE,
    WHOLE,
    col,
    header_row,
    put_input,
    put_text,
    ref,
    section,
    set_widths,
    year_col,
)
from .book import SWITCH_NAMES, PlaceBook, landscape

VALUE_COL, PATH_COL, MEANING_COL = 2, 3, 4
MEMBER_SWITCH_COL = 3
CONTRIBUTION_TOTAL_COL = 4


def _whole_between(ws: Worksheet, cells: str, low: int, high: int) -> None:
    dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=False)
    dv.error = f"A whole number from {low} to {high}"
    dv.add(cells)
    ws.add_data_validation(dv)


def _decimal_between(ws: Worksheet, cells: str, low: float, high: float) -> None:
    dv = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(high), allow_blank=False)
    dv.error = f"A number from {low:g} to {high:g}"
    dv.add(cells)
    ws.add_data_validation(dv)


def write_inputs(book: PlaceBook) -> None:
    ws = book.inputs
    fund = book.place.fund
    put_text(ws, 1, 1, "Inputs: the pooled fund's terms, its members and their contributions", TITLE)
    put_text(
        ws,
        2,
        1,
        "Blue cells on pale yellow are inputs: change one and the Fund, Agencies and Summary sheets recalculate. "
        "Money is cash (the year's own prices). The programmes' cash (Programme cash sheet) and the calendar are "
        "fixed when the workbook is written: change a programme in the app and export again.",
    )
    header_row(ws, 4, ["Term of the fund", "Value", "In the place file", "What it means"])
    for c in range(MEANING_COL + 1, max(FIRST_YEAR_COL + book.L, FIRST_YEAR_COL + 9)):
        ws.cell(row=4, column=c).fill = HEADER_FILL
    switches = {k: 1 if k in fund.pays_for else 0 for k in SWITCH_NAMES}
    terms = [
        (
            "opening_balance",
            "Balance before the first year",
            fund.opening_balance,
            book.money,
            "fund.opening_balance",
            "Money already in the fund before the first year (cash).",
        ),
        (
            "savings_returned",
            "Share of its cashable savings a member keeps",
            fund.savings_returned,
            RATE,
            "fund.savings_returned",
            "The rest (1 minus this) is paid into the fund.",
        ),
        (
            "savings_lag_years",
            "Years before savings are paid in",
            fund.savings_lag_years,
            WHOLE,
            "fund.savings_lag_years",
            "Savings are paid in once audited, this many years after they are banked (0 to 5). The calendar ends "
            f"{fund.savings_lag_years} year(s) after the programmes' last year: a longer lag here leaves the last "
            "savings off the end.",
        ),
        (
            "bridge_rate",
            "Interest a year on a negative balance",
            fund.bridge_rate,
            RATE,
            "fund.bridge_rate",
            "What borrowing the bridge costs, on the balance at the start of each year (0 to 20%).",
        ),
        (
            "balance_rate",
            "Interest a year on a positive balance",
            fund.balance_rate,
            RATE,
            "fund.balance_rate",
            "What money held in the fund earns (0 to 20%).",
        ),
    ]
    terms += [
        (
            name,
            f"The fund pays {POOLED_ITEMS[item]} (1 = yes, 0 = no)",
            switches[item],
            WHOLE,
            f"fund.pays_for: {item}",
            "Switched off, the members pay this item themselves, as they would without the fund.",
        )
        for item, name in SWITCH_NAMES.items()
    ]
    row = 5
    last_col = max(FIRST_YEAR_COL + book.L - 1, FIRST_YEAR_COL + 8)  # the meaning runs on one line across the years
    for key, label, value, number_format, path, meaning in terms:
        put_text(ws, row, 1, label)
        put_input(ws, row, VALUE_COL, float(value) if number_format != WHOLE else int(value), number_format)
        put_text(ws, row, PATH_COL, path)
        put_text(ws, row, MEANING_COL, meaning)
        ws.merge_cells(start_row=row, start_column=MEANING_COL, end_row=row, end_column=last_col)
        book.cells[path] = book.define(key, "Inputs", col(VALUE_COL), row)
        row += 1
    first_term = 5
    v = col(VALUE_COL)
    _decimal_between(ws, f"{v}{first_term + 1}", 0, 1)
    _whole_between(ws, f"{v}{first_term + 2}", 0, 5)
    _decimal_between(ws, f"{v}{first_term + 3}:{v}{first_term + 4}", 0, 0.2)
    _whole_between(ws, f"{v}{first_term + 5}:{v}{row - 1}", 0, 1)
    _contributions(book, ws, row + 1)
    set_widths(ws, {1: 64, 2: 16, 3: 30, 4: 15, 5: 4})
    for t in range(book.L):
        ws.column_dimensions[year_col(t)].width = 13
    ws.freeze_panes = "B5"
    landscape(ws)


def _contributions(book: PlaceBook, ws: Worksheet, row: int) -> int:
    fund = book.place.fund
    section(ws, row, "Members and their contributions (cash paid into the fund, by year)", FIRST_YEAR_COL + book.L - 1)
    row += 1
    put_text(
        ws,
        row,
        1,
        "Member: 1 = pools its money in the fund; 0 = keeps its own financial case (any contributions typed for it "
        "are then not counted). Every agency of every programme is listed.",
    )
    row += 1
    header_row(ws, row, ["Agency", "Id", "Member (1 or 0)", "Total", ""] + [str(y) for y in book.years])
    row += 1
    given = {c.agency: c.by_year for c in fund.contributions}
    first = row
    for a in book.agencies:
        put_text(ws, row, 1, book.name_of(a))
        put_text(ws, row, 2, a)
        put_input(ws, row, MEMBER_SWITCH_COL, 1 if a in fund.members else 0, WHOLE)
        book.rows.member[a] = ref("Inputs", col(MEMBER_SWITCH_COL), row)
        book.cells[f"fund.members: {a}"] = book.rows.member[a]
        by_year = given.get(a, [])
        for t in range(book.L):
            amount = float(by_year[t]) if t < len(by_year) else 0.0
            put_input(ws, row, FIRST_YEAR_COL + t, amount, book.money)
            book.cells[f"fund.contributions: {a}[{t}]"] = ref("Inputs", year_col(t), row)
        ws.cell(row=row, column=CONTRIBUTION_TOTAL_COL, value=f"=SUM({book.span(row)})").number_format = book.money
        book.rows.contributions[a] = row
        row += 1
    book.rows.contributions_span = (first, row - 1)
    _whole_between(ws, f"{col(MEMBER_SWITCH_COL)}{first}:{col(MEMBER_SWITCH_COL)}{row - 1}", 0, 1)
    return row
