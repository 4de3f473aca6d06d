"""Reading a place file and the programmes it names, with a clear line for every problem.

A programme is a scenario file, by path relative to the place file, or a saved scenario in the store, found
by a `Resolver` the caller passes (the app and the command line pass the store's). Each programme is held as
the place evaluates it: its own file's settings, except the start year (the place's entry), the price base
and inflation (the place's), and its intake times the entry's scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .model import Problem, Scenario
from .place_model import FORMAT_PLACE, Place, ProgrammeEntry, place_problems, repeated_programmes
from .problem_words import MAX_PROBLEMS, ScenarioError, kind, pydantic_problems, short
from .snapshots import is_path, parse_scenario, read_document

# (saved name, version or None for the latest) -> the scenario; raises ScenarioError or LookupError.
Resolver = Callable[[str, int | None], Scenario]


class PlaceError(ScenarioError):
    """Every kind of bad place input: a list of Problems, each with its location (as ScenarioError)."""


@dataclass(frozen=True)
class LoadedPlace:
    """A valid place with its programmes read: `originals` as their files hold them, `programmes` as evaluated."""

    place: Place
    originals: list[Scenario]
    programmes: list[Scenario] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_place_document(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("format") == FORMAT_PLACE


def parse_place(doc: Any) -> Place:
    """Validate a parsed document into a Place (its own rules only), or raise PlaceError."""
    if doc is None:
        raise PlaceError([Problem("file", "is empty")])
    if not isinstance(doc, dict):
        raise PlaceError([Problem("file", f"must be a mapping of keys to values, got {kind(doc)}")])
    if doc.get("format") != FORMAT_PLACE:
        raise PlaceError(
            [Problem("format", f"must be '{FORMAT_PLACE}' for a place file, got {short(doc.get('format'))}")]
        )
    try:
        place = Place.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise PlaceError(
            pydantic_problems(errors[:MAX_PROBLEMS], doc, root=Place), more=len(errors) > MAX_PROBLEMS
        ) from None
    problems = place_problems(place)
    if problems:
        raise PlaceError(problems)
    return place


def load_place(
    source: str | bytes | Path, resolver: Resolver | None = None, base_dir: Path | None = None
) -> LoadedPlace:
    """Read a place (path, YAML text or bytes) and every programme it names, or raise PlaceError.

    Programme paths are relative to the place file (to `base_dir`, else the working directory, for text).
    """
    try:
        doc = read_document(source)
    except ScenarioError as exc:
        raise PlaceError(exc.problems) from None
    if is_path(source):
        assert not isinstance(source, bytes)
        here = Path(source).resolve()
        base_dir = here.parent
    else:
        here = None
        base_dir = base_dir or Path.cwd()
    return resolve_place(parse_place(doc), base_dir, resolver, here)


def resolve_place(
    place: Place, base_dir: Path | None = None, resolver: Resolver | None = None, place_path: Path | None = None
) -> LoadedPlace:
    """Read the programmes of a valid Place, check how they join, and hold them as the place evaluates them."""
    problems: list[Problem] = []
    originals: list[Scenario] = []
    for i, entry in enumerate(place.programmes):
        try:
            originals.append(_read_programme(entry, base_dir or Path.cwd(), resolver, place_path))
        except ScenarioError as exc:
            where = f"programmes[{i}] {entry.source}"
            problems += [Problem(where, str(p) if p.where != entry.scenario else p.message) for p in exc.problems]
    if problems:
        raise PlaceError(problems)
    problems = _joining_problems(place, originals)
    if problems:
        raise PlaceError(problems)
    programmes = [as_evaluated(place, i, sc) for i, sc in enumerate(originals)]
    return LoadedPlace(place, originals, programmes, repeated_programmes(place) + _setting_notes(place, originals))


def _read_programme(
    entry: ProgrammeEntry, base_dir: Path, resolver: Resolver | None, place_path: Path | None
) -> Scenario:
    if entry.saved is not None:
        if resolver is None:
            raise ScenarioError([Problem("", "names a saved scenario, and no store is open here: use a file path")])
        try:
            return resolver(entry.saved, entry.version)
        except LookupError as exc:
            raise ScenarioError([Problem("", str(exc.args[0]) if exc.args else "is not in the store")]) from None
    assert entry.scenario is not None
    path = base_dir / entry.scenario
    if place_path is not None and path.resolve() == place_path:
        raise ScenarioError([Problem("", "is this place file itself: a place cannot include itself")])
    doc = read_document(path)
    if is_place_document(doc):
        raise ScenarioError([Problem("", "is a place file, not a scenario: a place's programmes are scenarios")])
    return parse_scenario(doc)


def _joining_problems(place: Place, originals: list[Scenario]) -> list[Problem]:
    out: list[Problem] = []
    base = place.settings.price_base
    for i, (entry, sc) in enumerate(zip(place.programmes, originals)):
        own = sc.settings.price_base_year
        if own is not None and own != base:
            out.append(
                Problem(
                    f"programmes[{i}] {entry.source}",
                    f"is in {own}/{(own + 1) % 100:02d} prices and the place in {base}/{(base + 1) % 100:02d} "
                    f"prices: rebase the programme first (set its price_base_year to {base} and its values to "
                    f"{base} prices)",
                )
            )
    named = {a for sc in originals for a in sc.agency_ids}
    for j, m in enumerate(place.fund.members):
        if m not in named:
            out.append(
                Problem(
                    f"fund.members[{j}]",
                    f"'{m}' is not an agency of any programme (agencies: {', '.join(sorted(named)) or 'none'})",
                )
            )
    return out


def _setting_notes(place: Place, originals: list[Scenario]) -> list[str]:
    notes = []
    for i, sc in enumerate(originals):
        if sc.settings.inflation != place.settings.inflation:
            notes.append(
                f"Programme {i + 1} ({sc.name}) assumes inflation of {sc.settings.inflation:.1%} a year; the place's "
                f"{place.settings.inflation:.1%} is used for it, so every cash figure is on one index."
            )
        if sc.settings.currency != place.settings.currency:
            notes.append(
                f"Programme {i + 1} ({sc.name}) is in {sc.settings.currency} and the place in "
                f"{place.settings.currency}: its amounts are added as they are, not converted."
            )
    return notes


def as_evaluated(place: Place, i: int, sc: Scenario) -> Scenario:
    """Programme i as the place evaluates it: its start year, the place's prices and inflation, its scale."""
    entry = place.programmes[i]
    settings = sc.settings.model_copy(
        update={
            "start_year": place.start_of(i),
            "price_base_year": place.settings.price_base,
            "inflation": place.settings.inflation,
        }
    )
    cohort = sc.cohort.model_copy(update={"intake": [x * entry.scale for x in sc.cohort.intake]})
    return sc.model_copy(update={"settings": settings, "cohort": cohort})
