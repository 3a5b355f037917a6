"""The electronic certificate: the holder downloads the PDF (particulars, validity, the QR code's
link and the keyed checksum); the link leads to the public verification page, which answers
有效 / 已变更 / 已注销 and shows a natural person only masked; codes cannot be enumerated (an
unknown code is 404, the page is throttled per address); the apply page offers the applicant's
own certificates and keeps what was typed when the choice is refused."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from runtime import certificates
from runtime.models import Certificate

from .conftest import at
from .test_certificate_lifecycle import CANCEL, CODE, RENEW, apply, approve_short, issued

pytestmark = pytest.mark.django_db


def link_in(pdf: bytes) -> str:
    """The URI of the QR code's link annotation (the same text the QR code encodes)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert len(uris) == 1
    return uris[0]


def download(client, licence) -> bytes:
    response = client.get(f"/certificates/{licence.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_pdf_links_to_the_verification_page_with_its_checksum(demo, hygiene, wj_leader, frozen, client):
    licence = issued(demo, hygiene, wj_leader)
    client.force_login(demo.company)
    pdf = download(client, licence)
    link = link_in(pdf)
    assert link.startswith(f"http://testserver/certificates/verify/{licence.verification_code}/?s=dev.")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata["/Keywords"] == f"certificate-signature:{certificates.signature_of(licence)}"
    page = client.get(link.removeprefix("http://testserver")).content.decode()
    assert "核验结果：<strong>有效</strong>" in page and "文件内容与证照库记录一致" in page
    assert "江滨区示范餐饮有限公司" in page and "核定容纳人数" in page and "91330106MA2H3K7L08" in page
    # another applicant cannot download it
    client.force_login(demo.zhangsan)
    assert client.get(f"/certificates/{licence.pk}.pdf").status_code == 404


def test_the_page_says_cancelled_and_a_forged_checksum_is_flagged(demo, hygiene, wj_leader, frozen, client):
    licence = issued(demo, hygiene, wj_leader)
    frozen.move_to(at("2026-09-01"))
    approve_short(demo, apply(demo, hygiene, CANCEL, certificate=licence.number))
    path = f"/certificates/verify/{licence.verification_code}/"
    page = client.get(path + "?s=dev.0123456789abcdef0123456789abcdef").content.decode()
    assert "核验结果：<strong>已注销</strong>" in page and "2026年9月1日注销" in page
    assert "与证照库当前记录不一致" in page


def test_a_changed_certificate_names_the_current_version(demo, hygiene, wj_leader, frozen, client):
    from .test_certificate_lifecycle import CHANGE, hygiene_form

    licence = issued(demo, hygiene, wj_leader)
    approve_short(demo, apply(demo, hygiene, CHANGE, certificate=licence.number, data=hygiene_form(legal_person="王小五")))
    page = client.get(f"/certificates/verify/{licence.verification_code}/").content.decode()
    assert "核验结果：<strong>已变更</strong>" in page and "当前版本为第2版（有效" in page


def test_a_natural_person_is_masked_everywhere_on_the_page(demo, frozen, client):
    holder = demo.zhangsan.applicant
    from designer.models import ApprovalItem

    case = apply(demo, ApprovalItem.objects.get(code=CODE), f"{CODE}-01", actor=demo.zhangsan)
    licence = Certificate.objects.create(
        number="PUBLIC-HYGIENE-2026-000009", name="公共场所卫生许可证", holder=holder, item=case.item, case=case,
        department=case.department, issued_on=case.received_on, verification_code=certificates.new_verification_code(),
        particulars=[{"label": "负责人", "value": "张三", "public": True},
                     {"label": "身份证号码", "value": "330106198503121231", "public": True},
                     {"label": "内部备注", "value": "不公开的内容", "public": False}])
    page = client.get(f"/certificates/verify/{licence.verification_code}/").content.decode()
    assert "张三" not in page and "330106198503121231" not in page and "不公开的内容" not in page
    assert "张*" in page and "3301**********1231" in page


def test_unknown_codes_are_404_and_the_page_is_throttled(demo, client, settings):
    settings.CERTIFICATE_VERIFY_RATE_PER_ADDRESS = "3/h"
    for _ in range(3):
        response = client.get("/certificates/verify/not-a-real-code/")
        assert response.status_code == 404 and "未找到该证照" in response.content.decode()
    throttled = client.get("/certificates/verify/not-a-real-code/")
    assert throttled.status_code == 429 and "核验过于频繁" in throttled.content.decode()


def test_codes_are_unguessable(demo):
    codes = {certificates.new_verification_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", c) for c in codes)


def test_apply_page_offers_own_certificates_and_keeps_input_when_refused(demo, hygiene, wj_leader, frozen, client):
    licence = issued(demo, hygiene, wj_leader)
    client.force_login(demo.company)
    url = f"/hall/items/{CODE}/apply/?unit={RENEW}"
    page = client.get(url).content.decode()
    assert f'<option value="{licence.number}">' in page and "可申请期间：2029年12月1日至2030年1月30日" in page
    refused = client.post(url, {"certificate": licence.number, "unit_name": "江滨区示范餐饮有限公司",
                                "legal_person": "王五", "submission_token": "t-renew-1"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "延续须在证照到期前90日至30日之间申请" in body
    assert f'<option value="{licence.number}" selected>' in body and 'value="王五"' in body


def test_the_api_takes_the_certificate_and_refuses_another_holders(demo, hygiene, wj_leader, frozen):
    from rest_framework.test import APIClient

    licence = issued(demo, hygiene, wj_leader)
    api = APIClient()
    api.force_authenticate(demo.zhangsan)
    response = api.post("/api/v1/cases/", {"item": CODE, "unit": CANCEL, "certificate": licence.number,
                                           "form_data": {}}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["certificate"] == [f"您名下没有编号为“{licence.number}”的证照"]


def test_the_window_types_the_certificate_number_and_is_told_what_is_wrong(demo, hygiene, frozen, client):
    client.force_login(demo.clerk)
    url = f"/workbench/intake/{CODE}/?unit={CANCEL}"
    assert 'name="certificate"' in client.get(url).content.decode()
    refused = client.post(url, {"applicant.kind": "legal", "applicant.name": "江滨区示范餐饮有限公司",
                                "applicant.identity_number": "91330106MA2H3K7L08", "certificate": "PUBLIC-HYGIENE-2026-000404",
                                "unit_name": "江滨区示范餐饮有限公司", "submission_token": "t-window-1"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert body.count("您名下没有编号为“PUBLIC-HYGIENE-2026-000404”的证照") == 1  # beside the field only
    assert 'value="PUBLIC-HYGIENE-2026-000404"' in body
