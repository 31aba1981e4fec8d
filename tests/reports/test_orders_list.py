"""The user's report orders as a list (app.reports.lists.ORDERS): rows that outlive the job queue, newest first,
sortable and filtered, paged, only the user's own and only reports the user may still read; an expired job
shows as expired and an unreachable queue as unknown, with the list still shown."""
import re
from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job
from sqlalchemy import func, select

from app.auth.models import User
from app.db import utcnow
from app.extensions import db, rq
from app.reports.models import ReportOrder
from app.reports.orders import _job_id


@pytest.fixture
def analyst(make_user, login):
    user_id = make_user("analyst")
    return user_id, login(user_id)


def _order(client, slug: str, year: int, region: str = "") -> int:
    response = client.post(f"/rapporter/{slug}/", data={"year": str(year), "region": region})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.fullmatch(r"/rapporter/bestillinger/(\d+)", response.headers["Location"]).group(1))


def _listed(client, **args) -> list[int]:
    page = client.get("/rapporter/", query_string=args).get_data(as_text=True)
    return [int(number) for number in re.findall(r'<td><a href="/rapporter/bestillinger/(\d+)">', page)]


def test_orders_are_rows_listed_newest_first_and_sortable(app, analyst):
    user_id, client = analyst
    placed = [_order(client, "nye-metoder", year) for year in (2023, 2021, 2022)]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportOrder)
                                 .where(ReportOrder.user_id == user_id)) == 3
    assert _listed(client) == placed[::-1]
    assert _listed(client, sort="aar") == [placed[1], placed[2], placed[0]]
    page = client.get("/rapporter/", query_string={"sort": "aar"}).get_data(as_text=True)
    assert 'aria-sort="ascending"' in page and "sortert etter år (stigende)" in page
    assert "3 bestillinger." in page and page.count(">Ferdig<") == 3


def test_orders_are_filtered_by_report_and_year_and_bad_filters_are_ignored_with_a_message(app, analyst):
    _user_id, client = analyst
    methods = _order(client, "nye-metoder", 2022)
    panel = _order(client, "ekspertpanelet", 2022)
    older = _order(client, "nye-metoder", 2021)
    assert _listed(client, rapport="methods") == [older, methods]
    assert _listed(client, rapport="methods", aar="2022") == [methods]
    page = client.get("/rapporter/", query_string={"rapport": "tull"}).get_data(as_text=True)
    assert "«tull» er ikke en gyldig verdi for rapport" in page
    assert _listed(client, rapport="tull") == [older, panel, methods]
    kind_page = client.get("/rapporter/nye-metoder/").get_data(as_text=True)
    assert f"/rapporter/bestillinger/{methods}" in kind_page and f"/rapporter/bestillinger/{panel}" not in kind_page


def test_the_list_pages_by_twenty(app, analyst):
    _user_id, client = analyst
    placed = [_order(client, "nye-metoder", 2024) for _ in range(21)]
    page = client.get("/rapporter/").get_data(as_text=True)
    assert _listed(client) == placed[::-1][:20] and 'rel="next"' in page
    following = re.search(r'href="(/rapporter/\?etter=[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    second = client.get(following).get_data(as_text=True)
    assert re.findall(r'<td><a href="/rapporter/bestillinger/(\d+)">', second) == [str(placed[0])]


def test_only_the_users_own_orders_of_reports_they_may_still_read_are_listed(app, analyst, make_user, login):
    _user_id, client = analyst
    mine = _order(client, "nye-metoder", 2022)
    caseworker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    caseworker = login(caseworker_id)
    theirs = _order(caseworker, "utenlandsbehandling", 2022, region="helse-nord")
    assert _listed(client) == [mine]
    assert _listed(caseworker) == [theirs]
    with app.app_context():   # the office no longer handles Helse Nord's region: the order is gone from the list
        db.session.get(User, caseworker_id).office = "helse-vest"
        db.session.commit()
    assert _listed(caseworker) == []
    assert caseworker.get(f"/rapporter/bestillinger/{theirs}").status_code == 404


def test_an_order_whose_job_has_expired_is_listed_as_expired_and_can_be_ordered_again(app, analyst):
    _user_id, client = analyst
    order_id = _order(client, "nye-metoder", 2022)
    with app.app_context():
        connection = rq.get_queue("pdf").connection
        Job.fetch(_job_id(order_id), connection=connection).delete()
        db.session.get(ReportOrder, order_id).ordered_at = utcnow() - timedelta(days=8)
        db.session.commit()
    page = client.get("/rapporter/").get_data(as_text=True)
    assert ">Utløpt<" in page and f"/rapporter/bestillinger/{order_id}" in page
    order_page = client.get(f"/rapporter/bestillinger/{order_id}").get_data(as_text=True)
    assert "Filene er slettet etter en uke" in order_page
    assert client.get(f"/rapporter/bestillinger/{order_id}/rapport.pdf").status_code == 404
    # The report's page for that year offers the form again instead of the expired order.
    year_page = client.get("/rapporter/nye-metoder/2022")
    assert year_page.status_code == 200 and "Lag rapporten" in year_page.get_data(as_text=True)
    again = client.post(f"/rapporter/bestillinger/{order_id}/prov-igjen")
    assert again.status_code == 302 and again.headers["Location"] != f"/rapporter/bestillinger/{order_id}"


def test_an_unreachable_queue_lists_the_orders_as_unknown_and_records_no_order(app, analyst, monkeypatch):
    user_id, client = analyst
    order_id = _order(client, "nye-metoder", 2022)

    def unreachable(*_args, **_kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(Job, "fetch_many", unreachable)
    page = client.get("/rapporter/").get_data(as_text=True)
    assert f"/rapporter/bestillinger/{order_id}" in page and ">Ukjent<" in page
    assert "Bakgrunnsjobber er midlertidig utilgjengelige" in page

    monkeypatch.setattr("app.reports.jobs.build_report.enqueue", unreachable)
    refused = client.post("/rapporter/nye-metoder/", data={"year": "2021", "region": ""})
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportOrder)
                                 .where(ReportOrder.user_id == user_id)) == 1
