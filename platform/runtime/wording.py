"""How the hall words an item's materials and time limits: the item guide's table and the blank
application form print the same words, from here."""

from __future__ import annotations

ORIGINAL = {"original": "原件", "copy": "复印件"}
MEDIUM = {"paper": "纸质", "electronic": "电子"}


def material_requirement(material: dict) -> str:
    """必交 / 选交 / 视申请情况提交."""
    if not material["required"]:
        return "选交"
    return "视申请情况提交" if material["condition"] else "必交"


def material_form(material: dict, separator: str = "·") -> str:
    """e.g. 原件·纸质 (the PDF font has no "·": the blank form passes "，")."""
    return (f"{ORIGINAL.get(material['original'], '原件和复印件')}{separator}"
            f"{MEDIUM.get(material['medium'], '纸质或电子')}")


def time_limit(days) -> str:
    """A limit in working days as the hall states it: 0 is 即办 (handled on the spot)."""
    if days is None or days == "":
        return ""
    return "即办" if int(days) == 0 else f"{days}个工作日"
