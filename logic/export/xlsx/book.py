"""The workbook being written: its sheets, where each sheet put things, and rows of yearly formulas.

Each sheet module writes its sheet through a Book and records the rows and cells later sheets refer
to (the layouts below), so a formula on the Summary can name the Flows row it sums.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from ...model import Node, Scenario
from .cells import (
    AFTER_HORIZON_FILL,
    BOLD,
    DETAIL_COL,
    FIRST_YEAR_COL,
    HEADER_FILL,
    LABEL_COL,
    MONEY,
    PV_COL,
    TITLE,
    TOTAL_COL,
    TYPE_COL,
    WHOLE,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    put_formula,
    put_text,
    ref,
    set_widths,
    year_col,
)


@dataclass
class InputsLayout:
    names: dict[str, str] = field(default_factory=dict)  # defined name -> absolute reference
    cells: dict[str, str] = field(default_factory=dict)  # snapshot path -> absolute reference
    intake: list[str] = field(default_factory=list)  # by year index
    ob_table: str = ""  # grade | bias, for VLOOKUP
    green_book: list[tuple[str, str]] = field(default_factory=list)  # (last year cell, rate cell) by band
    green_book_after: str = ""
    agency_id: list[str] = field(default_factory=list)  # by agency
    agency_kind: list[str] = field(default_factory=list)
    agency_share: list[str] = field(default_factory=list)
    outcome_row: dict[str, int] = field(default_factory=dict)
    benefit_rows: list[int] = field(default_factory=list)
    cost_rows: list[int] = field(default_factory=list)


@dataclass
class OutcomeRows:
    gross: int
    deadweight: int
    additional: int
    valued: int
    persistence: int
    units: int


@dataclass
class FlowRows:
    rate: int = 0
    discount: int = 0
    health_rate: int = 0
    health_discount: int = 0
    benefit_lines: list[int] = field(default_factory=list)
    cost_lines: list[int] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    payback_marker: int = 0
    own_costs: list[int] = field(default_factory=list)  # by agency
    delivery: int = 0
    investor_costs: int = 0
    by_agency: dict[str, list[int]] = field(default_factory=dict)  # fiscal/cashable/... -> rows by agency


@dataclass
class ContractRows:
    rate: int = 0  # the discount rate carried on past the horizon
    discount: int = 0
    cash_index: int = 0
    pays: str = ""  # the cell that says whether this contract type pays for outcomes
    fee_share_row: int = 0  # the share of funded delivery the outcome payers pay as a fee
    payments: int = 0  # cash, after every cap, by payment year
    payments_real: int = 0
    beyond: int = 0
    cap_binds: int = 0
    outcome_paid: dict[str, int] = field(default_factory=dict)  # outcome id -> cash paid, after every cap
    outcome_cap_binds: dict[str, int] = field(default_factory=dict)
    delivery: int = 0
    funding: list[int] = field(default_factory=list)  # by agency
    investor_funding: int = 0
    paying: list[int] = field(default_factory=list)  # outcome payments by agency
    investor_flow: int = 0
    investor_real_flow: int = 0
    positions: dict[str, int] = field(default_factory=dict)  # party id -> row
    peak_capital: int = 0
    multiple: int = 0
    irr: int = 0
    irr_real: int = 0
    premium: int = 0
    paid_per_valued: dict[str, int] = field(default_factory=dict)


@dataclass
class FinancialRows:
    cash: list[int] = field(default_factory=list)  # net cash by agency
    public_by_year: int = 0
    public_position: int = 0


def contract_span(sc: Scenario) -> int:
    """Years the Contract and Financial sheets cover: the horizon plus the longest payment lag.

    Outcome payments fall up to that many years after the last intake year; the span is fixed when the
    workbook is written (a longer lag typed into the sheet is flagged on the Contract sheet).
    """
    lags = [sc.contract.payment_lag_years if o.payment_lag_years is None else o.payment_lag_years for o in sc.outcomes]
    return sc.settings.horizon_years + max(lags, default=0)


class Book:
    """One scenario's workbook while it is written."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.H = sc.settings.horizon_years
        self.X = contract_span(sc)
        self.outcomes: list[Node] = sc.outcomes
        self.benefits = [(o, j, b) for o in self.outcomes for j, b in enumerate(o.benefits)]
        self.costs = [(n, j, c) for n in sc.nodes for j, c in enumerate(n.costs)]
        self.wb = Workbook()
        self.summary = self.wb.active
        self.summary.title = "Summary"
        self.inputs = self.wb.create_sheet("Inputs")
        self.outcome_sheet = self.wb.create_sheet("Outcomes")
        self.flows = self.wb.create_sheet("Flows")
        self.contract = self.wb.create_sheet("Contract")
        self.financial = self.wb.create_sheet("Financial")
        self.toc = self.wb.create_sheet("Theory of change")
        self.inp = InputsLayout()
        self.out_rows: dict[str, OutcomeRows] = {}
        self.participants_row = 0
        self.intake_row = 0
        self.flow = FlowRows()
        self.con = ContractRows()
        self.fin = FinancialRows()

    # -- years ---------------------------------------------------------------------------------

    def year_span(self, row: int, years: int | None = None, absolute_row: bool = False) -> str:
        """F{row}:O{row}: the first `years` year cells of one row (the horizon by default)."""
        r = f"${row}" if absolute_row else str(row)
        last = year_col((years or self.H) - 1)
        return f"${year_col(0)}{r}:${last}{r}"

    def discount_span(self, years: int | None = None) -> str:
        """The standard discount factors for the first `years` years (past the horizon: the Contract sheet's)."""
        years = years or self.H
        if years <= self.H:
            return f"Flows!{self.year_span(self.flow.discount, years, absolute_row=True)}"
        return f"Contract!{self.year_span(self.con.discount, years, absolute_row=True)}"

    def year_headers(self, ws: Worksheet, title: str, years: int | None = None, pv_column: bool = True) -> None:
        years = years or self.H
        put_text(ws, YEAR_INDEX_ROW, LABEL_COL, title, BOLD)
        ws.cell(row=YEAR_INDEX_ROW, column=LABEL_COL).font = TITLE
        put_text(ws, YEAR_INDEX_ROW, TOTAL_COL, "Total", BOLD)
        if pv_column:
            put_text(ws, YEAR_INDEX_ROW, PV_COL, "Present value", BOLD)
        label = "Year (index above: 0 = first delivery year)"
        if years > self.H:
            label += "; shaded: after the horizon"
        put_text(ws, YEAR_ROW, LABEL_COL, label, BOLD)
        for t in range(years):
            c = FIRST_YEAR_COL + t
            ws.cell(row=YEAR_INDEX_ROW, column=c, value=t).font = BOLD
            put_formula(ws, YEAR_ROW, c, f"=start_year+{year_col(t)}${YEAR_INDEX_ROW}", WHOLE).font = BOLD
        for c in range(1, FIRST_YEAR_COL + years):
            fill = AFTER_HORIZON_FILL if c >= FIRST_YEAR_COL + self.H else HEADER_FILL
            ws.cell(row=YEAR_INDEX_ROW, column=c).fill = fill
            ws.cell(row=YEAR_ROW, column=c).fill = fill
        ws.freeze_panes = ws.cell(row=YEAR_ROW + 1, column=FIRST_YEAR_COL)
        set_widths(ws, {LABEL_COL: 52, DETAIL_COL: 16, TYPE_COL: 11, TOTAL_COL: 17, PV_COL: 17})
        for t in range(years):
            ws.column_dimensions[year_col(t)].width = 15

    def year_row(
        self,
        ws: Worksheet,
        row: int,
        label: str,
        formula_for_year: Callable[[int], str],
        number_format: str = MONEY,
        *,
        total: bool = True,
        pv: bool | str | None = None,
        years: int | None = None,
    ) -> int:
        """One row of yearly formulas, with its total and (by default for money) its present value.

        pv: True / False, or a formula for the present value cell (a row whose lines carry their own
        discount factors); None means True for money.
        """
        years = years or self.H
        put_text(ws, row, LABEL_COL, label)
        for t in range(years):
            put_formula(ws, row, FIRST_YEAR_COL + t, formula_for_year(t), number_format)
        if total:
            put_formula(ws, row, TOTAL_COL, f"=SUM({self.year_span(row, years)})", number_format)
        if isinstance(pv, str):
            put_formula(ws, row, PV_COL, pv, MONEY)
        elif number_format == MONEY if pv is None else pv:
            span = self.year_span(row, years)
            put_formula(ws, row, PV_COL, f"=SUMPRODUCT({span},{self.discount_span(years)})", MONEY)
        return row

    def cumulative_row(self, ws: Worksheet, row: int, label: str, source: int, years: int | None = None) -> int:
        """The running total of another row of this sheet, year by year."""

        def running(t: int) -> str:
            y = year_col(t)
            return f"={y}{source}" + (f"+{year_col(t - 1)}{row}" if t else "")

        return self.year_row(ws, row, label, running, total=False, pv=False, years=years)

    def define(self, key: str, sheet: str, column: str, row: int) -> str:
        """A workbook-wide name for an input cell, so formulas read `discount_rate`, not Inputs!$B$7."""
        address = ref(sheet, column, row)
        self.wb.defined_names[key] = DefinedName(key, attr_text=address)
        self.inp.names[key] = address
        return address
