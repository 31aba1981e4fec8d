"""The national expert panel: referrals, the four assessment questions and advisory statements.
Consults app.methods.interface for the Nye Metoder status of a method."""
from app.core.roles import Role
from app.modules import DemoSeed, Module, NavItem


def load_demo(seed: DemoSeed) -> int:
    from app.panel.demo_data import load_panel_demo

    return load_panel_demo(seed.users["panel@helsesak.test"], seed.users["panelmedlem@helsesak.test"],
                           seed.national_id_for, seed.today)


MODULE = Module(
    case_status="app.panel.services:case_status",
    blueprints=("app.panel.views:bp",),
    api="app.panel.api",
    report="app.panel.statistics:register_report",
    listeners="app.panel.listeners:register_listeners",
    demo="app.panel:load_demo",
    dashboard="app.panel.dashboard:dashboard_part",
    nav=(NavItem("Ekspertpanelet", "panel.index", roles=frozenset({Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER}),
                 current="panel."),),
)
