"""The case core: case numbers, patients, journal, documents, deadlines, access policy and the audit log.
Domain modules use it through app.cases.interface."""
from app.core.roles import Role
from app.modules import Module, NavItem

MODULE = Module(
    blueprints=("app.cases.views:bp",),
    cli=("app.cases.audit_chain:audit_cli",),
    nav=(NavItem("Oversikt", "cases.dashboard"),
         NavItem("Saker", "cases.list_all", roles=frozenset(Role) - {Role.ANALYST}),
         NavItem("Arbeidskø", "cases.queue", roles=frozenset({Role.METHODS_SECRETARIAT, Role.PANEL_SECRETARIAT}))),
)
