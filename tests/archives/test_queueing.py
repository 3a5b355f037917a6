"""Only a case that has ended queues its archive package: the steps before the end queue nothing
(each would be a broker message and a worker's transaction in production)."""

from __future__ import annotations

from unittest import mock

import pytest

from archives import tasks
from runtime.models import CaseState
from tests.runtime.conftest import act, submit

pytestmark = pytest.mark.django_db


def test_a_case_queues_its_package_once_when_delivered(demo, item, frozen, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.build_package, "delay") as queued, django_capture_on_commit_callbacks(execute=True):
        case = act(demo.clerk, submit(demo, item), "approve", "材料齐全，予以受理")
        for person in (demo.handler, demo.chief, demo.leader):
            case = act(person, case, opinion="同意")
        case = act(demo.clerk, case, "complete", "")
        assert queued.call_count == 0  # completed is not ended: delivery follows
        case = act(demo.clerk, case, "complete", "", method="邮寄")
    assert case.state == CaseState.DELIVERED
    assert [c.args for c in queued.call_args_list] == [(case.pk,)]
