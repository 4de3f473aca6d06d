"""Snapshot files: YAML in and out, with every problem reported by location.

The snapshot format is a public interface (DESIGN.md): files are kept for
years, so reading is strict (unknown keys, duplicate keys and wrong types are
errors) and limits are enforced before parsing can get expensive.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import math
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import (
    FORMAT_V1,
    MAX_AMOUNT,
    Node,
    Problem,
    Scenario,
    node_where,
    reference_problems,
)

MAX_BYTES = 5 * 1024 * 1024  # a real scenario is a few KB; a 50 MB file is a mistake
MAX_ALIASES = 200  # anchors are legitimate; thousands of them are an alias bomb
MAX_EXPANDED = 200_000  # values a document may stand for once its aliases are expanded
KNOWN_FORMATS = (FORMAT_V1,)


class ScenarioError(ValueError):
    """Every kind of bad input: a list of Problems, each with its location."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class _Refused(yaml.YAMLError):
    """A problem our loader finds itself; its text is already a readable message."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and alias bombs."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refused(
                    f"line {mark.line + 1}: more than {MAX_ALIASES} aliases (*name); refusing to expand them"
                )
        return super().compose_node(parent, index)

    def compose_document(self):
        node = super().compose_document()
        if self._aliases:
            # A few aliases can stand for billions of values ("billion laughs"):
            # count what they would expand to before anything walks the data.
            sizes: dict[int, int] = {}
            if _expanded_size(node, sizes) > MAX_EXPANDED:
                raise _Refused(
                    f"the aliases (*name) would expand to more than {MAX_EXPANDED:,} values; refusing to expand them"
                )
        return node

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Refused(  # noqa: B904 - the TypeError says nothing a user needs
                    f"line {key_node.start_mark.line + 1}: a key must be a plain value, not a list or mapping"
                )
            if key in seen:
                raise _Refused(
                    f"line {key_node.start_mark.line + 1}: duplicate key '{key}' (first on line {seen[key] + 1}); "
                    "each key may appear only once in the same block"
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values a node stands for once every alias is expanded (memoised per node)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = 1  # guards against a node that (through an alias) contains itself
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_size(child, sizes)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, sizes) + _expanded_size(v, sizes)
    total = min(total, MAX_EXPANDED + 1)
    sizes[key] = total
    return total


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def read_yaml(source: str | bytes) -> Any:
    """Parse one YAML document safely, or raise ScenarioError."""
    if isinstance(source, str):
        size = len(source.encode("utf-8", errors="replace"))
    else:
        size = len(source)
    if size > MAX_BYTES:
        raise ScenarioError([Problem("file", _too_big(size))])
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                [Problem("file", f"is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8")]
            ) from None
    try:
        docs = list(yaml.load_all(source, Loader=_Loader))  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem("file", _yaml_message(exc))]) from None
    except RecursionError:
        raise ScenarioError([Problem("file", "is nested too deeply")]) from None
    if not docs:
        raise ScenarioError([Problem("file", "is empty")])
    if len(docs) != 1:
        raise ScenarioError(
            [Problem("file", f"must hold exactly one YAML document, found {len(docs)} (separated by ---)")]
        )
    return docs[0]


def _too_big(size: int) -> str:
    return f"is {size / 1e6:.1f} MB; a snapshot may be at most {MAX_BYTES / 1e6:.0f} MB"


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, _Refused):
        return str(exc)
    if isinstance(exc, yaml.reader.ReaderError):
        return f"contains a special character (code {exc.character!r:.12}) at position {exc.position}, which is not allowed"
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        context = getattr(exc, "context", None)
        text = f"{context}, {problem}" if context else problem
        if "could not determine a constructor" in str(exc):
            text = "contains a tag that is not allowed (only plain YAML data is accepted)"
        elif "'\\t'" in problem:
            text = "a tab is used for indenting; indent with spaces"
        text = text.replace("'<stream end>'", "the end of the file")
        return f"line {mark.line + 1}, column {mark.column + 1}: {text}"
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"is not valid YAML: {first}"


def parse_scenario(doc: Any) -> Scenario:
    """Validate a parsed document into a Scenario, or raise ScenarioError."""
    if doc is None:
        raise ScenarioError([Problem("file", "is empty")])
    if not isinstance(doc, dict):
        raise ScenarioError([Problem("file", f"must be a mapping of keys to values, got {_kind(doc)}")])
    if "format" not in doc:
        raise ScenarioError([Problem("", f"format is required: the first line of a snapshot is 'format: {FORMAT_V1}'")])
    fmt = doc["format"]
    if not isinstance(fmt, str) or fmt not in KNOWN_FORMATS:
        raise ScenarioError([Problem("format", f"must be '{FORMAT_V1}', got {_short(fmt)}")])
    try:
        sc = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, doc)) from None
    problems = reference_problems(sc)
    if problems:
        raise ScenarioError(problems)
    # The graph rules (allowed edges, no cycles) are part of validity too.
    from .toc import graph_problems
    from .uncertainty import parameter_problems

    problems = graph_problems(sc) + parameter_problems(sc)
    if problems:
        raise ScenarioError(problems)
    return sc


def load_scenario(source: str | bytes | Path) -> Scenario:
    """Load a scenario from a path, YAML text or bytes.

    A string is a path when it is one line and names a .yaml/.yml file or an
    existing file; otherwise it is YAML text.
    """
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= MAX_BYTES else None
        except OSError as exc:
            raise ScenarioError([Problem(str(path), f"cannot be read ({exc.strerror or exc})")]) from None
        except ValueError as exc:  # e.g. a NUL character in the name
            raise ScenarioError([Problem("file", f"is not a usable file name ({exc})")]) from None
        if data is None:
            raise ScenarioError([Problem(str(path), _too_big(size))])
        source = data
    return parse_scenario(read_yaml(source))


def _looks_like_path(text: str) -> bool:
    if "\n" in text or not text.strip() or len(text) > 4096:
        return False
    if text.endswith((".yaml", ".yml")):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


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
    "dict_type": "must be a mapping (key: value entries)",
    "model_type": "must be a mapping (key: value entries)",
    "model_attributes_type": "must be a mapping (key: value entries)",
    "int_from_float": "must be a whole number",
    "finite_number": "must be a finite number",
}


def _pydantic_problems(exc: ValidationError, doc: dict) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        problems.append(_problem(err, doc))
    # A union (e.g. `float | None`) reports once per member; keep one line each.
    return list(dict.fromkeys(problems))


def _problem(err: dict, doc: dict) -> Problem:
    loc = tuple(err["loc"])
    t = err["type"]
    if t in ("extra_forbidden", "invalid_key") and loc:
        where = _where(loc[:-1], doc)
        return Problem(where, _unknown_key(loc[-1], loc[:-1]))
    if len(loc) >= 2 and loc[-1] == "[key]":
        # a key of a mapping (e.g. an optimism_bias grade) has the wrong type
        where = _where(loc[:-2], doc)
        return Problem(where, f"key {_short(err.get('input'))} {_message(err, with_value=False)}")
    if loc and isinstance(loc[-1], str):
        where = _where(loc[:-1], doc)
        return Problem(where, f"{loc[-1]} {_message(err)}")
    return Problem(_where(loc, doc), _message(err))


def _where(loc: tuple, doc: Any) -> str:
    """A pydantic location as the user sees it: 'nodes[2] out-stays-home benefits[0]', 'contract.outcome_payers[1]'."""
    text = ""
    after_node = False  # a node is named by index and id; what follows it is separated by a space
    current = doc
    for key in loc:
        if isinstance(key, int) and not isinstance(key, bool):
            item = current[key] if isinstance(current, list) and 0 <= key < len(current) else None
            if text == "nodes" and isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
                text = node_where(key, item["id"])
                after_node = True
            else:
                text = f"{text}[{key}]"
                after_node = False
            current = item
        else:
            key = str(key)
            if not text:
                text = key
            elif after_node:
                text = f"{text} {key}"
            else:
                text = f"{text}.{key}"
            after_node = False
            current = current.get(key) if isinstance(current, dict) else None
    return text


def _unknown_key(key: Any, parent: tuple) -> str:
    name = str(key)
    text = f"unknown key '{name}' (check the spelling; unknown keys are not allowed)"
    allowed = _fields_at(parent)
    if allowed:
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if close:
            text += f"; did you mean '{close[0]}'?"
    return text


def _fields_at(loc: tuple) -> list[str]:
    """The keys allowed at a location, found by walking the schema."""
    model: Any = Scenario
    for key in loc:
        if isinstance(key, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or key not in model.model_fields:
            return []
        model = _inner_model(model.model_fields[key].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """list[Node] -> Node, Contract | None -> Contract; anything else as it is."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _message(err: dict, with_value: bool = True) -> str:
    t = err["type"]
    given = err.get("input")
    ctx = err.get("ctx") or {}
    got = f", got {_short(given)}" if with_value else ""
    if t == "missing":
        return "is required"
    if t == "value_error":
        msg = str(ctx.get("error", "")) or err["msg"].removeprefix("Value error, ")
        return msg
    if t == "literal_error":
        return f"must be one of {ctx.get('expected', '')}{got}"
    if t == "float_type" and isinstance(given, int) and not isinstance(given, bool):
        return f"is far too large a number (at most {MAX_AMOUNT:g})"
    if t in _TYPE_WORDS:
        if t in ("float_type", "int_type") and isinstance(given, str) and with_value and _numeric_text(given):
            return f"{_TYPE_WORDS[t]}, got the text {_short(given)} (remove the quotes)"
        return f"{_TYPE_WORDS[t]}{got}"
    if t in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}{got}"
    if t in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}{got}"
    if t == "too_short":
        n = ctx.get("min_length")
        return f"must have at least {n} {'entry' if n == 1 else 'entries'}"
    if t == "too_long":
        return f"has too many entries (at most {ctx.get('max_length')})"
    if t == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if t == "string_too_short":
        return "must not be empty"
    # Anything not foreseen: pydantic's own words, without its jargon.
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return msg.replace("Input should be", "must be")[:1].lower() + msg.replace("Input should be", "must be")[1:]


def _numeric_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _short(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and abs(value) > 10**18:
        return f"a number with {len(str(abs(value)))} digits"
    if isinstance(value, (dict, list)):
        return f"{_kind(value)}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()} (write it in quotes to use it as text)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- writing ----------------------------------------------------------------

_NODE_DEFAULTS = {
    name: f.get_default(call_default_factory=True) for name, f in Node.model_fields.items() if not f.is_required()
}


def scenario_to_dict(sc: Scenario) -> dict:
    """The snapshot as plain data: optional node keys left at their default are left out."""
    doc = sc.model_dump(mode="python", exclude_none=True)
    doc["nodes"] = [
        {k: v for k, v in node.items() if not (k in _NODE_DEFAULTS and v == _NODE_DEFAULTS[k])} for node in doc["nodes"]
    ]
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
