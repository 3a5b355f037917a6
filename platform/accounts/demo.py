"""Loads the demo district's organisation, staff and applicants from fixtures/demo/.

Goes through the same services administrators use; idempotent (existing rows are updated to
match the file, missing roles granted, passwords set only when an account is first created).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import services
from .models import Applicant, Department, RoleAssignment, ServiceWindow, User


def demo_file(name: str) -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "demo" / name


def _upsert(model, lookup: dict, fields: dict, create):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return create()
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def load_organisation(say) -> None:
    data = json.loads(demo_file("organisation.json").read_text(encoding="utf-8"))
    password = data["password"]
    departments: dict[str, Department] = {}
    for row in data["departments"]:
        row = dict(row)
        parent_code = row.pop("parent", None)
        row["parent"] = departments[parent_code] if parent_code else None
        departments[row["code"]] = _upsert(
            Department, {"code": row["code"]}, row, lambda r=row: services.department_create(actor=None, **r)
        )
    windows: dict[str, ServiceWindow] = {}
    for row in data["windows"]:
        row = {**row, "department": departments[row["department"]]}
        windows[row["code"]] = _upsert(
            ServiceWindow, {"code": row["code"]}, row, lambda r=row: services.window_create(actor=None, **r)
        )
    for row in data["staff"]:
        roles = [(role, departments[code] if code else None) for role, code in row["roles"]]
        fields = {
            "full_name": row["full_name"],
            "department": departments[row["department"]],
            "window": windows.get(row.get("window")),
        }
        user = _upsert(
            User, {"username": row["username"]}, fields,
            lambda r=row, f=fields: services.staff_user_create(
                actor=None, username=r["username"], password=password, **f
            ),
        )
        for role, department in roles:
            if not RoleAssignment.objects.filter(user=user, role=role, department=department).exists():
                services.role_grant(actor=None, user=user, role=role, department=department)
    for row in data["applicants"]:
        row = dict(row)
        username = row.pop("username")
        user = User.objects.filter(username=username).first()
        if user is None:
            services.applicant_account_create(username=username, password=password, **row)
        else:
            _upsert(Applicant, {"user": user}, row, lambda: None)
    say(f"  单位 {len(departments)} 个，窗口 {len(windows)} 个，工作人员 {len(data['staff'])} 名，"
        f"申请人 {len(data['applicants'])} 名")
