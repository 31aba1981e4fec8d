"""The bare baselines of the other list pages (bench/lists.py): the core case list, the appeal list, the expert
panel's referral list, the method list and the audit log.

Each answers the unfiltered first page of the app's list with hand-written SQL (the count capped as the app's,
one page in the list's default keyset order, the next page's cursor) and renders the same template from the same
kind of page object, without the list engine, the ORM objects or the audit event. The `-logget` variant of a list
that shows patients then writes the list's audit event and its patients by hand-written SQL and commits, as the
app must. Registered only by bench/harness.py, never in the app.
"""
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, render_template
from flask_login import current_user, login_required

from bench.harness import bare_list_audit


def _count(from_where: str, params: dict) -> int:
    """The rows' count up to the app's cap (TOTAL_CAP + 1: «over 1 000» beyond it)."""
    from app.extensions import db
    from app.listing import TOTAL_CAP
    return db.session.execute(sa.text(f"SELECT count(*) FROM (SELECT 1 {from_where} LIMIT {TOTAL_CAP + 1}) n"),
                              params).scalar()


def _first_page(statement, params: dict, per_page: int) -> tuple[list, bool]:
    """The page's rows, and whether rows follow (one row more is read)."""
    from app.extensions import db
    rows = db.session.execute(statement, {**params, "limit": per_page + 1}).all()
    return rows[:per_page], len(rows) > per_page


def _render(spec, template: str, items: list, total: int, rows: list, more: bool, cursor, *, logged: bool = False,
            **context) -> str:
    """The page drawn from `items` (what the template reads), with the next page's link when more rows follow
    (`cursor(last row)`: the app's cursor, the sort's key and the row's values); then, when `logged`, the list's
    audit event naming the patients of `rows` (their `patient_id` and `case_id`)."""
    from app.listing import ListPage, Sort
    key = spec.default_sort.removeprefix("-")
    result = ListPage(spec=spec, items=items, total=total, values={},
                      next_cursor=cursor(rows[-1]) if rows and more else None,
                      sort=Sort(column=spec.column(key), descending=spec.default_sort.startswith("-")))
    page = render_template(template, result=result, **context)
    if logged:
        bare_list_audit(rows, spec.name)
    return page


def _only(role: str) -> None:
    if current_user.role.value != role:
        abort(403)


def _cases(logged: bool = False) -> str:
    """/bench/saker: the core case list as a treatment-abroad caseworker sees it (every method case, the office's
    abroad cases; not the discarded), newest case number first."""
    from app.cases.lists import CASES
    from app.cases.models import CaseKind, CaseStatus
    from app.extensions import db

    _only("abroad_caseworker")
    # SQLite's planner, without statistics, is told that the office's cases are most of the table (likely()), so
    # it reads the case numbers' index in order instead of sorting every visible case (app.db.likely).
    likely = "likely" if db.session.get_bind().dialect.name == "sqlite" else ""
    where = (f"FROM cases c WHERE ({likely}(c.kind = 'method') OR {likely}(c.kind IN ('abroad_application', "
             "'abroad_appeal') AND c.unit = :office)) AND c.status <> 'U'")
    params = {"office": current_user.office}
    total = _count(where, params)
    rows, more = _first_page(sa.text(
        "SELECT c.id, c.id AS case_id, c.number, c.year, c.sequence, c.title, c.kind, c.unit, c.status, c.case_date, "
        f"c.patient_id {where} ORDER BY c.year DESC, c.sequence DESC, c.id DESC LIMIT :limit"
    ).columns(case_date=sa.Date), params, CASES.per_page)
    items = [SimpleNamespace(id=row.id, number=row.number, title=row.title, kind=CaseKind(row.kind), unit=row.unit,
                             status=CaseStatus(row.status), case_date=row.case_date) for row in rows]
    return _render(CASES, "cases/list.html", items, total, rows, more,
                   lambda last: f"-saksnummer~{last.year}~{last.sequence}~{last.id}", logged=logged)


