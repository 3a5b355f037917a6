from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from accounts.access import roles_of
from core.registry import UnknownKey

from .guides import guides, guides_for


def guide_index(request):
    """Every role's guide; the reader's own roles' guides first. Public, like the catalogue."""
    mine = roles_of(request.user) if request.user.is_authenticated else set()
    listed = guides_for(mine)
    return render(request, "guides/index.html", {"guides": listed, "mine": [g for g in listed if set(g.roles) & mine]})


def guide_page(request, key: str):
    try:
        guide = guides.get(key)
    except UnknownKey:
        raise Http404 from None
    steps = [(step, reverse(step.page, args=step.args) if step.page else None) for step in guide.steps]
    return render(request, "guides/guide.html", {"guide": guide, "steps": steps})
