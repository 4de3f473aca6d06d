"""A place's pooled fund as an Excel workbook with live formulas (DESIGN.md, "A place").

Sheets, in order (one module each; ``book`` holds what they share):

- Summary (summary.py): the key figures, each a formula, with its ``place --json`` key beside it; the
  double counting and the other warnings.
- Inputs (inputs.py): the fund's terms (opening balance, share of savings kept, lag, interest rates, what
  the fund pays, as 1/0 switches) and each agency's membership (1/0) and contributions by year: blue
  cells a finance officer may change.
- Fund (fund.py): paid in (contributions, savings paid in after the lag), paid out, interest, the balance,
  the bridge and the year from which the fund pays its own way: formulas.
- Agencies (cash.py): each agency's cash items summed over the programmes, and its net cash with the fund.
- Economic case (economic.py): the programmes' real costs and benefits on the place's calendar (values)
  and their present values (formulas with the place's discount factors).
- Programmes (economic.py): each programme's own headline (values).
- Programme cash (cash.py): what each programme's agencies bank and pay, in cash, by place year (values
  from each programme's own evaluation: `PlaceResult.cash`).

The tests recalculate the workbook in LibreOffice and compare it with ``evaluate_place`` to the penny,
as written and after inputs are changed.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from ...place import PlaceResult
from .book import PlaceBook, money_format
from .cash import write_agencies, write_programme_cash
from .economic import write_economic, write_programmes
from .fund import write_fund
from .inputs import write_inputs
from .summary import write_summary

__all__ = ["build_place_workbook", "money_format", "place_input_cells", "place_workbook_bytes", "write_place_workbook"]


def build_place_workbook(result: PlaceResult) -> tuple[Workbook, dict[str, str]]:
    """The workbook, and where its inputs are (place-file path, e.g. ``fund.savings_returned`` -> cell)."""
    book = PlaceBook(result)
    # Each sheet reads the rows the ones before it recorded, so the order matters.
    write_inputs(book)
    write_programme_cash(book)
    write_agencies(book)
    write_fund(book)
    write_economic(book)
    write_programmes(book)
    write_summary(book)
    # Ask Excel (and LibreOffice) to compute every formula on opening: openpyxl stores no results.
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb, dict(book.cells)


def place_input_cells(result: PlaceResult) -> dict[str, str]:
    """Place-file path -> the Inputs cell holding it: ``fund.savings_returned``, ``fund.members: nhs``,
    ``fund.contributions: council[0]``, ``fund.pays_for: funding``."""
    return build_place_workbook(result)[1]


def place_workbook_bytes(result: PlaceResult) -> bytes:
    wb, _ = build_place_workbook(result)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_place_workbook(result: PlaceResult, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(place_workbook_bytes(result))
    return path
