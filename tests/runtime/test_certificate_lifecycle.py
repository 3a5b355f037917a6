"""The certificate lifecycle of the demo item 公共场所卫生许可 (JB-WJ-XK-0001), run through the
services: 新办 issues (particulars from the form and the inspector's 核定容纳人数), 变更 writes a
new version and keeps the old one as 已变更, 延续 moves the validity on (only 90 to 30 days before
expiry), 注销 cancels with the date and the reason, 补领 reissues as a replacement; a refusal
changes nothing; an application naming another's, another type's or an invalid certificate is
refused with the reason, and nothing is saved."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from core.errors import Conflict, InvalidInput
from runtime import certificates, services
from runtime.models import Case, Certificate

from . import factories
from .conftest import act, at

pytestmark = pytest.mark.django_db

CODE = "JB-WJ-XK-0001"
NEW, CHANGE, RENEW, CANCEL = (f"{CODE}-{n}" for n in ("01", "02", "03", "04"))


def hygiene_form(**changes) -> dict:
    return {"unit_name": "江滨区示范餐饮有限公司", "credit_code": "91330106MA2H3K7L08", "legal_person": "王五",
            "phone": "13700137000", "address": "江滨区美食街5号", "venue_type": "宾馆、旅店、招待所", "area": 320,
            "central_aircon": "否", "staff": [{"name": "赵六", "certificate_no": "JK2026-0018"}], **changes}


def cancel_form() -> dict:
    return {"unit_name": "江滨区示范餐饮有限公司", "credit_code": "91330106MA2H3K7L08", "legal_person": "王五",
            "phone": "13700137000", "reason": "停止经营"}


def files(*keys):
    return [services.MaterialInput(key, f"{key}.pdf", factories.PDF) for key in keys]


MATERIALS = {NEW: ("application", "identity", "plans", "report", "rules"),
             CHANGE: ("application", "identity", "old_licence"), RENEW: ("application", "identity", "old_licence", "report"),
             CANCEL: ("application", "identity", "old_licence")}


def apply(demo, hygiene, unit, *, data=None, certificate="", actor=None):
    return services.case_submit(actor=actor or demo.company, item=hygiene, unit_code=unit,
                                form_data=data if data is not None else (cancel_form() if unit == CANCEL else hygiene_form()),
                                materials=files(*MATERIALS[unit]), certificate_number=certificate)


def approve_short(demo, case, *, reject=False) -> Case:
    """受理 → 资料审查 → 决定 → 办结 (the 变更, 延续 and 注销 stages)."""
    case = act(demo.clerk, case, opinion="材料齐全，予以受理")
    case = act(demo.multi, case, opinion="符合条件", step="examine")
    if reject:
        case = act(demo.multi, case, "reject", "不符合条件，不予许可", step="decide")
        return act(demo.clerk, case, "complete", "办结", step="issue")
    case = act(demo.multi, case, opinion="同意", step="decide")
    return act(demo.clerk, case, "complete", "办结", step="issue")


def issued(demo, hygiene, wj_leader) -> Certificate:
    case = apply(demo, hygiene, NEW)
    case = act(demo.clerk, case, opinion="材料齐全，予以受理")
    case = act(demo.multi, case, opinion="资料符合要求", step="examine")
    case = act(demo.multi, case, opinion="现场符合卫生要求", step="inspect", decision={"capacity": 120})
    case = act(demo.multi, case, opinion="同意", step="review")
    case = act(wj_leader, case, opinion="准予许可", step="decide")
    act(demo.clerk, case, "complete", "已发证", step="issue")
    return Certificate.objects.get(case=case)


def test_a_new_licence_prints_the_form_and_the_inspectors_figure(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    assert (licence.number, licence.version, licence.status) == ("PUBLIC-HYGIENE-2026-000001", 1, "valid")
    assert licence.valid_until == dt.date(2030, 3, 1)  # 48 months from 2 March 2026
    assert [(p["label"], p["value"]) for p in licence.particulars] == [
        ("单位名称", "江滨区示范餐饮有限公司"), ("法定代表人（负责人）", "王五"), ("经营地址", "江滨区美食街5号"),
        ("场所类别", "宾馆、旅店、招待所"), ("营业面积（平方米）", "320"), ("核定容纳人数", "120")]
    assert len(licence.verification_code) >= 32


def test_renewal_keeps_the_number_and_moves_the_validity_only_inside_its_window(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    frozen.move_to(at("2029-10-01"))  # 151 days before 1 March 2030: too early
    with pytest.raises(InvalidInput) as refused:
        apply(demo, hygiene, RENEW, certificate=licence.number)
    assert refused.value.details["certificate"] == [
        "延续须在证照到期前90日至30日之间申请：证照“PUBLIC-HYGIENE-2026-000001”有效期至2030年3月1日，"
        "可在2029年12月1日至2030年1月30日申请"]
    assert Case.objects.filter(unit_code=RENEW).count() == 0
    frozen.move_to(at("2030-01-31"))  # 29 days before: too late
    with pytest.raises(InvalidInput):
        apply(demo, hygiene, RENEW, certificate=licence.number)

    frozen.move_to(at("2029-12-03"))
    case = apply(demo, hygiene, RENEW, certificate=licence.number)
    assert case.acts_on == licence
    approve_short(demo, case)
    licence.refresh_from_db()
    assert (licence.number, licence.version, licence.status) == ("PUBLIC-HYGIENE-2026-000001", 1, "valid")
    assert licence.valid_until == dt.date(2034, 3, 1) and licence.renewed_on == dt.date(2029, 12, 3)
    assert Certificate.objects.count() == 1  # nothing new issued
    letter = Case.objects.get(pk=case.pk).documents.get(template="decision").context
    assert letter["certificate_number"] == licence.number and letter["valid_until"] == "2034年3月1日"


def test_a_change_writes_a_new_version_and_keeps_the_old_one(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    frozen.move_to(at("2026-06-01"))
    case = apply(demo, hygiene, CHANGE, certificate=licence.number,
                 data=hygiene_form(legal_person="王小五", change_items=["法定代表人（负责人）"]))
    approve_short(demo, case)
    old = Certificate.objects.get(pk=licence.pk)
    new = Certificate.objects.get(number=licence.number, version=2)
    assert old.status == "superseded" and new.status == "valid"
    assert old.verification_code != new.verification_code
    values = {p["label"]: p["value"] for p in new.particulars}
    assert values["法定代表人（负责人）"] == "王小五"
    assert values["核定容纳人数"] == "120"  # the change stage decides no capacity: the old value stays
    assert new.valid_until == old.valid_until and new.issued_on == dt.date(2026, 6, 1)
    assert certificates.public_view(old).current == new


def test_a_cancellation_issues_nothing_and_records_the_date_and_reason(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    frozen.move_to(at("2026-09-01"))
    case = approve_short(demo, apply(demo, hygiene, CANCEL, certificate=licence.number))
    licence.refresh_from_db()
    assert licence.status == "revoked" and licence.cancelled_on == dt.date(2026, 9, 1)
    assert case.number in licence.cancel_reason and "注销" in licence.cancel_reason
    assert Certificate.objects.count() == 1
    assert "已于2026年9月1日注销" in case.documents.get(template="decision").context["valid_until"]
    # a cancelled licence can be neither renewed nor cancelled again
    with pytest.raises(InvalidInput) as refused:
        apply(demo, hygiene, CANCEL, certificate=licence.number)
    assert refused.value.details["certificate"] == ["证照“PUBLIC-HYGIENE-2026-000001”已注销，不能申请注销"]


def test_a_refusal_changes_nothing(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    case = approve_short(demo, apply(demo, hygiene, CANCEL, certificate=licence.number), reject=True)
    assert case.decision == "rejected"
    licence.refresh_from_db()
    assert licence.status == "valid" and licence.cancelled_on is None and Certificate.objects.count() == 1


def test_the_certificate_named_must_be_the_applicants_own_of_the_type_and_valid(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    with pytest.raises(InvalidInput) as missing:
        apply(demo, hygiene, CANCEL)
    assert missing.value.details["certificate"] == ["请选择本次注销所涉的证照"]
    with pytest.raises(InvalidInput) as others:
        apply(demo, hygiene, CANCEL, certificate=licence.number, actor=demo.zhangsan)
    assert others.value.details["certificate"] == ["您名下没有编号为“PUBLIC-HYGIENE-2026-000001”的证照"]
    with pytest.raises(InvalidInput) as unknown:
        apply(demo, hygiene, CANCEL, certificate="PUBLIC-HYGIENE-2026-999999")
    assert unknown.value.details["certificate"] == ["您名下没有编号为“PUBLIC-HYGIENE-2026-999999”的证照"]
    other_type = Certificate.objects.create(
        number="BUSINESS-LICENCE-2026-000001", certificate_type_id=factories_type("BUSINESS-LICENCE"), name="营业执照",
        holder=demo.company.applicant, item=licence.item, case=apply_case_for_row(demo, hygiene),
        department_id=licence.department_id, issued_on=licence.issued_on, verification_code="x" * 32)
    with pytest.raises(InvalidInput) as wrong_type:
        apply(demo, hygiene, CANCEL, certificate=other_type.number)
    assert wrong_type.value.details["certificate"] == [
        "证照“BUSINESS-LICENCE-2026-000001”是营业执照，本事项只能注销公共场所卫生许可证"]
    assert not Case.objects.filter(unit_code=CANCEL).exists()


def factories_type(code: str) -> int:
    from designer.models import CertificateType

    return CertificateType.objects.get(code=code).pk


def apply_case_for_row(demo, hygiene) -> Case:
    """A case to hang a hand-made registry row on (every certificate version comes from a case)."""
    return apply(demo, hygiene, NEW)


def test_a_certificate_cancelled_while_a_renewal_waits_cannot_be_renewed(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    frozen.move_to(at("2029-12-03"))
    renewal = apply(demo, hygiene, RENEW, certificate=licence.number)
    approve_short(demo, apply(demo, hygiene, CANCEL, certificate=licence.number))
    renewal = act(demo.clerk, renewal, opinion="受理")
    renewal = act(demo.multi, renewal, opinion="符合", step="examine")
    renewal = act(demo.multi, renewal, opinion="同意", step="decide")
    with pytest.raises(Conflict, match="已注销，不能准予延续"):
        act(demo.clerk, renewal, "complete", "办结", step="issue")
    licence.refresh_from_db()
    assert licence.status == "revoked"


def test_reissue_marks_a_replacement_with_the_same_particulars(demo, hygiene, wj_leader, frozen):
    licence = issued(demo, hygiene, wj_leader)
    case = apply(demo, hygiene, CHANGE, certificate=licence.number)
    # the registry's entry, on a case of the item (the demo has no 补领 stage)
    defn = dataclasses.replace(certificates.definition_of(case), certificate_action={"operation": "reissue"})
    replacement = certificates.certificate_behaviours.get("reissue").apply(
        certificates.Approval(case, defn, dt.date(2026, 3, 5), licence))
    assert replacement.replacement and replacement.version == 2
    assert replacement.particulars == licence.particulars
    assert Certificate.objects.get(pk=licence.pk).status == "superseded"


def test_expiry_duty_expires_and_tells_holders_once(demo, hygiene, wj_leader, frozen, settings, caplog,
                                                    django_capture_on_commit_callbacks):
    licence = issued(demo, hygiene, wj_leader)
    settings.CERTIFICATE_EXPIRY_NOTICE_DAYS = 60
    with caplog.at_level("INFO", logger="supervision.notify"), django_capture_on_commit_callbacks(execute=True):
        assert certificates.expiry_duty(today=dt.date(2029, 12, 30)) == {"expired": 0, "reminded": 0}  # 61 days
        assert certificates.expiry_duty(today=dt.date(2029, 12, 31)) == {"expired": 0, "reminded": 1}  # 60 days
        assert certificates.expiry_duty(today=dt.date(2030, 1, 2)) == {"expired": 0, "reminded": 0}  # told once
    assert "将于2030年3月1日到期（还有60日）" in caplog.text and licence.number in caplog.text
    assert certificates.expiry_duty(today=dt.date(2030, 3, 1)) == {"expired": 0, "reminded": 0}  # its last day
    assert certificates.expiry_duty(today=dt.date(2030, 3, 2))["expired"] == 1
    licence.refresh_from_db()
    assert licence.status == "expired"


def test_the_signature_checks_the_printed_facts_and_rotates(demo, hygiene, wj_leader, frozen, settings):
    licence = issued(demo, hygiene, wj_leader)
    signature = certificates.signature_of(licence)
    assert signature.startswith("dev.") and certificates.signature_valid(licence, signature)
    forged = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert not certificates.signature_valid(licence, forged)
    settings.CERTIFICATE_KEYS = {**settings.CERTIFICATE_KEYS, "c2027": "key-of-2027"}
    settings.CERTIFICATE_KEY_ID = "c2027"
    assert certificates.signature_of(licence).startswith("c2027.")
    assert certificates.signature_valid(licence, signature)  # the old key still verifies
    settings.CERTIFICATE_KEYS = {"c2027": "key-of-2027"}
    assert not certificates.signature_valid(licence, signature)  # until it is dropped
    licence.particulars[0]["value"] = "别的单位"
    assert not certificates.signature_valid(licence, certificates.signature_of(Certificate.objects.get(pk=licence.pk)))


def test_masking_of_natural_persons():
    assert certificates.mask_name("张三") == "张*"
    assert certificates.mask_name("欧阳小明") == "欧***"
    assert certificates.mask_id("330106198503121231") == "3301**********1231"
