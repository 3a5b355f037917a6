"""Schemathesis over the platform's OpenAPI document (issue 12, finding 7): every operation, as
anonymous, an applicant, a window clerk and a supervisor, with valid and invalid generated
requests; no answer may be a 5xx. Bounded in examples per operation and role, and in time
overall, so the whole test takes about a minute on the CI machine; ``-m "not fuzz"`` leaves it out
locally (CI runs it)."""

from __future__ import annotations

import time

import pytest
from django.core import signals
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

ROLES = [None, "zhangsan", "clerk", "supervisor"]
EXAMPLES = 5  # per operation, role and generation mode
SECONDS = 150  # a bound on the whole walk, far above what it takes here


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI handler closes the database connection around each request, which would end the
    test's transaction; Django's test client disconnects the same signal."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _session(username: str | None) -> tuple[dict, dict]:
    """Cookies and headers of a logged-in person (with a CSRF token, as the browser sends it)."""
    token = _get_new_csrf_string()
    cookies, headers = {"csrftoken": token}, {"X-CSRFToken": token}
    if username:
        from accounts.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        cookies["sessionid"] = client.cookies["sessionid"].value
    return cookies, headers


def test_no_generated_request_gets_a_5xx(demo, wsgi_in_test_transaction):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = get_wsgi_application()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    failures: list[str] = []
    tried: set[str] = set()
    deadline = time.monotonic() + SECONDS
    for username in ROLES:
        cookies, headers = _session(username)
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if time.monotonic() < deadline:
                    _walk(operation, mode, username or "匿名", cookies, headers, tried, failures)
    assert not failures, "5xx answers:\n" + "\n".join(dict.fromkeys(failures))
    assert len(tried) == len(operations), f"not reached in time: {sorted({o.label for o in operations} - tried)}"


def _walk(operation, mode, who: str, cookies: dict, headers: dict, tried: set, failures: list) -> None:
    """Send EXAMPLES generated requests of one operation as one person; note every 5xx (no
    shrinking: the first request that failed is reported as it was sent)."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(cookies=cookies, headers=headers)
        tried.add(operation.label)
        if response.status_code >= 500:
            failures.append(f"{who} {case.as_curl_command()} → {response.status_code}")

    try:
        run()
    except Unsatisfiable:  # nothing in this operation's request can be made invalid
        pass
