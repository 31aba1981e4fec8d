from flask import Blueprint

from app.auth.roles import Role
from app.cases.interface import CaseKind, render_module_overview
from app.methods import models  # noqa: F401 (registers the tables; views come next)
from app.security import role_required

bp = Blueprint("methods", __name__, url_prefix="/metoder", template_folder="templates")


@bp.get("/")
@role_required(Role.METHODS_SECRETARIAT, Role.BESTILLERFORUM, Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER,
               Role.ABROAD_CASEWORKER, Role.ADMIN)
def index():
    return render_module_overview(
        title="Nye Metoder", kinds=(CaseKind.METHOD,),
        intro="Metodesaker: forslag, egnethetsvurderinger og beslutninger i Bestillerforum og Beslutningsforum.")
