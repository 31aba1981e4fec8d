"""Nye Metoder pages for the secretariat, Bestillerforum and other logged-in users.

Routes for the suitability assessment live in assessment_views.py, for meetings and the forums' decisions in
forum_views.py and for the working groups in working_group_views.py; all register on this blueprint.
"""
from flask import Blueprint

bp = Blueprint("methods", __name__, url_prefix="/metoder", template_folder="templates")

from app.methods import (  # noqa: E402,F401  (routes on bp)
    assessment_views,
    forum_views,
    meeting_paper_views,
    method_views,
    working_group_views,
)
