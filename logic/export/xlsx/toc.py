"""The Theory of change sheet: the nodes and links with their notes, for reference."""

from __future__ import annotations

from .book import Book
from .cells import TITLE, WRAP, header_row, put_text, set_widths


def write_theory_of_change(book: Book) -> None:
    ws = book.toc
    put_text(ws, 1, 1, "Theory of change (for reference; the numbers use the Inputs sheet)", TITLE)
    header_row(ws, 3, ["Stage", "Id", "Label", "Indicator", "Data source", "Notes"])
    row = 4
    for n in book.sc.nodes:
        for c, value in enumerate((n.stage, n.id, n.label, n.indicator, n.data_source, n.notes), start=1):
            if value:
                put_text(ws, row, c, value).alignment = WRAP
        row += 1
    row += 1
    header_row(ws, row, ["Link from", "Link to", "Strength", "Assumption", "Evidence"])
    row += 1
    for e in book.sc.edges:
        for c, value in enumerate((e.source, e.target, e.strength, e.assumption, e.evidence), start=1):
            if value:
                put_text(ws, row, c, value).alignment = WRAP
        row += 1
    ws.freeze_panes = "A4"
    set_widths(ws, {1: 16, 2: 26, 3: 50, 4: 40, 5: 40, 6: 80})
