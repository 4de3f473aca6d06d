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
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import (
    FORMAT_V1,
    FORMAT_V2,
    FORMATS,
    MAX_AMOUNT,
    Node,
    Problem,
    Scenario,
    Settings,
    node_where,
    reference_problems,
)

MAX_BYTES = 5 * 1024 * 1024  # a real scenario is a few KB; a 50 MB file is a mistake
MAX_ALIASES = 200  # anchors are legitimate; thousands of them are an alias bomb
MAX_EXPANDED = 200_000  # values a document may stand for once its aliases are expanded
MAX_VALUES = 100_000  # values (text, numbers, lists, mappings) in one file; a large scenario has a few thousand
MAX_DEPTH = 50  # a scenario nests about six levels deep; far deeper is a mistake or an attack
MAX_DIGITS = 100  # no amount needs a longer number, and int() of thousands of digits is slow or refused
MAX_REPORT = 500  # characters of a location or a message in one problem line
MAX_PROBLEMS = 100  # problems listed in one report
KNOWN_FORMATS = FORMATS

# libyaml (C) reads a 5 MB file in a fraction of a second where the pure-Python
# reader takes minutes; PyYAML's wheels include it, and without it reading
# still works, only slower.
_BASE_LOADER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

# What YAML does not allow in a file (the set PyYAML's own reader refuses): control
# characters and lone surrogates. Checked first, so the report can name the line.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What would break a report of one line per problem: line breaks of every kind and control characters.
_BREAKS_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ScenarioError(ValueError):
    """Every kind of bad input: a list of Problems, each with its location."""

    def __init__(self, problems: list[Problem], more: bool = False):
        # A problem quotes the input (an id, a key); whatever that holds, each stays one readable line.
        problems = list(problems)
        self.problems = [Problem(_one_line(p[0]), _one_line(p[1])) for p in problems[:MAX_PROBLEMS]]
        if more or len(problems) > MAX_PROBLEMS:  # 50,000 lines help nobody, and take long to write
            self.problems.append(Problem("file", "has more problems than are listed here; fix these and check again"))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def _one_line(text: str) -> str:
    text = _BREAKS_A_LINE.sub(lambda m: repr(m.group())[1:-1], str(text))
    return text if len(text) <= MAX_REPORT else text[: MAX_REPORT - 3] + "..."


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Refused(yaml.YAMLError):
    """A problem our loader finds itself; its text is already a readable message."""


def _line(node_or_event) -> int:
    return node_or_event.start_mark.line + 1


class _Loader(_BASE_LOADER):
    """Safe loader that refuses duplicate keys, alias bombs, huge numbers and tags that are not plain data."""

    first_alias = 0  # the line of the first alias, found by _check_shape; 0 when there is none

    def construct_document(self, node):
        # A few aliases can stand for billions of values ("billion laughs"):
        # count what they would expand to before anything walks the data.
        if self.first_alias and _expanded_size(node, {}) > MAX_EXPANDED:
            raise _Refused(
                f"line {self.first_alias}: the aliases (*name), from the first one here on, would expand to more than "
                f"{MAX_EXPANDED:,} values; refusing to expand them"
            )
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Refused(  # noqa: B904 - the TypeError says nothing a user needs
                    f"line {_line(key_node)}: a key must be a plain value, not a list or mapping"
                )
            if key in seen:
                raise _Refused(
                    f"line {_line(key_node)}: duplicate key '{_clip(str(key))}' (first on line {seen[key] + 1}); "
                    "each key may appear only once in the same block"
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        # int() refuses more than 4300 digits (a ValueError) and sexagesimal 1:00:00...
        # grows without bound; no amount is anywhere near this long.
        if len(node.value) > MAX_DIGITS:
            raise _Refused(f"line {_line(node)}: a number {len(node.value):,} characters long is far too large")
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # 2026-02-30 looks like a date to YAML, but is none
            raise _Refused(  # noqa: B904 - the ValueError says nothing a user needs
                f"line {_line(node)}: {_clip(node.value)} is not a real date (put it in quotes if it is text)"
            )

    def refuse_tag(self, node):
        # Binary data, sets and ordered pairs are valid YAML but no part of a scenario;
        # a set would even pass as a list, in an order nobody chose.
        raise _Refused(
            f"line {_line(node)}: contains a tag that is not allowed ({_tag_name(node.tag)}); "
            "only plain YAML data is accepted (text, numbers, true/false, lists and mappings)"
        )


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.refuse_tag)


def _tag_name(tag: str) -> str:
    return _clip(tag.replace("tag:yaml.org,2002:", "!!"))


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


