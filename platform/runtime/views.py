"""Pages of the applicants' service hall and the staff workbench."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.access import can_use_admin, is_applicant, is_staff_member
from accounts.selectors import role_assignments_for


@login_required
def hall(request):
    """网上虚拟办事大厅: the applicant's home page."""
    if not is_applicant(request.user):
        return redirect("runtime:workbench")
    applicant = getattr(request.user, "applicant", None)
    return render(request, "runtime/hall.html", {"applicant": applicant})


@login_required
def workbench(request):
    """工作台: the staff member's home page."""
    if not is_staff_member(request.user):
        return redirect("runtime:hall")
    return render(
        request,
        "runtime/workbench.html",
        {"assignments": role_assignments_for(request.user), "can_use_admin": can_use_admin(request.user)},
    )
