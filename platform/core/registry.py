"""Registries: the platform's extension points (step types, field types, json-logic operations,
supervision rule kinds, document templates, demo loaders …), each filled by key at start-up.

A registry refuses a duplicate key and answers an unknown key with a typed error, so a typo
shows up at start-up or as a clear message, never as a silent fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import PlatformError

T = TypeVar("T")


class DuplicateKey(PlatformError):
    code = "duplicate_key"
    http_status = 500


class UnknownKey(PlatformError):
    code = "unknown_key"


class Registry(Generic[T]):
    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        if key in self._items:
            raise DuplicateKey(f"{self.name}中已登记“{key}”")
        self._items[key] = item
        return item

    def decorator(self, key: str) -> Callable[[T], T]:
        def wrap(item: T) -> T:
            return self.register(key, item)

        return wrap

    def unregister(self, key: str) -> T:
        """Remove a key (tests that register a temporary entry use this to clean up)."""
        try:
            return self._items.pop(key)
        except KeyError:
            raise UnknownKey(f"{self.name}中没有“{key}”") from None

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            raise UnknownKey(f"{self.name}中没有“{key}”") from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def items(self):
        return self._items.items()

    def keys(self) -> list[str]:
        return list(self._items)
