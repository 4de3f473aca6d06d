"""The unit-cost library: GMCA unit costs, uprated and turned into benefit lines.

A value from the GMCA Unit Cost Database is in the prices of its own year and
in its own unit (per week, per incident, ...). A benefit line needs a value per
additional outcome per year in the scenario's prices. Every step between the
two is explicit here, returned as a dataclass, and written into a provenance
note that travels with the scenario, so a finance officer can redo the sum.

Reference data and its provenance: logic/reference/README.md.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .editing import EditError
from .model import BENEFIT_TYPES, Problem, Scenario
from .presentation import amount

REFERENCE = Path(__file__).parent / "reference"
UNIT_COSTS_CSV = REFERENCE / "gmca_unit_costs.csv"
DEFLATORS_CSV = REFERENCE / "gdp_deflators.csv"
SOURCE = "GMCA Unit Cost Database v1.4"
ATTRIBUTION = (
    "Source: GMCA Unit Cost Database v1.4 (GMCA Research Team; distributed by the "
    "Government Outcomes Lab under a Creative Commons licence)"
)
DEFLATOR_SOURCE = "HM Treasury GDP deflator"
TEXT_COLUMNS = ["code", "category", "detail", "description", "unit", "agency", "agency_detail", "price_year"]
SEARCHED = ["description", "detail", "category", "code"]
# Factors are rounded so that the sum shown (value x factor x times a year) is the sum used.
FACTOR_PLACES = 4


class DeflatorError(ValueError):
    """A year the deflator table cannot answer for, or a table that cannot be used."""


# --- the unit costs -------------------------------------------------------------


@functools.cache
def _unit_costs() -> pd.DataFrame:
    # keep_default_na=False: a blank agency_detail is "", not NaN, so text filters need no special case.
    df = pd.read_csv(UNIT_COSTS_CSV, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False)
    df["value_gbp"] = df["value_gbp"].astype(float)
    return df


def load_unit_costs() -> pd.DataFrame:
    """The GMCA table (a fresh copy, so callers may change it)."""
    return _unit_costs().copy()


def search(df: pd.DataFrame, words: str = "", agency: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Rows where every word appears in description, detail, category or code (any case).

    agency and category match whole names, without regard to case: the database spells
    "Local Authority" two ways and both are meant.
    """
    keep = pd.Series(True, index=df.index)
    if agency:
        keep &= df["agency"].str.casefold() == agency.casefold()
    if category:
        keep &= df["category"].str.casefold() == category.casefold()
    text = df[SEARCHED[0]].astype(str)
    for column in SEARCHED[1:]:
        text = text + " " + df[column].astype(str)
    text = text.str.casefold()
    for word in words.split():
        keep &= text.str.contains(word.casefold(), regex=False)
    return df[keep]


def _distinct(values: pd.Series) -> list[str]:
    # One entry per name regardless of case; the first spelling seen is kept.
    seen: dict[str, str] = {}
    for v in values:
        if v and v.casefold() not in seen:
            seen[v.casefold()] = v
    return sorted(seen.values(), key=str.casefold)


def agencies(df: pd.DataFrame) -> list[str]:
    return _distinct(df["agency"])


def categories(df: pd.DataFrame) -> list[str]:
    return _distinct(df["category"])


# --- financial years and deflators ------------------------------------------------------

_FY = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


def financial_year(text: str) -> str:
    """'2013/14', '2013-14' or '2013/2014' -> '2013/14'; anything else is a DeflatorError."""
    m = _FY.match(str(text))
    if m:
        start, end = int(m.group(1)), int(m.group(2)[-2:])
        if end == (start + 1) % 100:
            return f"{start}/{end:02d}"
    raise DeflatorError(f"'{text}' is not a financial year; write it like 2013/14")


def price_base(start_year: int) -> str:
    """The financial year a scenario's prices are in: the one before its first delivery year.

    start_year 2026 -> '2025/26'. A business case is written, and its costs known, in the year
    before delivery starts; the bundled examples are in 2025/26 prices with start_year 2026.
    """
    return price_year(start_year - 1)


def price_year(base_year: int) -> str:
    """A scenario's price base year (settings.price_base) as a financial year: 2025 -> '2025/26'."""
    return f"{base_year}/{(base_year + 1) % 100:02d}"


@functools.cache
def _deflators() -> pd.DataFrame:
    return pd.read_csv(DEFLATORS_CSV, dtype={"financial_year": str, "status": str}, keep_default_na=False)


