"""Notification channels: email through Django's backend, SMS through a real HTTP gateway (a
local server in a thread), and a failing gateway that neither breaks the sweep nor loses the
notice nor stops the other channels."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from supervision.models import Alert, Notification
from supervision.services import notifications_send

from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


class Gateway:
    """An SMS gateway on loopback that records what it is sent and answers ``status``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "body": json.loads(body.decode("utf-8"))})
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    g = Gateway()
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_TEMPLATE = g.url, "k-123", "SMS_0042"
    yield g
    g.close()


@pytest.fixture
def channels(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SUPERVISION_CHANNELS = ["console", "email", "sms"]


@pytest.fixture
def sweep_sent(sweep, django_capture_on_commit_callbacks):
    """A sweep whose notices are handed to the channels, as after its commit in production."""
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return sweep()

    return run


@pytest.fixture
def overdue(demo, item, frozen):
    """A case past its promised limit (yellow card for the case), and contact details: the
    handler has a mobile and an address, the supervisor an address only."""
    demo.handler.__class__.objects.filter(username="handler").update(email="handler@jb.gov.cn", phone="13900000001")
    demo.handler.__class__.objects.filter(username="supervisor").update(email="xnb@jb.gov.cn", phone="")
    frozen.move_to(at("2026-09-01", 9))
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    frozen.move_to(at("2026-10-20", 9))
    return case


def test_email_and_sms_reach_the_recipients_with_their_addresses(demo, overdue, channels, gateway, sweep_sent):
    sweep_sent()
    handler_notices = Notification.objects.filter(recipient=demo.handler)
    assert handler_notices.exists()
    assert all(n.sent and n.sent_via == "console,email,sms" and not n.last_error
               for n in Notification.objects.all())

    to_handler = [m for m in mail.outbox if m.to == ["handler@jb.gov.cn"]]
    assert len(to_handler) == handler_notices.count()
    assert overdue.number in to_handler[0].subject and "电子监察" in to_handler[0].body
    assert any(m.to == ["xnb@jb.gov.cn"] for m in mail.outbox)

    # one SMS per notice of the handler (the supervisor has no mobile: skipped, not failed)
    assert [r["body"]["mobile"] for r in gateway.requests] == ["13900000001"] * handler_notices.count()
    first = gateway.requests[0]
    assert first["path"] == "/sms/send" and first["headers"]["Authorization"] == "Bearer k-123"
    assert first["body"]["template"] == "SMS_0042" and overdue.number in first["body"]["content"]
    assert first["body"]["params"]["case"] == overdue.number


def test_a_failing_gateway_does_not_break_the_sweep_or_the_other_channels(demo, overdue, channels, gateway,
                                                                          sweep_sent):
    gateway.status = 503
    result = sweep_sent()
    assert result.raised and Alert.objects.filter(case=overdue, resolved_at__isnull=True).exists()
    handler = Notification.objects.filter(recipient=demo.handler)
    assert handler.exists() and not any(n.sent for n in handler)
    assert {n.sent_via for n in handler} == {"console,email"}
    assert all("sms" in n.last_error and "503" in n.last_error for n in handler)
    emails = len(mail.outbox)
    assert emails and any(m.to == ["handler@jb.gov.cn"] for m in mail.outbox)
    # the supervisor has no mobile: every channel that applies delivered
    assert all(n.sent for n in Notification.objects.filter(recipient=demo.supervisor))

    # the gateway is back: only SMS is tried again; nothing is mailed twice
    gateway.status = 200
    tried = len(gateway.requests)
    notifications_send()
    assert all(n.sent and n.sent_via == "console,email,sms" and not n.last_error for n in handler.all())
    assert len(gateway.requests) == tried + handler.count()
    assert len(mail.outbox) == emails


def test_an_unreachable_gateway_and_a_missing_url_are_failures_too(demo, overdue, channels, settings, sweep_sent):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/nowhere"  # the discard port: connection refused
    settings.SMS_GATEWAY_TIMEOUT = 2
    sweep_sent()
    handler = Notification.objects.filter(recipient=demo.handler)
    assert handler.exists() and all(not n.sent and "sms" in n.last_error for n in handler)
    settings.SMS_GATEWAY_URL = ""
    notifications_send()
    assert all("SMS_GATEWAY_URL" in n.last_error for n in handler.all())


def test_console_is_the_default_channel(demo, overdue, sweep_sent, settings, caplog):
    assert settings.SUPERVISION_CHANNELS == ["console"]
    with caplog.at_level("INFO", logger="supervision.notify"):
        sweep_sent()
    assert all(n.sent_via == "console" for n in Notification.objects.all())
    assert overdue.number in caplog.text and not mail.outbox


def test_notices_leave_after_the_commit_through_the_task_recording_each_delivery(
        demo, overdue, channels, gateway, sweep, django_capture_on_commit_callbacks, frozen):
    from supervision.tasks import send_notifications

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sweep()
    # nothing was sent inside the sweep: the task is queued for after the commit
    assert not gateway.requests and not mail.outbox
    assert not Notification.objects.filter(sent=True).exists()
    assert [c.__self__.name for c in callbacks] == [send_notifications.name]
    for callback in callbacks:
        callback()  # the worker (eager in the default profile)
    notices = Notification.objects.filter(recipient=demo.handler)
    assert notices.exists() and all(n.sent and n.attempts == 1 and n.sent_at for n in notices)
    assert gateway.requests and mail.outbox


def test_a_refused_notice_is_retried_by_the_worker_with_back_off(demo, overdue, channels, gateway, sweep, monkeypatch):
    from celery.exceptions import Retry

    from supervision.tasks import send_notifications

    gateway.status = 503
    sweep(notify=False)
    from supervision.services import alerts_notify

    alerts_notify()  # rows only (on_commit never runs in this test's transaction)
    retried = []

    def retry(**kwargs):
        retried.append(kwargs)
        raise Retry()

    monkeypatch.setattr(send_notifications, "retry", retry)
    send_notifications.push_request(is_eager=False, retries=2)  # as a worker's third try sees it
    try:
        with pytest.raises(Retry):
            send_notifications()
    finally:
        send_notifications.pop_request()
    unsent = set(Notification.objects.filter(sent=False).values_list("pk", flat=True))
    assert unsent and set(retried[0]["kwargs"]["ids"]) == unsent and retried[0]["countdown"] == 240
    assert all(n.attempts == 1 and "503" in n.last_error for n in Notification.objects.filter(sent=False))
