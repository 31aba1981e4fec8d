"""The admin's log review flags unusual access from the audit rows: many patients in a short time, refused
attempts outside one's scope, and patient data opened outside working hours (Oslo time)."""
import html
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from app.cases import audit_review
from app.core.audit import LIST_OBJECT, AuditAction, AuditEvent, AuditEventPatient
from app.extensions import db

OSLO = ZoneInfo("Europe/Oslo")
THRESHOLDS = audit_review.Thresholds(patients=20, window=timedelta(minutes=10), workday_start=7, workday_end=17)
LOG_LINK = re.compile(r'href="(/admin/logg\?[^"]*)"')


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _oslo(*parts) -> datetime:
    return datetime(*parts, tzinfo=OSLO).astimezone(UTC)


def _store(*events: tuple[int, datetime, int | None, AuditAction]) -> None:
    """Audit rows (user id, UTC time, patient id, action), written as the app writes them."""
    db.session.execute(insert(AuditEvent), [
        {"user_id": user_id, "user_email": f"bruker{user_id}@test.example", "role": "abroad_caseworker",
         "office": "helse-vest", "action": action, "object_type": "case", "object_id": str(patient_id),
         "case_id": patient_id, "patient_id": patient_id, "at": at}
        for user_id, at, patient_id, action in events])
    db.session.commit()


def _store_lists(user_id: int, *lists: tuple[datetime, range]) -> None:
    """List events (UTC time, the patients shown), written as record_list() writes them: one event per
    request, naming its patients in the event and in audit_event_patients."""
    for at, patients in lists:
        pairs = [[patient_id, patient_id] for patient_id in patients]
        event_id = db.session.execute(insert(AuditEvent).values(
            user_id=user_id, user_email=f"bruker{user_id}@test.example", role="abroad_caseworker",
            office="helse-vest", action=AuditAction.LIST, object_type=LIST_OBJECT, at=at,
            changes={"context": "case_list", "rows": len(pairs), "patients": pairs}).returning(AuditEvent.id)).scalar()
        db.session.execute(insert(AuditEventPatient), [
            {"event_id": event_id, "patient_id": patient_id, "case_id": case_id} for patient_id, case_id in pairs])
    db.session.commit()


def _reads(user_id: int, start: datetime, patients, every: timedelta, action=AuditAction.VIEW):
    return [(user_id, start + number * every, patient, action) for number, patient in enumerate(patients)]


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start:page.index("</section>", start)]


def test_many_different_patients_in_a_sliding_window_are_flagged(app_ctx):
    morning = _utc(2025, 3, 4, 9, 0)
    _store(
        # 25 patients in eight minutes, and the same burst's patients again: one burst, at most 25 patients
        *_reads(1, morning, range(100, 125), timedelta(seconds=20)),
        *_reads(1, morning + timedelta(minutes=1), range(100, 110), timedelta(seconds=5)),
        # the same user two days later, 20 patients in 95 seconds: a burst of its own
        *_reads(1, morning + timedelta(days=2), range(200, 220), timedelta(seconds=5)),
        # 19 patients, one of them opened over and over: below the threshold
        *_reads(2, morning, [*range(300, 319), *[300] * 10], timedelta(seconds=10)),
        # 20 patients, one a minute: never 20 within ten minutes
        *_reads(3, morning, range(400, 420), timedelta(minutes=1)),
        # 20 patients from 09:05 to 09:14:30: across the clock's ten-minute marks, still within ten minutes
        *_reads(4, morning + timedelta(minutes=5), range(500, 520), timedelta(seconds=30), AuditAction.DOWNLOAD),
        # a list shows 40 patients at once: not opening them
        *_reads(5, morning, range(600, 640), timedelta(seconds=1), AuditAction.LIST),
        # 20 national IDs looked up in 100 seconds (registrations probing for people): flagged like opening them
        *_reads(6, morning, range(700, 720), timedelta(seconds=5), AuditAction.LOOKUP),
    )

    bursts = audit_review.many_patients(date(2025, 3, 3), date(2025, 3, 9), THRESHOLDS)

    found = sorted((burst.actor.user_id, burst.first, burst.last, burst.patients) for burst in bursts)
    assert found == [
        (1, morning, morning + timedelta(seconds=24 * 20), 25),
        (1, morning + timedelta(days=2), morning + timedelta(days=2, seconds=19 * 5), 20),
        (4, morning + timedelta(minutes=5), morning + timedelta(minutes=5, seconds=19 * 30), 20),
        (6, morning, morning + timedelta(seconds=19 * 5), 20),
    ]
    assert bursts[0].actor.email == "bruker1@test.example"   # newest first
    # A period that ends before the second burst sees only the first.
    assert [burst.patients for burst in audit_review.many_patients(date(2025, 3, 4), date(2025, 3, 5), THRESHOLDS)
            if burst.actor.user_id == 1] == [25]


