"""Which stored links may become an ``href``: http(s) and same-site relative addresses only.

A link that an editor types (a download, a template, an example) is shown to every applicant;
``javascript:``, ``data:`` and other schemes would run or smuggle content in their browser. The
check is made when the link is saved (with the field's path in the message) and again when it is
rendered (``core.templatetags.links.safe_link``), so a link stored before the check cannot run.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})
LINK_RULE = "链接地址只能是 http:// 或 https:// 开头的网址，或本站的相对地址"

# Browsers drop ASCII tab and newlines anywhere in a URL and leading control characters and spaces,
# so "java\tscript:" is "javascript:" to them: compare what the browser will see.
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def is_safe_link(url: str) -> bool:
    if not isinstance(url, str):
        return False
    seen = _IGNORED_BY_BROWSERS.sub("", url)
    if "\\" in seen:  # browsers read "\" as "/", so "\\host" and "/\host" would leave the site
        return False
    try:
        scheme = urlsplit(seen).scheme
    except ValueError:
        return False
    return scheme == "" or scheme.lower() in ALLOWED_SCHEMES


def link_problem(url: str) -> str | None:
    """The message to show for an unsafe link, or None when the link may be stored."""
    return None if not url or is_safe_link(url) else LINK_RULE
