"""case_intake_at_window: the applicant found by identity number or registered, all problems at
once, nothing saved on any problem, window clerks only."""

from __future__ import annotations

import pytest

from accounts.models import Applicant
from core.errors import AccessDenied, InvalidInput
from runtime import services
from runtime.models import Case

from . import factories

pytestmark = pytest.mark.django_db

PAPER = [services.MaterialInput("application", paper=True)]


def intake(demo, item, person, data=None, actor=None):
    return services.case_intake_at_window(actor=actor or demo.clerk, item=item, applicant=person,
                                          form_data=data or factories.good_data(), materials=PAPER)


def test_a_registered_company_is_found_by_its_credit_code(demo, item, frozen):
    company = demo.company.applicant
    case = intake(demo, item, services.ApplicantInput("legal", company.name, company.credit_code.lower()))
    assert case.applicant == company and case.channel == "window"


def test_a_known_number_under_another_name_is_refused(demo, item, frozen):
    zhangsan = demo.zhangsan.applicant
    with pytest.raises(InvalidInput) as refused:
        intake(demo, item, services.ApplicantInput("natural", "张三丰", zhangsan.id_number))
    assert "张三" in refused.value.details["applicant.name"][0]
    assert not Case.objects.exists()


def test_a_new_applicant_is_not_kept_when_the_application_is_refused(demo, item, frozen):
    before = Applicant.objects.count()
    with pytest.raises(InvalidInput) as refused:
        intake(demo, item, services.ApplicantInput("natural", "新人", "11010519491231002X"),
               data={"company": "缺项"})
    assert "$.business" in refused.value.details or any(k.startswith("$") for k in refused.value.details)
    assert Applicant.objects.count() == before and not Case.objects.exists()


def test_only_window_clerks_take_paper_applications(demo, item, frozen):
    with pytest.raises(AccessDenied):
        intake(demo, item, services.ApplicantInput("natural", "新人", "11010519491231002X"), actor=demo.handler)
    with pytest.raises(InvalidInput) as refused:
        intake(demo, item, services.ApplicantInput("alien", "新人", "1"))
    assert "applicant.kind" in refused.value.details
