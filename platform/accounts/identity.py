"""Check digits of the two identity numbers the platform meets everywhere.

* 公民身份号码 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character.
* 统一社会信用代码 (GB 32100-2015): 18 characters over a 31-letter alphabet, the last one a
  MOD 31 check character.

Each ``*_problem`` function returns ``None`` for a valid number or a Chinese sentence saying
what is wrong; the Django validators wrap them. Patterns use explicit ASCII classes because
Python's ``\\d`` also matches full-width digits.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


# A phone where a form asks for one: an 11-digit mobile number, or a landline with its area code
# (0571-86001201, 010-12345678, with or without the hyphen, an extension after another hyphen).
# The one pattern: the form validator checks it, the form's script (data-pattern) checks it early.
PHONE_PATTERN = r"1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[0-9]{7,8}(?:-[0-9]{1,6})?"
PHONE_MESSAGE = "联系电话应为11位手机号码，或带区号的固定电话（如 0571-86001201）"
_PHONE = re.compile(PHONE_PATTERN)


def phone_problem(value: str) -> str | None:
    """``None`` for a mobile or landline number, else what is wrong."""
    return None if _PHONE.fullmatch(value or "") else PHONE_MESSAGE


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_problem(value: str) -> str | None:
    number = (value or "").strip().upper()
    if not _ID_SHAPE.fullmatch(number):
        return "身份证号码应为18位，前17位为数字，最后一位为数字或X"
    birth = id_number_birth_date(number)
    if birth is None or birth > timezone.localdate() or birth.year < 1900:
        return "身份证号码中的出生日期无效"
    if id_number_check_char(number[:17]) != number[17]:
        return "身份证号码校验位不正确，请核对"
    return None


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    code = (value or "").strip().upper()
    if not _CREDIT_SHAPE.fullmatch(code):
        return "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_id_number")


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")


def id_number_age(number: str, on: dt.date) -> int | None:
    """Full years of age on ``on`` for a valid ID number, else ``None``."""
    birth = id_number_birth_date(number) if not id_number_problem(number) else None
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
