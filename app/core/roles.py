"""Roles and the treatment-abroad offices a user can belong to."""
import enum


class Role(enum.Enum):
    ADMIN = "admin"
    METHODS_SECRETARIAT = "methods_secretariat"
    BESTILLERFORUM = "bestillerforum"
    PANEL_SECRETARIAT = "panel_secretariat"
    PANEL_MEMBER = "panel_member"
    ABROAD_CASEWORKER = "abroad_caseworker"
    ANALYST = "analyst"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.METHODS_SECRETARIAT: "Sekretariatet for Nye Metoder",
    Role.BESTILLERFORUM: "Bestillerforum",
    Role.PANEL_SECRETARIAT: "Sekretariatet for ekspertpanelet",
    Role.PANEL_MEMBER: "Medlem av ekspertpanelet",
    Role.ABROAD_CASEWORKER: "Saksbehandler, behandling i utlandet",
    Role.ANALYST: "Analytiker",
}
