"""Snapshot files: YAML in and out, with every problem reported by location.

The snapshot format is a public interface (DESIGN.md): files are kept for
years, so reading is strict (unknown keys, duplicate keys and wrong types are
errors) and limits are enforced before parsing can get expensive.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import FORMAT_V1, FORMAT_V2, FORMATS, Node, Problem, Scenario, Settings, reference_problems
from .problem_words import MAX_PROBLEMS, MAX_REPORT, ScenarioError, kind, pydantic_problems, short
from .yaml_reading import (
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_EXPANDED,
    MAX_VALUES,
    read_yaml,
    too_big,
)

# Reading YAML safely and wording problems have modules of their own; their names are kept here for callers.
__all__ = [
    "FORMAT_V1",
    "FORMAT_V2",
    "KNOWN_FORMATS",
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPANDED",
    "MAX_PROBLEMS",
    "MAX_REPORT",
    "MAX_VALUES",
    "ScenarioError",
    "dump_scenario",
    "is_path",
    "load_scenario",
    "read_document",
    "parse_scenario",
    "read_yaml",
    "scenario_to_dict",
    "snapshot_sha256",
    "source_format",
]

KNOWN_FORMATS = FORMATS


def parse_scenario(doc: Any) -> Scenario:
    """Validate a parsed document into a Scenario, or raise ScenarioError."""
    if doc is None:
        raise ScenarioError([Problem("file", "is empty")])
    if not isinstance(doc, dict):
        raise ScenarioError([Problem("file", f"must be a mapping of keys to values, got {kind(doc)}")])
    if "format" not in doc:
        raise ScenarioError([Problem("", f"format is required: the first line of a snapshot is 'format: {FORMAT_V2}'")])
    fmt = doc["format"]
    if not isinstance(fmt, str) or fmt not in KNOWN_FORMATS:
        raise ScenarioError(
            [Problem("format", f"must be '{FORMAT_V2}' (or the older '{FORMAT_V1}'), got {short(fmt)}")]
        )
    try:
        sc = Scenario.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # Only the problems that will be listed are put into words (a file can hold 50,000 typos).
        raise ScenarioError(pydantic_problems(errors[:MAX_PROBLEMS], doc), more=len(errors) > MAX_PROBLEMS) from None
    problems = reference_problems(sc)
    if problems:
        raise ScenarioError(problems)
    # The graph rules (allowed edges, no cycles) are part of validity too.
    from .toc import graph_problems
    from .uncertainty import parameter_problems

    problems = graph_problems(sc) + parameter_problems(sc)
    if problems:
        raise ScenarioError(problems)
    # Every key format 2 added means, left out, what format 1 meant: the scenario is held as format 2
    # (source_format() tells what a file was written in, for the one change of meaning).
    return sc.model_copy(update={"format": FORMAT_V2}) if sc.format != FORMAT_V2 else sc


def source_format(doc: Any) -> str | None:
    """The format a parsed snapshot document was written in, or None."""
    fmt = doc.get("format") if isinstance(doc, dict) else None
    return fmt if fmt in KNOWN_FORMATS else None


def load_scenario(source: str | bytes | Path) -> Scenario:
    """Load a scenario from a path, YAML text or bytes.

    A string is a path when it is one line and names a .yaml/.yml file or an
    existing file; otherwise it is YAML text.
    """
    return parse_scenario(read_document(source))


def is_path(source: str | bytes | Path) -> bool:
    """Whether load_scenario (or load_place) reads `source` as a file name rather than as YAML text."""
    return isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source))


def read_document(source: str | bytes | Path) -> Any:
    """The parsed YAML of a path, text or bytes, within the size limits, or ScenarioError."""
    if is_path(source):
        assert not isinstance(source, bytes)
        path = Path(source)
        try:
            size = path.stat().st_size
            # Read no more than the limit: /dev/zero or a growing file reports size 0 and never ends.
            if size <= MAX_BYTES:  # a larger file is refused unread, so 50 MB costs nothing
                with path.open("rb") as f:
                    data = f.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ScenarioError([Problem(str(path), f"cannot be read ({exc.strerror or exc})")]) from None
        except ValueError as exc:  # e.g. a NUL character in the name
            raise ScenarioError([Problem("file", f"is not a usable file name ({exc})")]) from None
        if size > MAX_BYTES or len(data) > MAX_BYTES:
            raise ScenarioError([Problem(str(path), too_big(size if size > MAX_BYTES else None))])
        source = data
    assert not isinstance(source, Path)
    return read_yaml(source)


def _looks_like_path(text: str) -> bool:
    if "\n" in text or not text.strip() or len(text) > 4096:
        return False
    if text.endswith((".yaml", ".yml")):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


# --- writing ----------------------------------------------------------------


def _defaults(model: type[BaseModel]) -> dict:
    return {
        name: f.get_default(call_default_factory=True) for name, f in model.model_fields.items() if not f.is_required()
    }


_NODE_DEFAULTS = _defaults(Node)
# Format 2's own keys are written only where they differ from their default, so a file that uses none
# of them reads as format 1 did.
_V2_DEFAULTS = {
    "settings": {k: v for k, v in _defaults(Settings).items() if k in ("inflation", "health_discount_rate")},
    "agency": {"kind": "public"},
    "cohort": {"intake_timing": "start"},
    "cost": {"evidence_grade": None, "profile": None},
    "benefit": {"transfer": False, "discount": "standard"},
    "contract": {"indexation": "none", "fixed_share": 0.0},
}


def _drop(record: dict, defaults: dict) -> dict:
    return {k: v for k, v in record.items() if not (k in defaults and v == defaults[k])}


def scenario_to_dict(sc: Scenario) -> dict:
    """The snapshot as plain data (always format 2): optional keys left at their default are left out."""
    doc = sc.model_dump(mode="python", exclude_none=True)
    doc["format"] = FORMAT_V2
    doc["settings"] = _drop(doc["settings"], _V2_DEFAULTS["settings"])
    doc["agencies"] = [_drop(a, _V2_DEFAULTS["agency"]) for a in doc["agencies"]]
    doc["cohort"] = _drop(doc["cohort"], _V2_DEFAULTS["cohort"])
    doc["contract"] = _drop(doc["contract"], _V2_DEFAULTS["contract"])
    nodes = []
    for node in doc["nodes"]:
        node = _drop(node, _NODE_DEFAULTS)
        if "costs" in node:
            node["costs"] = [_drop(c, _V2_DEFAULTS["cost"]) for c in node["costs"]]
        if "benefits" in node:
            node["benefits"] = [_drop(b, _V2_DEFAULTS["benefit"]) for b in node["benefits"]]
        nodes.append(node)
    doc["nodes"] = nodes
    if not doc.get("log"):
        doc.pop("log", None)
    return doc


class _Dumper(yaml.SafeDumper):
    """SafeDumper that keeps every string exact on the way back in."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # YAML reads NEL (U+0085) in plain and block text as a line break, so such
    # text would not come back as it went out; double quotes escape it.
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_scenario(sc: Scenario) -> str:
    """Canonical YAML text of a scenario (stable: same scenario, same bytes)."""
    return yaml.dump(scenario_to_dict(sc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def snapshot_sha256(sc: Scenario) -> str:
    return hashlib.sha256(dump_scenario(sc).encode("utf-8")).hexdigest()
