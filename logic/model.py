"""The scenario schema: snapshot formats 1 and 2 (see DESIGN.md).

Format 2 only adds optional keys; left out, each means what format 1 meant.
A format-1 file is read into the same model and written back as format 2.

Pydantic models with ``extra="forbid"`` so a misspelt key is an error, strict
numbers so ``"0.5"`` is not quietly read as 0.5, and finite-only floats.
Cross-field rules (ids exist, shares sum to 1, ...) live in
``reference_problems``; ``logic.snapshots.parse_scenario`` runs both and is the
only way a Scenario should be made from outside data.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

FORMAT_V1 = "toc-business-case/1"
FORMAT_V2 = "toc-business-case/2"
FORMATS = (FORMAT_V1, FORMAT_V2)
PROVIDER = "provider"  # the reserved cost payer for delivery costs
INVESTOR = "investor"  # the cost payer for a bond's own costs (fund management, say)

Stage = Literal["need", "activity", "outcome", "impact"]
Strength = Literal["strong", "medium", "weak"]
BenefitType = Literal["fiscal", "economic", "social"]
ContractType = Literal["none", "fee_for_service", "payment_by_results", "social_impact_bond"]
PaymentBasis = Literal["gross", "above_baseline"]
DiscountSchedule = Literal["constant", "green_book"]
AgencyKind = Literal["public", "donor", "people"]
IntakeTiming = Literal["start", "mid"]
DiscountKind = Literal["standard", "health"]
Indexation = Literal["none", "inflation"]

STAGES: tuple[str, ...] = ("need", "activity", "outcome", "impact")
STRENGTHS: tuple[str, ...] = ("strong", "medium", "weak")
BENEFIT_TYPES: tuple[str, ...] = ("fiscal", "economic", "social")
CONTRACT_TYPES: tuple[str, ...] = ("none", "fee_for_service", "payment_by_results", "social_impact_bond")
PAYMENT_BASES: tuple[str, ...] = ("gross", "above_baseline")

DEFAULT_OPTIMISM_BIAS = {1: 0.0, 2: 0.05, 3: 0.10, 4: 0.15, 5: 0.25, 6: 0.40}
# Beyond this any amount is a typo or an attack, and sums of such numbers overflow.
MAX_AMOUNT = 1e15


def _fmt(x: float) -> str:
    return f"{x:g}"


def _unit_interval(x: float) -> float:
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"must be between 0 and 1, got {_fmt(x)}")
    return x


def _non_negative(x: float) -> float:
    if x < 0:
        raise ValueError(f"must be 0 or more, got {_fmt(x)}")
    if x > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT:g}, got {_fmt(x)}")
    return x


def _discount_rate(x: float) -> float:
    if not 0.0 <= x <= 0.2:
        raise ValueError(f"must be between 0 and 0.2, got {_fmt(x)}")
    return x


def _no_control(x: str) -> str:
    # An id is a short code; a line break in one would split every report that names it.
    if any(c < " " or "\x7f" <= c <= "\x9f" or c in "\u2028\u2029" for c in x):
        raise ValueError("must not contain line breaks, tabs or other control characters")
    return x


def _inflation(x: float) -> float:
    if not -0.05 <= x <= 0.5:
        raise ValueError(f"must be between -0.05 and 0.5, got {_fmt(x)}")
    return x


def _growth(x: float) -> float:
    if not -1.0 <= x <= 1.0:
        raise ValueError(f"must be between -1 and 1, got {_fmt(x)}")
    return x


_Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Fraction = Annotated[_Finite, AfterValidator(_unit_interval)]
Amount = Annotated[_Finite, AfterValidator(_non_negative)]
Rate = Annotated[_Finite, AfterValidator(_discount_rate)]
Growth = Annotated[_Finite, AfterValidator(_growth)]
Years = Annotated[int, Field(strict=True, ge=0, le=1000)]
PaymentLag = Annotated[int, Field(strict=True, ge=0, le=50)]
Inflation = Annotated[_Finite, AfterValidator(_inflation)]
Text = Annotated[str, Field(strict=True, max_length=10_000)]
Ident = Annotated[str, Field(strict=True, min_length=1, max_length=200), AfterValidator(_no_control)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Settings(_Model):
    start_year: Annotated[int, Field(strict=True, ge=1900, le=2500)]
    horizon_years: Annotated[int, Field(strict=True, ge=1, le=100)]
    discount_rate: Rate = 0.035
    discount_schedule: DiscountSchedule = "constant"
    currency: Annotated[str, Field(strict=True, max_length=10)] = "GBP"
    optimism_bias: dict[Annotated[int, Field(strict=True)], Fraction] = Field(
        default_factory=lambda: dict(DEFAULT_OPTIMISM_BIAS)
    )
    # Format 2. Prices are of price_base_year (None: the year before start_year).
    price_base_year: Annotated[int, Field(strict=True)] | None = None
    inflation: Inflation = 0.0
    health_discount_rate: Rate = 0.015

    @property
    def price_base(self) -> int:
        return self.start_year - 1 if self.price_base_year is None else self.price_base_year


class Agency(_Model):
    id: Ident
    name: Text
    kind: AgencyKind = "public"


class Cohort(_Model):
    intake: Annotated[list[Amount], Field(min_length=1)]
    engagement_rate: Fraction
    intake_timing: IntakeTiming = "start"


class CostLine(_Model):
    item: Text
    payer: Ident
    setup: Amount = 0.0
    per_year: Amount = 0.0
    per_participant: Amount = 0.0
    evidence_grade: Annotated[int, Field(strict=True)] | None = None  # None: no optimism-bias uplift
    profile: list[Amount] | None = None  # extra amounts by year index


class Benefit(_Model):
    agency: Ident
    value: Amount
    type: BenefitType
    cashable: Fraction = 1.0
    transfer: Annotated[bool, Field(strict=True)] = False
    discount: DiscountKind = "standard"
    code: Annotated[str, Field(strict=True, max_length=100)] | None = None


def _coordinate(x: float) -> float:
    if not -MAX_COORDINATE <= x <= MAX_COORDINATE:
        raise ValueError(f"must be between {-MAX_COORDINATE:g} and {MAX_COORDINATE:g}, got {_fmt(x)}")
    return x


MAX_COORDINATE = 100_000.0  # far beyond any map a room draws; stops a typo from making a drawing miles wide
Coordinate = Annotated[_Finite, AfterValidator(_coordinate)]


class Position(_Model):
    """Where the room put a box on the map (the drawing's units: the report's pixels at 100%)."""

    x: Coordinate
    y: Coordinate


class Node(_Model):
    id: Ident
    stage: Stage
    label: Text
    notes: Text | None = None
    # need
    population: Amount | None = None
    unit_cost: Amount | None = None
    growth_rate: Growth | None = None
    agency: Ident | None = None
    # activity
    costs: list[CostLine] = Field(default_factory=list)
    # outcome
    indicator: Text | None = None
    data_source: Text | None = None
    accountable: Annotated[bool, Field(strict=True)] = True
    rate_with: Fraction | None = None
    rate_without: Fraction | None = None
    attribution: Fraction = 1.0
    displacement: Fraction = 0.0
    evidence_grade: Annotated[int, Field(strict=True)] = 3
    lag_years: Years = 0
    duration_years: Years = 1
    drop_off: Fraction = 0.0
    price: Amount = 0.0
    payment_lag_years: PaymentLag | None = None  # None: the contract's lag
    payment_cap: Amount | None = None
    benefits: list[Benefit] = Field(default_factory=list)
    # Layout only (optional, any format): never changes a figure. None: the map places the box itself.
    position: Position | None = None


class Edge(_Model):
    source: Ident
    target: Ident
    assumption: Text | None = None
    evidence: Text | None = None
    strength: Strength = "medium"


class OutcomePayer(_Model):
    agency: Ident
    share: Fraction


class Contract(_Model):
    type: ContractType = "none"
    payment_basis: PaymentBasis = "above_baseline"
    payment_lag_years: PaymentLag = 1
    cap: Amount | None = None
    provider_margin: Fraction = 0.0
    outcome_payers: list[OutcomePayer] = Field(default_factory=list)
    indexation: Indexation = "none"
    fixed_share: Fraction = 0.0


Dist = Literal["triangular", "uniform", "normal", "pert"]
DISTS: tuple[str, ...] = ("triangular", "uniform", "normal", "pert")


def _rho(x: float) -> float:
    if not -1.0 <= x <= 1.0:
        raise ValueError(f"must be between -1 and 1, got {_fmt(x)}")
    return x


class MixtureComponent(_Model):
    """One opinion in a linear pool: a distribution as a parameter has, and its weight."""

    dist: Dist
    low: _Finite
    high: _Finite
    mode: _Finite | None = None
    sd: _Finite | None = None
    weight: Fraction


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class UncertainParameter(_Model):
    """An input drawn in the Monte Carlo.

    `dist: mixture` is a linear opinion pool of `components` (weights sum to 1;
    checked in logic.uncertainty.parameter_problems). A mixture's low and high
    may be left out: they are then its components' lowest low and highest high
    (the range the tornado uses); mode and sd are not used by a mixture.
    """

    path: Ident
    dist: Literal["triangular", "uniform", "normal", "pert", "mixture"]
    low: _Finite
    high: _Finite
    mode: _Finite | None = None
    sd: _Finite | None = None
    components: Annotated[list[MixtureComponent], Field(min_length=1, max_length=1000)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _mixture_range(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("dist") != "mixture" or not isinstance(data.get("components"), list):
            return data
        parts = [c if isinstance(c, dict) else getattr(c, "__dict__", {}) for c in data["components"]]
        lows: list[float] = [c["low"] for c in parts if _number(c.get("low"))]
        highs: list[float] = [c["high"] for c in parts if _number(c.get("high"))]
        data = dict(data)
        # Without a usable component the components' own problems are reported; 0 only stands in.
        if "low" not in data:
            data["low"] = min(lows) if lows else 0.0
        if "high" not in data:
            data["high"] = max(highs) if highs else 0.0
        return data


class Correlation(_Model):
    """Two uncertain parameters drawn together: rho is the rank (Spearman) correlation of their draws."""

    a: Ident
    b: Ident
    rho: Annotated[_Finite, AfterValidator(_rho)]


class Uncertainty(_Model):
    draws: Annotated[int, Field(strict=True, ge=1, le=1_000_000)] = 10_000
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    parameters: list[UncertainParameter] = Field(default_factory=list)
    # None (left out) means every parameter is drawn independently, as in format 1.
    correlations: Annotated[list[Correlation], Field(max_length=10_000)] | None = None


class LogEntry(_Model):
    """One edit in the assumptions log: what changed, from what, to what, when and by whom."""

    when: Annotated[str, Field(strict=True, max_length=40)]
    what: Text
    path: Text | None = None
    before: Text | None = None
    after: Text | None = None
    by: Text | None = None


class Scenario(_Model):
    format: Literal["toc-business-case/1", "toc-business-case/2"]
    name: Annotated[str, Field(strict=True, min_length=1, max_length=500)]
    description: Text | None = None
    settings: Settings
    agencies: Annotated[list[Agency], Field(min_length=1)]
    cohort: Cohort
    nodes: list[Node]
    edges: list[Edge] = Field(default_factory=list)
    contract: Contract = Field(default_factory=Contract)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    # The assumptions log travels with the snapshot; it never changes a figure.
    log: list[LogEntry] = Field(default_factory=list)

    # Convenience views used across logic/ ------------------------------
    def nodes_of(self, stage: str) -> list[Node]:
        return [n for n in self.nodes if n.stage == stage]

    @property
    def outcomes(self) -> list[Node]:
        return self.nodes_of("outcome")

    @property
    def agency_ids(self) -> list[str]:
        return [a.id for a in self.agencies]

    def optimism_bias_for(self, grade: int) -> float:
        return self.settings.optimism_bias[grade]


class Problem(tuple):
    """(location, message); a tuple so it sorts and compares simply."""

    def __new__(cls, where: str, message: str):
        return super().__new__(cls, (where, message))

    @property
    def where(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def node_where(index: int, node_id: str | None) -> str:
    return f"nodes[{index}] {node_id}" if node_id else f"nodes[{index}]"


def _grade_problem(grade: int, table: dict[int, float]) -> str:
    if table:
        grades = ", ".join(str(g) for g in sorted(table))
        return f"evidence_grade must be one of {grades} (the grades in settings.optimism_bias), got {grade}"
    return f"evidence_grade {grade} has no optimism bias: settings.optimism_bias is empty"


def reference_problems(sc: Scenario) -> list[Problem]:
    """Rules that join one part of the scenario to another."""
    out: list[Problem] = []
    s = sc.settings
    agencies = set()
    for i, a in enumerate(sc.agencies):
        if a.id in agencies:
            out.append(Problem(f"agencies[{i}]", f"duplicate agency id '{a.id}'"))
        if a.id == PROVIDER:
            out.append(Problem(f"agencies[{i}]", f"'{PROVIDER}' is reserved for delivery costs; choose another id"))
        if a.id == INVESTOR and sc.contract.type == "social_impact_bond":
            out.append(
                Problem(f"agencies[{i}]", f"'{INVESTOR}' is reserved for the bond's investor; choose another id")
            )
        agencies.add(a.id)

    if s.price_base_year is not None and abs(s.price_base_year - s.start_year) > 50:
        out.append(
            Problem(
                "settings.price_base_year",
                f"must be within 50 years of start_year ({s.start_year}), got {s.price_base_year}",
            )
        )
    if len(sc.cohort.intake) > s.horizon_years:
        out.append(
            Problem(
                "cohort.intake",
                f"has {len(sc.cohort.intake)} years but the horizon is {s.horizon_years} years",
            )
        )

    seen: set[str] = set()
    for i, n in enumerate(sc.nodes):
        where = node_where(i, n.id)
        if n.id in seen:
            out.append(Problem(where, f"duplicate node id '{n.id}'"))
        seen.add(n.id)
        if n.agency is not None and n.agency not in agencies:
            out.append(Problem(where, f"agency '{n.agency}' is not in agencies"))
        for j, c in enumerate(n.costs):
            line = f"{where} costs[{j}]"
            if c.payer == INVESTOR and INVESTOR not in agencies:
                if sc.contract.type != "social_impact_bond":
                    out.append(
                        Problem(
                            line,
                            f"payer 'investor' is only possible under a social impact bond (the contract is {sc.contract.type})",
                        )
                    )
            elif c.payer != PROVIDER and c.payer not in agencies:
                out.append(Problem(line, f"payer '{c.payer}' is not 'provider', 'investor' or an agency id"))
            if c.evidence_grade is not None and c.evidence_grade not in s.optimism_bias:
                out.append(Problem(line, _grade_problem(c.evidence_grade, s.optimism_bias)))
            if c.profile is not None and len(c.profile) > s.horizon_years:
                out.append(
                    Problem(
                        f"{line}.profile",
                        f"has {len(c.profile)} years but the horizon is {s.horizon_years} years",
                    )
                )
        for j, b in enumerate(n.benefits):
            if b.agency not in agencies:
                out.append(Problem(f"{where} benefits[{j}]", f"agency '{b.agency}' is not in agencies"))
            if b.transfer and b.type != "fiscal":
                out.append(
                    Problem(
                        f"{where} benefits[{j}]",
                        f"transfer is only for fiscal lines (a benefit payment no longer made), not {b.type}",
                    )
                )
        if n.stage == "outcome":
            if n.rate_with is None:
                out.append(Problem(where, "rate_with is required for an outcome"))
            if n.rate_without is None:
                out.append(Problem(where, "rate_without is required for an outcome (the counterfactual)"))
        # Only outcomes use a grade; on other nodes it is checked only where written.
        if (n.stage == "outcome" or "evidence_grade" in n.model_fields_set) and n.evidence_grade not in s.optimism_bias:
            out.append(Problem(where, _grade_problem(n.evidence_grade, s.optimism_bias)))
        if n.costs and n.stage != "activity":
            out.append(Problem(where, "only activities have costs"))
        if n.benefits and n.stage != "outcome":
            out.append(Problem(where, "only outcomes have benefits"))

    for i, e in enumerate(sc.edges):
        for end in ("source", "target"):
            ref = getattr(e, end)
            if ref not in seen:
                out.append(Problem(f"edges[{i}]", f"{end} '{ref}' is not a node id"))

    k = sc.contract
    payers: set[str] = set()
    for i, p in enumerate(k.outcome_payers):
        if p.agency not in agencies:
            out.append(Problem(f"contract.outcome_payers[{i}]", f"agency '{p.agency}' is not in agencies"))
        if p.agency in payers:
            out.append(Problem(f"contract.outcome_payers[{i}]", f"agency '{p.agency}' is listed twice"))
        payers.add(p.agency)
    if k.outcome_payers:
        total = math.fsum(p.share for p in k.outcome_payers)
        if abs(total - 1.0) > 1e-9:
            out.append(Problem("contract.outcome_payers", f"shares must sum to 1, got {total:g}"))
    elif k.type in ("fee_for_service", "payment_by_results", "social_impact_bond"):
        out.append(Problem("contract.outcome_payers", f"a {k.type} contract needs at least one outcome payer"))
    return out
