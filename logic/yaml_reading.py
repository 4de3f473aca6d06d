"""Reading a snapshot's YAML safely: limits checked before anything is built, and plain data only.

Every check that can refuse a file cheaply comes first (its size, characters YAML does not allow,
then one walk of the parser's events counting documents, aliases, values and depth), so no input
(50 MB, an alias bomb, 10,000 brackets) gets expensive. The loader refuses duplicate keys, huge
numbers, impossible dates and tags that are not plain data; libyaml's messages are reworded.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from .model import Problem
from .problem_words import ScenarioError, clip

MAX_BYTES = 5 * 1024 * 1024  # a real scenario is a few KB; a 50 MB file is a mistake
MAX_ALIASES = 200  # anchors are legitimate; thousands of them are an alias bomb
MAX_EXPANDED = 200_000  # values a document may stand for once its aliases are expanded
MAX_VALUES = 100_000  # values (text, numbers, lists, mappings) in one file; a large scenario has a few thousand
MAX_DEPTH = 50  # a scenario nests about six levels deep; far deeper is a mistake or an attack
MAX_DIGITS = 100  # no amount needs a longer number, and int() of thousands of digits is slow or refused

# libyaml (C) reads a 5 MB file in a fraction of a second where the pure-Python
# reader takes minutes; PyYAML's wheels include it, and without it reading
# still works, only slower.
if TYPE_CHECKING:
    # Both loaders have the same interface (SafeConstructor's); the checker is told the pure-Python one.
    _BASE_LOADER = yaml.SafeLoader
else:
    _BASE_LOADER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

# What YAML does not allow in a file (the set PyYAML's own reader refuses): control
# characters and lone surrogates. Checked first, so the report can name the line.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
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
                    f"line {_line(key_node)}: duplicate key '{clip(str(key))}' (first on line {seen[key] + 1}); "
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
                f"line {_line(node)}: {clip(node.value)} is not a real date (put it in quotes if it is text)"
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
    return clip(tag.replace("tag:yaml.org,2002:", "!!"))


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
        raise ScenarioError([Problem("file", too_big(size))])
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

    Returns the number of documents and the line of the first alias (0 if none). Events are cheap (no
    values are made), so a 50 MB list or 10,000 levels of brackets is refused in moments.
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


def too_big(size: int | None) -> str:
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