def read_yaml(source: str | bytes) -> Any:
    """Parse one YAML document safely, or raise ScenarioError.

    Every check that can refuse a file cheaply comes before the one that builds
    its data, so no input (50 MB, an alias bomb, 10,000 brackets) gets expensive.
    """
    if isinstance(source, str):
        size = len(source) if len(source) > MAX_BYTES else len(source.encode("utf-8", errors="replace"))
    else:
        size = len(source)
    if size > MAX_BYTES:
        raise ScenarioError([Problem("file", _too_big(size))])
    text = _decode(source) if isinstance(source, bytes) else source
    text = text.removeprefix("\ufeff")  # a byte order mark is allowed at the start, as in YAML itself
    bad = _NOT_YAML.search(text)
    if bad:
        raise ScenarioError([Problem("file", _not_yaml_character(text, bad.start()))])
    try:
        documents, first_alias = _check_shape(text)
        if not documents:
            raise ScenarioError([Problem("file", "is empty")])
        loader = _Loader(text)
        loader.first_alias = first_alias
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem("file", _yaml_message(exc, text))]) from None
    except RecursionError:  # _check_shape bounds the depth; this is the last line of defence
        raise ScenarioError([Problem("file", "is nested too deeply")]) from None
    except MemoryError:
        raise ScenarioError([Problem("file", "is too large to read")]) from None


