"""Administration: user accounts, the audit log (log review, per-patient access extract) and the patients'
requests for their access log (innsyn i logg, answered by letter)."""
from app.core.roles import Role
from app.modules import Module, NavItem

_ADMIN = frozenset({Role.ADMIN})

MODULE = Module(
    blueprints=("app.admin.views:bp",),
    demo="app.admin.demo_data:load_demo",
    nav=(NavItem("Brukere", "admin.users", roles=_ADMIN, current="admin.user"),
         NavItem("Logg", "admin.audit_log", roles=_ADMIN),
         NavItem("Innsyn i logg", "admin.access_log_requests", roles=_ADMIN, current="admin.access_log_request"),
         NavItem("Datakvalitet", "admin.data_quality", roles=_ADMIN)),
)
