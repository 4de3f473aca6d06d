"""The Financial sheet: what each budget pays and banks, year by year, in cash, under the contract.

For each agency: cashable savings - its own cost lines - what it funds (each a real amount x the cash
index) - its share of the outcome payments (cash already), over the contract's years; then the public
sector as a whole (the agencies of kind public).
"""

from __future__ import annotations

from collections.abc import Callable

from .book import Book
from .cells import (
    BOLD,
    DETAIL_COL,
    FACTOR,
    FIRST_YEAR_COL,
    LABEL_COL,
    MONEY,
    TOTAL_COL,
    TYPE_COL,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    put_formula,
    put_text,
    section,
    year_col,
)
from .inputs import agency_kinds_range

KEY_COL = TYPE_COL  # the evaluate --json key of a row, for scripts (as on the Summary)


def write_financial(book: Book) -> None:
    ws = book.financial
    X, H, k = book.X, book.H, book.con
    book.year_headers(ws, "The financial case: each budget's cash by year", years=X, pv_column=False)
    put_text(ws, YEAR_INDEX_ROW, DETAIL_COL, "Agency", BOLD)
    put_text(ws, YEAR_INDEX_ROW, KEY_COL, "Key (evaluate --json)", BOLD)
    ws.column_dimensions["C"].width = 30
    row = YEAR_ROW + 2
    put_formula(ws, row, LABEL_COL, '="Cash: real amounts in "&price_base&" x the cash index of the year"')
    index = book.year_row(
        ws,
        row + 1,
        "Cash index",
        lambda t: f"=Contract!{year_col(t)}${k.cash_index}",
        FACTOR,
        total=False,
        pv=False,
        years=X,
    )
    put_text(ws, index, KEY_COL, "financial:cash_index")
    row += 3
    agencies = list(zip(book.sc.agencies, book.inp.agency_id))

    def block(title: str, formula: Callable[[int, int], str]) -> tuple[int, list[int]]:
        section(ws, row, title, FIRST_YEAR_COL - 1)
        rows = []
        for i, (a, id_ref) in enumerate(agencies):
            r = row + 1 + i
            book.year_row(ws, r, a.name, _for_agency(formula, i), pv=False, years=X)
            put_formula(ws, r, DETAIL_COL, "=" + id_ref)
            rows.append(r)
        return row + 1 + len(agencies), rows

    def cash(sheet_row: Callable[[int], int]) -> Callable[[int, int], str]:
        return lambda t, i: f"=Flows!{year_col(t)}${sheet_row(i)}*{year_col(t)}${index}" if t < H else "=0"

    row, savings = block("Cashable savings banked, cash", cash(lambda i: book.flow.by_agency["cashable"][i]))
    row, own = block("Own cost lines, cash", cash(lambda i: book.flow.own_costs[i]))
    row, funds = block(
        "What it funds of delivery, cash",
        lambda t, i: f"=Contract!{year_col(t)}${k.funding[i]}*{year_col(t)}${index}",
    )
    row, pays = block("Its share of the outcome payments, cash", lambda t, i: f"=Contract!{year_col(t)}${k.paying[i]}")
    row, net = block(
        "Net cash: savings - own costs - funding - outcome payments",
        lambda t, i: f"={year_col(t)}{savings[i]}-{year_col(t)}{own[i]}-{year_col(t)}{funds[i]}-{year_col(t)}{pays[i]}",
    )
    for r, (a, _) in zip(net, agencies):
        put_text(ws, r, KEY_COL, f"financial:by_year:{a.id}")
        ws.cell(row=r, column=TOTAL_COL).font = BOLD
    book.fin.cash = net

    kinds = agency_kinds_range(book)
    section(ws, row, "The public sector (the agencies of kind public)", FIRST_YEAR_COL - 1)
    book.fin.public_by_year = book.year_row(
        ws,
        row + 1,
        "Public sector net cash",
        lambda t: f'=SUMPRODUCT(({kinds}="public")*{year_col(t)}{net[0]}:{year_col(t)}{net[-1]})',
        pv=False,
        years=X,
    )
    put_text(ws, row + 1, KEY_COL, "financial:public_sector_by_year")
    ws.cell(row=row + 1, column=LABEL_COL).font = BOLD
    positions = [k.positions[a.id] for a, _ in agencies]
    book.fin.public_position = row + 2
    put_text(ws, row + 2, LABEL_COL, "Public sector position (the sum of their positions, PV real, Contract sheet)")
    put_formula(
        ws,
        row + 2,
        TOTAL_COL,
        f'=SUMPRODUCT(({kinds}="public")*Contract!$E${positions[0]}:$E${positions[-1]})',
        MONEY,
    )


def _for_agency(formula: Callable[[int, int], str], i: int) -> Callable[[int], str]:
    """Agency i's row of a block: its formula for each year t (bound to i when made, not when called)."""
    return lambda t: formula(t, i)
