from datetime import date

import pytest

from app.auth.models import User
from app.extensions import db
from app.panel import services

REFERRAL = dict(national_id=None, patient_name="Hanne Hagen", birth_date=date(1971, 5, 5),
                municipality="5001 Trondheim", home_region="helse-midt-norge",
                referring_trust="Helse Møre og Romsdal HF",
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
