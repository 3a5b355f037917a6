"""Archive packages of ended cases: made after commit when a case ends, complete, and checked
offline by ``archive_verify``, which names what was changed, removed or added."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archives.models import ArchivePackage
from archives.package import LOG, MANIFEST
from archives.services import package_build, packages_pending
from archives.verify import verify_package
from runtime import services
from runtime.models import CaseState
from tests.runtime import factories
from tests.runtime.conftest import act, submit

pytestmark = pytest.mark.django_db


def _deliver(demo, item, capture):
    case = submit(demo, item)
    case = act(demo.clerk, case, "approve", "材料齐全，予以受理")
    case = act(demo.handler, case, opinion="经审查符合条件，拟同意")
    case = act(demo.chief, case, opinion="同意承办意见")
    case = act(demo.leader, case, opinion="同意许可")
    case = act(demo.clerk, case, "complete", "")
    assert not ArchivePackage.objects.filter(case=case).exists()  # completed is not ended: delivery follows
    with capture(execute=True):
        case = act(demo.clerk, case, "complete", "", method="邮寄")
    assert case.state == CaseState.DELIVERED
    assert packages_pending() == 1  # the duty archives it (not the request that delivered it)
    return case


@pytest.fixture
def delivered(demo, item, frozen, django_capture_on_commit_callbacks):
    return _deliver(demo, item, django_capture_on_commit_callbacks)


def _zip(case) -> bytes:
    with ArchivePackage.objects.get(case=case).file.open("rb") as handle:
        return handle.read()


def _rewrite(content: bytes, change) -> bytes:
    """A copy of the zip with ``change(files)`` applied to its {path: bytes} (as someone editing
    the package with ordinary tools would: the zip itself is consistent again)."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        files = {name: source.read(name) for name in source.namelist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
    return out.getvalue()


def test_delivery_archives_the_case_with_every_record_and_the_da_t_85_metadata(delivered):
    package = ArchivePackage.objects.get(case=delivered)
    assert package.retention == "30年"  # the item names none
    with zipfile.ZipFile(io.BytesIO(_zip(delivered))) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read(MANIFEST))
        opinions = json.loads(archive.read("opinions.json"))
        data = json.loads(archive.read("case.json"))
        pdf = archive.read("documents/" + delivered.documents.get(template="decision").number + ".pdf")
    assert {f"documents/{d.number}.pdf" for d in delivered.documents.all()} <= names
    assert any(n.startswith("materials/01-application-") for n in names)
    assert {"case.json", "opinions.json", LOG, MANIFEST, "manifest.sig"} <= names
    assert pdf.startswith(b"%PDF")
    assert manifest["事项编码"] == "JB-SCJG-XK-0001" and manifest["办件编号"] == delivered.number
    assert manifest["申请人"] == "张三" and manifest["受理时间"] == "2026-03-02" and manifest["保管期限"] == "30年"
    assert manifest["办结时间"] and manifest["日志条数"] == delivered.log_length
    assert all(len(f["sha256"]) == 64 for f in manifest["文件"])
    assert data["表单数据"]["company"] == "江滨区示范餐饮有限公司" and data["审批决定"] == "准予许可"
    assert ("承办", "经审查符合条件，拟同意") in [(o["环节"], o["意见"]) for o in opinions]
    assert verify_package(io.BytesIO(_zip(delivered))).ok


def test_a_package_is_made_once(delivered):
    first = ArchivePackage.objects.get(case=delivered)
    assert package_build(case_id=delivered.pk) == first
    assert ArchivePackage.objects.count() == 1


