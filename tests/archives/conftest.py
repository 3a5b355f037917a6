"""The runtime's personas, items and helpers, reused to drive cases to their end."""

from tests.runtime.conftest import _fast_password_hashing, _media, frozen, item  # noqa: F401
