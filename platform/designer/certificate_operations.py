"""What an approval does to the certificate registry, by key: what an operation *is*.

Each unit (an item without stages, or each stage) declares ``certificate_action``
(``{"operation": …, "window": {…}}``; absent means ``issue``). The designer validates the
declaration with the facts here; what an operation *does* when a case is approved is the
runtime's (``runtime.certificates.certificate_behaviours``, one entry per key here, a test keeps
the keys equal). A refusal (不予许可) never reaches either.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.registry import Registry

DEFAULT_OPERATION = "issue"


@dataclass(frozen=True)
class CertificateOperation:
    key: str
    label: str  # the stage editor's word (新发 / 延续 / 变更 / 注销 / 补领)
    acts_on_existing: bool  # the application names one of the applicant's valid certificates
    writes_particulars: bool  # the approval prints the item's particulars from this case
    needs_validity: bool = False  # meaningless for a certificate that never expires (长期有效)
    description: str = ""


certificate_operations: Registry[CertificateOperation] = Registry("证照操作")


def register_certificate_operations() -> None:
    for operation in (
        CertificateOperation("issue", "新发", acts_on_existing=False, writes_particulars=True,
                             description="准予后颁发一份新证照（新的证照编号）"),
        CertificateOperation("renew", "延续", acts_on_existing=True, writes_particulars=False, needs_validity=True,
                             description="准予后延续申请人所选证照的有效期（证照编号不变）"),
        CertificateOperation("change", "变更", acts_on_existing=True, writes_particulars=True,
                             description="准予后按本次申请换发所选证照的新版本（编号不变，旧版本保留并标为已变更）"),
        CertificateOperation("cancel", "注销", acts_on_existing=True, writes_particulars=False,
                             description="准予后注销所选证照（记录注销日期和原因，不颁发新证照）"),
        CertificateOperation("reissue", "补领", acts_on_existing=True, writes_particulars=False,
                             description="准予后补发所选证照（事项不变，标明为补发，原证照作废）"),
    ):
        if operation.key not in certificate_operations:
            certificate_operations.register(operation.key, operation)


def operation_of(unit: dict) -> str:
    """The operation key a unit (the item without stages, or a stage) declares."""
    return (unit.get("certificate_action") or {}).get("operation", DEFAULT_OPERATION)


def choices() -> list[tuple[str, str]]:
    return [(key, op.label) for key, op in certificate_operations.items()]
