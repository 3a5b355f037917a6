"""The JSON exchange bundle of an item (docs/schemas/bundle.schema.json), as canonical text."""

from __future__ import annotations

from .models import ApprovalItem
from .services import bundle_for_document, canonical_json


def export_bundle(item: ApprovalItem) -> dict:
    """The bundle of the item's current published version."""
    return bundle_for_document(item.current_version.document)


def export_bundle_text(item: ApprovalItem) -> str:
    return canonical_json(export_bundle(item))
