"""The Inputs sheet: every number the arithmetic uses, as a plain value (blue) a user may change.

A few things fix the layout (the horizon, which outcome a benefit line belongs to, how many lines and
agencies there are, the ids): change those in the app and export again.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...model import CONTRACT_TYPES, PAYMENT_BASES
from .book import Book
from .cells import (
    COUNT,
    MONEY,
    RATE,
    TITLE,
    WHOLE,
    col,
    header_row,
    list_validation,
    put_formula,
    put_input,
    put_text,
    ref,
    section,
    set_widths,
)

# Green Book declining long-term rates: (first year, last year the band covers, rate); None = the
# scenario's rate. The bands after year 30 are the Green Book's table for a standard rate of 3.5%.
GREEN_BOOK_BANDS = ((1, 30, None), (31, 75, 0.030), (76, 125, 0.025), (126, 200, 0.020), (201, 300, 0.015))
GREEN_BOOK_AFTER = (301, 0.010)
GREEN_BOOK_STANDARD = 0.035

OUT_COLUMNS = (
    ("rate_with", "Rate with the programme (rate_with)", RATE),
    ("rate_without", "Rate without it (rate_without)", RATE),
    ("attribution", "Attribution", RATE),
    ("displacement", "Displacement", RATE),
    ("evidence_grade", "Evidence grade (1 strongest .. 6)", WHOLE),
    ("optimism_bias", "Optimism bias used (from the grade)", RATE),
    ("lag_years", "Lag (years)", WHOLE),
    ("duration_years", "Duration (years)", WHOLE),
    ("drop_off", "Drop-off a year", RATE),
    ("price", "Outcome payment price", MONEY),
    ("payment_lag_years", "Its own payment lag (blank: the contract's)", WHOLE),
    ("payment_cap", "Cap on payments for it, cash (blank: none)", MONEY),
)
OUT_FIRST_COL = 3  # A id, B label, then OUT_COLUMNS from C
BEN_COLUMNS = {
    "outcome": 1,
    "agency": 2,
    "type": 3,
    "value": 4,
    "cashable": 5,
    "transfer": 6,
    "discount": 7,
    "code": 8,
}
COST_COLUMNS = {
    "activity": 1,
    "item": 2,
    "payer": 3,
    "setup": 4,
    "per_year": 5,
    "per_participant": 6,
    "evidence_grade": 7,
    "uplift": 8,
}
PROFILE_FIRST_COL = 10  # a cost line's profile: one column per year index, from J
AGENCY_COLUMNS = {"id": 1, "name": 2, "kind": 3, "share": 4, "note": 5}
AGENCY_KINDS = ("public", "donor", "people")


def out_col(name: str) -> str:
    names = [c[0] for c in OUT_COLUMNS]
    return col(OUT_FIRST_COL + names.index(name))


def profile_col(t: int) -> str:
    return col(PROFILE_FIRST_COL + t)


def write_inputs(book: Book) -> None:
    ws = book.inputs
    put_text(ws, 1, 1, "Inputs: the blue cells are the assumptions; change one and every sheet recalculates", TITLE)
    put_text(ws, 2, 1, "Scenario")
    put_text(ws, 2, 2, book.sc.name)
    row = _settings(book, ws, 4)
    row = _green_book(book, ws, row + 1)
    row = _optimism_bias(book, ws, row + 1)
    row = _agencies(book, ws, row + 1)
    row = _cohort(book, ws, row + 1)
    row = _outcomes(book, ws, row + 1)
    row = _benefits(book, ws, row + 1)
    row = _costs(book, ws, row + 1)
    _contract(book, ws, row + 1)
    ws.freeze_panes = "A3"
    widths = {1: 44, 2: 40, 3: 16, 4: 16, 5: 16, 6: 16, 7: 14, 8: 14, 9: 11, 10: 11, 11: 11, 12: 16, 13: 14, 14: 16}
    set_widths(ws, widths)


def _scalar(book: Book, ws: Worksheet, row: int, label, value, number_format, key, path, note="") -> int:
    put_text(ws, row, 1, label)
    put_input(ws, row, 2, value, number_format)
    if note:
        put_text(ws, row, 3, note)
    book.define(key, "Inputs", "B", row)
    book.inp.cells[path] = ref("Inputs", "B", row)
    return row + 1


def _settings(book: Book, ws: Worksheet, row: int) -> int:
    s = book.sc.settings
    section(ws, row, "Settings", 3)
    row = _scalar(
        book,
        ws,
        row + 1,
        "First delivery year (year index 0)",
        s.start_year,
        WHOLE,
        "start_year",
        "settings.start_year",
    )
    row = _scalar(
        book,
        ws,
        row,
        "Horizon (years appraised)",
        s.horizon_years,
        WHOLE,
        "horizon_years",
        "settings.horizon_years",
        "Fixes the layout (one column per year): change it in the app and export again.",
    )
    row = _scalar(
        book,
        ws,
        row,
        "Price base year (amounts are in this year's prices)",
        s.price_base,
        WHOLE,
        "price_base_year",
        "settings.price_base_year",
        "2025 means 2025/26 prices; the default is the year before the first delivery year",
    )
    put_text(ws, row, 1, "Price base")
    # Financial years: 2025 -> "2025/26 prices" (RIGHT of the next year, so 2099 -> "2099/00").
    put_formula(ws, row, 2, '=price_base_year&"/"&RIGHT(price_base_year+1,2)&" prices"')
    book.define("price_base", "Inputs", "B", row)
    row += 1
    row = _scalar(
        book,
        ws,
        row,
        "Inflation (GDP deflator growth a year, for cash figures)",
        s.inflation,
        RATE,
        "inflation",
        "settings.inflation",
        "cash in year t = real x (1 + inflation)^(start year + t - price base year)",
    )
    row = _scalar(
        book, ws, row, "Discount rate (real, a year)", s.discount_rate, RATE, "discount_rate", "settings.discount_rate"
    )
    row = _scalar(
        book,
        ws,
        row,
        "Discount schedule",
        s.discount_schedule,
        None,
        "discount_schedule",
        "settings.discount_schedule",
        "constant, or green_book (declining rates after year 30, table below)",
    )
    list_validation(ws, f"B{row - 1}", ("constant", "green_book"))
    row = _scalar(
        book,
        ws,
        row,
        "Health discount rate (benefit lines marked health)",
        s.health_discount_rate,
        RATE,
        "health_discount_rate",
        "settings.health_discount_rate",
        "under green_book: this rate to year 30, then the table below scaled by it / the table's standard rate",
    )
    put_text(ws, row, 1, "Currency (amounts in real terms, in the price base year's prices)")
    put_text(ws, row, 2, s.currency)
    return row + 1


def _green_book(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Green Book declining discount rates (used when the schedule is green_book)", 3)
    header_row(ws, row + 1, ["From year", "To year", "Rate"])
    row += 2
    for first, last, rate in GREEN_BOOK_BANDS:
        ws.cell(row=row, column=1, value=first)
        put_input(ws, row, 2, last, WHOLE)
        if rate is None:
            put_formula(ws, row, 3, "=discount_rate", RATE)
            put_text(ws, row, 4, "the discount rate above (health lines: the health rate)")
        else:
            put_input(ws, row, 3, rate, RATE)
        book.inp.green_book.append((ref("Inputs", "B", row), ref("Inputs", "C", row)))
        row += 1
    first, rate = GREEN_BOOK_AFTER
    ws.cell(row=row, column=1, value=first)
    put_text(ws, row, 2, "and after")
    put_input(ws, row, 3, rate, RATE)
    book.inp.green_book_after = ref("Inputs", "C", row)
    row += 1
    put_text(ws, row, 1, "The standard rate these later bands are for")
    put_input(ws, row, 3, GREEN_BOOK_STANDARD, RATE)
    put_text(ws, row, 4, "a health line's later bands are the rate x health rate / this")
    book.define("green_book_standard", "Inputs", "C", row)
    return row + 1


def _optimism_bias(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Optimism bias by evidence grade (benefits are reduced by it, graded cost lines raised)", 3)
    header_row(ws, row + 1, ["Evidence grade", "Optimism bias"])
    row += 2
    first = row
    for grade, bias in sorted(book.sc.settings.optimism_bias.items()):
        ws.cell(row=row, column=1, value=grade)
        put_input(ws, row, 2, bias, RATE)
        book.inp.cells[f"settings.optimism_bias.{grade}"] = ref("Inputs", "B", row)
        row += 1
    last = max(first, row - 1)
    book.inp.ob_table = f"Inputs!$A${first}:$B${last}"
    return max(row, first + 1)


def _agencies(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Agencies (who pays and who benefits)", 5)
    header_row(
        ws,
        row + 1,
        ["Agency id", "Name", "Kind (public, donor, people)", "Share of outcome payments", "Note"],
    )
    row += 2
    first = row
    shares = {a: 0.0 for a in book.sc.agency_ids}
    for p in book.sc.contract.outcome_payers:
        shares[p.agency] += p.share
    c = AGENCY_COLUMNS
    for i, a in enumerate(book.sc.agencies):
        put_text(ws, row, c["id"], a.id)
        put_text(ws, row, c["name"], a.name)
        put_input(ws, row, c["kind"], a.kind)
        put_input(ws, row, c["share"], shares[a.id], RATE)
        if i == 0:
            put_text(ws, row, c["note"], "listed first: funds delivery under a plain grant (contract type none)")
        book.inp.agency_id.append(ref("Inputs", col(c["id"]), row))
        book.inp.agency_kind.append(ref("Inputs", col(c["kind"]), row))
        book.inp.agency_share.append(ref("Inputs", col(c["share"]), row))
        book.inp.cells[f"agencies.{a.id}.kind"] = ref("Inputs", col(c["kind"]), row)
        book.inp.cells[f"contract.outcome_payers.{a.id}.share"] = ref("Inputs", col(c["share"]), row)
        row += 1
    kind = col(c["kind"])
    list_validation(ws, f"{kind}{first}:{kind}{row - 1}", AGENCY_KINDS)
    return row


def agency_kinds_range(book: Book) -> str:
    """The agencies' kinds as one range, for SUMPRODUCT over the agencies (rows in the same order)."""
    first, last = book.inp.agency_kind[0], book.inp.agency_kind[-1]
    return f"{first}:{last.split('!')[1]}"


