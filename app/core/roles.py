"""Roles and the treatment-abroad offices a user can belong to."""
from app.db import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin", "Administrator"
    METHODS_SECRETARIAT = "methods_secretariat", "Sekretariatet for Nye Metoder"
    BESTILLERFORUM = "bestillerforum", "Bestillerforum"
    PANEL_SECRETARIAT = "panel_secretariat", "Sekretariatet for ekspertpanelet"
    PANEL_MEMBER = "panel_member", "Medlem av ekspertpanelet"
    ABROAD_CASEWORKER = "abroad_caseworker", "Saksbehandler, behandling i utlandet"
    ANALYST = "analyst", "Analytiker"
