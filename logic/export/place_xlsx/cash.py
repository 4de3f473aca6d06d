"""The Programme cash sheet (each programme's own evaluation on the place's calendar, as values) and the
Agencies sheet (those summed by agency, and each agency's net cash once the fund is in place, as formulas).
"""

from __future__ import annotations

import numpy as np

from ..xlsx.cells import (
    BOLD,
    FIRST_YEAR_COL,
    LABEL_COL,
    TOTAL_COL,
    WHOLE,
    put_formula,
    put_text,
    ref,
    section,
    year_col,
)
from .book import ITEM_WORDS, ITEMS, MEMBER_COL, SWITCH_NAMES, PlaceBook

FIRST_ROW = 3


def write_programme_cash(book: PlaceBook) -> None:
    """Values: what each programme's agencies bank and pay, in cash, in the place year it falls.

    Only rows with some cash are written; the Agencies sheet sums them by agency with plain references.
    """
    ws = book.data
    book.year_headers(ws, "Each programme's cash (values)", key_title="Programme: item")
    row = FIRST_ROW
    put_text(
        ws,
        row,
        LABEL_COL,
        "Values, not formulas: each programme evaluated on its own (its own file's contract and settings, the "
        "place's prices and inflation), in cash, put on the place's calendar.",
    )
    row += 1
    ev_programmes = book.result.loaded.place.programmes
    for i, (p, sc) in enumerate(zip(book.result.cash, book.result.loaded.programmes)):
        start = book.years[0] + p.offset
        section(
            ws,
            row,
            f"Programme {i + 1}: {sc.name} (from {start}, scale {ev_programmes[i].scale:g})",
            FIRST_YEAR_COL + book.L - 1,
        )
        row += 1
        for a_index, a in enumerate(p.agency_ids):
            for item in ITEMS:
                values = p.cashable[a_index] if item == "cashable" else p.items[item][a_index]
                if not np.any(values):
                    continue
                put_text(ws, row, LABEL_COL, f"{ITEM_WORDS[item]}: {book.name_of(a)}")
                put_text(ws, row, 2, a)
                put_text(ws, row, 3, f"programme {i + 1}: {item}")
                for t in range(book.L):
                    ws.cell(row=row, column=FIRST_YEAR_COL + t, value=float(values[t])).number_format = book.money
                put_formula(ws, row, TOTAL_COL, f"=SUM({book.span(row)})", book.money)
                book.rows.data.setdefault((a, item), []).append(row)
                row += 1


def write_agencies(book: PlaceBook) -> None:
    ws = book.agency_sheet
    book.year_headers(ws, "Each agency's cash and net cash")
    put_text(ws, 1, MEMBER_COL, "Member (1 or 0)", BOLD)
    row = FIRST_ROW
    for item in ITEMS:
        section(ws, row, f"{ITEM_WORDS[item]} (cash), all programmes", FIRST_YEAR_COL + book.L - 1)
        row += 1
        rows = book.rows.agency.setdefault(item, {})
        # An agency with none of this item in any programme has no row here: it counts as 0 below.
        for a in (a for a in book.agencies if (a, item) in book.rows.data):
            sources = book.rows.data[(a, item)]

            def summed(t: int, sources=sources) -> str:
                y = year_col(t)
                return "=" + "+".join(f"'Programme cash'!{y}{r}" for r in sources)

            book.year_row(ws, row, book.name_of(a), summed, agency=a, key=f"{item}:{a}")
            put_formula(ws, row, MEMBER_COL, "=" + book.rows.member[a], WHOLE)
            rows[a] = row
            row += 1
        if not rows:
            put_text(ws, row, LABEL_COL, "None: no agency has this item in any year.")
            row += 1
        row += 1
    section(
        ws,
        row,
        "Net cash: what each agency banks less what it pays, once the fund is in place",
        FIRST_YEAR_COL + book.L - 1,
    )
    row += 1
    put_text(
        ws,
        row,
        LABEL_COL,
        "A member keeps its share of its savings and pays its contributions and any item the fund does not pay; "
        "any other agency keeps its own financial case (its savings less everything it pays).",
    )
    row += 1
    for a in book.agencies:
        book.year_row(ws, row, book.name_of(a), _net_cash(book, a), agency=a, key=f"agencies:{a}:net_cash_by_year")
        ws.cell(row=row, column=LABEL_COL).font = BOLD
        put_formula(ws, row, MEMBER_COL, "=" + book.rows.member[a], WHOLE)
        book.rows.net[a] = row
        row += 1


def _net_cash(book: PlaceBook, a: str):
    rows = {item: book.rows.agency[item].get(a) for item in ITEMS}
    member = book.rows.member[a]
    contributions = book.rows.contributions[a]

    def formula(t: int) -> str:
        y = year_col(t)

        def cell(item: str) -> str | None:
            r = rows[item]
            return None if r is None else f"{y}{r}"

        paid = [(k, cell(k)) for k in SWITCH_NAMES if cell(k) is not None]
        cashable = cell("cashable") or "0"
        kept = f"savings_returned*{cashable}-{ref('Inputs', y, contributions)}"
        unpaid = "".join(f"-(1-{SWITCH_NAMES[k]})*{c}" for k, c in paid)
        everything = "".join(f"-{c}" for _, c in paid)
        return f"=IF({member}=1,{kept}{unpaid},{cashable}{everything})"

    return formula
