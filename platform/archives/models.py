"""Archive packages of ended cases (see archives.package and docs/archives.md)."""

from __future__ import annotations

from django.db import models


class ArchivePackage(models.Model):
    """One package per ended case, written once; the zip itself is the record (it verifies offline)."""

    case = models.OneToOneField("runtime.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="archive")
    file = models.FileField("归档包", upload_to="archives/%Y/%m/")
    size = models.PositiveBigIntegerField("大小（字节）")
    manifest = models.JSONField("归档清单")
    manifest_sha256 = models.CharField("清单 SHA-256", max_length=64)
    key_id = models.CharField("清单密钥编号", max_length=32)
    retention = models.CharField("保管期限", max_length=8)
    archived_at = models.DateTimeField("归档时间", db_index=True)

    class Meta:
        verbose_name = "电子档案归档包"
        verbose_name_plural = "电子档案归档包"
        ordering = ["-archived_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.number} 归档包"

    @property
    def filename(self) -> str:
        return f"{self.case.number}.zip"