def test_the_thresholds_decide_what_is_many(app_ctx):
    _store(*_reads(7, _utc(2025, 3, 4, 9, 0), range(10, 15), timedelta(minutes=2)))
    assert audit_review.many_patients(date(2025, 3, 4), date(2025, 3, 4), THRESHOLDS) == []
    low = audit_review.Thresholds(patients=5, window=timedelta(minutes=10), workday_start=7, workday_end=17)
    assert [burst.patients for burst in audit_review.many_patients(date(2025, 3, 4), date(2025, 3, 4), low)] == [5]
    short = audit_review.Thresholds(patients=5, window=timedelta(minutes=8), workday_start=7, workday_end=17)
    assert audit_review.many_patients(date(2025, 3, 4), date(2025, 3, 4), short) == []


def test_access_outside_working_hours_follows_oslo_time_weekends_and_holidays(app_ctx):
    _store(
        (1, _utc(2025, 6, 11, 5, 30), 1, AuditAction.VIEW),     # 07:30 in Oslo (summer time): working hours
        (1, _utc(2025, 6, 11, 15, 30), 1, AuditAction.UPDATE),  # 17:30 in Oslo
        (1, _utc(2025, 6, 10, 22, 30), 2, AuditAction.VIEW),    # 00:30 on 11.06 in Oslo: the same Oslo day
        (2, _utc(2025, 3, 3, 6, 30), 3, AuditAction.VIEW),      # 07:30 in Oslo (winter time): working hours
        (2, _utc(2025, 3, 3, 5, 59), 3, AuditAction.VIEW),      # 06:59 in Oslo
        (3, _utc(2025, 3, 8, 11, 0), 4, AuditAction.LIST),      # a Saturday
        (3, _utc(2025, 5, 29, 10, 0), 5, AuditAction.VIEW),     # Ascension Day
        (4, _utc(2025, 3, 8, 23, 0), None, AuditAction.LOGIN),  # no patient data
        (5, _oslo(2025, 3, 8, 12, 0), 6, AuditAction.DENIED),   # refused: the denied list has it
    )

    flagged = audit_review.off_hours_access(date(2025, 3, 1), date(2025, 6, 30), THRESHOLDS)

    assert sorted((entry.actor.user_id, entry.day, entry.why, entry.events) for entry in flagged) == [
        (1, date(2025, 6, 11), "utenfor arbeidstid", 2),
        (2, date(2025, 3, 3), "utenfor arbeidstid", 1),
        (3, date(2025, 3, 8), "lørdag", 1),
        (3, date(2025, 5, 29), "helligdag (Kristi himmelfartsdag)", 1),
    ]
    night = next(entry for entry in flagged if entry.actor.user_id == 1)
    assert (night.first, night.last) == (_utc(2025, 6, 10, 22, 30), _utc(2025, 6, 11, 15, 30))
    later = audit_review.Thresholds(patients=20, window=timedelta(minutes=10), workday_start=8, workday_end=18)
    assert [(entry.actor.user_id, entry.day) for entry in
            audit_review.off_hours_access(date(2025, 3, 3), date(2025, 3, 3), later)] == [(2, date(2025, 3, 3))]
    assert [(entry.actor.user_id, entry.day) for entry in audit_review.off_hours_access(
        date(2025, 6, 11), date(2025, 6, 11), later)] == [(1, date(2025, 6, 11))]


def test_refused_attempts_outside_the_office_are_listed_per_user(app, login, make_user, make_case):
    case_ids = [make_case(make_user("abroad_caseworker", "helse-sor-ost")) for _ in range(2)]
    outsider = make_user("abroad_caseworker", "helse-vest", email="vidar@test.example")
    snooper = login(outsider)
    for case_id in [*case_ids, case_ids[0]]:
        assert snooper.get(f"/saker/{case_id}").status_code == 404

    with app.app_context():
        today = datetime.now(OSLO).date()
        denials = audit_review.denied_attempts(today, today)
    assert [(denial.actor.email, denial.actor.office, denial.attempts, denial.cases) for denial in denials] == [
        ("vidar@test.example", "helse-vest", 3, 2)]

    page = login(make_user("admin")).get("/admin/logg/kontroll").get_data(as_text=True)
    denied = _section(page, "avviste")
    assert "vidar@test.example" in denied and "<td>3</td>" in denied
    link = html.unescape(LOG_LINK.search(denied).group(1))
    assert "bruker=vidar@test.example" in link and "handling=denied" in link
    assert "Ingen brukere over terskelen i perioden." in _section(page, "mange-pasienter")


