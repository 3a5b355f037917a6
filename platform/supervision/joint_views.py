"""The efficiency office's joint-approval page (联审监督): per department, the joint cases it holds
and those it delays (a branch over its share of the limit, or the other departments waiting)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from . import joint
from .access import require_supervisor


@login_required
def joint_oversight(request):
    require_supervisor(request.user)
    today = timezone.localdate()
    departments = joint.holding_branches(today)
    chosen = request.GET.get("department", "").strip()
    shown = [d for d in departments if d.department.code == chosen] if chosen else departments
    return render(request, "supervision/joint.html", {
        "today": today, "departments": departments, "shown": shown, "chosen": chosen,
    })
