"""Administration: user accounts and the audit log (log review, per-patient access extract)."""
from app.core.roles import Role
from app.modules import Module, NavItem

_ADMIN = frozenset({Role.ADMIN})

MODULE = Module(
    blueprints=("app.admin.views:bp",),
    nav=(NavItem("Brukere", "admin.users", roles=_ADMIN, current="admin.user"),
         NavItem("Logg", "admin.audit_log", roles=_ADMIN),
         NavItem("Datakvalitet", "admin.data_quality", roles=_ADMIN)),
)
