"""Treatment abroad: applications to the regional offices, decisions, costs and appeals.
Consults app.methods.interface for the Nye Metoder status of a method."""
from app.core.roles import Role
from app.modules import DemoSeed, Module, NavItem


def load_demo(seed: DemoSeed) -> int:
    """After the methods' demo: an application cites a method."""
    from app.abroad.demo_data import load_abroad_demo, load_abroad_history

    hso, vest, midt = (seed.users[f"{login}@helsesak.test"] for login in ("hso", "vest", "midt"))
    history = load_abroad_history({"helse-sor-ost": hso, "helse-vest": vest, "helse-midt-norge": midt},
                                  seed.national_id_for, seed.today)
    return history + load_abroad_demo(hso, vest, midt, seed.national_id_for, seed.today)


MODULE = Module(
    case_status="app.abroad.services:case_status",
    blueprints=("app.abroad.views:bp",),
    api="app.abroad.api",
    report="app.abroad.statistics:register_report",
    listeners="app.abroad.listeners:register_listeners",
    cli=("app.abroad.cli:abroad_cli",),
    demo="app.abroad:load_demo",
    history="app.abroad.history:LABELS",
    search="app.abroad.search:search",
    dashboard="app.abroad.dashboard:dashboard_part",
    nav=(NavItem("Behandling i utlandet", "abroad.index", roles=frozenset({Role.ABROAD_CASEWORKER}),
                 current="abroad."),),
)
