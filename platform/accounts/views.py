from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

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
