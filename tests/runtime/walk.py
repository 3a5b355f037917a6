"""Helpers of the end-to-end walks in a real browser (test_browser*.py): signing in as a demo
persona, uploading a material, acting on a case through its page, checking every document the
applicant can download."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.fixtures.browser import ARTIFACTS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace(" ", "")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"runtime-{name}.png"), full_page=True)


def shots(page, name: str, widths=(1366, 390)) -> None:
    """The page at a desktop and a phone width (``runtime-<name>-<width>.png``); the viewport is
    put back afterwards."""
    before = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"{name}-{width}")
    page.set_viewport_size(before)


def sign_in(page, username: str):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Demo#2026")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    return page


def upload(page, key: str, name: str = "材料.pdf") -> None:
    page.locator(f"input[name='material:{key}']").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF})


def submit_form(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def act(page, number: str, action: str, opinion: str = "", decision: dict | None = None, **fields) -> None:
    """Open the case page and press ``action`` on the first task form, filling the opinion, the
    step's decision form (``decision``: field name → value; a choice is ticked by its text) and
    any labelled field (a select is chosen by its visible text); waits for the success message."""
    page.goto(f"/cases/{number}/")
    form = page.locator("form.act-form").first
    if opinion:
        form.get_by_label("审批意见").fill(opinion)
    for name, value in (decision or {}).items():
        field = form.locator(f"fieldset.decision-form [data-field='{name}']")
        if field.locator("input[type=radio]").count():
            field.get_by_label(value, exact=True).check()
        else:
            field.locator("input, textarea").first.fill(value)
    for label, value in fields.items():
        control = form.get_by_label(label)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    button = form.get_by_role("button", name=action, exact=True)
    asks = button.get_attribute("data-confirm")
    if asks:  # an irreversible action asks first: the officer confirms
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    expect(page.locator(".msg-success")).to_be_visible()


def end_special_procedure(page, number: str, result: str) -> None:
    page.goto(f"/cases/{number}/")
    page.locator("form.end-pause-form").get_by_label("特殊程序结果").fill(result)
    with page.expect_navigation():
        page.get_by_role("button", name="结束特殊程序").click()
    expect(page.locator(".msg-success")).to_be_visible()


def state(number: str) -> str:
    from runtime.models import Case

    return Case.objects.get(number=number).state


def assert_progress_shows(page, steps) -> None:
    progress = page.locator("table.progress").inner_text()
    for step in steps:
        assert step in progress, step


def download_every_document(page, number: str, titles) -> dict[str, str]:
    """On the case page: every title listed, each link a real PDF naming the case; the text of
    each by title."""
    links = page.locator("ul.documents a")
    listed = links.all_inner_texts()
    for title in titles:
        assert title in listed, title
    texts = {}
    for i in range(links.count()):
        response = page.request.get(links.nth(i).get_attribute("href"))
        body = response.body()
        assert response.ok and body.startswith(b"%PDF"), listed[i]
        text = pdf_text(body)
        assert number in text, listed[i]
        texts[listed[i]] = text
    return texts
