"""In a real browser: the efficiency office drafts a tighter yellow card for the district, sees
which cases it would card and by month how many, and the legal office publishes it after looking
at the same preview; the next sweep gives exactly that card. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import two_width_shots

from ..runtime import factories
from ..runtime.conftest import act, at, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db, time_machine):
    """Four cases of an item (promised 5, statutory 8 working days), swept on Friday 2026-11-20:
    B is one working day past its promised limit (a warning, not yet a yellow card)."""
    from core.demo import run_demo_loaders
    from supervision.services import sweep

    from ..conftest import Personas

    time_machine.move_to(at("2026-11-10", 9), tick=True)
    run_demo_loaders(lambda _msg: None)
    demo = Personas()
    item = factories.publish(factories.definition(promised=5, statutory=8))
    numbers = {}
    for name, day in (("A", "2026-11-20"), ("W", "2026-11-17"), ("B", "2026-11-12"), ("Y", "2026-11-10")):
        time_machine.move_to(at(day, 9), tick=True)
        case = submit(demo, item, data=factories.good_data(company=name))
        act(demo.clerk, case, opinion="予以受理")
        numbers[name] = case.number
    time_machine.move_to(at("2026-11-20", 15), tick=True)
    sweep(notify=False)
    return numbers


def test_efficiency_office_previews_a_tighter_yellow_card_and_the_legal_office_publishes(district, login, page):
    from supervision.models import Alert

    login("supervisor")
    page.goto("/supervision/preview/defaults/")
    page.get_by_label("黄牌：超过期限多于（工作日；0 表示一超期即是）").fill("0")
    page.get_by_label("回看起始月份").fill("2026-06")
    page.get_by_label("回看截止月份").fill("2026-11")
    page.get_by_role("button", name="预览影响").click()
    impact = page.locator("#impact")
    expect(impact.get_by_text("受影响的办件：1 件")).to_be_visible()
    row = page.locator("#impact-cases tr", has_text=district["B"])
    expect(row.get_by_text("升级为黄牌")).to_be_visible()
    assert page.locator("#impact-months svg").count() == 1
    assert page.get_by_role("button", name="确认发布新规则").count() == 0  # not the efficiency office's to publish
    two_width_shots(page, "preview-defaults-supervisor")

    page.get_by_role("button", name="退出").click()
    login("legal")
    page.goto("/supervision/preview/defaults/")
    page.get_by_label("黄牌：超过期限多于（工作日；0 表示一超期即是）").fill("0")
    page.get_by_role("button", name="预览影响").click()
    expect(page.locator("#impact-cases tr", has_text=district["B"])).to_be_visible()
    two_width_shots(page, "preview-defaults-legal")
    page.get_by_role("button", name="确认发布新规则").click()
    expect(page.get_by_text("已发布新的全区默认监察规则")).to_be_visible()

    from supervision.services import sweep

    sweep(notify=False)
    carded = {a.case.number for a in Alert.objects.filter(kind="case_clock", level=2, resolved_at__isnull=True)
              .select_related("case")}
    assert district["B"] in carded