def load_deflators() -> pd.DataFrame:
    """The shipped GDP deflator table: financial_year, index (2024/25 = 100), status."""
    return _deflators().copy()


def check_deflators(df: pd.DataFrame) -> pd.DataFrame:
    """A user-edited deflator table, cleaned: years normalised, blank rows dropped, every index > 0.

    Raises DeflatorError naming each bad row, so an edit is never half-applied.
    """
    problems = []
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(df.to_dict("records")):
        year, index = row.get("financial_year"), row.get("index")
        blank_year = year is None or (isinstance(year, float) and math.isnan(year)) or not str(year).strip()
        blank_index = index is None or (isinstance(index, float) and math.isnan(index))
        if blank_year and blank_index:
            continue
        try:
            fy = financial_year(year)
        except DeflatorError as exc:
            problems.append(f"row {i + 1}: {exc}")
            continue
        try:
            value = float(index)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            problems.append(f"row {i + 1} {fy}: the index must be a number above 0, got {index}")
            continue
        status = row.get("status")
        rows.append({"financial_year": fy, "index": value, "status": status if isinstance(status, str) else ""})
    years = [r["financial_year"] for r in rows]
    for fy in sorted({y for y in years if years.count(y) > 1}):
        problems.append(f"{fy} is listed more than once")
    if problems:
        raise DeflatorError("; ".join(problems))
    out = pd.DataFrame(rows, columns=["financial_year", "index", "status"])
    return out.sort_values("financial_year", ignore_index=True)


@dataclass(frozen=True)
class Uprating:
    value: float
    from_year: str
    to_year: str
    factor: float  # index(to_year) / index(from_year), rounded to FACTOR_PLACES
    uprated: float  # value x factor
    projected: bool = False  # either year's index is a forecast, not outturn
    estimated: tuple[str, ...] = ()  # years whose index is interpolated from calendar years


def uprate(value: float, from_year: str, to_year: str, deflators: pd.DataFrame) -> Uprating:
    """Move a value from one financial year's prices to another's by the ratio of their deflators."""
    table = deflators.assign(financial_year=deflators["financial_year"].astype(str).str.strip())
    by_year = table.set_index("financial_year")
    fy_from, fy_to = financial_year(from_year), financial_year(to_year)
    missing = [fy for fy in (fy_from, fy_to) if fy not in by_year.index]
    if missing:
        years = sorted(by_year.index)
        covers = f"it covers {years[0]} to {years[-1]}" if years else "it is empty"
        raise DeflatorError(
            f"No GDP deflator for {' or '.join(missing)}: {covers}. Add the year to the deflator table."
        )
    i_from, i_to = float(by_year.at[fy_from, "index"]), float(by_year.at[fy_to, "index"])
    factor = round(i_to / i_from, FACTOR_PLACES)
    status = by_year["status"] if "status" in by_year else pd.Series(dtype=str)
    projected = any(str(status.get(fy, "")) == "projection" for fy in (fy_from, fy_to))
    estimated = tuple(fy for fy in dict.fromkeys((fy_from, fy_to)) if str(status.get(fy, "")) == "interpolated")
    return Uprating(value, fy_from, fy_to, factor, value * factor, projected, estimated)


# --- units --------------------------------------------------------------------------

_ONCE = "counted once per outcome per year: check this fits the outcome"
_NUMBERS = {"ten": 10, "twenty": 20, "twenty five": 25, "twenty-five": 25, "fifteen": 15, "five": 5}


@dataclass(frozen=True)
class UnitConversion:
    factor: float  # times a year: unit value x factor = value per year
    explanation: str
    needs_judgement: bool = False


def annual_factor(unit: str) -> UnitConversion:
    """How many of the unit make one year for one outcome, and why."""
    u = " ".join(str(unit).casefold().split())
    period = re.search(r"over an? (\S+(?: five)?|\d+) year period", u)
    if period:
        word = period.group(1)
        years = int(word) if word.isdigit() else _NUMBERS.get(word)
        if years:
            return UnitConversion(
                1 / years,
                f"{u}: a total over {years} years, / {years} = per year (or keep it whole and count it once)",
                needs_judgement=True,
            )
    if "bed day" in u:
        # A bed day is a day of hospital stay, not a day of the year: x 365 would be absurd.
        return UnitConversion(1.0, f"{_ONCE}; a bed day is one day in hospital: enter the bed days saved a year", True)
    if "per week" in u:
        return UnitConversion(52.0, f"{u} x 52 = per year")
    if "per month" in u:
        return UnitConversion(12.0, f"{u} x 12 = per year")
    if "per day" in u:
        return UnitConversion(365.0, f"{u} x 365 = per year")
    if "per year" in u or "per annum" in u or "annual" in u:
        return UnitConversion(1.0, f"{u}: already per year")
    if u == "lifetime":
        return UnitConversion(1.0, f"a lifetime total, {_ONCE}", True)
    if "per fte" in u:
        return UnitConversion(1.0, f"a yearly staff cost per full-time post, {_ONCE}", True)
    return UnitConversion(1.0, _ONCE, True)


