"""Snapshot files: YAML in and out, with every problem reported by location.

The snapshot format is a public interface (DESIGN.md): files are kept for
years, so reading is strict (unknown keys, duplicate keys and wrong types are
errors) and limits are enforced before parsing can get expensive.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .model import FORMAT_V1, Node, Problem, Scenario, node_where, reference_problems

MAX_BYTES = 5 * 1024 * 1024  # a real scenario is a few KB; a 50 MB file is a mistake
MAX_ALIASES = 200  # anchors are legitimate; thousands of them are an alias bomb
KNOWN_FORMATS = (FORMAT_V1,)


class ScenarioError(ValueError):
    """Every kind of bad input: a list of Problems, each with its location."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and counts aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"line {mark.line + 1}: more than {MAX_ALIASES} aliases (&/*); refusing to expand")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.YAMLError(f"line {key_node.start_mark.line + 1}: a key must be a plain value")
            if key in seen:
                raise yaml.YAMLError(
                    f"line {key_node.start_mark.line + 1}: duplicate key '{key}' "
                    f"(first on line {seen[key] + 1})"
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def read_yaml(source: str | bytes) -> Any:
    """Parse one YAML document safely, or raise ScenarioError."""
    if isinstance(source, str):
        size = len(source.encode("utf-8", errors="replace"))
    else:
        size = len(source)
    if size > MAX_BYTES:
        raise ScenarioError([Problem("file", f"is {size / 1e6:.1f} MB; a snapshot may be at most {MAX_BYTES / 1e6:.0f} MB")])
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError([Problem("file", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8")]) from None
    try:
        docs = list(yaml.load_all(source, Loader=_Loader))  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem("file", _yaml_message(exc))]) from None
    except RecursionError:
        raise ScenarioError([Problem("file", "is nested too deeply")]) from None
    if len(docs) != 1:
        raise ScenarioError([Problem("file", f"must hold exactly one YAML document, found {len(docs)}")])
    return docs[0]


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        context = getattr(exc, "context", None)
        text = f"{context}, {problem}" if context else problem
        if "could not determine a constructor" in str(exc):
            text = "contains a tag that is not allowed (only plain YAML data is accepted)"
        return f"line {mark.line + 1}, column {mark.column + 1}: {text}"
    return f"is not valid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def parse_scenario(doc: Any) -> Scenario:
    """Validate a parsed document into a Scenario, or raise ScenarioError."""
    if doc is None:
        raise ScenarioError([Problem("file", "is empty")])
    if not isinstance(doc, dict):
        raise ScenarioError([Problem("file", f"must be a mapping of keys to values, got {_kind(doc)}")])
    fmt = doc.get("format")
    if fmt not in KNOWN_FORMATS:
        raise ScenarioError([Problem("format", f"must be '{FORMAT_V1}', got {fmt!r}")])
    try:
        sc = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, doc)) from None
    problems = reference_problems(sc)
    if problems:
        raise ScenarioError(problems)
    # The graph rules (allowed edges, no cycles) are part of validity too.
    from .toc import graph_problems

    problems = graph_problems(sc)
    if problems:
        raise ScenarioError(problems)
    return sc


def load_scenario(source: str | bytes | Path) -> Scenario:
    """Load a scenario from a path, YAML text or bytes."""
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise ScenarioError([Problem("file", f"is {size / 1e6:.1f} MB; a snapshot may be at most {MAX_BYTES / 1e6:.0f} MB")])
            source = path.read_bytes()
        except OSError as exc:
            raise ScenarioError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    return parse_scenario(read_yaml(source))


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


_TYPE_WORDS = {
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "int_from_float": "must be a whole number",
    "finite_number": "must be a finite number",
}


def _pydantic_problems(exc: ValidationError, doc: dict) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        where, field = _locate(err["loc"], doc, err["type"])
        problems.append(Problem(where, f"{field} {_message(err)}".strip() if field else _message(err)))
    # A union (e.g. `float | None`) reports once per member; keep one line each.
    return list(dict.fromkeys(problems))


def _locate(loc: tuple, doc: Any, err_type: str) -> tuple[str, str]:
    """Turn a pydantic location into ('nodes[2] out-stays-home benefits[0]', 'value')."""
    parts: list[str] = []
    field = ""
    current = doc
    for i, key in enumerate(loc):
        if isinstance(current, dict) and key in current:
            if field:
                parts.append(field)
            field = str(key)
            current = current[key]
        elif isinstance(current, list) and isinstance(key, int) and 0 <= key < len(current):
            item = current[key]
            if field == "nodes" and isinstance(item, dict) and isinstance(item.get("id"), str):
                parts.append(node_where(key, item["id"]))
            else:
                parts.append(f"{field}[{key}]")
            field = ""
            current = item
        elif isinstance(current, dict) and err_type == "missing" and isinstance(key, str):
            if field:
                parts.append(field)
            field = key
            break
        else:
            break
    if err_type == "extra_forbidden":
        return " ".join(parts), f"unknown key '{field}' (check the spelling; unknown keys are not allowed):"
    where = " ".join(p for p in parts if p)
    return where, field


def _message(err: dict) -> str:
    t = err["type"]
    given = err.get("input")
    if t == "missing":
        return "is required"
    if t == "extra_forbidden":
        return f"value {_short(given)}"
    if t == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if t == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, got {_short(given)}"
    if t in _TYPE_WORDS:
        return f"{_TYPE_WORDS[t]}, got {_short(given)}"
    if t in ("greater_than_equal", "greater_than"):
        return f"must be at least {err['ctx'].get('ge', err['ctx'].get('gt'))}, got {_short(given)}"
    if t in ("less_than_equal", "less_than"):
        return f"must be at most {err['ctx'].get('le', err['ctx'].get('lt'))}, got {_short(given)}"
    if t == "too_short":
        return f"must have at least {err['ctx'].get('min_length')} entries"
    if t in ("too_long", "string_too_long"):
        return f"is too long (at most {err['ctx'].get('max_length')})"
    if t == "string_too_short":
        return "must not be empty"
    return err["msg"]


def _short(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (dict, list)):
        return f"{_kind(value)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- writing ----------------------------------------------------------------

_NODE_DEFAULTS = {name: f.get_default(call_default_factory=True) for name, f in Node.model_fields.items() if not f.is_required()}


def scenario_to_dict(sc: Scenario) -> dict:
    """The snapshot as plain data: optional node keys left at their default are left out."""
    doc = sc.model_dump(mode="python", exclude_none=True)
    doc["nodes"] = [
        {k: v for k, v in node.items() if not (k in _NODE_DEFAULTS and v == _NODE_DEFAULTS[k])} for node in doc["nodes"]
    ]
    return doc


def dump_scenario(sc: Scenario) -> str:
    """Canonical YAML text of a scenario (stable: same scenario, same bytes)."""
    return yaml.safe_dump(scenario_to_dict(sc), sort_keys=False, allow_unicode=True, width=100)


def snapshot_sha256(sc: Scenario) -> str:
    return hashlib.sha256(dump_scenario(sc).encode("utf-8")).hexdigest()
