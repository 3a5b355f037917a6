"""Case search: the one query behind the staff workbench's lists and the case list API.

``CaseQuery`` is what a person asked for (parsed and checked once, from a page's or the API's
parameters); ``search_cases`` answers it over the cases the person may see
(``selectors.cases_for``, i.e. ``access.visible_cases``), most urgent deadline first. The same
criteria filter the workbench's to-do tasks through ``CaseQuery.condition(prefix="case__")``, so a
search means the same on every tab. Keep every filter and the ordering here: the query plans and
indexes for large numbers of cases are tuned against this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from core.errors import InvalidInput

from . import clock
from .models import OPEN_STATES, Case, CaseState, Channel, Task, TaskSignature, deadline_first_order
from .selectors import cases_for

MAX_TEXT = 100


@dataclass(frozen=True)
class CaseQuery:
    """Every part optional, all combined."""

    text: str = ""  # part of the case number, the applicant's name or the item's (stage's) name
    item: str = ""  # part of the item's (or stage's) name or code (``item_matches``)
    state: str = ""  # a CaseState value
    channel: str = ""  # a Channel value
    received_from: dt.date | None = None  # received (收件) on or after
    received_to: dt.date | None = None  # received on or before
    overdue: bool = False  # open and past its deadline today

    @classmethod
    def from_params(cls, params) -> CaseQuery:
        """Parse a page's or the API's query parameters; refuse a bad one naming the field."""
        def get(key: str) -> str:
            return (params.get(key) or "").strip()

        errors: dict[str, list[str]] = {}
        state, channel = get("state"), get("channel")
        if state and state not in CaseState.values:
            errors["state"] = ["没有这个办件状态"]
        if channel and channel not in Channel.values:
            errors["channel"] = ["没有这个申请渠道"]
        dates = {}
        for key, label in (("from", "收件日期（起）"), ("to", "收件日期（止）")):
            try:
                dates[key] = dt.date.fromisoformat(get(key)) if get(key) else None
            except ValueError:
                errors[key] = [f"{label}应为“年-月-日”格式的日期，例如 2026-03-02"]
        if not errors and dates["from"] and dates["to"] and dates["from"] > dates["to"]:
            errors["to"] = ["收件日期（止）不能早于收件日期（起）"]
        if errors:
            raise InvalidInput("查询条件有误", details=errors)
        return cls(text=get("q")[:MAX_TEXT], item=get("item")[:MAX_TEXT], state=state, channel=channel,
                   received_from=dates["from"], received_to=dates["to"], overdue=get("overdue") in ("1", "on", "true"))

    @property
    def is_empty(self) -> bool:
        return self == CaseQuery()

    def condition(self, *, prefix: str = "", today: dt.date | None = None) -> Q:
        """The filter over cases (``prefix="case__"`` when filtering the cases' tasks)."""
        p = prefix
        q = Q()
        if self.text:
            q &= text_matches(self.text, prefix=p)
        if self.item:
            q &= item_matches(self.item, prefix=p)
        if self.state:
            q &= Q(**{f"{p}state": self.state})
        if self.channel:
            q &= Q(**{f"{p}channel": self.channel})
        if self.received_from:
            q &= Q(**{f"{p}received_on__gte": self.received_from})
        if self.received_to:
            q &= Q(**{f"{p}received_on__lte": self.received_to})
        if self.overdue:
            on = today or clock.today()
            q &= Q(**{f"{p}state__in": OPEN_STATES}) & (
                Q(**{f"{p}accepted_on__isnull": True, f"{p}acceptance_due_on__lt": on})
                | Q(**{f"{p}statutory_due_on__lt": on}))
        return q


# Beyond this many applicants whose names contain the text, the name is matched through the join.
NAME_MATCHES_LISTED = 1000
# PostgreSQL's trigram indexes take a pattern apart into pieces of three characters. A shorter text
# (a two-character name such as 张三) has no piece, and the index is then read whole: 9.7 s over a
# million cases. Such a text is matched against the items' names, not each case's copy of it, and
# not against numbers (two characters of a number find thousands of cases and no one in particular).
TRIGRAM_LENGTH = 3


def is_short(text: str) -> bool:
    return len(text) < TRIGRAM_LENGTH


def names_containing(text: str) -> dict:
    """The applicants' name condition for ``text``: ``icontains`` (``UPPER(name) LIKE``, which the
    trigram index serves) unless the text is too short for that index and has no letter case (汉字,
    digits): the table is then read whole either way, and without ``UPPER`` of every name twice as fast."""
    if is_short(text) and text.upper() == text.lower():
        return {"name__contains": text}
    return {"name__icontains": text}


def of_items_named(text: str, *, prefix: str = "") -> Q:
    """The cases of the items whose name (or code) contains ``text``: the item table is small, and
    the cases are then found through their item's index. A stage's own name is not matched."""
    from designer.models import ApprovalItem

    items = ApprovalItem.objects.filter(Q(name__icontains=text) | Q(code__icontains=text)).values_list("pk", flat=True)
    return Q(**{f"{prefix}item_id__in": list(items)})


def item_matches(text: str, *, prefix: str = "") -> Q:
    """``text`` in the name or code of the case's item, or of its stage (the case's own copies,
    ``unit_name`` and ``unit_code``, trigram-indexed on PostgreSQL). The items are looked up first,
    so every part is a condition on the case table: the join to the item table for its code made
    PostgreSQL read every case (5.7 s at a million). Text too short for a trigram matches the
    items only (``of_items_named``)."""
    by_item = of_items_named(text, prefix=prefix)
    if is_short(text):
        return by_item
    return by_item | Q(**{f"{prefix}unit_name__icontains": text}) | Q(**{f"{prefix}unit_code__icontains": text})


def text_matches(text: str, *, prefix: str = "") -> Q:
    """``text`` in the case number, the item's name or the applicant's name; a whole case number
    finds just that case, by its unique index (looking it up among every number that contains it
    read a trigram index's longest lists: 140 ms at a million cases). The applicants are looked up
    first (one indexed query), so that all three parts are conditions on the case table that its
    indexes answer (trigram indexes on PostgreSQL: migration runtime 0014) and the database combines
    them, instead of reading every case through a join."""
    from accounts.models import Applicant

    p = prefix
    if Case.objects.filter(number=text).exists():
        return Q(**{f"{p}number": text})
    names = list(Applicant.objects.filter(**names_containing(text)).values_list("pk", flat=True)
                 .order_by()[:NAME_MATCHES_LISTED + 1])
    by_name = (Q(**{f"{p}applicant_id__in": names}) if len(names) <= NAME_MATCHES_LISTED
               else Q(**{f"{p}applicant__name__icontains": text}))
    if is_short(text):
        return of_items_named(text, prefix=p) | by_name
    return Q(**{f"{p}number__icontains": text}) | Q(**{f"{p}unit_name__icontains": text}) | by_name


# Up to this many cases a person acted on are listed by id (the newest); see ``search_cases``.
ACTED_LISTED = 5000


def _acted(user) -> tuple[QuerySet, QuerySet]:
    """The ids of the cases the person acted on — a step they completed, a countersign they signed —
    newest first (read backwards off ``runtime_task_done_by``, index only)."""
    done = Task.objects.filter(completed_by=user).order_by("-case_id").values("case_id").distinct()
    signed = (TaskSignature.objects.filter(signer=user).order_by("-task__case_id").values("task__case_id")
              .distinct())
    return done, signed


def acted_recently(user) -> Q:
    """The newest ``ACTED_LISTED`` cases of each kind the person acted on, as subqueries: the
    database reads the ids itself (5,000 literal ids took 50 ms to plan and count; 9 ms so)."""
    done, signed = _acted(user)
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: no LIMIT inside a UNION
        return Q(pk__in=done[:ACTED_LISTED]) | Q(pk__in=signed[:ACTED_LISTED])
    # one IN over a UNION: two ORed INs made PostgreSQL hash both and read every case
    return Q(pk__in=done[:ACTED_LISTED].union(signed[:ACTED_LISTED], all=True))


def acted_more_than_listed(user) -> bool:
    done, signed = _acted(user)
    return any(list(ids[ACTED_LISTED:ACTED_LISTED + 1]) for ids in (done, signed))


def acted_on_each(user) -> Q:
    """The cases the person acted on, tested case by case (``EXISTS`` … OR ``EXISTS`` …)."""
    return (Q(Exists(Task.objects.filter(case=OuterRef("pk"), completed_by=user)))
            | Q(Exists(TaskSignature.objects.filter(task__case=OuterRef("pk"), signer=user))))


def acted_recent_only(user, query: CaseQuery) -> bool:
    """Whether 已办 lists only the newest ``ACTED_LISTED`` cases (no search, a longer history)."""
    return query.is_empty and acted_more_than_listed(user)


def search_cases(user, query: CaseQuery = CaseQuery(), *, acted: bool = False,
                 newest_first: bool = False) -> QuerySet[Case]:
    """The cases ``user`` may see matching ``query`` (only those they acted on with ``acted``):
    open cases first, each by its deadline, the nearest first; then finished ones, newest first
    (``models.deadline_first_order``, read off its index). ``newest_first``: newest first
    throughout (the API's list).

    已办 (``acted``) is filtered by the ids of the person's newest cases (``acted_recently``), and
    those few thousand are sorted rather than found along the deadline
    index, which passes every open case before the person's finished ones (2.2 s for the seed's
    handler at a million). Someone who acted on more than ``ACTED_LISTED`` cases gets the newest
    of them (the page says so, ``acted_recent_only``); a search goes through their whole history,
    case by case, its own conditions narrowing what is tested."""
    cases = cases_for(user).filter(query.condition())
    by_index = True
    if acted:
        by_index = not query.is_empty and acted_more_than_listed(user)
        cases = cases.filter(acted_on_each(user) if by_index else acted_recently(user))
    return cases if newest_first else cases.order_by(*deadline_first_order(by_index=by_index))
