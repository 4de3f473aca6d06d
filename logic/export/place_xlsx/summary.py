"""The Summary sheet: the place's key figures, each a formula of the Fund, Agencies and Economic case sheets,
with its `place --json` key beside it; then the double counting and the other warnings, in words."""

from __future__ import annotations

import hashlib

from openpyxl.worksheet.worksheet import Worksheet

from ...place_store import dump_place
from ...place_text import PLACE_FIGURES, POOLED_ITEMS
from ..xlsx.cells import RATIO, TITLE, WHOLE, WRAP, header_row, put_formula, put_text, section, set_widths
from .book import PlaceBook, landscape
from .economic import price_base_words

EXTRA_FIGURES = {
    "lowest_year": ("Year of the lowest balance", "When the bridge is at its largest."),
    "closing": (
        "Balance at the end of the calendar",
        "Cash left in the fund (negative: still owed) after the last year.",
    ),
    "contributions": ("Contributions paid in", "Everything the members pay into the fund, cash, all years."),
    "savings_in": ("Savings paid in", "The members' cashable savings handed to the fund, after the lag, all years."),
    "outflow": ("Paid out", "What the fund pays for the members, all years."),
    "interest": ("Interest", "Net interest: paid on the bridge (negative), earned on a positive balance."),
    "pv_economic": ("PV of economic benefits", "Value to the economy, real and discounted."),
    "pv_social": ("PV of social benefits", "Value to people and communities, real and discounted."),
    "bcr_public_value": ("Benefit-cost ratio (public value)", "Public value for each unit of cost."),
}


def place_sha256(book: PlaceBook) -> str:
    return hashlib.sha256(dump_place(book.place).encode("utf-8")).hexdigest()


def cash_words(book: PlaceBook) -> str:
    s = book.place.settings
    base = price_base_words(book)
    if s.inflation == 0:
        return f"cash, with no inflation assumed (so the same as {base})"
    return f"cash: {base} grown by {s.inflation:.1%} a year (the year's own prices)"


def _row(ws: Worksheet, row: int, label: str, formula: str, key: str, number_format: str, note: str) -> int:
    put_text(ws, row, 1, label)
    put_formula(ws, row, 2, formula, number_format)
    put_text(ws, row, 3, key)
    put_text(ws, row, 4, note).alignment = WRAP
    return row + 1


def write_summary(book: PlaceBook) -> None:
    ws = book.summary
    fund = book.place.fund
    put_text(ws, 1, 1, book.place.name, TITLE)
    facts = [
        (
            "Calendar",
            f"{book.years[0]} to {book.years[-1]} ({book.L} years; {book.years[0]} stands for "
            f"{book.years[0]}/{(book.years[0] + 1) % 100:02d})",
        ),
        ("The fund's figures", cash_words(book)),
        ("The economic case", f"real terms, {price_base_words(book)}, discounted to {book.years[0]}"),
        ("Currency", book.currency),
        ("Members", ", ".join(book.name_of(m) for m in fund.members) or "none"),
        ("The fund pays", "; ".join(POOLED_ITEMS[k] for k in fund.pays_for) or "nothing"),
        ("Place SHA-256 (of the place file as the app writes it)", place_sha256(book)),
    ]
    row = 2
    for label, text in facts:
        put_text(ws, row, 1, label)
        put_text(ws, row, 2, text)
        row += 1
    row += 1
    header_row(ws, row, ["Figure", "Value", "Key (place --json)", "What it means"])
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    row = _fund(book, ws, row + 1)
    row = _economic(book, ws, row + 1)
    row = _agencies(book, ws, row + 1)
    _warnings(book, ws, row + 1)
    set_widths(ws, {1: 50, 2: 20, 3: 34, 4: 70})
    landscape(ws)


def _fund(book: PlaceBook, ws: Worksheet, row: int) -> int:
    cells, rows = book.rows.fund_cells, book.rows.fund
    section(ws, row, "The pooled fund (cash)", 4)
    row += 1
    label, note = PLACE_FIGURES["bridge_needed"]
    row = _row(ws, row, label, "=" + cells["bridge_needed"], "fund:bridge_needed", book.money, note)
    label, note = EXTRA_FIGURES["lowest_year"]
    row = _row(ws, row, label, "=" + cells["lowest_year"], "fund:lowest_balance_year", WHOLE, note)
    label, note = PLACE_FIGURES["self_sustaining_year"]
    row = _row(ws, row, label, "=" + cells["self_sustaining_calendar_year"], "", WHOLE, note)
    row = _row(
        ws,
        row,
        "  the same, as a year index (0 = the first year)",
        "=" + cells["self_sustaining_year"],
        "fund:self_sustaining_year",
        WHOLE,
        "",
    )
    label, note = EXTRA_FIGURES["closing"]
    row = _row(ws, row, label, "=" + cells["closing"], "fund:closing_balance", book.money, note)
    for name, key in (
        ("contributions", "contributions"),
        ("savings_in", "savings_in"),
        ("outflow", "outflow"),
        ("interest", "interest"),
    ):
        label, note = EXTRA_FIGURES[name]
        row = _row(ws, row, label, f"=Fund!$D${rows[key]}", f"fund:total:{key}", book.money, note)
    return row


def _economic(book: PlaceBook, ws: Worksheet, row: int) -> int:
    cells = book.rows.economic_cells
    section(ws, row, f"The combined economic case (real, {price_base_words(book)}, present values)", 4)
    row += 1
    for key in (
        "pv_costs",
        "pv_fiscal",
        "pv_transfers",
        "pv_economic",
        "pv_social",
        "npv_fiscal",
        "npv_public_value",
        "bcr_public_value",
    ):
        label, note = PLACE_FIGURES.get(key) or EXTRA_FIGURES[key]
        number_format = RATIO if key.startswith("bcr") else book.money
        row = _row(ws, row, label, "=" + cells[key], f"economic:{key}", number_format, note)
    return row


def _agencies(book: PlaceBook, ws: Worksheet, row: int) -> int:
    section(ws, row, "Each agency's net cash, all years (cash)", 4)
    row += 1
    members = set(book.place.fund.members)
    for a in book.agencies:
        note = "Member of the fund" if a in members else "Not a member: its own financial case"
        row = _row(
            ws,
            row,
            book.name_of(a),
            f"=Agencies!$D${book.rows.net[a]}",
            f"agencies:{a}:net_cash_total",
            book.money,
            note,
        )
    return row


def _warnings(book: PlaceBook, ws: Worksheet, row: int) -> None:
    section(ws, row, "Double counting and other warnings", 4)
    row += 1
    programmes = book.figures["programmes"]
    lines = [
        f"Possible double counting: programmes {d['programmes'][0] + 1} ({programmes[d['programmes'][0]]['name']}) "
        f"and {d['programmes'][1] + 1} ({programmes[d['programmes'][1]]['name']}) both credit "
        f"{book.name_of(d['agency'])} with unit-cost code {d['code']}. Both lines stay in the totals."
        for d in book.figures["double_counting"]
    ]
    lines += list(book.figures["warnings"])
    for line in lines or ["None."]:
        put_text(ws, row, 1, line)
        row += 1
