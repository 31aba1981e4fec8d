from flask import Blueprint

from app.auth.roles import Role
from app.cases.interface import CaseKind, render_module_overview
from app.security import role_required

bp = Blueprint("abroad", __name__, url_prefix="/utland", template_folder="templates")


@bp.get("/")
@role_required(Role.ABROAD_CASEWORKER)
def index():
    return render_module_overview(
        title="Behandling i utlandet", kinds=(CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL),
        intro="Søknader og klager for pasienter som utenlandskontoret ditt behandler.")
