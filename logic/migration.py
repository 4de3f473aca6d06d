"""What opening a format-1 snapshot changes, in figures and in words.

Format 2 keeps every format-1 meaning but one (DESIGN.md "Outcome payments"):
outcome payments that fall after the horizon, owed for outcomes achieved
within it, now count in every contract figure; format 1 left them out. When a
format-1 file has such payments, the app says so once, with how far each
party's position moved: `evaluate(sc)` against `evaluate(sc, cut_at_horizon=True)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .evaluation import Evaluation, evaluate
from .model import Scenario
from .presentation import money
from .snapshots import FORMAT_V1, read_yaml, source_format

# Moves smaller than a penny are rounding, not a change anyone should be told about.
PENNY = 0.005


@dataclass(frozen=True)
class PartyMove:
    party: str
    name: str
    before: float  # position as format 1 computed it (PV, real)
    after: float  # position now

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class HorizonNotice:
    """A format-1 file whose outcome payments run past the horizon: what counting them changes."""

    beyond: float  # cash paid after the horizon, now counted
    last_year: int  # the last year appraised
    paid_until: int  # the last year with an outcome payment
    price_base: str
    currency: str
    moves: list[PartyMove]
    public_before: float
    public_after: float

    def sentences(self) -> list[str]:
        """One plain sentence per party whose position moved, then the public sector's."""
        lines = [_moved(m.name, m.before, m.after, self.currency) for m in self.moves if abs(m.change) > PENNY]
        if abs(self.public_after - self.public_before) > PENNY:
            lines.append(_moved("The public sector as a whole", self.public_before, self.public_after, self.currency))
        return lines

    def text(self) -> str:
        """The notice as markdown: what changed, why, and by how much for each party."""
        years = f"in {self.paid_until}" if self.paid_until == self.last_year + 1 else f"up to {self.paid_until}"
        head = (
            f"**This file was written in the older format 1, which left out outcome payments due after the "
            f"horizon. The figures now count them.** {money(self.beyond, self.currency)} of outcome payments "
            f"fall after {self.last_year}, the last year appraised ({years}): they are owed for outcomes achieved "
            f"within the horizon, so they are part of what each party pays and receives. Positions are present "
            f"values in real terms, {self.price_base}."
        )
        lines = self.sentences()
        unchanged = [m.name for m in self.moves if abs(m.change) <= PENNY]
        if unchanged:
            lines.append("Unchanged: " + ", ".join(unchanged) + ".")
        return head + "\n\n" + "\n".join(f"- {line}" for line in lines)


def _moved(name: str, before: float, after: float, currency: str) -> str:
    change = after - before
    way = "up" if change > 0 else "down"
    return (
        f"{name}: {money(after, currency)} now, {money(before, currency)} before "
        f"({way} {money(abs(change), currency)})."
    )


def written_format(source: str | bytes | Path) -> str | None:
    """The format a snapshot (YAML text, bytes or a path) was written in, or None if it cannot be read."""
    try:
        data = Path(source).read_bytes() if isinstance(source, Path) else source
        return source_format(read_yaml(data))
    except Exception:  # the scenario itself was loaded already; a notice must never stop it opening
        return None


def horizon_notice(sc: Scenario, fmt: str | None, now: Evaluation | None = None) -> HorizonNotice | None:
    """The notice for a scenario loaded from a file in format `fmt`; None unless format 1 with late payments."""
    if fmt != FORMAT_V1:
        return None
    now = now or evaluate(sc)
    beyond = now.figures["contract"]["payments_beyond_horizon"]
    if beyond <= PENNY:
        return None
    before = evaluate(sc, cut_at_horizon=True)
    names = {a.id: a.name for a in sc.agencies} | {"provider": "Provider", "investor": "Social investor"}
    old, new = before.figures["contract"]["parties"], now.figures["contract"]["parties"]
    paid = [y for y, x in zip(now.figures["contract"]["years"], now.figures["contract"]["payments_by_year"]) if x > 0]
    return HorizonNotice(
        beyond=beyond,
        last_year=sc.settings.start_year + sc.settings.horizon_years - 1,
        paid_until=paid[-1],
        price_base=now.figures["price_base"],
        currency=sc.settings.currency,
        moves=[PartyMove(p, names.get(p, p), old[p], new[p]) for p in new],
        public_before=before.figures["financial"]["public_sector_position"],
        public_after=now.figures["financial"]["public_sector_position"],
    )


def opening_notice(source: str | bytes | Path, sc: Scenario) -> HorizonNotice | None:
    """The notice to show when `sc` has just been opened from `source`, or None."""
    return horizon_notice(sc, written_format(source))
