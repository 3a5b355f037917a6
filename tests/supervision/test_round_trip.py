"""Issue 6, "Done when": an exchange batch round-trips — exported here (installation A, the test
database), validated against the published JSON Schema, pushed over HTTP into the inbound API of
a second installation (B: its own process and SQLite file), and the dashboards agree: the
figures A computes from its own cases equal those B computes from the external cases it took in.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from runtime import services
from supervision.models import ExchangeBatch

from ..fixtures.services import _free_port, _wait_for_port
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Demo#2026"
# The dashboard figures compared. They are defined on stored facts (state, dates, paused days), so
# B computes them from external cases; "clock_alerts" are the open case-clock warnings and cards,
# which B's sweep raises on the external cases by the same rule set as A's on its own.
COMPARED = ["by_department", "by_state", "on_time", "days_used", "clock_alerts"]


class Installation:
    """A second platform: migrated and loaded with the demo organisation and items (what it needs
    to accept pushed cases), serving on a free port of loopback."""

    def __init__(self, folder: Path):
        self.env = {**{k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")},
                    "DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}", "PLATFORM_VAR_DIR": str(folder),
                    "DEBUG": "true", "LOG_LEVEL": "WARNING"}
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"B: manage.py {' '.join(args)} 失败：\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self) -> None:
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("load_demo")
        log = (self.folder / "server.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        _wait_for_port(self.port, timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def session(self, username: str) -> Session:
        return Session(self.url, username)


class Session:
    """A browser-like HTTP session: logs in through the login page, sends the CSRF token."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        self.opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form.encode()))
        assert "sessionid" in self._cookies(), f"B: {username} 未能登录"

    def _cookies(self) -> dict:
        return {c.name: c.value for c in self.jar}

    def get_json(self, path: str) -> dict:
        with self.opener.open(f"{self.base}{path}") as response:
            return json.loads(response.read())

    def post_json(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            f"{self.base}{path}", data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self._cookies()["csrftoken"]})
        with self.opener.open(request) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def installation_b(tmp_path_factory):
    b = Installation(tmp_path_factory.mktemp("installation-b"))
    try:
        b.start()
        yield b
    finally:
        b.stop()


def by_pushing_department(payload: dict) -> dict[str, dict]:
    """The inbound API takes one department's cases per push: split the city-wide batch by the top
    unit (below the district) of each case's department, with each part's own count and checksum."""
    from accounts.models import Department
    from supervision.exchange import checksum

    parents = dict(Department.objects.values_list("code", "parent__code"))
    kinds = dict(Department.objects.values_list("code", "kind"))

    def top(code: str) -> str:
        while parents.get(code) and kinds[parents[code]] != Department.Kind.DISTRICT:
            code = parents[code]
        return code

    owner = {r["number"]: top(r["department"]) for r in payload["records"] if r["type"] == "case"}
    parts: dict[str, list] = {}
    for record in payload["records"]:
        about = record["number"] if record["type"] == "case" else record["case"]
        if about in owner:
            parts.setdefault(owner[about], []).append(record)
    return {code: {**payload, "count": len(records), "checksum": checksum(records), "records": records}
            for code, records in parts.items()}


def build_cases(demo, item, frozen) -> None:
    """Cases of every kind the figures tell apart, across the National Day holiday: completed on
    time, completed late, open past the promised limit, open within it, not yet accepted, refused."""
    def complete(case):
        for actor in (demo.handler, demo.chief, demo.leader):
            case = act(actor, case)
        return act(demo.clerk, case, "complete", "")

    frozen.move_to(at("2026-09-01", 9))
    on_time = act(demo.clerk, submit(demo, item), opinion="予以受理")
    late = act(demo.clerk, submit(demo, item), opinion="予以受理")
    overdue = act(demo.clerk, submit(demo, item), opinion="予以受理")
    act(demo.handler, overdue)
    frozen.move_to(at("2026-09-03", 9))
    complete(on_time)
    frozen.move_to(at("2026-10-12", 9))
    complete(late)
    act(demo.clerk, submit(demo, item), opinion="予以受理")  # open, within its limit
    submit(demo, item)  # received, not accepted yet
    services.case_refuse(actor=demo.clerk, case=submit(demo, item), reason="不属于本机关职权范围")


def test_an_exchange_batch_round_trips_into_a_second_installation(demo, item, frozen, sweep, settings, tmp_path,
                                                                   client, installation_b):
    settings.VAR_DIR = tmp_path
    build_cases(demo, item, frozen)
    frozen.move_to(at("2026-10-13", 9))
    sweep()
    frozen.move_to(at("2026-10-13", 10))  # the batch takes changes at least 5 minutes old
    call_command("exchange_export", stdout=open(os.devnull, "w"))
    batch = ExchangeBatch.objects.get()
    delivered = json.loads(next((tmp_path / "exchange").glob("*.json")).read_text(encoding="utf-8"))
    assert delivered == batch.payload

    # validated against the schema published in docs/, formats checked
    schema = json.loads((ROOT / "docs/schemas/exchange-batch.schema.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                .iter_errors(delivered)) == []
    cases = [r for r in delivered["records"] if r["type"] == "case"]
    assert len(cases) == 6 and any(r["type"] == "alert" for r in delivered["records"])

    # pushed over HTTP into B, by its administrator, one push per department
    admin_b = installation_b.session("admin")
    stored_cases = stored_events = 0
    for department, part in by_pushing_department(delivered).items():
        report = admin_b.post_json(f"/api/v1/exchange/inbound/{department}/installation-a/", part)
        assert report["rejected"] == [], report["rejected"]
        stored_cases += report["stored"]["cases"]
        stored_events += report["stored"]["events"]
    assert (stored_cases, stored_events) == (6, sum(r["type"] == "event" for r in delivered["records"]))
    installation_b.manage("supervise", "--today", "2026-10-13")  # B judges what it holds, as A did

    # the dashboards agree: A's own cases, B's external ones, as of the same day
    client.force_login(demo.supervisor)
    response = client.get("/api/v1/supervision/dashboard/?on=2026-10-13")
    assert response.status_code == 200
    mine = response.json()["cases"]["own"]
    theirs = installation_b.session("supervisor").get_json("/api/v1/supervision/dashboard/?on=2026-10-13")
    theirs = theirs["cases"]["external"]
    for figure in COMPARED:
        assert theirs[figure] == mine[figure], figure

    # and the figures are the ones a person counting the cases above would give
    scjg = mine["by_department"]["JB-SCJG"]
    assert (scjg["open"], scjg["overdue"], scjg["closed"]) == (3, 1, 3)
    assert mine["on_time"] == {"JB-SCJG": {"completed": 2, "on_time": 1}}
    assert mine["by_state"] == {"completed": 2, "in_progress": 2, "received": 1, "refused": 1}
    # 2 working days, and 25 (09-02 … 10-12 across the holiday, with its two working weekend days)
    assert mine["days_used"] == {"JB-SCJG-XK-0001": {"completed": 2, "average": 13.5}}
    # the open case past its promised limit since 09-29: red (more than 1 working day past the statutory limit too)
    assert mine["clock_alerts"] == {"JB-SCJG": {"warning": 0, "yellow": 0, "red": 1, "anomaly": 0}}
