"""The words of a place's board report (logic.export.place_report), beside logic.place_text's names.

Constants only: sentences with {fields} the report fills in, and what each extra figure means.
"""

from __future__ import annotations

KICKER = "A place: programmes and a pooled fund"
TITLE = "Place report: {name}"

# The bridge and the year the fund pays its own way, in words.
BRIDGE = (
    "The fund is overdrawn by up to {bridge}, at the end of {year}: that is the bridge the place must find "
    "(and pay interest on) before the savings arrive."
)
NO_BRIDGE = (
    "The fund is never overdrawn: what the members pay in and the savings paid back cover what it pays out in "
    "every year, so no bridge is needed."
)
SUSTAINING = (
    "From {year} the fund pays its own way: in every year to {last}, the savings paid in cover what it pays "
    "out and any interest, without the members' contributions."
)
NOT_SUSTAINING = (
    "The fund does not pay its own way within the calendar ({first} to {last}): as late as {year}, the savings "
    "paid in do not cover what it pays out and any interest without the members' contributions."
)
CLOSING_HELD = "At the end of {last} it holds {closing}."
CLOSING_OWED = "At the end of {last} it is still overdrawn by {closing}."

FUND_INTRO = (
    "The members pay contributions in; the fund pays {items} for them; each member keeps {kept} of the cashable "
    "savings it banks, and the rest is paid into the fund {lag} after it is banked, once audited. A negative "
    "balance costs {bridge_rate} a year; a positive one earns {balance_rate}."
)
LAG_WORDS = {0: "in the same year", 1: "a year"}
LAG_YEARS = "{n} years"
FUND_TABLE_NOTE = (
    "Interest is charged (or earned) on the balance at the start of each year. The year of the lowest balance is "
    "marked; shaded years are those from which the fund pays its own way."
)
CONTRIBUTIONS_NOTE = "What each member pays into the fund, by year (years with no contribution are left out)."

AGENCIES_INTRO = (
    "What each agency gains or pays over the whole calendar, in cash. A member keeps its share of its cashable "
    "savings and pays its contributions and any costs the fund does not pay; any other agency keeps its own "
    "financial case: its cashable savings less everything it pays. 'On its own' is the same agency without the "
    "fund: its cashable savings less all its cash costs."
)
MEMBER = "Member of the fund"
NOT_MEMBER = "Not a member"
NET_CASH_NOTE = "Each agency's net cash, year by year. Agencies with no cash in any year ({names}) are left out."
NET_CASH_ALL = "Each agency's net cash, year by year."

ECONOMIC_INTRO = (
    "Is it worth it, for the place as a whole? Every programme's costs and benefits on the place's calendar, real, "
    "discounted to {first} at the place's rate, each line with its own discount factors."
)
ECONOMIC_VERDICT_GAIN = "Together the programmes create {npv} more public value than they cost (present value)."
ECONOMIC_VERDICT_LOSS = "Together the programmes cost {npv} more than the public value they create (present value)."
EXTRA_FIGURES = {
    "pv_economic": ("PV of economic benefits", "Output and earnings gained, real and discounted."),
    "pv_social": ("PV of social benefits", "Wellbeing and quality of life, real and discounted."),
    "bcr_public_value": ("Benefit-cost ratio (public value)", "Public value, less transfers, per unit of cost."),
}

PROGRAMMES_INTRO = (
    "Each programme on its own, with its own file's discount rate and horizon, discounted to its own first year: "
    "these figures do not add up to the combined case above, which puts every programme on the place's calendar."
)

DOUBLE_COUNTING = (
    "Programmes {i} ({first}) and {j} ({second}) both credit {agency} with savings coded {code}. Both lines stay "
    "in the totals, so the same savings may be counted twice: check that the two programmes do not claim the same "
    "people's outcomes."
)
NOTHING_TO_WARN = (
    "No double counting found (no two programmes credit the same agency with the same unit-cost code) and no "
    "other warnings."
)
SHA_NOTE = (
    "The hash of the place file as the app writes it: export the place again and compare, to check this report "
    "belongs to that version. The programmes are named in section 5."
)
