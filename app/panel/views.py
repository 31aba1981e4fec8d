from flask import Blueprint

from app.auth.roles import Role
from app.cases.interface import CaseKind, render_module_overview
from app.panel import models  # noqa: F401 (registers the tables)
from app.security import role_required

bp = Blueprint("panel", __name__, url_prefix="/ekspertpanelet", template_folder="templates")


@bp.get("/")
@role_required(Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER)
def index():
    return render_module_overview(
        title="Ekspertpanelet", kinds=(CaseKind.PANEL_REFERRAL,),
        intro="Henvisninger til det nasjonale ekspertpanelet for alvorlig syke pasienter.")
