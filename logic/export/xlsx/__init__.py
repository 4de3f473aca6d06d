"""The business case as an Excel workbook with live formulas, for a finance officer to audit and change.

Sheets, in order (one module each; ``book`` holds what they share, ``cells`` how a cell is written):

- Summary (summary.py): the headline figures, each a formula, with its ``evaluate --json`` key beside it.
- Inputs (inputs.py): every number the arithmetic uses, as a plain value (blue). Change one and every
  other sheet recalculates. A few things fix the layout (the horizon, which outcome a benefit line
  belongs to, how many lines there are, the longest payment lag): change those in the app and export again.
- Outcomes (outcomes.py): participants, gross, deadweight and additional outcomes by intake year, and
  how long each intake year's outcomes keep yielding benefit (a cohort-by-year grid per outcome).
- Flows (flows.py): discount factors (standard and health), each benefit and cost line by year, totals,
  and who pays / who benefits; real, within the horizon.
- Contract (contract.py, parties.py): over the contract's years (the horizon plus the longest payment
  lag): the cash index, outcome payments after each cap, who funds delivery, each party's position, the
  investor's cash flows and return, what paying by results costs over a fee for service.
- Financial (financial.py): each agency's cash by year, and the public sector's.
- Theory of change (toc.py): the nodes and links with their notes, for reference.

The arithmetic is DESIGN.md "How the numbers are computed" and "Format 2", written as spreadsheet
formulas; the tests recalculate the workbook in LibreOffice and compare it with ``evaluate`` to the penny.

Text typed by users (names, labels, notes, ids) is always written as a text cell, never as a formula:
openpyxl would otherwise treat "=..." as a formula, which is both wrong and a formula-injection risk.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from ...model import Scenario
from .book import Book, InputsLayout
from .contract import write_years_and_payments
from .financial import write_financial
from .flows import write_flows
from .inputs import write_inputs
from .outcomes import write_outcomes
from .parties import write_parties
from .summary import write_summary
from .toc import write_theory_of_change

__all__ = ["InputsLayout", "build_workbook", "input_cells", "workbook_bytes", "write_workbook"]


def build_workbook(sc: Scenario) -> tuple[Workbook, InputsLayout]:
    """The workbook and where its inputs are (snapshot path -> cell), for scripts that change them."""
    book = Book(sc)
    # Each sheet reads the rows the ones before it recorded, so the order matters.
    write_inputs(book)
    write_outcomes(book)
    write_flows(book)
    write_parties(book, write_years_and_payments(book))
    write_financial(book)
    write_summary(book)
    write_theory_of_change(book)
    # Ask Excel (and LibreOffice) to compute every formula on opening: openpyxl stores no results.
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb, book.inp


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
