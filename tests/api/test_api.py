"""The JSON API: tokens (made, shown once, revoked, expired), the web UI's office scope (404 and a denied
audit row), the forms' validation as 422 with field names, the abroad workflow written through the API,
cursor paging, and the public method data without a token."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.abroad.models import Application, ApplicationStatus
from app.auth.models import ApiToken
from app.cases.models import Case, CaseKind, CaseStatus
from app.core.audit import AuditAction, AuditEvent
from app.db import utcnow
from app.demo import synthetic_national_id
from app.extensions import db
from app.methods.models import DecisionOutcome
from app.panel.models import Referral, ReferralStatus
from tests.conftest import PASSWORD

TODAY = date.today()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


APPLICATION = {"national_id": synthetic_national_id(date(1994, 3, 8)), "patient_name": "Nora Nordlys",
               "home_region": "helse-nord", "stream": "application", "received_on": _day(40),
               "requested_treatment": "Fetoskopisk laserbehandling av TTTS", "treatment_class": "established",
               "icd10": "O43.0", "referring_doctor": "Lege Line Lie"}


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_a_token_is_needed_and_a_session_cookie_is_not_enough(client, login, make_user):
    assert client.get("/api/v1/abroad/applications").status_code == 401
    response = login(make_user("abroad_caseworker")).get("/api/v1/abroad/applications")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json == {"message": "Mangler gyldig API-nøkkel (Authorization: Bearer …)."}
    assert client.get("/api/v1/abroad/applications", headers={"Authorization": "Bearer hs_guess"}).status_code == 401


def test_the_token_page_shows_a_new_token_once_and_revokes_it(app, client, login, make_user):
    user_id = make_user("abroad_caseworker")
    browser = login(user_id)
    page = browser.post("/konto/api-nokler", data={"name": "Statistikkuttrekk", "days": "30",
                                                   "current_password": PASSWORD}).get_data(as_text=True)
    secret = page.split('<code class="token">')[1].split("<")[0]
    assert secret.startswith("hs_") and "Kopier nøkkelen nå" in page
    listed = browser.get("/konto/api-nokler").get_data(as_text=True)
    assert secret not in listed and secret[:10] in listed and "Statistikkuttrekk" in listed
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/abroad/applications", headers=headers).status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        assert token.token_hash != secret and token.last_used_at is not None
    assert browser.post(f"/konto/api-nokler/{token.id}/trekk-tilbake").status_code == 302
    assert client.get("/api/v1/abroad/applications", headers=headers).status_code == 401
    refused = browser.post("/konto/api-nokler", data={"name": "", "days": "365"}).get_data(as_text=True)
    assert "Gi nøkkelen et navn" in refused and "1 til 90 dager" in refused
    other = login(make_user("abroad_caseworker", "helse-vest"))
    assert other.post(f"/konto/api-nokler/{token.id}/trekk-tilbake").status_code == 404


def test_an_expired_token_or_a_deactivated_owner_is_refused(app, client, make_user, token_for):
    from app.auth import services as account_services
    from app.auth.models import User

    user_id = make_user("abroad_caseworker")
    secret = token_for(user_id)
    headers = {"Authorization": f"Bearer {secret}"}
    with app.app_context():
        assert account_services.user_for_api_token(secret, now=utcnow() + timedelta(days=31)) is None
        assert account_services.user_for_api_token(secret, now=utcnow() + timedelta(days=29)) is not None
        account_services.set_active(db.session.get(User, user_id), False)
        db.session.commit()
    assert client.get("/api/v1/abroad/applications", headers=headers).status_code == 401


def test_the_abroad_workflow_through_the_api(app, api, make_user):
    worker_id = make_user("abroad_caseworker", "helse-sor-ost")
    call = api(worker_id)
    created = call("POST", "/abroad/applications", APPLICATION)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["office"], body["home_region"], body["icd10_chapter"], body["status"]) == (
        "helse-sor-ost", "helse-nord", "O00-O99", "received")
    case_id = body["case_id"]
    decided = call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "granted", "decided_on": _day(30), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Ikke i Norge."})
    assert decided.status_code == 200 and decided.json["decision"] == "granted"
    plan = call("PUT", f"/abroad/applications/{case_id}/treatment-plan", {
        "hospital": "Rigshospitalet", "country": "DK", "version": decided.json["version"]})
    assert plan.status_code == 200 and plan.json["country"] == "DK"
    stale = call("PUT", f"/abroad/applications/{case_id}/treatment-plan", {
        "hospital": "Karolinska", "country": "SE", "version": decided.json["version"]})
    assert stale.status_code == 409
    cost = call("POST", f"/abroad/applications/{case_id}/costs", {
        "entry_date": _day(10), "category": "treatment", "amount": "185000", "currency": "DKK",
        "exchange_rate": "1.5834"})
    assert cost.status_code == 201 and cost.json["amount_nok"] == "292929.00"
    shown = call("GET", f"/abroad/applications/{case_id}")
    assert shown.json["total_nok"] == "292929.00" and len(shown.json["costs"]) == 1
    with app.app_context():
        patient_id = db.session.get(Case, case_id).patient_id
        views = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == AuditAction.VIEW, AuditEvent.user_id == worker_id,
            AuditEvent.patient_id == patient_id))
        assert views == 4   # each answer that shows the application: created, decided, planned, read


def test_validation_errors_come_back_per_field_and_nothing_is_saved(app, api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    response = call("POST", "/abroad/applications", {**APPLICATION, "national_id": "08039412345", "icd10": "X99.99",
                                                      "received_on": "2026-02-31"})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "Kontrollsifrene" in errors["national_id"][0] and "ICD-10" in errors["icd10"][0]
    assert "gyldig dato" in errors["received_on"][0]
    rule = call("POST", "/abroad/applications", {**APPLICATION, "home_region": "helse-vest"})
    assert rule.status_code == 422 and "home_region" in rule.json["errors"]
    assert call("POST", "/abroad/applications", ["not", "an", "object"]).status_code == 400
    assert _count(app, Case) == 0


def test_the_patients_address_is_registered_through_the_api_by_the_same_rule(app, api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    half = call("POST", "/abroad/applications", {**APPLICATION, "street": "Storgata 1", "postal_code": "9008"})
    assert half.status_code == 422 and "postal_place" in half.json["errors"]
    assert _count(app, Case) == 0

    created = call("POST", "/abroad/applications", {**APPLICATION, "street": "Storgata 1", "postal_code": "9008",
                                                     "postal_place": "Tromsø"})
    assert created.status_code == 201
    assert created.json["patient"]["street"] == "Storgata 1" and created.json["patient"]["postal_place"] == "Tromsø"


def test_another_offices_token_gets_404_and_a_denied_row(app, api, make_user):
    created = api(make_user("abroad_caseworker", "helse-sor-ost"))("POST", "/abroad/applications", APPLICATION)
    case_id = created.json["case_id"]
    vest = api(make_user("abroad_caseworker", "helse-vest"))
    assert vest("GET", f"/abroad/applications/{case_id}").status_code == 404
    assert vest("POST", f"/abroad/applications/{case_id}/costs",
                {"entry_date": _day(1), "category": "travel", "amount": "10", "currency": "NOK"}).status_code == 404
    assert vest("GET", "/abroad/applications").json["total"] == 0
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.DENIED, AuditEvent.case_id == case_id) == 2
    panel = api(make_user("panel_secretariat"))
    assert panel("GET", f"/abroad/applications/{case_id}").status_code == 403


def test_appeal_steps_through_the_api(api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = call("POST", "/abroad/applications", APPLICATION).json["case_id"]
    call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "denied", "decided_on": _day(35), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Tilbud i Norge."})
    appeal = call("POST", f"/abroad/applications/{case_id}/appeals", {"received_on": _day(20),
                                                                       "notified_on": _day(33)})
    assert appeal.status_code == 201 and appeal.json["late"] is False
    appeal_id = appeal.json["case_id"]
    early_board = call("POST", f"/abroad/appeals/{appeal_id}/board-decision", {"outcome": "upheld",
                                                                               "decided_on": _day(1)})
    assert early_board.status_code == 422 and "outcome" in early_board.json["errors"]
    forwarded = call("POST", f"/abroad/appeals/{appeal_id}/reconsideration", {
        "outcome": "forwarded", "decided_on": _day(10), "reasoning": "Opprettholdes."})
    assert forwarded.json["status"] == "forwarded"
    upheld = call("POST", f"/abroad/appeals/{appeal_id}/board-decision", {"outcome": "upheld", "decided_on": _day(2)})
    assert upheld.json["status"] == "upheld_by_board"
    assert call("GET", "/abroad/appeals").json["items"][0]["case_id"] == appeal_id


def test_a_grant_is_appealed_through_the_api_and_a_withdrawal_is_refused(api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = call("POST", "/abroad/applications", APPLICATION).json["case_id"]
    call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "granted", "decided_on": _day(35), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Innvilget."})
    appeal = call("POST", f"/abroad/applications/{case_id}/appeals", {"received_on": _day(20),
                                                                       "notified_on": _day(33)})
    assert appeal.status_code == 201, appeal.json
    reversed_ = call("POST", f"/abroad/appeals/{appeal.json['case_id']}/reconsideration", {
        "outcome": "reversed", "decided_on": _day(10), "reasoning": "Ledsager dekkes."})
    assert reversed_.json["status"] == "reversed_by_office"
    assert call("GET", f"/abroad/applications/{case_id}").json["status"] == "granted"

    other = call("POST", "/abroad/applications", {**APPLICATION, "national_id": None, "patient_name": "Annen Person",
                                                   "birth_date": "1970-01-01"}).json["case_id"]
    call("POST", f"/abroad/applications/{other}/decision", {"decision": "withdrawn", "decided_on": _day(35)})
    refused = call("POST", f"/abroad/applications/{other}/appeals", {"received_on": _day(20),
                                                                     "notified_on": _day(33)})
    assert refused.status_code == 422 and "Bare et vedtak om innvilgelse eller avslag" in str(refused.json)


def test_the_core_case_status_follows_the_application_and_the_appeal_through_the_api(app, api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))

    def case_status(case_id: int) -> CaseStatus:
        with app.app_context():
            return db.session.get(Case, case_id).status

    case_id = call("POST", "/abroad/applications", APPLICATION).json["case_id"]
    assert case_status(case_id) is CaseStatus.CREATED
    call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "denied", "decided_on": _day(35), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Tilbud i Norge."})
    assert case_status(case_id) is CaseStatus.FINISHED_BY_CASEWORKER
    appeal_id = call("POST", f"/abroad/applications/{case_id}/appeals", {"received_on": _day(20),
                                                                          "notified_on": _day(33)}).json["case_id"]
    assert case_status(appeal_id) is CaseStatus.CREATED
    call("POST", f"/abroad/appeals/{appeal_id}/reconsideration", {
        "outcome": "forwarded", "decided_on": _day(10), "reasoning": "Opprettholdes."})
    assert case_status(appeal_id) is CaseStatus.IN_PROGRESS          # at Klagenemnda: not «Opprettet»
    call("POST", f"/abroad/appeals/{appeal_id}/board-decision", {"outcome": "upheld", "decided_on": _day(2)})
    assert case_status(appeal_id) is CaseStatus.FINISHED_BY_CASEWORKER
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "case",
                                                           AuditEvent.case_id == appeal_id)).all()
        assert [row.changes["status"] for row in rows if row.changes and "status" in row.changes] == [
            ["R", "B"], ["B", "F"]]


def test_the_api_list_answers_bad_input_with_a_message_and_the_list(app, api, make_user):
    from app.abroad import services
    from app.auth.models import User
    from tests.factories import abroad_application

    worker_id = make_user("abroad_caseworker", "helse-sor-ost")
    with app.app_context():
        services.register_application(abroad_application(), actor=db.session.get(User, worker_id))
        db.session.commit()
    response = api(worker_id)("GET", "/abroad/applications?status=tull&etter=tull")
    body = response.json
    assert response.status_code == 200 and len(body["items"]) == 1
    assert (body["total"], body["total_capped"]) == (1, False)
    assert body["messages"] == ["«tull» er ikke en gyldig verdi for status. Listen vises uten dette filteret.",
                                "Lenken til neste eller forrige side er ugyldig eller utløpt. Listen vises fra "
                                "begynnelsen."]


def test_cursor_paging_of_applications(app, api, make_user):
    from app.abroad import services
    from app.auth.models import User
    from tests.factories import abroad_application

    worker_id = make_user("abroad_caseworker", "helse-sor-ost")
    with app.app_context():
        actor = db.session.get(User, worker_id)
        for number in range(53):
            services.register_application(abroad_application(
                national_id=None, patient_name=f"Pasient {number}", birth_date=date(1970, 1, 1), municipality=None,
                home_region="helse-sor-ost", received_on=date(2024, 1, 1) + timedelta(days=number),
                requested_treatment="X", icd10="C34.9"), actor=actor)
        db.session.commit()
    call = api(worker_id)
    first = call("GET", "/abroad/applications?year=2024").json
    assert (first["total"], len(first["items"])) == (53, 50) and first["next_cursor"]
    second = call("GET", f"/abroad/applications?year=2024&etter={first['next_cursor']}").json
    assert len(second["items"]) == 3 and second["next_cursor"] is None
    names = [item["patient"]["name"] for item in first["items"] + second["items"]]
    assert len(set(names)) == 53 and names[0] == "Pasient 52"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application).where(
            Application.status == ApplicationStatus.RECEIVED)) == 53


def test_public_methods_need_no_token_and_show_only_public_data(app, client, method_with_outcome):
    with app.app_context():
        method_with_outcome(DecisionOutcome.NOT_INTRODUCED, reference="ID2024_090")
        db.session.commit()
    listed = client.get("/api/v1/methods?q=eggstokkreft")
    assert listed.status_code == 200 and listed.json["items"][0]["reference"] == "ID2024_090"
    method = client.get("/api/v1/methods/ID2024_090").json
    assert method["current_decision"]["outcome"] == "not_introduced"
    assert method["current_decision"]["decided_on"] == "2025-06-16"
    assert not {"case_id", "price_notes", "comments", "case_number"} & set(method)
    assert client.get("/api/v1/methods/ID1999_001").status_code == 404
    assert client.get("/api/v1/methods/ID1999_001").json["message"]


def test_panel_referrals_are_read_within_the_panels_access(app, api, make_user):
    from app.auth.models import User
    from app.panel import services as panel_services
    from tests.factories import panel_referral

    secretary = make_user("panel_secretariat")
    with app.app_context():
        referral = panel_services.register_referral(panel_referral(), actor=db.session.get(User, secretary),
                                                    today=date(2026, 10, 2))
        db.session.commit()
        case_id = referral.case_id
    assert api(secretary)("GET", f"/panel/referrals/{case_id}").json["icd10"] == "C56"
    assert api(secretary)("GET", "/panel/referrals").json["total"] == 1
    assert api(make_user("panel_member"))("GET", f"/panel/referrals/{case_id}").status_code == 404
    assert api(make_user("abroad_caseworker"))("GET", "/panel/referrals").status_code == 403


def test_annual_reports_are_read_by_their_readers_within_their_regions(app, api, make_user):
    analyst = api(make_user("analyst"))
    national = analyst("GET", "/reports/abroad/2020")
    assert national.status_code == 200
    assert national.json["year"] == 2020 and national.json["region"] is None
    assert set(national.json["received_by_region"]) == {"helse-sor-ost", "helse-vest", "helse-midt-norge",
                                                        "helse-nord"}
    assert analyst("GET", "/reports/panel/2025").json["year"] == 2025
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.EXPORT,
                  AuditEvent.object_id == "abroad:2020:alle") == 1

    vest = api(make_user("abroad_caseworker", office="helse-vest"))
    assert vest("GET", "/reports/abroad/2020?region=helse-vest").json["region"] == "helse-vest"
    assert vest("GET", "/reports/abroad/2020?region=helse-sor-ost").status_code == 403   # another office's region
    assert vest("GET", "/reports/abroad/2020").status_code == 403                        # the whole country
    assert vest("GET", "/reports/panel/2025").status_code == 403
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.DENIED, AuditEvent.object_type == "report") == 1

    assert analyst("GET", "/reports/nope/2020").status_code == 404
    bad_year = analyst("GET", "/reports/abroad/1900")
    assert bad_year.status_code == 422 and "year" in bad_year.json["errors"]
    bad_region = analyst("GET", "/reports/abroad/2020?region=oslo")
    assert bad_region.status_code == 422 and "region" in bad_region.json["errors"]


def test_another_offices_national_id_gets_the_api_answer_of_an_unknown_one(app, api, make_user, make_case):
    """The JSON API registers through the same service as the form: a national ID on file at Helse Sør-Øst is
    answered as an unknown one (201, the patient as sent), and the look-up is logged for that patient."""
    known = synthetic_national_id(date(1961, 6, 1))
    unknown = synthetic_national_id(date(1961, 6, 1), individual=300)
    make_case(make_user("abroad_caseworker", "helse-sor-ost"), national_id=known, name="Sigrid Sørøst")
    vest_id = make_user("abroad_caseworker", "helse-vest")
    call = api(vest_id)
    body = {**APPLICATION, "patient_name": "Vera Vest", "home_region": "helse-vest"}

    answers = [call("POST", "/abroad/applications", {**body, "national_id": number}) for number in (known, unknown)]

    assert [answer.status_code for answer in answers] == [201, 201]
    shown = [{key: value for key, value in answer.json.items() if key not in ("case_id", "case_number")}
             for answer in answers]
    assert shown[0]["patient"] == {"name": "Vera Vest", "national_id": known, "birth_date": "1961-06-01",
                                   "street": None, "postal_code": None, "postal_place": None}
    shown[0]["patient"]["national_id"] = shown[1]["patient"]["national_id"]
    assert shown[0] == shown[1] and shown[0]["office"] == "helse-vest"
    assert "Sørøst" not in answers[0].get_data(as_text=True)
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.LOOKUP, AuditEvent.user_id == vest_id) == 1


def test_the_panel_api_shows_the_patient_as_the_panel_registered_them(app, api, make_user, make_case):
    known = synthetic_national_id(date(1961, 6, 5))
    make_case(make_user("abroad_caseworker", "helse-sor-ost"), national_id=known, name="Sigrid Sørøst")
    secretariat = make_user("panel_secretariat")
    case_id = make_case(secretariat, kind=CaseKind.PANEL_REFERRAL, national_id=known, name="Sigrid Panelsen",
                        home_region="helse-vest", title="Henvisning til ekspertpanelet – Sigrid Panelsen")
    with app.app_context():
        db.session.add(Referral(case_id=case_id, referring_trust="Helse Bergen HF", referring_doctor="Lege",
                                referred_on=date(2026, 1, 5), from_regional_hospital=True, icd10="C56",
                                condition="Tilstand", treatments_tried="Behandling", question="Spørsmål",
                                complete_on=date(2026, 1, 5), due_on=date(2026, 1, 19),
                                status=ReferralStatus.RECEIVED))
        db.session.commit()
    answer = api(secretariat)("GET", f"/panel/referrals/{case_id}")
    assert answer.status_code == 200
    assert answer.json["patient"] == {"name": "Sigrid Panelsen", "national_id": known, "birth_date": "1961-06-05",
                                      "home_region": "helse-vest"}