def test_withdrawn_and_refused_cases_are_archived_open_ones_are_not(demo, item, frozen,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.case_withdraw(actor=demo.zhangsan, case=submit(demo, item), reason="不再经营")
        refused = act(demo.clerk, submit(demo, item), "reject", "不属于本机关职权范围")
        still_open = submit(demo, item)
    assert packages_pending() == 2
    assert set(ArchivePackage.objects.values_list("case__number", flat=True)) == {withdrawn.number, refused.number}
    assert package_build(case_id=still_open.pk) is None


def test_retention_comes_from_the_item(demo, frozen, django_capture_on_commit_callbacks):
    item = factories.publish({**factories.definition(), "retention": "永久"})
    case = _deliver(demo, item, django_capture_on_commit_callbacks)
    package = ArchivePackage.objects.get(case=case)
    assert package.retention == "永久" and package.manifest["保管期限"] == "永久"


def _verify_file(tmp_path, content: bytes) -> tuple[str, bool]:
    path = tmp_path / "package.zip"
    path.write_bytes(content)
    err = io.StringIO()
    try:
        call_command("archive_verify", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError:
        return err.getvalue(), False
    return err.getvalue(), True


def test_archive_verify_passes_an_untouched_package(delivered, tmp_path):
    out = io.StringIO()
    path = tmp_path / "ok.zip"
    path.write_bytes(_zip(delivered))
    call_command("archive_verify", str(path), stdout=out)
    assert "校验通过" in out.getvalue()


def test_one_byte_changed_in_a_document_is_named(delivered, tmp_path):
    decision = "documents/" + delivered.documents.get(template="decision").number + ".pdf"

    def flip(files):
        data = bytearray(files[decision])
        data[len(data) // 2] ^= 0x01
        files[decision] = bytes(data)

    errors, ok = _verify_file(tmp_path, _rewrite(_zip(delivered), flip))
    assert not ok
    assert f"文件 {decision}（审批决定书" in errors or f"文件 {decision}（" in errors
    assert "已被改动（sha256 不符）" in errors


def test_one_byte_changed_inside_the_zip_is_caught_too(delivered, tmp_path):
    """Bytes edited in place (the zip's own CRC then fails): still a failure, naming the file."""
    content = bytearray(_zip(delivered))
    marker = content.find(b"%PDF")
    content[marker + 20] ^= 0x01
    errors, ok = _verify_file(tmp_path, bytes(content))
    assert not ok and "documents/" in errors


def test_an_edited_log_entry_is_named(delivered, tmp_path):
    def edit(files):
        log = json.loads(files[LOG])
        log["entries"][2]["payload"]["opinion"] = "不同意"
        files[LOG] = json.dumps(log, ensure_ascii=False).encode("utf-8")

    errors, ok = _verify_file(tmp_path, _rewrite(_zip(delivered), edit))
    assert not ok
    assert "办件日志第3条的内容已被改动（哈希不符）" in errors
    assert f"文件 {LOG}" in errors


def test_a_removed_file_and_an_added_file_are_named(delivered, tmp_path):
    def change(files):
        removed = next(n for n in files if n.startswith("materials/"))
        del files[removed]
        files["documents/extra.pdf"] = b"%PDF-1.4 forged"
        change.removed = removed

    errors, ok = _verify_file(tmp_path, _rewrite(_zip(delivered), change))
    assert not ok
    assert f"缺少文件 {change.removed}" in errors
    assert "多出清单未列的文件 documents/extra.pdf" in errors


def test_a_manifest_rewritten_to_match_is_refused_by_its_keyed_checksum(delivered, tmp_path):
    """Whoever edits a file and recomputes its sha256 in the manifest still lacks the key."""
    def forge(files):
        manifest = json.loads(files[MANIFEST])
        manifest["申请人"] = "王某"
        files[MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode("utf-8")

    errors, ok = _verify_file(tmp_path, _rewrite(_zip(delivered), forge))
    assert not ok and "清单 manifest.json 已被改动（密钥校验和不符）" in errors


def test_archive_export_writes_the_packages_since_a_date(delivered, tmp_path):
    out = io.StringIO()
    call_command("archive_export", "--since", "2026-03-01", "-o", str(tmp_path / "out"), stdout=out)
    assert (tmp_path / "out" / f"{delivered.number}.zip").read_bytes() == _zip(delivered)
    call_command("archive_export", "--since", "2026-03-03", "-o", str(tmp_path / "later"), stdout=out)
    assert not list((tmp_path / "later").iterdir())
    with pytest.raises(CommandError, match="--since"):
        call_command("archive_export", "--since", "三月", "-o", str(tmp_path / "x"))


def test_only_archivists_list_and_download_packages(delivered, demo, client):
    client.force_login(demo.archivist)
    page = client.get("/archives/", {"q": delivered.number})
    assert page.status_code == 200 and delivered.number in page.content.decode()
    assert "没有符合条件" in client.get("/archives/", {"q": "不存在的编号"}).content.decode()
    download = client.get(f"/archives/{delivered.number}.zip")
    assert download.status_code == 200 and b"".join(download.streaming_content) == _zip(delivered)
    for other in (demo.handler, demo.supervisor, demo.zhangsan):
        client.force_login(other)
        assert client.get("/archives/").status_code == 403
        assert client.get(f"/archives/{delivered.number}.zip").status_code == 403


def test_the_archivist_lands_in_the_archive(demo, client):
    client.force_login(demo.archivist)
    assert client.get("/").url == "/archives/"
    client.force_login(demo.handler)
    assert client.get("/").url == "/workbench/"
