"""Structured logs: one JSON object per line, with the request or task and the case it concerns.

``JsonFormatter`` writes every record as JSON (time, level, logger, message, and whatever the
record carries in ``extra``), plus the context of the request or task being served (``context``:
its id and, where there is one, the case number). ``RequestLogMiddleware`` (config/requestlog.py)
writes one line per request and the Celery signals in ``config.celery`` one per task.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("log_context", default=None)

# The attributes every LogRecord has; anything else came in through ``extra`` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def bind(**values) -> contextvars.Token:
    """Add ``values`` to the context of the current request or task; ``context.reset(token)`` ends it."""
    return context.set({**(context.get() or {}), **{k: v for k, v in values.items() if v not in (None, "")}})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(context.get() or {})
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
