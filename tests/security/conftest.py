"""Security tests reuse the runtime's fixtures (published items, frozen time, uploads in a temporary folder)."""

from tests.runtime.conftest import _media, frozen, item  # noqa: F401
