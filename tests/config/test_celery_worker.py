"""Celery with a real worker on a real Redis broker: the production profile's moving parts."""

import pytest
from celery import Celery

pytestmark = pytest.mark.celery_worker


def test_a_real_worker_runs_a_task_sent_through_redis(celery_worker_urls):
    client = Celery(broker=celery_worker_urls["broker"], backend=celery_worker_urls["backend"])
    try:
        result = client.send_task("config.ping").get(timeout=90)
    except Exception:
        print(celery_worker_urls["log"].read_text())
        raise
    assert result["pong"] is True
    # The worker started inside the project with the standard library's platform module intact.
    assert result["platform_module"].endswith("/platform.py")
    assert "/platform/platform.py" not in result["platform_module"]
