"""The catalogue page: download, upload, the dry-run table row by row, confirm."""

from __future__ import annotations

import io

import pytest
import tablib

from designer.catalogue import HEADERS
from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(demo.editor)
    return client


def downloaded(client, file_format="csv") -> tablib.Dataset:
    response = client.get("/designer/catalogue/", {"download": file_format})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="catalogue.{file_format}"'
    if file_format == "csv":
        return tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    return tablib.Dataset().load(io.BytesIO(response.content), format="xlsx")


def upload(client, dataset: tablib.Dataset, file_format="csv"):
    content = dataset.export(file_format)
    data = io.BytesIO(content.encode("utf-8") if isinstance(content, str) else content)
    data.name = f"目录.{file_format}"
    return client.post("/designer/catalogue/", {"op": "check", "file": data})


def fees(code):
    return ApprovalItem.objects.get(code=code).definition["public"]["fees"]


def test_duplicate_code_is_shown_with_its_row_number_and_nothing_can_be_imported(editor):
    data = downloaded(editor)
    first = list(data[0])
    first[HEADERS.index("收费")] = "改过的收费"
    data[0] = first
    duplicate = list(data[1])
    duplicate[0] = "JB-SCJG-XK-0001"
    data[1] = duplicate
    response = upload(editor, data)
    page = response.content.decode()
    assert "有 1 行错误，不能导入" in page
    rows = {r.number: r for r in response.context["report"].rows}
    assert rows[2].outcome == "update" and rows[2].errors == []
    assert rows[3].outcome == "invalid" and rows[3].errors == ["事项编码：“JB-SCJG-XK-0001”与第2行重复"]
    assert "第3行" in page and "事项编码：“JB-SCJG-XK-0001”与第2行重复" in page
    assert 'value="confirm"' not in page and editor.session.get("designer.catalogue_upload") is None
    assert fees("JB-SCJG-XK-0001") == "不收费"  # the good row was not saved either
    # Confirming without a checked file imports nothing.
    response = editor.post("/designer/catalogue/", {"op": "confirm", "upload": "0" * 32}, follow=True)
    assert "没有待导入的文件" in response.content.decode()
    assert fees("JB-SCJG-XK-0001") == "不收费"


def test_wrong_values_are_named_by_column(editor):
    data = downloaded(editor, "xlsx")
    row = list(data[0])
    row[HEADERS.index("承诺时限（工作日）")] = "99"
    row[HEADERS.index("涉密")] = "不"
    data[0] = row
    report = upload(editor, data, "xlsx").context["report"]
    assert report.rows[0].errors == ["涉密：应填“是”或“否”"]
    row[HEADERS.index("涉密")] = "否"
    data[0] = row
    report = upload(editor, data, "xlsx").context["report"]
    assert report.rows[0].errors == ["承诺时限（工作日）：承诺时限（99个工作日）不能超过法定时限（10个工作日）"]


def test_a_clean_file_is_checked_then_imported_on_confirmation(editor):
    data = downloaded(editor, "xlsx")
    row = list(data[0])
    row[HEADERS.index("收费")] = "不收费（含证书工本费）"
    data[0] = row
    new = list(data[1])
    new[0], new[1] = "", "个体工商户变更登记"
    data.append(new)
    response = upload(editor, data, "xlsx")
    page = response.content.decode()
    report = response.context["report"]
    assert [(r.number, r.outcome) for r in report.rows] == [(2, "update"), (3, "skip"), (4, "new")]
    assert "全部 3 行检查通过：新增 1 个，修改 1 个，无变化 1 个" in page
    assert fees("JB-SCJG-XK-0001") == "不收费" and not ApprovalItem.objects.filter(name="个体工商户变更登记").exists()
    pending = response.context["pending"]
    response = editor.post("/designer/catalogue/", {"op": "confirm", "upload": pending}, follow=True)
    assert "已导入：新增 1 个事项，修改 1 个事项" in response.content.decode()
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    assert item.state == "draft" and item.definition["public"]["fees"] == "不收费（含证书工本费）"
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0003").name == "个体工商户变更登记"
    # The file is used once.
    response = editor.post("/designer/catalogue/", {"op": "confirm", "upload": pending}, follow=True)
    assert "没有待导入的文件" in response.content.decode()


def test_a_file_that_is_not_a_catalogue_is_refused(editor):
    data = tablib.Dataset(["x"], headers=["名称"])
    response = upload(editor, data)
    assert "表头缺少：事项编码" in response.content.decode()


def test_only_designers_reach_the_catalogue_page(client, demo):
    client.force_login(demo.clerk)
    assert client.get("/designer/catalogue/").status_code == 403
    client.force_login(demo.legal)
    assert client.get("/designer/catalogue/").status_code == 200


def test_a_dry_run_never_confirmed_is_purged_after_a_day_and_can_no_longer_be_imported(editor, settings):
    import datetime as dt
    import os
    from pathlib import Path

    from django.utils import timezone

    from designer.catalogue import UPLOAD_FOLDER, upload_stash, uploads_purge

    forgotten = upload(editor, downloaded(editor)).context["pending"]
    recent = upload_stash(b"another editor's dry run, an hour old")
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(folder / forgotten, (two_days_ago, two_days_ago))

    assert uploads_purge() == [forgotten]
    assert sorted(p.name for p in folder.iterdir()) == [recent]
    assert uploads_purge() == []
    response = editor.post("/designer/catalogue/", {"op": "confirm", "upload": forgotten}, follow=True)
    assert "没有待导入的文件或文件已过期" in response.content.decode()
    # The purge runs daily wherever periodic tasks run (Celery beat, or `manage.py serve`).
    from core.schedule import periodic_tasks
    assert periodic_tasks.get("designer.purge_catalogue_uploads").task == "designer.purge_catalogue_uploads"
