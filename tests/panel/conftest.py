from datetime import date

import pytest

from app.auth.models import User
from app.extensions import db
from app.methods import services as methods
from app.methods.models import DecidedBy, DecisionOutcome, Forum, MethodStatus, MethodType, SubmissionKind
from app.panel import services

REFERRAL = dict(national_id=None, patient_name="Hanne Hagen", birth_date=date(1971, 5, 5), municipality="Trondheim",
                home_region="helse-midt-norge", referring_trust="Helse Møre og Romsdal HF",
                referring_department="Kreftavdelingen", referring_doctor="Lege Lise Lund",
                referred_on=date(2026, 10, 1), from_regional_hospital=False,
                regional_review_by="Kreftklinikken, St. Olavs hospital", regional_review_on=date(2026, 9, 25),
                icd10="C56", condition="Residiverende eggstokkreft med spredning",
                treatments_tried="Tre linjer kjemoterapi uten varig effekt",
                question="Finnes det aktuelle kliniske studier eller off-label behandling?")


@pytest.fixture
def secretary(app_ctx, make_user):
    return db.session.get(User, make_user("panel_secretariat"))


@pytest.fixture
def referral(secretary):
    return services.register_referral(**REFERRAL, actor=secretary, today=date(2026, 10, 2))


@pytest.fixture
def method_with_outcome(make_user):
    """A Nye Metoder method that is under assessment, or decided with `outcome`."""
    def make(outcome: DecisionOutcome | None, reference: str = "ID2024_090"):
        secretariat = db.session.get(User, make_user("methods_secretariat"))
        method = methods.register_method(reference=reference, title="Legemiddel X ved eggstokkreft",
                                         method_type=MethodType.DRUG, submission_kind=SubmissionKind.REQUEST,
                                         organisation="Leverandør AS", received_on=date(2024, 5, 2),
                                         actor=secretariat)
        if outcome is None:
            return method
        for status in (MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE,
                       MethodStatus.FOR_DECISION):
            methods.change_status(method, status, on=date(2025, 1, 6), actor=secretariat)
        meeting = methods.create_meeting(forum=Forum.BESLUTNINGSFORUM, meeting_date=date(2025, 6, 16),
                                         proposal_deadline=None, input_deadline=None, actor=secretariat)
        methods.record_forum_decision(method, decided_by=DecidedBy.BESLUTNINGSFORUM, decided_on=date(2025, 6, 16),
                                      outcome=outcome, points=["Metoden innføres ikke."],
                                      agenda_item=methods.add_agenda_item(meeting, method, actor=secretariat),
                                      actor=secretariat)
        return method
    return make