def _check_shape(text: str) -> tuple[int, int]:
    """Walk the YAML events once, without building anything, and refuse what would be expensive to build.

    Returns the number of documents and the line of the first alias (0 if none). Events are cheap (no values are made), so a
    50 MB list or 10,000 levels of brackets is refused in moments.
    """
    parser = _BASE_LOADER(text)
    documents = aliases = first_alias = values = depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused(
                        f"line {_line(event)}: a second YAML document starts here; "
                        "a snapshot must hold exactly one YAML document (remove the '---' and what follows)"
                    )
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                first_alias = first_alias or _line(event)
                if aliases > MAX_ALIASES:
                    raise _Refused(
                        f"line {_line(event)}: more than {MAX_ALIASES} aliases (*name); refusing to expand them"
                    )
            elif isinstance(event, yaml.NodeEvent):  # a scalar, or the start of a list or mapping
                values += 1
                if values > MAX_VALUES:
                    raise _Refused(
                        f"line {_line(event)}: more than {MAX_VALUES:,} values; a snapshot is far smaller than this"
                    )
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _Refused(f"line {_line(event)}: lists or mappings nested more than {MAX_DEPTH} deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()
    return documents, first_alias


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # the byte order marks of UTF-16 (and UTF-32 LE)
        raise ScenarioError([Problem("file", "is not UTF-8 text (it is UTF-16 or UTF-32); save it as UTF-8")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            [
                Problem(
                    "file",
                    f"is not UTF-8 text (line {line}: byte 0x{data[exc.start]:02X} cannot be read); save it as UTF-8",
                )
            ]
        ) from None


def _position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _not_yaml_character(text: str, index: int) -> str:
    line, column = _position(text, index)
    code = f"U+{ord(text[index]):04X}"
    # UTF-16 puts a NUL beside every ASCII character, starting with the first or second.
    hint = "; if the file is UTF-16, save it as UTF-8" if text[index] == "\x00" and index < 2 else ""
    return f"line {line}, column {column}: contains a character YAML does not allow ({code}); delete it{hint}"


def _too_big(size: int | None) -> str:
    told = f"is {size / 1e6:.1f} MB" if size is not None else f"is more than {MAX_BYTES / 1e6:.0f} MB"
    return f"{told}; a snapshot may be at most {MAX_BYTES / 1e6:.0f} MB"


# libyaml's words for a few common mistakes, with what to do about them.
_HINTS = {
    "did not find expected key": "check the indentation of this line and the one above",
    "mapping values are not allowed": "text that holds ': ' must be put in quotes",
    "found undefined alias": "an alias (*name) must come after its anchor (&name)",
    "found unconstructable recursive node": "an alias (*name) is used inside the mapping it names",
    "could not find expected ':'": "a key needs a ':' after it on the same line, and may be at most 1024 characters",
    "found incompatible YAML document": "delete the %YAML line at the top",
}


def _yaml_message(exc: yaml.YAMLError, text: str = "") -> str:
    if isinstance(exc, _Refused):
        return str(exc)
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        context = getattr(exc, "context", None)
        char = _char_at(text, mark.line, mark.column)
        message = f"{context}, {problem}" if context else problem
        if "could not determine a constructor" in problem:
            tag = re.search(r"for the tag '(.*)'", problem)
            name = f" ({_tag_name(tag.group(1))})" if tag else ""
            message = f"contains a tag that is not allowed{name}; only plain YAML data is accepted"
        elif "tab character" in problem or (char == "\t" and "cannot start any token" in problem):
            message = "a tab is used for indenting; indent with spaces"
        elif "cannot start any token" in problem and char:
            message = f"{char!r} cannot start a value here; put the text in quotes"
        elif _only_blank_after(text, mark.line, mark.column):
            message = f"{message} (the file ends too soon: is it cut short?)"
        else:
            hint = next((h for words, h in _HINTS.items() if words in problem), "")
            message = f"{message} ({hint})" if hint else message
        # The reader names its tokens '<stream end>', '<block end>', <document start>: say them in words.
        message = message.replace("'<stream end>'", "the end of the file").replace("<document start>", "'---'")
        message = re.sub(r"'?<([a-z ]+)>'?", r"\1", message)
        return f"line {mark.line + 1}, column {mark.column + 1}: {message}"
    first = str(exc).splitlines()[0] if str(exc) else "it could not be read"
    return f"is not valid YAML: {first}"


def _only_blank_after(text: str, line: int, column: int) -> bool:
    lines = text.splitlines()
    if line >= len(lines):
        return True
    return not lines[line][column:].strip() and not any(ln.strip() for ln in lines[line + 1 :])


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def parse_scenario(doc: Any) -> Scenario:
    """Validate a parsed document into a Scenario, or raise ScenarioError."""
    if doc is None:
        raise ScenarioError([Problem("file", "is empty")])
    if not isinstance(doc, dict):
        raise ScenarioError([Problem("file", f"must be a mapping of keys to values, got {_kind(doc)}")])
    if "format" not in doc:
        raise ScenarioError([Problem("", f"format is required: the first line of a snapshot is 'format: {FORMAT_V2}'")])
    fmt = doc["format"]
    if not isinstance(fmt, str) or fmt not in KNOWN_FORMATS:
        raise ScenarioError(
            [Problem("format", f"must be '{FORMAT_V2}' (or the older '{FORMAT_V1}'), got {_short(fmt)}")]
        )
    try:
        sc = Scenario.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # Only the problems that will be listed are put into words (a file can hold 50,000 typos).
        raise ScenarioError(_pydantic_problems(errors[:MAX_PROBLEMS], doc), more=len(errors) > MAX_PROBLEMS) from None
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
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
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
            raise ScenarioError([Problem(str(path), _too_big(size if size > MAX_BYTES else None))])
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
    return {list: "a list", dict: "a mapping", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
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


def _pydantic_problems(errors: list[dict], doc: dict) -> list[Problem]:
    problems: list[Problem] = []
    for err in errors:
        problems.append(_problem(err, doc))
    # A union (e.g. `float | None`) reports once per member; keep one line each.
    return list(dict.fromkeys(problems))


def _problem(err: dict, doc: dict) -> Problem:
    loc = tuple(err["loc"])
    t = err["type"]
    if t == "invalid_key" and loc:  # a key that is not text; pydantic's loc has lost what it was
        where, key = _where(loc[:-1], doc), err.get("input")
        if isinstance(key, bool):
            return Problem(where, f"unknown key {_short(key)} (YAML reads yes, no, on and off as true or false)")
        if key is None:
            return Problem(where, "a key is empty (unknown keys are not allowed)")
        return Problem(where, _unknown_key(key, loc[:-1]))
    if t == "extra_forbidden" and loc:
        where = _where(loc[:-1], doc)
        return Problem(where, _unknown_key(loc[-1], loc[:-1]))
    if len(loc) >= 2 and loc[-1] == "[key]":
        # a key of a mapping (e.g. an optimism_bias grade) has the wrong type
        where = _where(loc[:-2], doc)
        key = err.get("input")
        quoted = " (remove the quotes)" if isinstance(key, str) and _numeric_text(key) else ""  # as JSON writes them
        return Problem(where, f"key {_short(key)} {_message(err, with_value=False)}{quoted}")
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
    text = f"unknown key '{_clip(name)}' (check the spelling; unknown keys are not allowed)"
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
            if _YAML11_TEXT_NUMBER.fullmatch(given):
                # YAML 1.1 reads 1e6 as text: a float needs a point and a signed exponent.
                return f"{_TYPE_WORDS[t]}, got the text {_short(given)} (YAML reads this as text; write it as {_yaml_float(given)})"
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


_YAML11_TEXT_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+")


def _yaml_float(text: str) -> str:
    mantissa, exponent = re.split("[eE]", text)
    if "." not in mantissa:
        mantissa += ".0"
    if exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}"


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
