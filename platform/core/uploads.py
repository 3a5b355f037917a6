"""Uploaded spreadsheets kept between a dry run and its confirmation.

A dry run shows what a file would change; the person confirms, and the same file is imported,
every row checked again. The file waits in django-import-export's ``MediaStorage`` (the default
file storage, object storage in production), so the confirmation may reach another web process
than the dry run. Each importing page has its own folder; a scheduled duty purges files whose
confirmation never came.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.storage import storages
from django.utils import timezone
from import_export.tmp_storages import MediaStorage

# A dry run whose confirmation never comes (a closed tab, a new upload in another session) leaves
# its file behind; a day is far longer than anyone takes to read a dry-run table.
UPLOAD_KEPT = dt.timedelta(days=1)
_NAME = re.compile(r"[0-9a-f]{32}")


class UploadStash:
    def __init__(self, folder: str):
        self.folder = folder

    def save(self, content: bytes) -> str:
        """Keep ``content`` until it is confirmed; returns its random name."""
        storage = MediaStorage(MEDIA_FOLDER=self.folder)
        storage.save(content)
        return storage.name

    def read(self, name: str) -> bytes | None:
        if not _NAME.fullmatch(name or ""):
            return None
        try:
            return MediaStorage(name=name, MEDIA_FOLDER=self.folder).read()
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        if _NAME.fullmatch(name or ""):
            MediaStorage(name=name, MEDIA_FOLDER=self.folder).remove()

    def purge(self, *, now: dt.datetime | None = None) -> list[str]:
        """Remove files older than ``UPLOAD_KEPT``; returns the names removed."""
        cutoff = (now or timezone.now()) - UPLOAD_KEPT
        # The storage MediaStorage itself picks: "import_export" when configured, else the default.
        storage = storages["import_export"] if "import_export" in storages.backends else storages["default"]
        try:
            _, names = storage.listdir(self.folder)
        except FileNotFoundError:
            return []
        removed = []
        for name in names:
            if _NAME.fullmatch(name) and storage.get_modified_time(f"{self.folder}/{name}") < cutoff:
                self.remove(name)
                removed.append(name)
        return sorted(removed)
