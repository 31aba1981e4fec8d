"""Placeholder until the referral pages are written."""
from app.auth.roles import Role
from app.cases.interface import CaseKind, render_module_overview
from app.panel.views import bp
from app.security import role_required


@bp.get("/")
@role_required(Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER)
def index():
    return render_module_overview(title="Ekspertpanelet", kinds=(CaseKind.PANEL_REFERRAL,),
                                  intro="Henvisninger til det nasjonale ekspertpanelet for alvorlig syke pasienter.")
