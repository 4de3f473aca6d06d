"""The place file (format toc-place/1): several programmes and a pooled fund. See DESIGN.md, "A place".

As for scenarios: pydantic models with unknown keys refused and strict numbers, and the rules that join
one part of the file to another in `place_problems`. A programme is named by a path (relative to the place
file) or, in the app, by a saved scenario's name and version in the store.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from .model import (
    DiscountSchedule,
    Ident,
    Inflation,
    Problem,
    Rate,
    Text,
    _Finite,
    _fmt,
    _Model,
    _unit_interval,
)

FORMAT_PLACE = "toc-place/1"
PAYS_FOR: tuple[str, ...] = ("own_costs", "funding", "outcome_payments")
PaysFor = Literal["own_costs", "funding", "outcome_payments"]
MAX_PROGRAMMES = 100


def _fund_rate(x: float) -> float:
    if not 0.0 <= x <= 0.2:
        raise ValueError(f"must be between 0 and 0.2, got {_fmt(x)}")
    return x


def _scale(x: float) -> float:
    if not 0.0 <= x <= 100.0:
        raise ValueError(f"must be between 0 and 100, got {_fmt(x)}")
    return x


def _money(x: float) -> float:
    if abs(x) > 1e15:
        raise ValueError(f"must be at most 1e15 either way, got {_fmt(x)}")
    return x


FundRate = Annotated[_Finite, AfterValidator(_fund_rate)]
Share = Annotated[_Finite, AfterValidator(_unit_interval)]
Scale = Annotated[_Finite, AfterValidator(_scale)]
Balance = Annotated[_Finite, AfterValidator(_money)]
Year = Annotated[int, Field(strict=True, ge=1900, le=2500)]


class PlaceSettings(_Model):
    start_year: Year
    horizon_years: Annotated[int, Field(strict=True, ge=1, le=100)]
    discount_rate: Rate = 0.035
    discount_schedule: DiscountSchedule = "constant"
    health_discount_rate: Rate = 0.015
    currency: Annotated[str, Field(strict=True, max_length=10)] = "GBP"
    price_base_year: Annotated[int, Field(strict=True)] | None = None
    inflation: Inflation = 0.0

    @property
    def price_base(self) -> int:
        return self.start_year - 1 if self.price_base_year is None else self.price_base_year


class ProgrammeEntry(_Model):
    """One programme of the place: a scenario file by path, or a saved scenario (and version) in the store."""

    scenario: Annotated[str, Field(strict=True, min_length=1, max_length=4096)] | None = None
    saved: Annotated[str, Field(strict=True, min_length=1, max_length=200)] | None = None
    version: Annotated[int, Field(strict=True, ge=1)] | None = None  # with saved: [the latest]
    start_year: Year | None = None  # [the place's start_year]
    scale: Scale = 1.0

    @model_validator(mode="after")
    def _one_source(self) -> ProgrammeEntry:
        if (self.scenario is None) == (self.saved is None):
            raise ValueError("give either scenario (a file) or saved (a saved scenario's name), not both or neither")
        if self.version is not None and self.saved is None:
            raise ValueError("version goes with saved (a saved scenario); a file has no versions")
        return self

    @property
    def source(self) -> str:
        """How the programme is named in messages: its file, or 'saved NAME (version N)'."""
        if self.scenario is not None:
            return self.scenario
        return f"saved scenario '{self.saved}'" + (f" version {self.version}" if self.version else "")


def _all_items() -> list[PaysFor]:
    return ["own_costs", "funding", "outcome_payments"]


class Contribution(_Model):
    agency: Ident
    by_year: Annotated[list[Balance], Field(max_length=200)] = Field(default_factory=list)


class Fund(_Model):
    members: Annotated[list[Ident], Field(max_length=200)] = Field(default_factory=list)
    opening_balance: Balance = 0.0
    contributions: Annotated[list[Contribution], Field(max_length=200)] = Field(default_factory=list)
    pays_for: list[PaysFor] = Field(default_factory=_all_items)
    savings_returned: Share = 0.0
    savings_lag_years: Annotated[int, Field(strict=True, ge=0, le=5)] = 1
    bridge_rate: FundRate = 0.0
    balance_rate: FundRate = 0.0


class Place(_Model):
    format: Literal["toc-place/1"]
    name: Text
    description: Text = ""
    settings: PlaceSettings
    programmes: Annotated[list[ProgrammeEntry], Field(min_length=1, max_length=MAX_PROGRAMMES)]
    fund: Fund = Field(default_factory=Fund)

    def start_of(self, i: int) -> int:
        entry = self.programmes[i]
        return self.settings.start_year if entry.start_year is None else entry.start_year


def place_problems(place: Place) -> list[Problem]:
    """Rules within the place file itself (the programmes' own rules are checked when they are read)."""
    out: list[Problem] = []
    s, fund = place.settings, place.fund
    if s.price_base_year is not None and abs(s.price_base_year - s.start_year) > 50:
        out.append(
            Problem(
                "settings.price_base_year",
                f"must be within 50 years of start_year ({s.start_year}), got {s.price_base_year}",
            )
        )
    for i, entry in enumerate(place.programmes):
        if entry.start_year is not None and entry.start_year < s.start_year:
            out.append(
                Problem(
                    f"programmes[{i}] {entry.source}",
                    f"starts in {entry.start_year}, before the place ({s.start_year}): "
                    "move the programme's start_year or the place's",
                )
            )
    for j, m in enumerate(fund.members):
        if m in fund.members[:j]:
            out.append(Problem(f"fund.members[{j}]", f"'{m}' is listed twice"))
    for j, c in enumerate(fund.contributions):
        if c.agency not in fund.members:
            members = ", ".join(fund.members) or "none yet"
            out.append(
                Problem(
                    f"fund.contributions[{j}]",
                    f"agency '{c.agency}' is not a member of the fund (members: {members}); "
                    "add it to fund.members or remove its contributions",
                )
            )
        if any(x.agency == c.agency for x in fund.contributions[:j]):
            out.append(Problem(f"fund.contributions[{j}]", f"agency '{c.agency}' has contributions listed twice"))
    for j, item in enumerate(fund.pays_for):
        if item in fund.pays_for[:j]:
            out.append(Problem(f"fund.pays_for[{j}]", f"'{item}' is listed twice"))
    return out


def repeated_programmes(place: Place) -> list[str]:
    """Warnings: the same scenario twice at the same start (allowed: two sites, say; but often a slip)."""
    out = []
    seen: dict[tuple, int] = {}
    for i, entry in enumerate(place.programmes):
        key = (entry.scenario, entry.saved, entry.version, place.start_of(i))
        if key in seen:
            out.append(
                f"Programmes {seen[key] + 1} and {i + 1} are the same scenario ({entry.source}) starting in "
                f"{place.start_of(i)}: both count in full. If that is one programme entered twice, remove one."
            )
        else:
            seen[key] = i
    return out
