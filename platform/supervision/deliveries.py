"""Exchange deliveries (registry): how a daily batch leaves the platform (docs/exchange.md).

``settings.EXCHANGE_DELIVERIES`` names the deliveries in use (default ``["outbox"]``):

* ``outbox`` writes the batch to ``VAR_DIR/exchange/<sequence>-<batch_id>.json``. It always
  runs, first, whatever the setting says: the folder is also the archive.
* ``http`` POSTs the payload as JSON to the city's supervision system (``EXCHANGE_CITY_URL``,
  ``EXCHANGE_CITY_TOKEN``, ``EXCHANGE_CITY_TIMEOUT``), with the batch's id, sequence and checksum
  in headers so the receiver can deduplicate. Only a 2xx answer delivers.

A delivery raises ``DeliveryFailed`` (an ``OSError``, so the Celery task's back-off retries it)
with a message for the batch's ``last_error``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings

from core.registry import Registry


class DeliveryFailed(OSError):
    """A batch did not reach its destination; the message is what staff see on the batch."""


class Delivery(ABC):
    key = ""
    label = ""

    @abstractmethod
    def send(self, batch) -> None:
        """Deliver one batch; raise ``DeliveryFailed`` (or ``OSError``) to leave it pending."""


def outbox() -> Path:
    path = Path(settings.VAR_DIR) / "exchange"
    path.mkdir(parents=True, exist_ok=True)
    return path


def outbox_path(batch) -> Path:
    return outbox() / f"{batch.sequence:06d}-{batch.batch_id}.json"


class OutboxDelivery(Delivery):
    key = "outbox"
    label = "发件箱文件夹"

    def send(self, batch) -> None:
        path = outbox_path(batch)
        tmp = path.with_suffix(".part")  # a reader never sees half a batch
        tmp.write_text(json.dumps(batch.payload, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)


class HttpDelivery(Delivery):
    key = "http"
    label = "市级电子监察系统（HTTP）"

    def send(self, batch) -> None:
        import requests

        url = settings.EXCHANGE_CITY_URL
        if not url:  # the system check reports this at start-up; never send to nowhere
            raise DeliveryFailed("已启用 http 交付，但未设置 EXCHANGE_CITY_URL")
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Batch-Id": batch.batch_id,
                   "X-Batch-Sequence": str(batch.sequence), "X-Batch-Checksum": batch.checksum}
        if settings.EXCHANGE_CITY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.EXCHANGE_CITY_TOKEN}"
        body = json.dumps(batch.payload, ensure_ascii=False).encode("utf-8")
        try:
            # no redirects: a POST redirected would be re-sent as a GET without the batch
            response = requests.post(url, data=body, headers=headers, timeout=settings.EXCHANGE_CITY_TIMEOUT,
                                     allow_redirects=False)
        except requests.RequestException as exc:  # timeout, refused connection, TLS, bad URL …
            raise DeliveryFailed(f"市级系统无法送达：{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"市级系统返回 HTTP {response.status_code}：{response.text[:200]}")


deliveries: Registry[Delivery] = Registry("数据交换交付方式")


def register_deliveries() -> None:
    for delivery in (OutboxDelivery(), HttpDelivery()):
        if delivery.key not in deliveries:
            deliveries.register(delivery.key, delivery)


def configured() -> list[str]:
    """The deliveries in use, outbox first and always (the archive), each once."""
    keys = ["outbox", *(getattr(settings, "EXCHANGE_DELIVERIES", None) or [])]
    return list(dict.fromkeys(k.strip() for k in keys if k.strip()))
