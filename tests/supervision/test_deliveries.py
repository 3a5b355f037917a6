"""Delivering exchange batches to the city's supervision system over real HTTP (a local server in
a thread): the payload and dedup headers, the bearer token, failures recorded and retried in
sequence order, timeouts and refused connections, the start-up check and the admin list."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from supervision import exchange
from supervision.deliveries import DeliveryFailed
from supervision.models import ExchangeBatch

from .conftest import at, submit

pytestmark = pytest.mark.django_db


class City:
    """The city's receiving endpoint on loopback: records every request, answers ``status`` with
    ``answer`` after ``delay`` seconds."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status, self.answer, self.delay = 200, "{}", 0.0
        city = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                city.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if city.delay:
                    time.sleep(city.delay)
                self.send_response(city.status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(city.answer.encode("utf-8"))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/exchange/batches"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sequences(self) -> list[int]:
        return [int(r["headers"]["X-Batch-Sequence"]) for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def city(settings):
    c = City()
    settings.EXCHANGE_DELIVERIES = ["outbox", "http"]
    settings.EXCHANGE_CITY_URL, settings.EXCHANGE_CITY_TOKEN, settings.EXCHANGE_CITY_TIMEOUT = c.url, "", 5.0
    yield c
    c.close()


def test_a_batch_is_posted_as_its_stored_payload_with_dedup_headers(demo, frozen, item, city, tmp_path):
    frozen.move_to(at("2026-10-12", 9))
    submit(demo, item)
    frozen.move_to(at("2026-10-13", 2))
    exchange.exchange_daily()

    batch = ExchangeBatch.objects.get()
    assert batch.state == "delivered" and batch.attempts == 1 and not batch.last_error
    [sent] = city.requests
    assert sent["path"] == "/exchange/batches"
    assert json.loads(sent["body"].decode("utf-8")) == batch.payload and batch.count > 0
    text = sent["body"].decode("utf-8")  # Chinese as UTF-8, not \u escapes
    assert "\\u" not in text and any(ord(ch) > 127 for ch in text)
    headers = sent["headers"]
    assert headers["Content-Type"].startswith("application/json")
    assert (headers["X-Batch-Id"], headers["X-Batch-Sequence"], headers["X-Batch-Checksum"]) == \
        (batch.batch_id, "1", batch.checksum)
    assert "Authorization" not in headers
    # the outbox folder still gets the file: it is the archive
    [archived] = (tmp_path / "exchange").glob("*.json")
    assert json.loads(archived.read_text(encoding="utf-8")) == batch.payload


def test_the_bearer_token_is_sent_when_set(demo, frozen, city, settings):
    settings.EXCHANGE_CITY_TOKEN = "city-token-42"
    frozen.move_to(at("2026-10-13", 2))
    exchange.exchange_daily()
    assert city.requests[0]["headers"]["Authorization"] == "Bearer city-token-42"


def test_a_refused_batch_stays_pending_and_goes_first_at_the_next_run(demo, frozen, city, tmp_path):
    city.status, city.answer = 500, "服务器内部错误：" + "x" * 300
    frozen.move_to(at("2026-10-13", 2))
    with pytest.raises(DeliveryFailed):
        exchange.exchange_daily()
    first = ExchangeBatch.objects.get()
    assert (first.state, first.attempts) == ("pending", 1)
    assert first.last_error == "市级系统返回 HTTP 500：" + city.answer[:200]
    assert len(list((tmp_path / "exchange").glob("*.json"))) == 1  # archived all the same

    city.status, city.answer = 200, "{}"
    frozen.move_to(at("2026-10-14", 2))
    exchange.exchange_daily()
    assert city.sequences() == [1, 1, 2]
    assert list(ExchangeBatch.objects.order_by("sequence").values_list("state", "attempts", "last_error")) == \
        [("delivered", 2, ""), ("delivered", 1, "")]


def test_a_later_batch_is_never_sent_while_an_earlier_one_is_pending(demo, frozen, city):
    frozen.move_to(at("2026-10-12", 2))
    first = exchange.batch_create()
    frozen.move_to(at("2026-10-13", 2))
    second = exchange.batch_create()
    city.status = 503
    frozen.move_to(at("2026-10-14", 2))
    with pytest.raises(DeliveryFailed):
        exchange.exchange_daily()
    assert city.sequences() == [1]  # the run stopped at the first failure; no third batch made
    assert ExchangeBatch.objects.count() == 2

    # re-sending the second one by hand is refused too, without a request
    with pytest.raises(CommandError, match="第1批尚未送达"):
        call_command("exchange_export", "--resend", second.batch_id, stdout=open("/dev/null", "w"))
    second.refresh_from_db()
    assert city.sequences() == [1] and second.state == "pending" and second.last_error == "等待第1批送达后再发送"

    city.status = 200
    exchange.exchange_daily()
    assert city.sequences() == [1, 1, 2, 3]  # the pending ones first, in order, then today's
    assert not ExchangeBatch.objects.filter(state="pending").exists()
    # a delivered batch may be sent again (the receiver deduplicates by X-Batch-Id)
    exchange.batch_deliver(batch=ExchangeBatch.objects.get(pk=first.pk))
    assert city.requests[-1]["headers"]["X-Batch-Id"] == first.batch_id


def test_no_answer_within_the_timeout_is_a_failure(demo, frozen, city, settings):
    settings.EXCHANGE_CITY_TIMEOUT = 0.2
    city.delay = 1.0
    frozen.move_to(at("2026-10-13", 2))
    with pytest.raises(DeliveryFailed):
        exchange.exchange_daily()
    batch = ExchangeBatch.objects.get()
    assert batch.state == "pending" and "Timeout" in batch.last_error and batch.last_error.startswith("市级系统无法送达")


def test_a_refused_connection_is_a_failure(demo, frozen, city, settings):
    with socket.socket() as s:  # a port nobody listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EXCHANGE_CITY_URL = f"http://127.0.0.1:{port}/"
    frozen.move_to(at("2026-10-13", 2))
    with pytest.raises(CommandError, match="ConnectionError"):
        call_command("exchange_export", stdout=open("/dev/null", "w"))
    batch = ExchangeBatch.objects.get()
    assert batch.state == "pending" and "ConnectionError" in batch.last_error


def test_http_without_a_url_is_refused_at_startup(settings):
    settings.EXCHANGE_DELIVERIES, settings.EXCHANGE_CITY_URL = ["outbox", "http"], ""
    with pytest.raises(SystemCheckError, match="EXCHANGE_CITY_URL"):
        call_command("check")
    [error] = [e for e in run_checks() if e.id.startswith("supervision.")]
    assert error.id == "supervision.E002" and "未设置 EXCHANGE_CITY_URL" in error.msg

    settings.EXCHANGE_DELIVERIES = ["ftp"]
    assert [e.id for e in run_checks() if e.id.startswith("supervision.")] == ["supervision.E001"]
    settings.EXCHANGE_DELIVERIES, settings.EXCHANGE_CITY_URL = ["http"], "https://city.example/exchange"
    assert not [e for e in run_checks() if e.id.startswith("supervision.")]


def test_the_admin_lists_delivery_state_and_error_and_delivers_again(client, demo, frozen, city):
    city.status, city.answer = 502, "网关错误"
    frozen.move_to(at("2026-10-13", 2))
    with pytest.raises(DeliveryFailed):
        exchange.exchange_daily()
    batch = ExchangeBatch.objects.get()
    client.force_login(demo.admin)
    page = client.get("/admin/supervision/exchangebatch/").content.decode()
    assert "待发送" in page and "市级系统返回 HTTP 502：网关错误" in page

    city.status = 200
    response = client.post("/admin/supervision/exchangebatch/", {
        "action": "deliver_again", "_selected_action": [batch.pk]}, follow=True)
    assert "已发送第1批" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == "delivered" and city.sequences() == [1, 1]
    assert "已发送" in client.get("/admin/supervision/exchangebatch/").content.decode()
