"""From a scenario to the room's questions, and from the room's pooled answers back to the scenario.

`question_for` words a question about one uncertain input (its current value and range, its units);
`use_pool` turns a question's pool into the input's uncertainty (`dist: mixture`, one equal-weight
component per answer), optionally with the pooled median as the input's value, and records the round
in the assumptions log (how many answered, the spread, the time). Texts for the room are here too.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from .assumptions_log import timestamp
from .elicitation import Pool, Question, rounded, written
from .engine import _PATH, UNIT_FIELDS
from .evaluation import Evaluation
from .presentation import currency_symbol
from .uncertainty import central_value, valid_range

MONEY_FIELDS = {"value", "price", "setup", "per_year", "per_participant"}


def field_of(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def is_percent(path: str) -> bool:
    """Rates and shares are asked in per cent (35, not 0.35): the way people in the room say them."""
    return field_of(path) in UNIT_FIELDS or path == "settings.discount_rate"


def default_unit(ev: Evaluation, path: str) -> str:
    if is_percent(path):
        return "%"
    if field_of(path) in MONEY_FIELDS:
        return currency_symbol(ev.scenario.settings.currency)
    return ""


def default_text(ev: Evaluation, path: str) -> str:
    """The question in words, e.g. 'Without the programme, what share would have stayed out of care anyway?'"""
    from .uncertainty_views import describe_path  # noqa: PLC0415 - pandas; a participant's page never needs it

    f = field_of(path)
    match = _PATH.match(path)
    node = next((n for n in ev.scenario.nodes if match and n.id == match["node"]), None)
    label = node.label if node is not None else ""
    if path == "cohort.engagement_rate":
        return "Of the people referred, what share will take part?"
    if f == "rate_with" and node is not None:
        return f"Of those who take part, what share will achieve this: {label}?"
    if f == "rate_without" and node is not None:
        return f"Without the programme, what share would have achieved this anyway: {label}?"
    if f == "value" and node is not None:
        return f"What is each extra outcome worth a year ({describe_path(ev, path)})?"
    return f"What is your estimate of this: {describe_path(ev, path)}?"


def question_for(
    ev: Evaluation, path: str, text: str | None = None, unit: str | None = None, show_current: bool = False
) -> Question:
    """A question about one input: its words, units, valid range, and its current value and range."""
    lo, hi = valid_range(path)
    current = central_value(ev.compiled, path)
    param = next((p for p in ev.scenario.uncertainty.parameters if p.path == path), None)
    return Question(
        key=path,
        text=(text or "").strip() or default_text(ev, path),
        unit=default_unit(ev, path) if unit is None else unit.strip(),
        percent=is_percent(path),
        valid_low=lo,
        valid_high=None if hi == float("inf") else hi,
        show_current=show_current,
        current=current,
        current_low=param.low if param is not None else None,
        current_high=param.high if param is not None else None,
    )


def current_text(q: Question) -> str | None:
    """'The case now uses 55% (range 48% to 65%).' when the facilitator shows it; else None."""
    if not q.show_current or q.current is None:
        return None
    text = f"The case now uses {written(q, q.current)}"
    if q.current_low is not None and q.current_high is not None:
        text += f" (range {written(q, q.current_low)} to {written(q, q.current_high)})"
    return text + "."


def spread_text(q: Question, p: Pool | None) -> str:
    """The room's answers in one sentence, with no one's name: what a Delphi round shows participants."""
    if p is None:
        return "Nobody has answered this yet."
    people = "1 person" if p.count == 1 else f"{p.count} people"
    lo_mode, hi_mode = p.mode_range
    modes = (
        f"most likely values from {written(q, lo_mode)} to {written(q, hi_mode)}"
        if hi_mode > lo_mode
        else f"most likely value {written(q, lo_mode)}"
    )
    return (
        f"{people} answered: {modes}; ranges from {written(q, p.lowest)} to {written(q, p.highest)}. "
        f"Pooled: median {written(q, p.median)}, 90% range {written(q, p.p5)} to {written(q, p.p95)}."
    )


# --- using the pool -------------------------------------------------------------------------


def set_input(doc: dict, path: str, value: float) -> dict:
    """The document with the input at `path` set to value (an uncertain input's central value)."""
    doc = copy.deepcopy(doc)
    if path == "cohort.engagement_rate":
        doc["cohort"]["engagement_rate"] = value
        return doc
    if path == "settings.discount_rate":
        doc["settings"]["discount_rate"] = value
        return doc
    # Node ids may hold dots: take the longest id that the path starts with.
    ids = sorted((n["id"] for n in doc.get("nodes", [])), key=len, reverse=True)
    node_id = next((i for i in ids if path.startswith(f"nodes.{i}.")), None)
    match = _PATH.match(f"nodes.x.{path[len(f'nodes.{node_id}.') :]}") if node_id is not None else None
    if match is None or node_id is None:
        raise KeyError(f"'{path}' is not an input of this scenario")
    node = next(n for n in doc["nodes"] if n["id"] == node_id)
    target = node[match["list"]][int(match["idx"])] if match["list"] else node
    target[match["field"]] = value
    return doc


def log_entry(
    q: Question,
    described: str,
    p: Pool,
    code: str,
    stage: int,
    central: bool,
    by: str | None = None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """The assumptions log's record of a round: how many answered, the spread, the time."""
    round_words = "second (Delphi) round" if stage > 1 else "round"
    after = (
        f"{spread_text(q, p)} Used as the input's uncertainty (a pool of {p.count} "
        f"{'answer' if p.count == 1 else 'answers'}, {round_words} {code})"
        + (f"; central value set to the pooled median, {written(q, p.median)}." if central else ".")
    )
    before = written(q, q.current) if q.current is not None else None
    return {
        "when": timestamp(when),
        "what": f"Asked the room: {described}",
        "path": q.key,
        "before": before,
        "after": after,
        "by": by,
    }


def use_pool(doc: dict, q: Question, p: Pool, central: bool, entry: dict[str, Any] | None = None) -> dict:
    """The document with the pool as the input's uncertainty (replacing any range it had), the median as its
    value if `central` (as the room read it: 50.9%, not 0.50893...), and the round's log entry appended."""
    doc = set_input(doc, q.key, rounded(q, p.median)) if central else copy.deepcopy(doc)
    unc = doc.setdefault("uncertainty", {})
    params: list[dict] = [dict(x) for x in unc.get("parameters", [])]
    mixture = {"path": q.key, "dist": "mixture", "components": p.mixture()}
    at = next((i for i, x in enumerate(params) if x.get("path") == q.key), None)
    if at is None:
        params.append(mixture)
    else:
        params[at] = mixture
    unc["parameters"] = params
    if entry is not None:
        doc["log"] = [*doc.get("log", []), entry]
    return doc


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=$&:])")


def plain(text: str) -> str:
    """Free text (a question, a reason) made safe to write as markdown: every character markdown or HTML could
    read is escaped, so it shows exactly as typed; line breaks become spaces."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
