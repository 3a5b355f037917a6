"""Reading the application page's POST back into what the services take.

The form's HTML comes from ``designer.render.render_form`` and its fields are read back by
``designer.render.form_data_from_post``, the same pair the designer's preview uses. Materials
come as ``material:<key>`` (a file),
``paper:<key>`` (the paper original travels with the file) and ``certificate:<key>`` (a number
from the certificate registry); ``keep:<key>`` keeps the file a refused attempt left with the
applicant's draft (``with_kept``).
"""

from __future__ import annotations

from django.http import QueryDict

from designer.render import form_data_from_post

from .services import MaterialInput

__all__ = ["decision_from_post", "form_data_from_post", "materials_from_post", "with_kept"]

DECISION_PREFIX = "decision."


def decision_from_post(form: dict, post) -> dict:
    """The decision form's fields (rendered with the prefix ``decision.``) as JSON data."""
    fields = QueryDict(mutable=True)
    for key in post:
        if key.startswith(DECISION_PREFIX):
            fields.setlist(key.removeprefix(DECISION_PREFIX), post.getlist(key))
    return form_data_from_post(form, fields)


def materials_from_post(materials: list[dict], post, files) -> list[MaterialInput]:
    given = []
    for material in materials:
        key = material["key"]
        upload = files.get(f"material:{key}")
        certificate = post.get(f"certificate:{key}", "").strip()
        if certificate:
            given.append(MaterialInput(key, certificate_number=certificate))
        elif upload is not None:
            # Never more than one byte over the limit into memory: that byte is enough for
            # ``check_upload`` to refuse the file as too large.
            given.append(MaterialInput(key, upload.name, upload.read(material["max_size_mb"] * 1024 * 1024 + 1)))
        elif post.get(f"paper:{key}"):
            given.append(MaterialInput(key, paper=True))
    return given


def with_kept(given: list[MaterialInput], kept: dict, post) -> list[MaterialInput]:
    """``given`` and, for each material the page sent nothing new for, the file kept with the
    draft (``kept``: key → ``DraftMaterial``) while its ``keep:<key>`` box stays ticked."""
    sent = {m.key for m in given}
    result = list(given)
    for key, row in kept.items():
        if key in sent or not row.file or not post.get(f"keep:{key}"):
            continue
        with row.file.open("rb") as stored:
            result.append(MaterialInput(key, row.original_name, stored.read()))
    return result