def test_admin_sees_a_real_burst_and_follows_the_link_to_the_log_search(app, login, make_user, make_case,
                                                                         monkeypatch):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost", email="siri@test.example")
    case_ids = [make_case(caseworker, name=f"Pasient {number}") for number in range(3)]
    client = login(caseworker)
    for case_id in case_ids:
        assert client.get(f"/saker/{case_id}").status_code == 200
    admin = login(make_user("admin"))

    monkeypatch.setitem(app.config, "LOG_REVIEW_PATIENTS", 4)
    page = admin.get("/admin/logg/kontroll").get_data(as_text=True)
    assert 'value="4"' in page
    assert "siri@test.example" not in _section(page, "mange-pasienter")

    monkeypatch.setitem(app.config, "LOG_REVIEW_PATIENTS", 3)
    page = admin.get("/admin/logg/kontroll").get_data(as_text=True)
    bursts = _section(page, "mange-pasienter")
    assert "minst 3 ulike pasienter innen 10 minutter" in bursts
    assert "siri@test.example" in bursts and "<td>3</td>" in bursts

    link = html.unescape(LOG_LINK.search(bursts).group(1))
    today = datetime.now(OSLO).date().strftime("%d.%m.%Y")
    assert "bruker=siri@test.example" in link and f"fra={today}" in link and f"til={today}" in link
    search = admin.get(link).get_data(as_text=True)
    assert search.count("<td>siri@test.example</td>") >= 3 and "Visning" in search

    # The thresholds in the URL override the configured ones for one review.
    page = admin.get("/admin/logg/kontroll", query_string={"pasienter": 4}).get_data(as_text=True)
    assert "siri@test.example" not in _section(page, "mange-pasienter")


@pytest.mark.parametrize(("query", "message"), [
    ({"fra": "32.13.2025"}, "Skriv en gyldig dato som dd.mm.åååå."),
    ({"fra": "02.01.2025", "til": "01.01.2025"}, "Til-datoen kan ikke være før fra-datoen."),
    ({"fra": "01.01.2025", "til": "01.03.2025"}, "Velg en periode på høyst 31 dager."),
    ({"pasienter": "1"}, "Velg et antall fra 2 til 10 000."),
    ({"minutter": "0"}, "Velg fra 1 til 1440 minutter (ett døgn)."),
    ({"minutter": "ti"}, "Ikke en gyldig heltallsverdi"),
])
def test_bad_period_or_thresholds_get_bokmal_errors(login, make_user, query, message):
    response = login(make_user("admin")).get("/admin/logg/kontroll", query_string=query)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and 'aria-invalid="true"' in page
    assert "Rett feilene i skjemaet for å se loggkontrollen." in page
    assert 'id="avviste"' not in page


def test_only_admins_see_the_log_review(login, make_user):
    for role in ("abroad_caseworker", "analyst", "panel_secretariat", "methods_secretariat"):
        assert login(make_user(role)).get("/admin/logg/kontroll").status_code == 403


def test_list_events_are_patient_data_outside_working_hours_once_per_request_but_never_a_burst(app_ctx):
    saturday, tuesday = _utc(2025, 3, 8, 11, 0), _utc(2025, 3, 4, 9, 0)
    _store_lists(8, (saturday, range(800, 850)), (saturday + timedelta(seconds=30), range(850, 900)),
                 (tuesday, range(900, 950)))
    # Pages of a list showing a hundred patients in half a minute open none of them: no burst, in either shape.
    _store(*_reads(9, saturday, range(600, 640), timedelta(seconds=1), AuditAction.LIST))
    assert audit_review.many_patients(date(2025, 3, 3), date(2025, 3, 9), THRESHOLDS) == []

    flagged = audit_review.off_hours_access(date(2025, 3, 3), date(2025, 3, 9), THRESHOLDS)

    assert sorted((entry.actor.user_id, entry.day, entry.why, entry.events) for entry in flagged) == [
        (8, date(2025, 3, 8), "lørdag", 2),     # two list requests (the old shape counted 100 rows)
        (9, date(2025, 3, 8), "lørdag", 40),    # the old shape: a row per listed case
    ]
