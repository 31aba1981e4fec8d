from datetime import date

import pytest

from app.auth.models import User
from app.extensions import db
from app.panel import services
from tests.factories import panel_referral


@pytest.fixture
def secretary(app_ctx, make_user):
    return db.session.get(User, make_user("panel_secretariat"))


@pytest.fixture
def referral(secretary):
    return services.register_referral(panel_referral(), actor=secretary, today=date(2026, 10, 2))