# --- from a row to a benefit line --------------------------------------------------------


@dataclass(frozen=True)
class Valuation:
    """One unit cost, uprated and converted: value is per outcome per year in to_year prices."""

    code: str
    description: str
    unit: str
    uprating: Uprating
    conversion: UnitConversion
    per_year: float  # times a year actually used (the conversion's factor unless overridden)
    value: float  # rounded to pence: the figure written into the scenario


def valuation(row: Mapping, deflators: pd.DataFrame, to_year: str, per_year: float | None = None) -> Valuation:
    conversion = annual_factor(row["unit"])
    times = conversion.factor if per_year is None else float(per_year)
    if not math.isfinite(times) or times < 0:
        raise ValueError(f"times a year must be 0 or more, got {per_year}")
    up = uprate(float(row["value_gbp"]), row["price_year"], to_year, deflators)
    value = round(up.uprated * times, 2)
    return Valuation(str(row["code"]), str(row["description"]), str(row["unit"]), up, conversion, times, value)


def benefit_line_from(
    row: Mapping,
    agency_id: str,
    deflators: pd.DataFrame,
    to_year: str,
    type: str = "fiscal",
    cashable: float = 1.0,
    per_year: float | None = None,
    transfer: bool = False,
) -> dict:
    """The benefit line to append to an outcome: value = value_gbp x deflator factor x times a year."""
    if type not in BENEFIT_TYPES:
        raise ValueError(f"type must be one of {', '.join(BENEFIT_TYPES)}, got {type}")
    line = {"agency": agency_id, "value": valuation(row, deflators, to_year, per_year).value, "type": type}
    if type == "fiscal":  # cashable and transfer only mean something for fiscal lines
        line["cashable"] = float(cashable)
        if transfer:
            line["transfer"] = True
    line["code"] = str(row["code"])  # the line names its source; the completeness check reads it
    return line


def _is(deflators: pd.DataFrame, year: str, status: str) -> bool:
    if "status" not in deflators:
        return False
    return bool(((deflators["financial_year"] == year) & (deflators["status"] == status)).any())


def _pounds(x: float) -> str:
    # The GMCA database is in pounds, whatever the scenario's currency: its provenance says so.
    return amount(x, "GBP")


def _times(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if x != round(x) else f"{x:.0f}"


def provenance(
    row: Mapping,
    deflators: pd.DataFrame,
    to_year: str,
    per_year: float | None = None,
    deflator_source: str = DEFLATOR_SOURCE,
) -> str:
    """Where the value came from and how it was computed, in one line a finance officer can redo."""
    v = valuation(row, deflators, to_year, per_year)
    up, conv = v.uprating, v.conversion
    unit = v.unit.casefold()
    caveats = [f"{fy} estimated from calendar years" for fy in up.estimated]
    caveats += [
        f"{fy} a forecast" for fy in (up.from_year, up.to_year) if up.projected and _is(deflators, fy, "projection")
    ]
    projected = "".join(f"; {c}" for c in caveats)
    if v.per_year == conv.factor:
        times = f"x {_times(v.per_year)} a year ({conv.explanation})"
    else:
        times = f"x {_times(v.per_year)} a year (set by hand; the unit suggested {_times(conv.factor)})"
    return (
        f"GMCA {v.code} {v.description}: {_pounds(up.value)} {unit} in {up.from_year} prices "
        f"x {up.factor:.{FACTOR_PLACES}f} ({deflator_source} {up.from_year} to {up.to_year}{projected}) "
        f"= {_pounds(round(up.uprated, 2))} {unit} in {up.to_year} prices; {times} "
        f"= {_pounds(v.value)} per outcome per year. {ATTRIBUTION}."
    )


# --- agencies -----------------------------------------------------------------------------

# Words a scenario agency's id or name would use for each GMCA agency, most telling first.
GMCA_AGENCY_WORDS: dict[str, tuple[str, ...]] = {
    "nhs": ("nhs", "health", "icb", "ccg", "camhs", "hospital"),
    "local authority": ("council", "local authority", "borough", "county", "social care", "social services"),
    "dwp": ("dwp", "work and pensions", "jobcentre", "benefits"),
    "police": ("police",),
    "criminal justice system": ("cjs", "criminal justice", "justice", "courts", "youth justice"),
    "probation": ("probation", "cjs", "justice"),
    "court": ("court", "courts", "cjs", "justice"),
    "prison / young offenders institute": ("prison", "hmpps", "cjs", "justice"),
    "ministry of justice": ("moj", "ministry of justice", "justice", "cjs"),
    "hm treasury": ("hmt", "treasury", "exchequer", "central government"),
    "hm revenue and customs": ("hmrc", "revenue", "exchequer", "treasury"),
    "department for education": ("dfe", "education"),
    "schools": ("school", "schools", "education"),
    "fire service": ("fire",),
    "multiple": (),  # spread over several agencies: the user must choose
}


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold())) + " "


