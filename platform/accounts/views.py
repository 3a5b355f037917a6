from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .access import home_url_name


class PlatformLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context


def home(request):
    """Send each user to their own home page: the service hall or the workbench. Visitors who
    have not logged in land in the service hall too: the catalogue and the guides are public."""
    return redirect(home_url_name(request.user) if request.user.is_authenticated else "runtime:hall")


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """GET asks for confirmation; POST logs out (logging out by a plain link is a CSRF hole)."""
    if request.method == "POST":
        logout(request)
        messages.success(request, "您已安全退出。")
        return redirect("accounts:login")
    return render(request, "accounts/logout_confirm.html")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label="再次输入新密码",
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = "新密码要求：" + "；".join(services.PASSWORD_HELP) + "。"

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Set one's own password; required at the first login with an initial password."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                                 new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改，请牢记新密码。")
            return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form, "first_login": request.user.must_change_password})


@login_required
@require_http_methods(["POST"])
def tour_dismiss(request):
    services.first_login_tour_dismiss(user=request.user)
    return redirect(home_url_name(request.user))
