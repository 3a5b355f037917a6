"""The first login with an initial password must set the person's own password first.

An account made by a staff import holds a one-time password printed on a slip
(``User.must_change_password``). Until it is changed, every page except the change page, logout
and static files sends the person to the change page (the API answers 403 with a message).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("accounts:password-change"), reverse("accounts:logout"), "/static/", "/i18n/")
            if not request.path.startswith(allowed):
                if request.path.startswith("/api/"):
                    return JsonResponse({"code": "password_change_required",
                                         "message": "首次登录须先修改初始密码", "details": {}}, status=403)
                return redirect("accounts:password-change")
        return self.get_response(request)
