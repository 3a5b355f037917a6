"""The production profile as docs/operations.md has an operator run it, end to end.

PostgreSQL (a fresh database on the server ``DATABASE_URL`` names), Redis, gunicorn behind nginx
running docs/deploy/nginx.conf over HTTPS, a Celery worker and beat, every command taken verbatim
from docs/operations.md. Checked: a page, a static file, /healthz, a login through the proxy, a
notification sent by the worker, the daily exchange sent by beat's own scheduler at its time of
day (the scheduler's clock frozen), and that exchange surviving its worker killed with SIGKILL
mid-task: another worker runs it and it completes once.

Runs in .ci/run's PostgreSQL pass (REQUIRE_PRODUCTION_STACK=1); skipped elsewhere without
PostgreSQL, nginx or redis-server.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.services import _free_port, _wait_for_port

pytestmark = pytest.mark.production_stack

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
NGINX_SITE = (ROOT / "docs" / "deploy" / "nginx.conf").read_text(encoding="utf-8")
VENV_BIN = Path(sys.executable).parent
SUPERVISOR_MOBILE = "13800138000"


def _missing() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "DATABASE_URL 不是 PostgreSQL"
    for tool in ("nginx", "redis-server", "openssl"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            return f"未找到 {tool}"
    if not (VENV_BIN / "gunicorn").exists():
        return "未找到 gunicorn"
    return None


@pytest.fixture(scope="module")
def _required():
    reason = _missing()
    if reason:
        if os.environ.get("REQUIRE_PRODUCTION_STACK"):
            pytest.fail(reason)
        pytest.skip(reason)


def documented(command: str, **replace: str) -> list[str]:
    """A command exactly as docs/operations.md shows it, made runnable here: the virtualenv's
    path, and the values given (ports) substituted."""
    assert command in OPERATIONS, f"docs/operations.md 中没有这条命令：{command}"
    for old, new in replace.items():
        command = command.replace(old, new)
    command = re.sub(r"(?<![\w/])(\.\./)?\.venv/bin/", f"{VENV_BIN}/", command)
    return shlex.split(command)


class Gateway(BaseHTTPRequestHandler):
    """The SMS gateway and the city's supervision system, recording what they are sent. The first
    exchange batch is held (no answer) until ``hold`` is set: the worker is killed meanwhile."""

    received: list[dict] = []
    first_at = 0.0  # when the first exchange request came
    hold = threading.Event()
    arrived = threading.Event()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/exchange"):
            first = not self.arrived.is_set()
            if first:
                Gateway.first_at = time.monotonic()
            self.arrived.set()
            if first:
                self.hold.wait(120)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:
            pass  # the worker that asked is gone

    def log_message(self, *args):
        pass


def _sql(dsn: str, query: str, *params):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(query, params or None)
        return cursor.fetchall() if cursor.description else []


class Stack:
    def __init__(self, folder: Path, redis_url: str):
        import environ

        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}
        server = environ.Env.db_url_config(os.environ["DATABASE_URL"])
        from psycopg.conninfo import make_conninfo

        connect = {"host": server["HOST"], "port": server["PORT"] or 5432, "user": server["USER"],
                   **({"password": server["PASSWORD"]} if server["PASSWORD"] else {})}
        self.database = f"platform_stack_{uuid.uuid4().hex[:8]}"
        self.server_dsn = make_conninfo(**connect, dbname=server["NAME"])
        self.dsn = make_conninfo(**connect, dbname=self.database)
        user = server["USER"] + (f":{server['PASSWORD']}" if server["PASSWORD"] else "")
        self.web_port, self.http_port, self.https_port = _free_port(), _free_port(), _free_port()
        self.gateway = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
        gateway = f"http://127.0.0.1:{self.gateway.server_address[1]}"
        self.origin = f"https://127.0.0.1:{self.https_port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "CELERY_", "EXCHANGE_", "CASE_LOG_"))},
            "DEBUG": "False", "SECRET_KEY": "stack-test-" + uuid.uuid4().hex * 2, "ALLOWED_HOSTS": "127.0.0.1",
            "CASE_LOG_KEYS": f"k2026={uuid.uuid4().hex}",
            "CERTIFICATE_KEYS": f"c2026={uuid.uuid4().hex}",
            "DATABASE_URL": f"postgres://{user}@{server['HOST']}:{server['PORT'] or 5432}/{self.database}",
            "CELERY_BROKER_URL": f"{redis_url}/5", "CELERY_RESULT_BACKEND": f"{redis_url}/7",
            "CACHE_URL": f"{redis_url}/6",
            "SECURE_PROXY_SSL_HEADER": "True", "TRUSTED_PROXY_COUNT": "1",
            "CSRF_TRUSTED_ORIGINS": self.origin,
            "PLATFORM_VAR_DIR": str(folder / "var"),
            "SUPERVISION_CHANNELS": "console,sms", "SMS_GATEWAY_URL": f"{gateway}/sms",
            "EXCHANGE_DELIVERIES": "outbox,http", "EXCHANGE_CITY_URL": f"{gateway}/exchange",
            # Short enough for a test to wait for; the production default is in docs/operations.md.
            "CELERY_VISIBILITY_TIMEOUT": "15", "CELERY_TASK_TIME_LIMIT": "120",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    # --- steps -----------------------------------------------------------------------------
    def run(self, args: list[str], cwd: Path = ROOT, timeout: float = 300) -> str:
        result = subprocess.run(args, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    def start(self, name: str, args: list[str], cwd: Path = ROOT) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(args, cwd=cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own group: killed whole, children too
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def nginx(self) -> None:
        certs = self.folder / "certs"
        certs.mkdir()
        self.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                  "-addext", "subjectAltName=IP:127.0.0.1",
                  "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")])
        site = (NGINX_SITE.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
                .replace("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl")
                .replace("/etc/ssl/platform/", f"{certs}/")
                .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{self.web_port};"))
        assert site.count(str(self.https_port)) == 1 and site.count(str(self.web_port)) == 1
        prefix = self.folder / "nginx"
        prefix.mkdir()
        (prefix / "platform.conf").write_text(site)
        temp = " ".join(f"{kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                        "uwsgi", "scgi"))
        (prefix / "nginx.conf").write_text(
            f"daemon off; worker_processes 1; pid {prefix}/nginx.pid; error_log {prefix}/error.log;\n"
            f"events {{ worker_connections 64; }}\n"
            f"http {{ access_log {prefix}/access.log; {temp} include {prefix}/platform.conf; }}\n")
        executable = shutil.which("nginx") or "/usr/sbin/nginx"
        self.start("nginx", [executable, "-p", str(prefix), "-e", f"{prefix}/error.log", "-c", str(prefix / "nginx.conf")])
        _wait_for_port(self.https_port)

    def worker(self, name: str) -> None:
        self.start(name, documented("cd platform && ../.venv/bin/celery -A config worker --loglevel INFO "
                                    "--concurrency 2")[3:], cwd=ROOT / "platform")

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        self.gateway.shutdown()
        _sql(self.server_dsn, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def _wait(condition, timeout: float, what: str, stack: Stack, logs=("worker",)):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    detail = "\n".join(f"--- {name}\n{stack.log(name)[-4000:]}" for name in logs if (stack.folder / f"{name}.log").exists())
    raise AssertionError(f"{timeout} 秒内未见：{what}\n{detail}")


@pytest.fixture(scope="module")
def stack(_required, redis_url, tmp_path_factory):
    Gateway.received.clear()
    Gateway.hold.clear()
    Gateway.arrived.clear()
    s = Stack(tmp_path_factory.mktemp("stack"), redis_url)
    threading.Thread(target=s.gateway.serve_forever, daemon=True).start()
    try:
        _sql(s.server_dsn, f'CREATE DATABASE "{s.database}"')
        s.run(documented(".venv/bin/python manage.py migrate --noinput"))
        s.run(documented(".venv/bin/python manage.py collectstatic --noinput"))
        s.run(documented(".venv/bin/python manage.py load_demo"))
        # the supervisor's mobile number, as entered in the admin (用户 → 手机号码)
        _sql(s.dsn, "UPDATE accounts_user SET phone = %s WHERE username = 'supervisor'", SUPERVISOR_MOBILE)
        s.run(documented(".venv/bin/python manage.py load_supervision_demo"))  # sweeps: notices queued
        s.start("web", documented(".venv/bin/gunicorn --chdir platform config.wsgi:application "
                                  "--bind 127.0.0.1:8000 --workers 2", **{"127.0.0.1:8000": f"127.0.0.1:{s.web_port}"}))
        _wait_for_port(s.web_port, timeout=60)
        s.nginx()
        s.worker("worker")
        s.start("beat", documented("cd platform && ../.venv/bin/celery -A config beat --loglevel INFO")[3:],
                cwd=ROOT / "platform")
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def https(stack):
    import requests

    session = requests.Session()
    session.trust_env = False  # no proxy or CA bundle from the environment
    session.verify = str(stack.folder / "certs" / "fullchain.pem")  # the test's own certificate
    return session


def _csrf_token(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _log_in(https, stack, username: str):
    form = https.get(f"{stack.origin}/accounts/login/", timeout=10)
    return https.post(f"{stack.origin}/accounts/login/", allow_redirects=False, timeout=30,
                      data={"csrfmiddlewaretoken": _csrf_token(form), "username": username, "password": "Demo#2026"},
                      headers={"Referer": f"{stack.origin}/accounts/login/", "Origin": stack.origin})


def _worker_succeeded(stack, task: str) -> int:
    """How many times the worker logged ``task`` as succeeded (its line comes after the task's commit)."""
    lines = [json.loads(line) for line in stack.log("worker").splitlines() if line.startswith("{")]
    return sum(1 for e in lines if e.get("logger") == "platform.task" and e.get("task") == task
               and e.get("state") == "SUCCESS")


def test_pages_static_files_health_and_login_over_https_through_nginx(stack, https):
    # plain HTTP is sent to HTTPS by the proxy
    answer = https.get(f"http://127.0.0.1:{stack.http_port}/hall/", allow_redirects=False, timeout=10)
    assert answer.status_code == 301 and answer.headers["Location"] == "https://127.0.0.1/hall/"

    # a page over HTTPS: served, not redirected (the forwarded protocol is trusted), HSTS on
    page = https.get(f"{stack.origin}/hall/", allow_redirects=False, timeout=30)
    assert page.status_code == 200, page.text[:500]
    assert "Strict-Transport-Security" in page.headers

    # a static file: collected, hashed, served by WhiteNoise through the proxy, cached for good
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    css = https.get(f"{stack.origin}{stylesheet}", timeout=10)
    assert css.status_code == 200 and "max-age=315360000" in css.headers["Cache-Control"]

    # the health check, through the proxy and straight at gunicorn (as a load balancer asks)
    for url in (f"{stack.origin}/healthz", f"http://127.0.0.1:{stack.web_port}/healthz"):
        health = https.get(url, allow_redirects=False, timeout=10)
        assert health.status_code == 200, health.text
        assert health.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
        assert stack.database not in health.text and "redis://" not in health.text

    # a login: CSRF over HTTPS with the public origin, a secure session cookie
    login = _log_in(https, stack, "supervisor")
    assert login.status_code == 302, login.text[:1000]
    assert any(c.name == "sessionid" and c.secure for c in https.cookies)
    dashboard = https.get(f"{stack.origin}/supervision/", timeout=30)
    assert dashboard.status_code == 200 and "周监察" in dashboard.text

    # one JSON line per request, with the client's address the proxy passed on
    lines = [json.loads(line) for line in stack.log("web").splitlines() if line.startswith("{")]
    [logged] = [e for e in lines if e.get("logger") == "platform.request" and e.get("method") == "POST"]
    assert (logged["path"], logged["status"], logged["client"]) == ("/accounts/login/", 302, "127.0.0.1")


def test_the_worker_sends_the_notices_of_the_sweep(stack):
    _wait(lambda: any(r["path"] == "/sms" for r in Gateway.received), 90, "短信网关收到告警通知", stack)
    sms = json.loads(next(r for r in Gateway.received if r["path"] == "/sms")["body"])
    assert sms["mobile"] == SUPERVISOR_MOBILE and "【电子监察" in sms["content"]
    _wait(lambda: _sql(stack.dsn, "SELECT count(*) FROM supervision_notification n JOIN accounts_user u "
                                  "ON u.id = n.recipient_id WHERE u.username = 'supervisor' AND n.sent "
                                  "AND n.sent_via = 'console,sms' AND n.sent_at IS NOT NULL")[0][0] > 0,
          30, "通知记为已送达", stack)

    _wait(lambda: _worker_succeeded(stack, "supervision.send_notifications"), 30, "工作进程记录通知任务成功", stack)


def test_sweep_now_is_left_to_the_worker_and_the_dashboard_then_shows_its_time(stack, https):
    assert _log_in(https, stack, "supervisor").status_code == 302
    taken = "SELECT max(taken_at) FROM supervision_dashboardsnapshot"
    before, sweeps_before = _sql(stack.dsn, taken)[0][0], _worker_succeeded(stack, "supervision.sweep")
    dashboard = https.get(f"{stack.origin}/supervision/", timeout=30)
    answer = https.post(f"{stack.origin}/supervision/sweep/", timeout=30, data={"csrfmiddlewaretoken": _csrf_token(dashboard)},
                        headers={"Referer": f"{stack.origin}/supervision/", "Origin": stack.origin})
    # the request answers at once, saying the sweep runs in the background, not how it ended
    assert answer.status_code == 200 and "已开始巡查，由后台执行" in answer.text, answer.text[:1000]
    assert "巡查完成" not in answer.text
    _wait(lambda: _worker_succeeded(stack, "supervision.sweep") > sweeps_before, 90, "工作进程完成巡查", stack)
    after = _sql(stack.dsn, taken)[0][0]
    assert after is not None and (before is None or after > before)
    page = https.get(f"{stack.origin}/supervision/", timeout=30)
    assert f"统计数字截至 {after.astimezone(ZoneInfo('Asia/Shanghai')):%Y年%-m月%-d日 %H:%M}" in page.text


BEAT_AT = """
import datetime as dt, json, time_machine, django
from zoneinfo import ZoneInfo
from config.celery import app  # sets DJANGO_SETTINGS_MODULE, as `celery -A config beat` does
django.setup()
from config.beat import RegistryScheduler

sent = []
class Recording(RegistryScheduler):
    def apply_async(self, entry, *args, **kwargs):
        sent.append(entry.name)
        return super().apply_async(entry, *args, **kwargs)

tomorrow = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
# The daily duties last ran the day before at 03:00, whatever the hour now (the stack's beat counted
# them from its own start: started between 00:00 and 02:00, tomorrow's 01:59:50 is a day and more
# after today's 02:00, and the exchange would be due before two).
from django_celery_beat.models import PeriodicTask
from core.schedule import periodic_tasks
daily = [key for key, duty in periodic_tasks.items() if duty.at is not None]
PeriodicTask.objects.filter(name__in=daily).update(
    last_run_at=dt.datetime.combine(tomorrow - dt.timedelta(days=1), dt.time(3, 0), ZoneInfo("Asia/Shanghai")))
phases = {}
with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(1, 59, 50), ZoneInfo("Asia/Shanghai"))):
    scheduler = Recording(app=app)
    for _ in range(12):
        scheduler.tick()
    phases["01:59:50"], sent = sent, []
with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(2, 0, 5), ZoneInfo("Asia/Shanghai"))):
    for _ in range(12):
        scheduler.tick()
    scheduler.sync()
    phases["02:00:05"] = sent
print(json.dumps(phases))
"""


def test_the_exchange_runs_at_two_and_completes_once_though_its_worker_is_killed(stack):
    # beat's database scheduler, its clock set to just before and just after 02:00 Asia/Shanghai
    phases = json.loads(stack.run([sys.executable, "-c", BEAT_AT], cwd=ROOT / "platform").strip().splitlines()[-1])
    assert "supervision.exchange_daily" not in phases["01:59:50"]
    assert "supervision.full_sweep" in phases["01:59:50"]  # 01:00 had passed
    assert phases["02:00:05"] == ["supervision.exchange_daily"]

    # the worker takes it and is killed (SIGKILL, with its children) while delivering the batch
    assert Gateway.arrived.wait(120), stack.log("worker")[-4000:]
    stack.stop("worker", signal.SIGKILL)
    Gateway.hold.set()
    # The new worker looks for messages of dead workers when it starts and every ~100 s after;
    # start it once the visibility timeout (15 s here) has passed, as a restart after a crash does.
    time.sleep(max(0.0, Gateway.first_at + 16 - time.monotonic()))
    stack.worker("worker-2")

    def delivered():
        return _sql(stack.dsn, "SELECT count(*), count(*) FILTER (WHERE state = 'delivered') "
                               "FROM supervision_exchangebatch")[0] == (1, 1)

    _wait(delivered, 120, "交换批次由另一个工作进程送达", stack, logs=("worker-2",))
    batch_ids = {r["headers"]["X-Batch-Id"] for r in Gateway.received if r["path"] == "/exchange"}
    assert len(batch_ids) == 1  # the same batch again (the city deduplicates by X-Batch-Id), never a second
    assert len(list((stack.folder / "var" / "exchange").glob("*.json"))) == 1
    time.sleep(2)
    assert _sql(stack.dsn, "SELECT count(*) FROM supervision_exchangebatch")[0][0] == 1


def test_beat_wrote_no_file_into_the_source_tree(stack):
    assert not list((ROOT / "platform").glob("celerybeat-schedule*"))
    assert not list(ROOT.glob("celerybeat-schedule*"))
    assert "DatabaseScheduler" in stack.log("beat") or "RegistryScheduler" in stack.log("beat")
