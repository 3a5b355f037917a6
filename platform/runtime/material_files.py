"""A material's stored file as an HTTP response, for the API's download and the case page's
viewer alike. The type is the one sniffed from the content at upload (never the name's), so a
file served inline is exactly what the upload check accepted; anything the browser cannot show
itself (Word, Excel, OFD, ZIP) is only ever downloaded."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .models import Material

# The sniffed types a browser shows by itself (its own PDF viewer, an image).
VIEWABLE = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def viewable(material: Material) -> bool:
    return bool(material.file) and material.sniffed_type in VIEWABLE


def file_name(material: Material) -> str:
    """The name a download gets: the material's name with its sniffed type."""
    return f"{material.name}.{material.sniffed_type}" if material.sniffed_type else material.name


def material_file_response(material: Material, *, inline: bool) -> HttpResponse:
    """The file, shown in the browser (``inline``, viewable types only) or downloaded."""
    inline = inline and viewable(material)
    content_type = VIEWABLE.get(material.sniffed_type, "application/octet-stream")
    with material.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, file_name(material))
    response["Cache-Control"] = "private, no-store"
    return response
