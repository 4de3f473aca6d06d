"""The Outcomes sheet: participants, gross, deadweight and additional outcomes by intake year, and how
long each intake year's outcomes keep yielding benefit (a cohort-by-year grid per outcome)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...model import Node
from .book import Book, OutcomeRows
from .cells import (
    BOLD,
    COUNT,
    DETAIL_COL,
    FACTOR,
    FIRST_YEAR_COL,
    LABEL_COL,
    TOTAL_COL,
    WHOLE,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    put_formula,
    put_text,
    ref,
    section,
    year_col,
)
from .inputs import out_col


def write_outcomes(book: Book) -> None:
    ws = book.outcome_sheet
    book.year_headers(ws, "Outcomes by intake year", pv_column=False)
    row = YEAR_ROW + 2
    section(ws, row, "Cohort", FIRST_YEAR_COL - 1)
    book.intake_row = book.year_row(
        ws, row + 1, "Intake (people referred)", lambda t: f"={book.inp.intake[t]}", COUNT, pv=False
    )
    book.participants_row = book.year_row(
        ws,
        row + 2,
        "Participants (intake x engagement rate)",
        lambda t: f"={year_col(t)}{row + 1}*engagement_rate",
        COUNT,
        pv=False,
    )
    row += 4
    for o in book.outcomes:
        row = _outcome_block(book, ws, row, o) + 1


def _outcome_block(book: Book, ws: Worksheet, row: int, o: Node) -> int:
    r = book.inp.outcome_row[o.id]

    def inp(name: str) -> str:
        return ref("Inputs", out_col(name), r)

    w, b, a, d = inp("rate_with"), inp("rate_without"), inp("attribution"), inp("displacement")
    ob, lag, dur, drop = inp("optimism_bias"), inp("lag_years"), inp("duration_years"), inp("drop_off")
    p = book.participants_row
    H = book.H

    section(ws, row, "", FIRST_YEAR_COL - 1)
    put_text(ws, row, LABEL_COL, o.label, BOLD)
    put_text(ws, row, DETAIL_COL, o.id, BOLD)
    put_text(ws, row + 1, DETAIL_COL, "by intake year")
    gross = book.year_row(
        ws, row + 1, "Gross achievers (participants x rate with)", lambda t: f"={year_col(t)}${p}*{w}", COUNT, pv=False
    )
    deadweight = book.year_row(
        ws,
        row + 2,
        "Deadweight (participants x rate without)",
        lambda t: f"={year_col(t)}${p}*{b}",
        COUNT,
        pv=False,
    )
    additional = book.year_row(
        ws,
        row + 3,
        "Additional outcomes: P x (with - without) x attribution x (1 - displacement)",
        lambda t: f"={year_col(t)}${p}*({w}-{b})*{a}*(1-{d})",
        COUNT,
        pv=False,
    )
    valued = book.year_row(
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

    start = book.year_row(
        ws,
        row + 5,
        "Persistence k years after intake, intake at the start of the year (k = the year index above)",
        persist,
        FACTOR,
        total=False,
        pv=False,
    )

    def used(t: int) -> str:
        # Mid-year intake: people arrive half way through the year on average, so each year holds half
        # of this year's and half of last year's stream.
        earlier = f"{year_col(t - 1)}{start}" if t else "0"
        return f'=IF(intake_timing="mid",({year_col(t)}{start}+{earlier})/2,{year_col(t)}{start})'

    persistence = book.year_row(
        ws,
        row + 6,
        "Persistence used (mid-year intake: the average with the year before)",
        used,
        FACTOR,
        total=False,
        pv=False,
    )
    put_text(ws, row + 7, LABEL_COL, "Valued outcomes yielding benefit, by intake year (rows) and year (columns)", BOLD)
    grid_first = row + 8
    for c in range(H):
        grid_row = grid_first + c
        put_text(ws, grid_row, LABEL_COL, f"    from the intake of year index {c}")
        put_formula(ws, grid_row, DETAIL_COL, f"=start_year+{c}", WHOLE)
        for t in range(c, H):
            put_formula(
                ws, grid_row, FIRST_YEAR_COL + t, f"={year_col(c)}${valued}*{year_col(t - c)}${persistence}", COUNT
            )
        put_formula(ws, grid_row, TOTAL_COL, f"=SUM({book.year_span(grid_row)})", COUNT)
    grid_last = grid_first + H - 1
    units = book.year_row(
        ws,
        grid_last + 1,
        "Benefit units in year (valued outcomes still yielding benefit)",
        lambda t: f"=SUM({year_col(t)}{grid_first}:{year_col(t)}{grid_last})",
        COUNT,
        pv=False,
    )
    ws.cell(row=units, column=LABEL_COL).font = BOLD
    book.out_rows[o.id] = OutcomeRows(gross, deadweight, additional, valued, persistence, units)
    return units + 1
