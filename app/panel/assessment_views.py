"""Placeholder until the assessment pages are written."""
from app.panel.views import bp  # noqa: F401
