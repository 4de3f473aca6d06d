"""Problems in a snapshot put into words: where each is (as the user sees it) and what to do about it.

pydantic's errors name a location as a tuple of keys and indexes, and a type code; a workshop needs
'nodes[2] out-stays-home benefits[0]: value must be a number, got the text '1,000' (remove the
quotes)'. Every message stays one line of bounded length, whatever the input holds.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from .model import MAX_AMOUNT, Problem, Scenario, node_where

MAX_REPORT = 500  # characters of a location or a message in one problem line
MAX_PROBLEMS = 100  # problems listed in one report

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


def clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind(value: Any) -> str:
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


def pydantic_problems(errors: list[ErrorDetails], doc: dict, root: Any = None) -> list[Problem]:
    """One line per problem; `root` is the model the document was checked against (a Scenario unless said)."""
    problems: list[Problem] = []
    for err in errors:
        problems.append(_problem(err, doc, root or Scenario))
    # A union (e.g. `float | None`) reports once per member; keep one line each.
    return list(dict.fromkeys(problems))


def _problem(err: ErrorDetails, doc: dict, root: Any) -> Problem:
    loc = tuple(err["loc"])
    t = err["type"]
    if t == "invalid_key" and loc:  # a key that is not text; pydantic's loc has lost what it was
        where, key = _where(loc[:-1], doc), err.get("input")
        if isinstance(key, bool):
            return Problem(where, f"unknown key {short(key)} (YAML reads yes, no, on and off as true or false)")
        if key is None:
            return Problem(where, "a key is empty (unknown keys are not allowed)")
        return Problem(where, _unknown_key(key, loc[:-1], root))
    if t == "extra_forbidden" and loc:
        where = _where(loc[:-1], doc)
        return Problem(where, _unknown_key(loc[-1], loc[:-1], root))
    if len(loc) >= 2 and loc[-1] == "[key]":
        # a key of a mapping (e.g. an optimism_bias grade) has the wrong type
        where = _where(loc[:-2], doc)
        key = err.get("input")
        quoted = " (remove the quotes)" if isinstance(key, str) and _numeric_text(key) else ""  # as JSON writes them
        return Problem(where, f"key {short(key)} {_message(err, with_value=False)}{quoted}")
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


def _unknown_key(key: Any, parent: tuple, root: Any) -> str:
    name = str(key)
    text = f"unknown key '{clip(name)}' (check the spelling; unknown keys are not allowed)"
    allowed = _fields_at(parent, root)
    if allowed:
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if close:
            text += f"; did you mean '{close[0]}'?"
    return text


def _fields_at(loc: tuple, root: Any) -> list[str]:
    """The keys allowed at a location, found by walking the schema."""
    model: Any = root
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


def _message(err: ErrorDetails, with_value: bool = True) -> str:
    t = err["type"]
    given = err.get("input")
    ctx = err.get("ctx") or {}
    got = f", got {short(given)}" if with_value else ""
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
                how = f"YAML reads this as text; write it as {_yaml_float(given)}"
                return f"{_TYPE_WORDS[t]}, got the text {short(given)} ({how})"
            return f"{_TYPE_WORDS[t]}, got the text {short(given)} (remove the quotes)"
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


def short(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and abs(value) > 10**18:
        return f"a number with {len(str(abs(value)))} digits"
    if isinstance(value, (dict, list)):
        return f"{kind(value)}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()} (write it in quotes to use it as text)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
