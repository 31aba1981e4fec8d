"""Nye Metoder: method proposals, suitability assessments and the forums' decisions.
Other modules ask about a method only through app.methods.interface."""
from app.core.roles import Role
from app.modules import DemoSeed, Module, NavItem


def load_demo(seed: DemoSeed) -> int:
    from app.methods.demo_data import load_methods_demo

    return load_methods_demo(seed.users["metoder@helsesak.test"], seed.today)


MODULE = Module(
    case_status="app.methods.services:case_status",
    blueprints=("app.methods.views:bp", "app.methods.public_views:bp"),
    api="app.methods.api",
    report="app.methods.statistics:register_report",
    demo="app.methods:load_demo",
    search="app.methods.search:search",
    dashboard="app.methods.dashboard:dashboard_part",
    nav=(NavItem("Nye Metoder", "methods.index", roles=frozenset(Role) - {Role.ANALYST}, current="methods."),),
)
