"""Expert panel pages. Referral registration, the referral page and the member register are in
referral_views.py; the assessment, statement and follow-up in assessment_views.py."""
from flask import Blueprint

bp = Blueprint("panel", __name__, url_prefix="/ekspertpanelet", template_folder="templates")

from app.panel import assessment_views, referral_views  # noqa: E402,F401  (routes on bp)
