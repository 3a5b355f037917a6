"""Finding 13 of issue 12: an oversized upload is refused before it is read, and a body that
streams past the ceiling is stopped there."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from config.uploads import LimitedUploadHandler, UploadTooLarge

MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A body nobody may read: the refusal must come from the declared length alone."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/hall/items/JB-SCJG-XK-0001/apply/", "/api/v1/intake/"])
def test_a_declared_length_over_the_ceiling_is_refused_unread(demo, path, settings):
    client = Client()
    client.force_login(demo.zhangsan if path.startswith("/hall/") else demo.clerk)
    response = client.generic("POST", path, b"", content_type=MULTIPART_CONTENT,
                              CONTENT_LENGTH=str((settings.UPLOAD_MAX_REQUEST_MB + 90) * MB),
                              **{"wsgi.input": UnreadableBody()})
    assert response.status_code == 413
    text = response.content.decode()
    assert f"超过 {settings.UPLOAD_MAX_REQUEST_MB} MB 的上限" in text
    if path.startswith("/api/"):
        assert response.json()["code"] == "too_large"
    else:
        assert "提交的内容过大" in text and "Content-Security-Policy" in response.headers


class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_a_body_streaming_past_the_ceiling_is_stopped_there(settings):
    settings.UPLOAD_MAX_REQUEST_MB = 1
    body = encode_multipart(BOUNDARY, {"material:application": io.BytesIO(b"%PDF-1.4 " + b"x" * (8 * MB)),
                                       "csrfmiddlewaretoken": "x"})
    stream = CountingStream(body)
    handlers = [LimitedUploadHandler(), MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    parser = MultiPartParser({"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}, stream, handlers)
    with pytest.raises(UploadTooLarge):
        parser.parse()
    assert stream.taken < 2 * MB  # stopped near the ceiling, not after the 8 MB


@pytest.mark.django_db
def test_a_stopped_stream_is_answered_413_by_the_page(demo, settings, monkeypatch):
    from config.uploads import RequestSizeLimitMiddleware

    # as behind a server that does not hold to the declared length: the handler is the last gate
    monkeypatch.setattr(RequestSizeLimitMiddleware, "declared_too_large", staticmethod(lambda request: False))
    settings.UPLOAD_MAX_REQUEST_MB = 1
    client = Client()
    client.force_login(demo.zhangsan)
    response = client.post("/hall/items/JB-SCJG-XK-0001/apply/",
                           {"material:application": io.BytesIO(b"%PDF-1.4 " + b"x" * (3 * MB))})
    assert response.status_code == 413 and "超过 1 MB 的上限" in response.content.decode()