def _appeals(logged: bool = False) -> str:
    """/bench/klager: the office's appeals, newest first, with their case's number and patient."""
    from app.abroad.lists import APPEALS
    from app.abroad.models import AppealStatus

    _only("abroad_caseworker")
    params = {"office": current_user.office}
    total = _count("FROM abroad_appeals p WHERE p.office = :office", params)
    rows, more = _first_page(sa.text(
        "SELECT p.id, p.case_id, p.received_on, p.deadline_on, p.late, p.consider_late, p.status, c.number, "
        "c.patient_id, c.patient_name FROM abroad_appeals p JOIN cases c ON c.id = p.case_id "
        "WHERE p.office = :office ORDER BY p.received_on DESC, p.id DESC LIMIT :limit"
    ).columns(received_on=sa.Date, deadline_on=sa.Date, late=sa.Boolean, consider_late=sa.Boolean),
        params, APPEALS.per_page)
    items = [(SimpleNamespace(received_on=row.received_on, deadline_on=row.deadline_on, late=row.late,
                              status=AppealStatus(row.status),
                              awaiting_late_assessment=row.late and row.consider_late is None),
              SimpleNamespace(id=row.case_id, number=row.number, patient_name=row.patient_name)) for row in rows]
    return _render(APPEALS, "abroad/appeals.html", items, total, rows, more,
                   lambda last: f"-kom_inn~{last.received_on.isoformat()}~{last.id}", logged=logged)


def _referrals(logged: bool = False) -> str:
    """/bench/ekspertpanelet: every referral as the panel's secretariat sees them, the open ones first by answer
    deadline; with the register's regions that have no active member, as the page shows."""
    from app.core.regions import REGIONS
    from app.extensions import db
    from app.panel.lists import OPEN, REFERRALS
    from app.panel.models import ReferralStatus

    _only("panel_secretariat")
    total = _count("FROM panel_referrals r", {})
    rows, more = _first_page(sa.text(
        "SELECT r.id, r.case_id, r.referring_trust, r.referred_on, r.due_on, r.status, r.flag, c.number, "
        "c.patient_id, c.patient_name, CASE WHEN r.status IN ('received', 'under_assessment') THEN 0 ELSE 1 END "
        "AS closed FROM panel_referrals r JOIN cases c ON c.id = r.case_id "
        "ORDER BY closed, r.due_on, r.id LIMIT :limit").columns(referred_on=sa.Date, due_on=sa.Date),
        {}, REFERRALS.per_page)
    items = [(SimpleNamespace(referring_trust=row.referring_trust, referred_on=row.referred_on, due_on=row.due_on,
                              status=ReferralStatus(row.status), flag=row.flag),
              SimpleNamespace(id=row.case_id, number=row.number, patient_name=row.patient_name)) for row in rows]
    represented = set(db.session.execute(sa.text(
        "SELECT DISTINCT appointing_region FROM panel_members WHERE active")).scalars())
    return _render(REFERRALS, "panel/index.html", items, total, rows, more,
                   lambda last: f"apne_forst~{last.closed}~{last.due_on.isoformat()}~{last.id}", logged=logged,
                   today=date.today(), open_statuses=OPEN, can_register=True,
                   missing_regions=[name for region, name in REGIONS.items() if region not in represented])


def _methods() -> str:
    """/bench/metoder: every method, newest ID first (year, number, then the letter suffix), with the current
    decision of each (the latest that no amendment superseded), read in a second query for the page's methods."""
    from app.extensions import db
    from app.methods.lists import METHODS
    from app.methods.models import DecisionOutcome, MethodStatus, MethodType

    _only("methods_secretariat")
    letter = "unicode(m.suffix)" if db.session.get_bind().dialect.name == "sqlite" else "ascii(m.suffix)"
    total = _count("FROM method_methods m", {})
    rows, more = _first_page(sa.text(
        "SELECT m.id, m.reference, m.title, m.method_type, m.status, m.year * 1000000 + m.sequence * 100 - "
        f"CASE WHEN length(m.suffix) = 1 AND m.suffix BETWEEN 'A' AND 'Z' THEN {letter} - 64 ELSE 0 END AS id_order "
        "FROM method_methods m ORDER BY id_order DESC, m.id DESC LIMIT :limit"), {}, METHODS.per_page)
    decisions: dict[int, list] = {}
    if rows:
        for decision in db.session.execute(sa.text(
                "SELECT id, method_id, outcome, decided_on, supersedes_id FROM method_forum_decisions "
                "WHERE method_id IN :ids ORDER BY decided_on, id").bindparams(sa.bindparam("ids", expanding=True))
                .columns(decided_on=sa.Date), {"ids": [row.id for row in rows]}):
            decisions.setdefault(decision.method_id, []).append(decision)
    items = []
    for row in rows:
        own = decisions.get(row.id, [])
        superseded = {decision.supersedes_id for decision in own}
        current = [decision for decision in own if decision.id not in superseded]
        items.append(SimpleNamespace(
            reference=row.reference, title=row.title, method_type=MethodType(row.method_type),
            status=MethodStatus(row.status),
            decision_outcome=DecisionOutcome(current[-1].outcome) if current else None,
            decision_date=current[-1].decided_on if current else None))
    return _render(METHODS, "methods/index.html", items, total, rows, more,
                   lambda last: f"-id~{last.id_order}~{last.id}", can_register=True)


