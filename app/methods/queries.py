"""Method lists with search, filters and paging (used by the internal and the public pages)."""
import json
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from app.extensions import db
from app.methods.models import Method, MethodStatus, MethodType
from app.pagination import Page, paginate


@dataclass(frozen=True)
class MethodFilter:
    text: str = ""
    status: MethodStatus | None = None
    method_type: MethodType | None = None
    subject_area: str | None = None
    year: int | None = None


# Newest first: by year and number, an imported ID's letter suffix after the plain one.
ORDER = (Method.year.desc(), Method.sequence.desc(), Method.suffix)


def method_query(method_filter: MethodFilter) -> Select:
    """The methods the filter selects (unordered, unpaged)."""
    query = select(Method)
    if method_filter.text.strip():
        pattern = f"%{method_filter.text.strip()}%"
        query = query.where(or_(Method.reference.ilike(pattern), Method.title.ilike(pattern),
                                Method.generic_name.ilike(pattern), Method.product_names.ilike(pattern),
                                Method.indication.ilike(pattern)))
    if method_filter.status is not None:
        query = query.where(Method.status == method_filter.status)
    if method_filter.method_type is not None:
        query = query.where(Method.method_type == method_filter.method_type)
    if method_filter.year is not None:
        query = query.where(Method.year == method_filter.year)
    if method_filter.subject_area:
        # The list is stored as JSON text serialised by SQLAlchemy (json.dumps) on both databases,
        # so the serialised value is matched as text.
        serialised = json.dumps(method_filter.subject_area)
        query = query.where(func.cast(Method.subject_areas, db.String).like(f"%{serialised}%"))
    return query


def search_methods(method_filter: MethodFilter, page: int = 1, per_page: int = 50) -> Page:
    return paginate(method_query(method_filter), *ORDER, page=page, per_page=per_page)
