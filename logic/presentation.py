"""How figures are written, in one place: the app's pages, the board report, the command line and charts.

Money is written in the scenario's currency (settings.currency): GBP as £, EUR as €, USD as $, any
other code after the amount ("1,234 CHF"). Nothing here computes a figure; it only writes one down,
so a page, the report and the workbook cannot disagree about what a number looks like. An undefined
figure (None, or NaN from a table) is written "n/a", never "None" or "nan".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line writes figures too, and should not wait for pandas to load
    import pandas as pd

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
NOT_AVAILABLE = "n/a"

# The contract types as a person names them: in a list or a table ...
CONTRACT_TYPE_NAMES = {
    "none": "None (plain grant)",
    "fee_for_service": "Fee for service",
    "payment_by_results": "Payment by results",
    "social_impact_bond": "Social impact bond",
}
# ... and inside a sentence ("Under the payment-by-results contract, ...").
CONTRACT_NAMES_IN_TEXT = {
    "none": "plain grant",
    "fee_for_service": "fee-for-service contract",
    "payment_by_results": "payment-by-results contract",
    "social_impact_bond": "social impact bond",
}
BASIS_NAMES = {
    "gross": "Gross: every outcome achieved is paid for",
    "above_baseline": "Above baseline: only outcomes beyond the comparison group are paid for",
}
# Who carries the risk of failure under a contract that pays by results.
RISK_TAKER = {"payment_by_results": "the provider", "social_impact_bond": "the investors"}


def missing(x: Any) -> bool:
    """No figure to write: None, NaN, or pandas' NA or NaT (a table's empty cell)."""
    if x is None:
        return True
    if isinstance(x, (str, bytes, bool)):
        return False
    try:
        return bool(x != x)  # NaN (and NaT) is the one value not equal to itself
    except TypeError:  # pandas' NA: its comparisons are NA too, which is neither true nor false
        return type(x).__name__ == "NAType"
    except ValueError:  # a list or an array is not one missing value
        return False


def _value(x: Any) -> float | None:
    """The figure as a float, or None where there is none to write."""
    return None if missing(x) else float(x)


# --- money ---------------------------------------------------------------------------------


def currency_symbol(currency: str) -> str:
    """£, € or $; empty for a currency written by its code."""
    return SYMBOLS.get(currency, "")


def currency_mark(currency: str) -> str:
    """What names the currency in a column or axis title: 'Cash (€)', 'Cash (CHF)'."""
    return SYMBOLS.get(currency, currency)


def _with_currency(sign: str, body: str, currency: str) -> str:
    symbol = currency_symbol(currency)
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def money(x: float | None, currency: str = "GBP", signed: bool = False) -> str:
    """A money figure as a person writes it, to the whole unit: £1,234,567, -€12,345, 1,000 CHF."""
    value = _value(x)
    if value is None:
        return NOT_AVAILABLE
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    return _with_currency(sign, f"{abs(value):,.0f}", currency)


def amount(x: float, currency: str = "GBP") -> str:
    """An amount with its pence (cents) where it has any: £1.53, £1, £12,345.60."""
    body = f"{abs(x):,.0f}" if x == round(x) else f"{abs(x):,.2f}"
    return _with_currency("-" if x < 0 else "", body, currency)


def pence(x: float, currency: str = "GBP") -> str:
    """An amount always to the penny (cent), as a unit cost is published: £63.50, £1,234.00."""
    return _with_currency("-" if x < 0 else "", f"{abs(x):,.2f}", currency)


def compact_money(x: float | None, currency: str = "GBP") -> str:
    """£1.23m, £450k, €1.05bn: for key-figure tiles, where a full figure would not fit."""
    value = _value(x)
    if value is None:
        return NOT_AVAILABLE
    a = abs(value)
    if a >= 1e9:
        body = f"{a / 1e9:.2f}bn"
    elif a >= 1e6:
        body = f"{a / 1e6:.2f}m"
    elif a >= 1e4:
        body = f"{a / 1e3:.0f}k"
    else:
        body = f"{a:,.0f}"
    return _with_currency("-" if value < 0 else "", body, currency)


def money_in(currency: str) -> Callable[[Any], str]:
    """money() for one currency, as a cell formatter for a table."""

    def cell(x: Any) -> str:
        return money(x, currency)

    return cell


def money_columns(df: pd.DataFrame, currency: str, skip: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of a table with its number columns (all but `skip`) as money text, empty cells as n/a.

    What a finance officer expects to read: £1,234, not 1234.5678 or None.
    """
    out = df.copy()
    skip = set(skip)
    for c in out.columns:
        if c in skip:
            continue
        values = out[c]
        numbers = values.dtype.kind in "fi" or (
            values.dtype == object
            and all(missing(v) or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values)
        )
        if numbers:
            out[c] = [money(v, currency) for v in values]
    return out