def _audit_log() -> str:
    """/bench/logg: the audit log, newest first, with the first patients each list event showed and the hash
    chain's state (the last seal, and the events written after the highest sealed one), as the admin's page
    shows them."""
    from app.admin.lists import AUDIT_LOG
    from app.admin.views import AUDIT_OBJECT_LABELS, ROLE_LABELS_BY_VALUE
    from app.cases.audit_chain import STATUS_COUNT_CAP, ChainStatus
    from app.core.audit import LIST_OBJECT, LISTED_SHOWN, AuditAction, AuditEvent, ListedSummary
    from app.extensions import db

    _only("admin")
    total = _count("FROM audit_events e", {})
    at = AuditEvent.__table__.c.at.type
    rows, more = _first_page(sa.text(
        "SELECT e.id, e.at, e.user_email, e.role, e.office, e.action, e.object_type, e.object_id, e.case_id, "
        "e.patient_id, e.remote_addr FROM audit_events e ORDER BY e.at DESC, e.id DESC LIMIT :limit").columns(at=at),
        {}, AUDIT_LOG.per_page)
    events = [SimpleNamespace(**{**row._asdict(), "action": AuditAction(row.action)}) for row in rows]
    listed: dict[int, ListedSummary] = {}
    list_events = [row.id for row in rows if row.object_type == LIST_OBJECT]
    if list_events:
        shown: dict[int, list] = {}
        for pair in db.session.execute(sa.text(
                "SELECT event_id, patient_id, case_id, cases, patients FROM ("
                " SELECT n.*, count(*) OVER (PARTITION BY event_id) AS cases,"
                " max(patient_place) OVER (PARTITION BY event_id) AS patients FROM ("
                "  SELECT event_id, patient_id, case_id,"
                "  row_number() OVER (PARTITION BY event_id ORDER BY patient_id, case_id) AS place,"
                "  dense_rank() OVER (PARTITION BY event_id ORDER BY patient_id) AS patient_place"
                "  FROM audit_event_patients WHERE event_id IN :ids) n) c "
                "WHERE place <= :shown ORDER BY event_id, place").bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": list_events, "shown": LISTED_SHOWN}):
            shown.setdefault(pair.event_id, []).append(pair)
        listed = {event_id: ListedSummary([(pair.patient_id, pair.case_id) for pair in pairs],
                                          pairs[0].cases - len(pairs),
                                          pairs[0].patients - len({pair.patient_id for pair in pairs}))
                  for event_id, pairs in shown.items()}
    last_seal = db.session.execute(sa.text(
        "SELECT position, sealed_at, (SELECT max(event_id) FROM audit_seals) AS highest_event_id "
        "FROM audit_seals ORDER BY position DESC LIMIT 1").columns(sealed_at=at)).first()
    highest = last_seal.highest_event_id if last_seal else 0
    waiting, oldest = db.session.execute(sa.text(
        "SELECT count(*), min(at) AS oldest FROM (SELECT at FROM audit_events WHERE id > :highest ORDER BY id "
        "LIMIT :cap) w").columns(oldest=at), {"highest": highest, "cap": STATUS_COUNT_CAP + 1}).one()
    chain = ChainStatus(sealed=last_seal.position if last_seal else 0,
                        last_sealed_at=last_seal.sealed_at if last_seal else None, waiting=waiting,
                        oldest_waiting_at=oldest)
    return _render(AUDIT_LOG, "admin/audit_log.html", events, total, rows, more,
                   lambda last: f"-tid~{last.at.isoformat()}~{last.id}", events=events, listed=listed,
                   object_labels=AUDIT_OBJECT_LABELS, role_labels=ROLE_LABELS_BY_VALUE, chain=chain)


def register_bare_lists(app) -> None:
    for path, name, view in (("/bench/saker", "bench_cases", _cases), ("/bench/klager", "bench_appeals", _appeals),
                             ("/bench/ekspertpanelet", "bench_referrals", _referrals)):
        app.add_url_rule(path, name, login_required(view))
        app.add_url_rule(f"{path}-logget", f"{name}_logged", login_required(lambda view=view: view(logged=True)))
    app.add_url_rule("/bench/metoder", "bench_methods", login_required(_methods))
    app.add_url_rule("/bench/logg", "bench_audit_log", login_required(_audit_log))