def _mentions(text: str, keyword: str) -> bool:
    # Whole words only (so "la" never matches "labour"); a plural counts ("court" finds "courts").
    k = " ".join(re.findall(r"[a-z0-9]+", keyword.casefold()))
    return f" {k} " in text or f" {k}s " in text


def suggest_agency(gmca_agency: str, sc: Scenario) -> str | None:
    """The scenario agency most likely meant by a GMCA agency name, or None. A suggestion only."""
    name = " ".join(str(gmca_agency).casefold().split())
    keywords = GMCA_AGENCY_WORDS.get(name)
    if keywords is None:  # a name not in the table: try its own words
        keywords = tuple(w for w in re.findall(r"[a-z0-9]+", name) if len(w) > 2 and w not in {"and", "the", "for"})
    texts = [(a.id, _words(f"{a.id.replace('-', ' ').replace('_', ' ')} {a.name}")) for a in sc.agencies]
    for keyword in keywords:
        for agency_id, text in texts:
            if _mentions(text, keyword):
                return agency_id
    return None


# --- welfare benefits (transfers) ------------------------------------------------------------

# A benefit payment no longer made saves the payer's budget but creates no value: a transfer.
WELFARE_BENEFITS = (
    "job seeker",
    "jobseeker",
    "employment and support allowance",
    "incapacity benefit",
    "income support",
    "personal independence payment",
    "disability living allowance",
    "attendance allowance",
    "carer's allowance",
    "housing benefit",
    "universal credit",
    "pension credit",
)
# ... but what it costs to run the benefit (processing a claim, an interview) is a real cost saved.
RUNNING_A_BENEFIT = (
    "cost of",
    "costs",
    "interview",
    "signing on",
    "advice",
    "improved health",
    "processing",
    "maintaining",
)


@functools.cache
def welfare_benefit_codes() -> frozenset[str]:
    """GMCA codes whose value is (or is mostly) welfare benefit payments, not the cost of running them."""
    df = _unit_costs()
    codes = set()
    for code, description in zip(df["code"], df["description"]):
        text = description.casefold().replace("’", "'")
        if any(b in text for b in WELFARE_BENEFITS) and not any(r in text for r in RUNNING_A_BENEFIT):
            codes.add(code)
    return frozenset(codes)


def pays_welfare_benefits(agency_id: str, name: str) -> bool:
    """Whether an agency's id or name says it pays welfare benefits (DWP, Work and Pensions, benefits)."""
    text = _words(f"{agency_id.replace('-', ' ').replace('_', ' ')} {name}")
    return any(_mentions(text, k) for k in GMCA_AGENCY_WORDS["dwp"])


# --- into the scenario ----------------------------------------------------------------------


def add_benefit(doc: dict, outcome_id: str, line: dict, note: str) -> dict:
    """A new document with the line appended to the outcome's benefits and the note to its notes."""
    doc = copy.deepcopy(doc)
    node = next((n for n in doc.get("nodes", []) if n.get("id") == outcome_id), None)
    if node is None or node.get("stage") != "outcome":
        raise EditError([Problem("unit costs", f"'{outcome_id}' is not an outcome in this scenario")])
    node.setdefault("benefits", []).append(dict(line))
    notes = (node.get("notes") or "").rstrip()
    node["notes"] = f"{notes}\n{note}" if notes else note
    return doc
