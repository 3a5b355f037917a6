"""Pages of the system administrator's imports: staff and units from spreadsheets.

Upload → dry run shown row by row (or the refusal with every wrong cell) → confirm, which imports
the same file (kept by ``core.uploads``) after checking every row again. Confirming a staff sheet
that opens accounts answers with the initial-password slips as a PDF download: the passwords are
never stored and shown nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core import spreadsheets
from core.errors import PlatformError
from core.uploads import UploadStash

from .access import can_use_admin
from .imports import departments, staff
from .imports.sheets import SheetRefused
from .slips import slips_pdf


@dataclass(frozen=True)
class SheetImport:
    key: str
    title: str
    plan: object
    apply: object
    template: object
    export_current: object


IMPORTS = {
    "staff": SheetImport("staff", "工作人员", staff.staff_import_plan, staff.staff_import, staff.template,
                         staff.export_current),
    "departments": SheetImport("departments", "单位", departments.department_import_plan,
                               departments.department_import, departments.template, departments.export_current),
}
stash = UploadStash("accounts-sheet-imports")


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 表格（.xlsx）")


def admin_page(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_admin(request.user):
            raise PermissionDenied("批量导入仅对系统管理员开放")
        return view(request, *args, **kwargs)

    return wrapped


@admin_page
def imports_index(request):
    return render(request, "accounts/imports.html", {"imports": IMPORTS.values()})


@admin_page
def sheet_import(request, kind: str):
    spec = IMPORTS.get(kind)
    if spec is None:
        raise Http404
    session_key = f"accounts.import.{kind}"
    download = request.GET.get("download")
    if download == "template":
        return spreadsheets.download(spec.template(), f"{kind}-template.xlsx")
    if download == "current":
        return spreadsheets.download(spec.export_current(), f"{kind}.xlsx")
    op = request.POST.get("op") if request.method == "POST" else None
    form = UploadForm(request.POST if op == "check" else None, request.FILES or None)
    context = {"spec": spec, "form": form, "plan": None, "problems": None, "pending": None}
    if op == "check" and form.is_valid():
        _forget(request, session_key)
        content = form.cleaned_data["file"].read()
        try:
            context["plan"] = spec.plan(actor=request.user, content=content)
        except SheetRefused as exc:
            context["problems"] = exc.problems
        except PlatformError as exc:
            form.add_error("file", exc.message)
        else:
            if context["plan"].changes_anything:
                context["pending"] = stash.save(content)
                request.session[session_key] = context["pending"]
    elif op == "confirm":
        name = request.session.get(session_key)
        content = stash.read(name) if name and name == request.POST.get("upload") else None
        if content is None:
            messages.error(request, "没有待导入的文件或文件已过期，请重新上传并试导入")
            return redirect("accounts:sheet-import", kind=kind)
        try:
            result = spec.apply(actor=request.user, content=content)
        except SheetRefused as exc:
            context["problems"] = exc.problems
        except (PlatformError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "；".join(exc.messages))
        else:
            _forget(request, session_key)
            plan = getattr(result, "plan", result)
            messages.success(request, f"已导入{spec.title}：新建 {plan.created} 个，修改 {plan.updated} 个，"
                                      f"无变化 {plan.unchanged} 个")
            passwords = getattr(result, "passwords", None)
            if passwords:
                per = "department" if request.POST.get("per") == "department" else "person"
                pdf = slips_pdf(passwords, login_url=request.build_absolute_uri(reverse("accounts:login")), per=per)
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = "attachment; filename*=UTF-8''initial-passwords.pdf"
                response["Cache-Control"] = "no-store"
                return response
            return redirect("accounts:sheet-import", kind=kind)
    return render(request, "accounts/sheet_import.html", context)


def _forget(request, session_key: str) -> None:
    name = request.session.pop(session_key, None)
    if name:
        stash.remove(name)
