"""Treatment abroad's part of the header search (app.cases.search): applications by their external reference,
diagnosis (ICD-10 code) or the words of the requested treatment, through the list's search index, within the
user's office."""
from flask import url_for
from sqlalchemy import select

from app.abroad.lists import APPLICATION_SEARCH
from app.abroad.models import Application
from app.cases.interface import Case, CaseKind, visible_records
from app.extensions import db
from app.modules import SEARCH_LIMIT, SearchGroup, SearchHit


def search(user, text: str) -> list[SearchGroup]:
    rows = db.session.execute(
        select(Application.case_id, Application.reference, Application.icd10, Application.status, Case.number,
               Case.title, Case.patient_id)
        .join(Case, Case.id == Application.case_id)
        .where(visible_records(user, CaseKind.ABROAD_APPLICATION, case_id=Application.case_id,
                                unit=Application.office),
               Application.id.in_(APPLICATION_SEARCH.ids(text)))
        .order_by(Application.received_on.desc(), Application.id.desc()).limit(SEARCH_LIMIT))
    hits = tuple(SearchHit(row.case_id, row.patient_id, url_for("abroad.application", case_id=row.case_id),
                           row.number, row.title, " · ".join(filter(None, (
                               f"Referanse {row.reference}" if row.reference else None, f"ICD-10 {row.icd10}",
                               row.status.label))))
                 for row in rows)
    return [SearchGroup("Søknader om behandling i utlandet (referanse, diagnose eller behandling)", hits)]
