"""The access matrix (issue 12, finding 2): every URL pattern and API path, GET as anonymous, each
demo role and a second applicant, with URL parameters filled with the canaries — the confidential
item's code and another applicant's case number. The confidential item is named to no one but its
own applicant and staff; the other applicant's case to no one who may not see it; nothing is 5xx."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Applicant, User
from designer.models import ApprovalItem
from runtime import access, services
from runtime.models import Case, Document, Task
from supervision.demo import DEMO_FORM

pytestmark = pytest.mark.django_db

ROLES = ["admin", "legal", "editor", "clerk", "handler", "registrar", "chief", "regchief", "leader", "supervisor", "archivist",
         "multi", "zhangsan", "lisi", "company"]
APPLICANTS = {"zhangsan", "lisi", "company"}
SECONDS_PER_ROLE = 20  # a bound, far above what a role takes here (a few seconds)


def _patterns(resolvers=None, prefix=""):
    """(route text, converters) of every URL pattern, depth first."""
    for entry in (resolvers if resolvers is not None else get_resolver().url_patterns):
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _fill(route: str, values: dict[str, str]) -> str | None:
    """A concrete path for a route (path() or re_path() syntax), or None when it cannot be filled."""
    route = route.lstrip("^").replace("\\.", ".")
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), route)
    route = route.replace("$", "").replace("\\Z", "").replace("/?", "/")
    if re.search(r"[()\[\]*+?|\\^]", route):
        return None
    return "/" + route


def _schema_paths() -> set[str]:
    from drf_spectacular.generators import SchemaGenerator

    return set(SchemaGenerator().get_schema(request=None, public=True)["paths"])


@pytest.fixture
def canaries(demo):
    """Another applicant's case (李四's, at a window) and a case of the confidential item (the company's)."""
    clerk = demo.clerk
    lisi = Applicant.objects.get(user__username="lisi")
    public_item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    theirs = services.case_submit(
        actor=clerk, item=public_item, form_data={**DEMO_FORM, "operator_name": "李四小吃店"}, channel="window",
        applicant=lisi, materials=[services.MaterialInput(k, paper=True)
                                   for k in ("application", "business_licence", "layout", "rules")])
    secret_item = ApprovalItem.objects.get(code="JB-ZRZY-XK-0002")
    assert secret_item.current_version.confidential
    secret = services.case_submit(
        actor=clerk, item=secret_item, channel="window", applicant=Applicant.objects.get(user__username="company"),
        form_data={"unit_name": "江滨区示范餐饮有限公司", "credit_code": "91350100M000100Y43", "purpose": "规划设计使用",
                   "results": [{"name": "1:500地形图", "sheets": 2}], "custodian": "王保密"},
        materials=[services.MaterialInput(k, paper=True) for k in ("application", "secrecy", "project")])
    return {"theirs": theirs, "secret": secret, "secret_item": secret_item}


def _paths(canaries) -> list[str]:
    theirs, secret = canaries["theirs"], canaries["secret"]
    values = {"code": canaries["secret_item"].code, "number": theirs.number,
              "task_id": str(Task.objects.filter(case=theirs).values_list("pk", flat=True).first()),
              "document": Document.objects.filter(case=theirs).values_list("number", flat=True).first() or "x",
              "year": "2026", "format": "json", "department": "JB-SCJG", "system": "test"}
    paths = {_fill(route, values) for route in _patterns()}
    paths |= {_fill(path.replace("{", "<").replace("}", ">").lstrip("/"), values) for path in _schema_paths()}
    paths.discard(None)
    # the public lookups with their own query strings: the confidential case's real verification code
    for progress in ("/progress/", "/api/v1/progress/"):
        paths.add(f"{progress}?number={secret.number}&code={secret.verification_code}")
    paths |= {"/hall/?q=测绘", "/api/v1/catalogue/?q=测绘", "/hall/?department=JB-ZRZY",
              "/api/v1/catalogue/?department=JB-ZRZY"}
    return sorted(p for p in paths if not p.startswith("/i18n/"))


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _walk(client: Client, paths: list[str]) -> dict[str, tuple[int, str]]:
    out = {}
    for path in paths:
        response = client.get(path)
        out[path] = (response.status_code, _text(response))
    return out


def test_the_access_matrix(demo, canaries):
    paths = _paths(canaries)
    assert len(paths) > 100
    theirs, secret_item = canaries["theirs"], canaries["secret_item"]
    secret_marks = [secret_item.code, secret_item.name]
    failures = []
    for who in [None, *ROLES]:
        caches["throttles"].clear()  # each role gets the public queries' full allowance
        client = Client(raise_request_exception=False)
        user = None
        if who:
            user = User.objects.get(username=who)
            client.force_login(user)
        started = time.monotonic()
        answers = _walk(client, paths)
        assert time.monotonic() - started < SECONDS_PER_ROLE, f"{who}: the walk took too long"
        may_see_case = user is not None and access.can_see_case(user, theirs)
        may_name_secret = who is not None and who not in APPLICANTS or who == "company"
        for path, (status, text) in answers.items():
            if status >= 500:
                failures.append(f"{who or '匿名'} GET {path}: {status}")
            if not may_see_case and theirs.number in text and not path.startswith(("/cases/", "/supervision/cases/",
                                                                                   "/api/v1/cases/")):
                failures.append(f"{who or '匿名'} GET {path}: 看到了他人的办件 {theirs.number}")
            if not may_see_case and theirs.number in text and status == 200 and theirs.unit_name in text:
                failures.append(f"{who or '匿名'} GET {path}: 打开了他人的办件 {theirs.number}")
            if not may_name_secret and any(mark in text for mark in secret_marks) and status == 200:
                failures.append(f"{who or '匿名'} GET {path}: 看到了涉密事项")
    assert failures == []


def test_the_walk_covers_the_public_and_private_doors(canaries):
    paths = _paths(canaries)
    code, number = canaries["secret_item"].code, canaries["theirs"].number
    for expected in (f"/hall/items/{code}/", f"/hall/items/{code}/application-form.pdf",
                     f"/supervision/consultations/{code}/", f"/api/v1/catalogue/{code}/", f"/cases/{number}/",
                     f"/api/v1/cases/{number}/", f"/supervision/ratings/{number}/"):
        assert expected in paths
    assert Case.objects.count() >= 2
