"""Undo and redo: the scenarios a session has been through, most recent last.

Pure data, no Streamlit: the app keeps one History in session state and
records the scenario before each change. Scenarios are immutable values, so
keeping the objects restores each one exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Scenario

LIMIT = 50  # changes that can be undone


@dataclass
class History:
    limit: int = LIMIT
    undo_stack: list[Scenario] = field(default_factory=list)
    redo_stack: list[Scenario] = field(default_factory=list)

    def record(self, before: Scenario) -> None:
        """Call before a change is made: `before` is what undo brings back. A new change ends any redo."""
        self.undo_stack.append(before)
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()

    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def undo(self, current: Scenario) -> Scenario:
        """The scenario before the last change; `current` becomes what redo brings back."""
        if not self.undo_stack:
            raise IndexError("nothing to undo")
        self.redo_stack.append(current)
        return self.undo_stack.pop()

    def redo(self, current: Scenario) -> Scenario:
        if not self.redo_stack:
            raise IndexError("nothing to redo")
        self.undo_stack.append(current)
        return self.redo_stack.pop()

    def clear(self) -> None:
        self.undo_stack.clear()
        self.redo_stack.clear()


def restored(current: Scenario, target: Scenario, action: str, by: str | None = None) -> Scenario:
    """`target`'s inputs exactly, with `current`'s assumptions log plus one entry per input put back.

    The log records an undo (or redo) as a change: what was put back, from what, to what.
    """
    from .assumptions_log import log_entries  # noqa: PLC0415 - the log's module needs compare, a heavier import

    entries = [e.model_copy(update={"what": f"{action}: {e.what}"}) for e in log_entries(current, target, by=by)]
    return target.model_copy(update={"log": [*current.log, *entries]})
