"""The first-login tour: a short panel on the workbench until the person dismisses it."""

from .guides import TOUR


def first_login_tour(request):
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if (user is not None and user.is_authenticated and getattr(user, "show_first_login_tour", False)
            and match is not None and match.view_name == "runtime:workbench"):
        return {"first_login_tour": TOUR}
    return {}
