"""What validation knows about a node before any data exists: its type, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NOT_LITERAL: Any = object()


@dataclass(frozen=True)
class Variable:
    """A variable a rule may read: a form field or a case fact."""

    name: str
    kind: str = "any"  # number, string, boolean, date, array, object, any
    label: str = ""
    choices: tuple = ()  # allowed values, when the schema or catalogue lists them
    description: str = ""


@dataclass(frozen=True)
class StaticInfo:
    kind: str = "any"
    variable: Variable | None = None
    literal: Any = NOT_LITERAL

    @property
    def is_literal(self) -> bool:
        return self.literal is not NOT_LITERAL