def money_axis_label(currency: str) -> str:
    """A Vega expression writing an axis value as compact money in the currency: £1.2M, -€300k, 5M CHF."""
    symbol = currency_symbol(currency)
    if symbol:
        return f"(datum.value < 0 ? '-{symbol}' : '{symbol}') + format(abs(datum.value), '~s')"
    return f"(datum.value < 0 ? '-' : '') + format(abs(datum.value), '~s') + ' {currency}'"


# --- rates, shares, ratios ------------------------------------------------------------------


def pct(x: float | None, decimals: int = 1) -> str:
    """A share as a commissioner writes it: 0.735 -> 73.5%, 0.7 -> 70%."""
    value = _value(x)
    if value is None:
        return NOT_AVAILABLE
    text = f"{value * 100:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def rate(x: float | None) -> str:
    """A return such as an IRR, always to one decimal place: 0.0712 -> 7.1%."""
    value = _value(x)
    return NOT_AVAILABLE if value is None else f"{value:.1%}"


irr_text = rate


def multiple(x: float | None) -> str:
    """A money multiple: 1.2345 -> 1.23x."""
    value = _value(x)
    return NOT_AVAILABLE if value is None else f"{value:.2f}x"


def ratio(x: float | None) -> str:
    """A benefit-cost ratio to two places; with no costs there is no ratio yet."""
    value = _value(x)
    return "No costs yet" if value is None else f"{value:.2f}"


def number(x: float, decimals: int = 1) -> str:
    """A count, such as outcomes achieved: 1234.56 -> 1,234.6."""
    return f"{x:,.{decimals}f}"


def m_value(x: float | None) -> str:
    """A performance level m at which a position breaks even (none: it never does on the range searched)."""
    value = _value(x)
    return "never (m from 0 to 3)" if value is None else f"{value:.2f}"


# --- payback ------------------------------------------------------------------------------


def payback(year_index: int | None, start_year: int | None = None) -> str:
    if year_index is None:
        return "Not within the horizon"
    if start_year is None:
        return f"Year {year_index}"
    return f"Year {year_index} ({start_year + year_index})"


def nothing_yet(result: dict) -> bool:
    """A programme with no costs and no savings yet (a blank one): its payback is 'not yet', not 'never'."""
    return result["payback_year"] is None and result["pv_costs"] == 0 and result["pv_fiscal"] == 0


def payback_of(result: dict, start_year: int | None = None) -> str:
    return "Not yet: no costs or savings" if nothing_yet(result) else payback(result["payback_year"], start_year)


# --- a headline figure, whichever kind -----------------------------------------------------


def format_figure(key: str, value: Any, start_year: int | None = None, currency: str = "GBP") -> str:
    """A headline figure by its key in evaluate(): ratios, the payback year, else money."""
    if key.startswith("bcr"):
        return ratio(value)
    if key == "payback_year":
        return payback(value, start_year)
    return money(value, currency)


def format_metric(name: str, value: float | None, currency: str = "GBP") -> str:
    """A simulated metric (uncertainty): the investor's IRR as a rate, ratios, else money."""
    if missing(value):
        return NOT_AVAILABLE
    if name == "investor_irr":
        return rate(value)
    if name.startswith("bcr"):
        return ratio(value)
    return money(value, currency)


def risk_cell(figure: str, value: Any, currency: str = "GBP") -> str:
    """One cell of the low / central / high table: a return as a rate, the multiple as 1.23x, else money."""
    if figure.startswith("Investor IRR"):
        return rate(value)
    if figure == "Investor multiple":
        return multiple(value)
    return money(value, currency)
