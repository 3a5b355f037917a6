"""When an ended case is archived: with a worker, queued once when the case ends (the steps before
the end queue nothing: each would be a broker message and a worker's transaction); without one
(the default profile), by the duty minutes later, never inside the request that ended the case."""

from __future__ import annotations

from unittest import mock

import pytest

from archives import tasks
from archives.models import ArchivePackage
from core.schedule import periodic_tasks
from runtime.models import CaseState
from tests.runtime.conftest import act, submit

pytestmark = pytest.mark.django_db


def _deliver(demo, item):
    case = act(demo.clerk, submit(demo, item), "approve", "材料齐全，予以受理")
    for person in (demo.handler, demo.chief, demo.leader):
        case = act(person, case, opinion="同意")
    return act(demo.clerk, case, "complete", ""), lambda c: act(demo.clerk, c, "complete", "", method="邮寄")


def test_with_a_worker_a_case_queues_its_package_once_when_delivered(demo, item, frozen, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(tasks.build_package, "delay") as queued, django_capture_on_commit_callbacks(execute=True):
        completed, deliver = _deliver(demo, item)
        assert queued.call_count == 0  # completed is not ended: delivery follows
        case = deliver(completed)
    assert case.state == CaseState.DELIVERED
    assert [c.args for c in queued.call_args_list] == [(case.pk,)]


def test_without_a_worker_the_duty_archives_the_case_not_the_delivering_request(demo, item, frozen,
                                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        completed, deliver = _deliver(demo, item)
        case = deliver(completed)
    assert case.state == CaseState.DELIVERED
    assert not ArchivePackage.objects.filter(case=case).exists()
    assert "archives.build_pending" in periodic_tasks
    assert tasks.build_pending() == 1
    assert ArchivePackage.objects.filter(case=case).exists()
    assert tasks.build_pending() == 0  # nothing left: a second run archives nothing
