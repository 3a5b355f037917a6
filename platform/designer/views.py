"""Pages of the designer (事项设计)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access, selectors


@login_required
def item_list(request):
    access.require_designer(request.user)
    return render(request, "designer/items.html", {"items": selectors.items_for(request.user)})
