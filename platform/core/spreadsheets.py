"""What every spreadsheet the platform writes shares.

A cell whose text starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is read by
Excel and WPS as a formula: an item name or a user-typed field such as ``=HYPERLINK(...)`` would
run on the desk of whoever opens an export (CSV/formula injection, OWASP). Text cells pass through
:func:`safe_cell`, which prefixes such text with an apostrophe so it shows as typed.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet may hold it without evaluating it; numbers, dates and None pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
