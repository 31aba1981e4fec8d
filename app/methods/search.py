"""Nye Metoder's part of the header search (app.cases.search): methods by their ID (ID2025_102), title,
generic or product name or indication, as the method list searches them. Methods hold no personal data."""
from flask import url_for
from sqlalchemy import select

from app.cases.interface import CaseKind, visible_records
from app.extensions import db
from app.methods.interface import method_references_in
from app.methods.lists import ID_ORDER, matching_text
from app.methods.models import Method
from app.modules import SEARCH_LIMIT, SearchGroup, SearchHit


def search(user, text: str) -> list[SearchGroup]:
    query = select(Method).where(visible_records(user, CaseKind.METHOD, case_id=Method.case_id))
    references = method_references_in(text)
    if references and references[0] == text.upper():
        query, label = query.where(Method.reference == references[0]), "Metode-ID"
    else:
        query, label = matching_text(query, text), "Metoder (ID, tittel, virkestoff eller bruksområde)"
    methods = db.session.scalars(query.order_by(ID_ORDER.desc(), Method.id.desc()).limit(SEARCH_LIMIT))
    return [SearchGroup(label, tuple(SearchHit(method.case_id, None, url_for("methods.detail",
                                                                             reference=method.reference),
                                               method.reference, method.title, method.status.label)
                                     for method in methods))]