def _cohort(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Cohort", 3)
    row = _scalar(
        book,
        ws,
        row + 1,
        "Engagement rate (share of those referred who take part)",
        book.sc.cohort.engagement_rate,
        RATE,
        "engagement_rate",
        "cohort.engagement_rate",
    )
    row = _scalar(
        book,
        ws,
        row,
        "Intake timing (start: at the start of the year; mid: through it)",
        book.sc.cohort.intake_timing,
        None,
        "intake_timing",
        "cohort.intake_timing",
        "mid: every benefit stream starts and ends half a year later",
    )
    list_validation(ws, f"B{row - 1}", ("start", "mid"))
    header_row(ws, row, ["Year index", "Year", "Intake (people referred)"])
    row += 1
    intake = list(book.sc.cohort.intake) + [0.0] * (book.H - len(book.sc.cohort.intake))
    for t, n in enumerate(intake):
        ws.cell(row=row, column=1, value=t)
        put_formula(ws, row, 2, f"=start_year+A{row}", WHOLE)
        put_input(ws, row, 3, n, COUNT)
        book.inp.intake.append(ref("Inputs", "C", row))
        book.inp.cells[f"cohort.intake[{t}]"] = ref("Inputs", "C", row)
        row += 1
    return row


def _outcomes(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Outcomes", OUT_FIRST_COL + len(OUT_COLUMNS) - 1)
    header_row(ws, row + 1, ["Outcome id", "Label"] + [title for _, title, _ in OUT_COLUMNS])
    row += 2
    for o in book.outcomes:
        put_text(ws, row, 1, o.id)
        put_text(ws, row, 2, o.label)
        for i, (name, _, number_format) in enumerate(OUT_COLUMNS):
            c = OUT_FIRST_COL + i
            if name == "optimism_bias":  # derived from the grade, so it follows a change of grade
                grade = f"{out_col('evidence_grade')}{row}"
                put_formula(ws, row, c, f"=VLOOKUP({grade},{book.inp.ob_table},2,FALSE)", number_format)
                continue
            put_input(ws, row, c, getattr(o, name), number_format)
            book.inp.cells[f"nodes.{o.id}.{name}"] = ref("Inputs", col(c), row)
        book.inp.outcome_row[o.id] = row
        row += 1
    if not book.outcomes:
        put_text(ws, row, 1, "(no outcomes)")
        row += 1
    return row


def _benefits(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Benefit lines (value per additional outcome per benefit year)", len(BEN_COLUMNS))
    put_text(ws, row, len(BEN_COLUMNS) + 2, "The outcome a line belongs to fixes the layout: move lines in the app.")
    header_row(
        ws,
        row + 1,
        [
            "Outcome id",
            "Agency id",
            "Type",
            "Value",
            "Cashable share (fiscal only)",
            "Transfer (TRUE: a fiscal saving that is no value to society)",
            "Discount (standard or health)",
            "Unit-cost code",
        ],
    )
    row += 2
    c = BEN_COLUMNS
    for o, j, b in book.benefits:
        put_text(ws, row, c["outcome"], o.id)
        put_input(ws, row, c["agency"], b.agency)
        put_input(ws, row, c["type"], b.type)
        put_input(ws, row, c["value"], b.value, MONEY)
        put_input(ws, row, c["cashable"], b.cashable, RATE)
        put_input(ws, row, c["transfer"], bool(b.transfer))
        put_input(ws, row, c["discount"], b.discount)
        put_input(ws, row, c["code"], b.code)  # text: "E&E1.0" stays as typed
        ws.cell(row=row, column=c["code"]).number_format = "@"
        for name in ("agency", "type", "value", "cashable", "transfer", "discount", "code"):
            book.inp.cells[f"nodes.{o.id}.benefits[{j}].{name}"] = ref("Inputs", col(c[name]), row)
        book.inp.benefit_rows.append(row)
        row += 1
    if book.benefits:
        first, last = book.inp.benefit_rows[0], book.inp.benefit_rows[-1]
        list_validation(ws, f"{col(c['type'])}{first}:{col(c['type'])}{last}", ("fiscal", "economic", "social"))
        list_validation(ws, f"{col(c['discount'])}{first}:{col(c['discount'])}{last}", ("standard", "health"))
    else:
        put_text(ws, row, 1, "(no benefit lines)")
        row += 1
    return row


def _costs(book: Book, ws: Worksheet, row: int) -> int:
    section(
        ws,
        row,
        "Cost lines (payer: provider for delivery costs, investor for a bond's own costs, or an agency id)",
        len(COST_COLUMNS),
    )
    header_row(
        ws,
        row + 1,
        [
            "Activity id",
            "Item",
            "Payer",
            "Setup (year 0)",
            "Per year with intake",
            "Per engaged participant",
            "Evidence grade of the cost (blank: no uplift)",
            "Uplift: 1 + optimism bias of the grade",
        ],
    )
    header_row(ws, row + 1, [f"Profile: extra in year {t}" for t in range(book.H)], PROFILE_FIRST_COL)
    row += 2
    c = COST_COLUMNS
    for n, j, line in book.costs:
        put_text(ws, row, c["activity"], n.id)
        put_text(ws, row, c["item"], line.item)
        put_input(ws, row, c["payer"], line.payer)
        for name in ("setup", "per_year", "per_participant"):
            put_input(ws, row, c[name], getattr(line, name), MONEY)
        put_input(ws, row, c["evidence_grade"], line.evidence_grade, WHOLE)
        grade = f"{col(c['evidence_grade'])}{row}"
        put_formula(
            ws,
            row,
            c["uplift"],
            f"=1+IF(ISNUMBER({grade}),VLOOKUP({grade},{book.inp.ob_table},2,FALSE),0)",
            "0.0000",
        )
        profile = list(line.profile or []) + [0.0] * (book.H - len(line.profile or []))
        for t, amount in enumerate(profile):
            put_input(ws, row, PROFILE_FIRST_COL + t, amount, MONEY)
            book.inp.cells[f"nodes.{n.id}.costs[{j}].profile[{t}]"] = ref("Inputs", profile_col(t), row)
        for name in ("payer", "setup", "per_year", "per_participant", "evidence_grade"):
            book.inp.cells[f"nodes.{n.id}.costs[{j}].{name}"] = ref("Inputs", col(c[name]), row)
        book.inp.cost_rows.append(row)
        row += 1
    if not book.costs:
        put_text(ws, row, 1, "(no cost lines)")
        row += 1
    return row


def _contract(book: Book, ws: Worksheet, row: int) -> int:
    k = book.sc.contract
    section(ws, row, "Outcomes contract", 3)
    row += 1
    row = _scalar(
        book, ws, row, "Contract type", k.type, None, "contract_type", "contract.type", ", ".join(CONTRACT_TYPES)
    )
    list_validation(ws, f"B{row - 1}", CONTRACT_TYPES)
    row = _scalar(
        book,
        ws,
        row,
        "Payment basis",
        k.payment_basis,
        None,
        "payment_basis",
        "contract.payment_basis",
        "gross: every achiever counts; above_baseline: only those above the comparison group",
    )
    list_validation(ws, f"B{row - 1}", PAYMENT_BASES)
    row = _scalar(
        book,
        ws,
        row,
        "Payment lag (years after the intake year)",
        k.payment_lag_years,
        WHOLE,
        "payment_lag",
        "contract.payment_lag_years",
        "for outcomes without their own lag",
    )
    row = _scalar(
        book,
        ws,
        row,
        "Cap on all outcome payments, cash",
        k.cap,
        MONEY,
        "outcome_cap",
        "contract.cap",
        "leave blank for no cap; caps are cash sums and do not rise with indexation",
    )
    row = _scalar(
        book,
        ws,
        row,
        "Provider margin on delivery costs",
        k.provider_margin,
        RATE,
        "provider_margin",
        "contract.provider_margin",
        "not paid under payment_by_results",
    )
    row = _scalar(
        book,
        ws,
        row,
        "Indexation of prices",
        k.indexation,
        None,
        "indexation",
        "contract.indexation",
        "none: prices fixed in cash; inflation: prices rise with inflation",
    )
    list_validation(ws, f"B{row - 1}", ("none", "inflation"))
    row = _scalar(
        book,
        ws,
        row,
        "Fixed share (hybrid: share of funded delivery paid as a fee by the outcome payers)",
        k.fixed_share,
        RATE,
        "fixed_share",
        "contract.fixed_share",
        "payment by results and bonds only; the rest is at risk",
    )
    return row
