"""Starting points for a programme of one's own: a blank scenario, or a template.

Templates are the bundled examples (logic/examples/) and the starting points in
logic/templates/: each a realistic, sourced, illustrative scenario that a room
replaces with its own figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import FORMAT_V2, Scenario
from .snapshots import load_scenario, parse_scenario

EXAMPLES = Path(__file__).parent / "examples"
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Template:
    key: str  # the file name without .yaml: what `python -m logic new --template KEY` takes
    path: Path

    def load(self) -> Scenario:
        return load_scenario(self.path)

    @property
    def name(self) -> str:
        return self.load().name

    @property
    def summary(self) -> str:
        """One line: the first sentence of the description, or the name."""
        sc = self.load()
        text = " ".join((sc.description or "").split())
        first = text.split(". ")[0].rstrip(".") if text else sc.name
        return first if len(first) <= 160 else first[:157] + "..."


def templates() -> list[Template]:
    """The bundled examples first, then the other templates, each in name order."""
    found = []
    for folder in (EXAMPLES, TEMPLATES):
        if folder.is_dir():
            found += [Template(p.stem, p) for p in sorted(folder.glob("*.yaml"))]
    return found


def template(key: str) -> Template:
    for t in templates():
        if t.key == key:
            return t
    known = ", ".join(t.key for t in templates())
    raise KeyError(f"no template called '{key}'; the templates are: {known}")


def blank_scenario(name: str = "New programme", start_year: int = 2026, horizon_years: int = 10) -> Scenario:
    """A name, the settings, one agency, no boxes yet: what a room fills in."""
    return parse_scenario(
        {
            "format": FORMAT_V2,
            "name": name,
            "description": (
                "A new programme. Start with the needs it meets (Needs page), then what it does and what that "
                "costs (Activities), the outcomes it changes and what each is worth to whom (Outcomes), and the "
                "impact they lead to (Impact)."
            ),
            "settings": {"start_year": start_year, "horizon_years": horizon_years, "discount_rate": 0.035},
            "agencies": [{"id": "council", "name": "Council"}],
            "cohort": {"intake": [0], "engagement_rate": 1.0},
            "nodes": [],
            "edges": [],
        }
    )
