"""Stored materials follow their transaction: a submission that fails after its files were
written leaves neither a row nor a file; one that succeeds keeps both."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from core.errors import Conflict
from runtime import services
from runtime.models import Case, CaseState, Material
from runtime.uploads import files_rolled_back_with, remember_written

from . import factories
from .conftest import submit

pytestmark = pytest.mark.django_db


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_submit_failing_after_the_files_were_written_leaves_no_file_and_no_row(demo, item, frozen, monkeypatch):
    def broken_step(*args, **kwargs):
        raise Conflict("步骤“受理”的办理部门不存在")

    monkeypatch.setattr(services, "open_step", broken_step)  # fails after _store_materials
    written = []
    real_save = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda *a, **k: written.append(real_save(*a, **k)) or written[-1])
    with pytest.raises(Conflict):
        submit(demo, item)
    assert written, "the file was written before the failure"
    assert stored_files() == set()
    assert not Case.objects.exists() and not Material.objects.exists()


def test_successful_submit_keeps_its_files(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get()
    assert stored_files() == {material.file.name}
    assert material.file.read() == factories.PDF


def test_resubmission_refused_for_a_stale_page_keeps_only_the_first_files(demo, item, frozen, monkeypatch):
    case = services.case_request_correction(actor=demo.clerk, case=submit(demo, item), items=["申请书未签字"])
    before = stored_files()
    monkeypatch.setattr(services, "_issue_receipt", lambda *a, **k: (_ for _ in ()).throw(Conflict("并发修改")))
    with pytest.raises(Conflict):
        services.case_resubmit(actor=demo.zhangsan, case=case, form_data=factories.good_data(),
                               materials=[services.MaterialInput("application", "签字版.pdf", factories.PNG)])
    assert stored_files() == before
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTING and case.materials.count() == 1


def test_a_savepoint_that_committed_loses_its_files_when_the_outer_block_fails(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with pytest.raises(RuntimeError), files_rolled_back_with():
        with files_rolled_back_with():
            name = default_storage.save("inner.txt", ContentFile(b"x"))
            remember_written(default_storage, name)
        assert default_storage.exists(name)  # the savepoint itself went well
        raise RuntimeError("later failure")
    assert not default_storage.exists(name)


def test_a_rolled_back_savepoint_loses_its_files_while_the_outer_block_commits(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with files_rolled_back_with():
        kept = default_storage.save("kept.txt", ContentFile(b"k"))
        remember_written(default_storage, kept)
        try:
            with files_rolled_back_with():
                lost = default_storage.save("lost.txt", ContentFile(b"l"))
                remember_written(default_storage, lost)
                raise ValueError("savepoint fails")
        except ValueError:
            pass
        assert transaction.get_connection().in_atomic_block
    assert default_storage.exists(kept) and not default_storage.exists(lost)
