"""The per-evaluation context handed to every compiled node alongside the data."""

from __future__ import annotations

import datetime as dt

from .semantics import EvalFailure

# Element-steps a rule may spend in some/all/none/map/filter/reduce in one evaluation: enough for
# any form, low enough that nested loops over literal lists cannot hang a worker.
STEP_BUDGET = 200_000


class Context:
    __slots__ = ("_today", "notes", "budget", "trace", "failure")

    def __init__(self, today: dt.date | None = None, *, trace: bool = False):
        self._today = today
        self.notes: list[str] = []
        self.budget = STEP_BUDGET
        self.trace: list[tuple] | None = [] if trace else None
        self.failure: tuple[str, str] | None = None  # (path, message) of the innermost failing node

    @property
    def today(self) -> dt.date:
        """Today in the platform's time zone, fixed for the whole evaluation."""
        if self._today is None:
            from django.utils import timezone

            self._today = timezone.localdate()
        return self._today

    def spend(self, steps: int) -> None:
        self.budget -= steps
        if self.budget < 0:
            raise EvalFailure("规则计算量超出上限（列表运算嵌套过多）")

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)
