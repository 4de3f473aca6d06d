"""The assumptions log: every edit in a session, recorded in the scenario so the snapshot carries it."""

from __future__ import annotations

from datetime import UTC, datetime

from .model import LogEntry, Scenario

# Long texts (notes, descriptions) are cut in the log; the snapshot itself keeps them whole.
MAX_TEXT = 300


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        text = f"{value:.10g}"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {v}" for k, v in value.items())
    elif isinstance(value, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
        text = ", ".join(f"{x:.10g}" for x in value)  # a profile by year: 0, 0, 30000
    elif isinstance(value, list):
        text = str(value)
    else:
        text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def timestamp(when: datetime | None = None) -> str:
    when = when or datetime.now(UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def log_entries(
    before: Scenario, after: Scenario, by: str | None = None, when: datetime | None = None
) -> list[LogEntry]:
    """One entry per input that differs between two versions of a scenario (the log itself ignored)."""
    from .compare import input_differences  # noqa: PLC0415 - compare is the heavier module; only edits need it

    stamp = timestamp(when)
    diffs = input_differences(without_log(before), without_log(after))
    return [
        LogEntry(when=stamp, what=d.label, path=d.path, before=_text(d.before), after=_text(d.after), by=by)
        for d in diffs
    ]


def without_log(sc: Scenario) -> Scenario:
    return sc.model_copy(update={"log": []}) if sc.log else sc


def with_entries(sc: Scenario, entries: list[LogEntry]) -> Scenario:
    return sc.model_copy(update={"log": [*sc.log, *entries]}) if entries else sc
