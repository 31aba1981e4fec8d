"""Annual reports in the JSON API: the figures of a report's JSON download, for the same readers (the analyst
every report and region, an office its own regions, each secretariat its own report), audited like a download.

The figures are aggregates only, so they are built in the request: no job, no files."""
from flask import request
from flask_login import current_user

from app.api import ApiError, endpoint, run
from app.core.audit import AuditAction, record_access
from app.core.regions import REGIONS
from app.reports.jobs import produce
from app.reports.orders import check_request
from app.reports.registry import ReportRequest, can_read, get_kind, report_kinds

TAG = "reports"
REPORT = {"type": "object", "required": ["year"], "properties": {"year": {"type": "integer"}},
          "additionalProperties": True}


@endpoint("/reports/<kind>/<int:year>", summary="Årsrapportens tall (som JSON-nedlastingen)", tag=TAG,
          response=REPORT, query={"region": {"type": "string", "enum": list(REGIONS)}})
def get_report(kind: str, year: int):
    report_kind = get_kind(kind)
    if report_kind is None:
        raise ApiError(404, "Ukjent rapport. Velg blant: " + ", ".join(each.name for each in report_kinds()) + ".")
    if not can_read(current_user, report_kind):
        record_access(AuditAction.DENIED, "report", report_kind.name, details={"via": "api"})
        raise ApiError(403, "Du har ikke tilgang til denne rapporten.")
    region = request.args.get("region") or None
    if region is not None and region not in REGIONS:
        raise ApiError(422, "Ukjent region.", {"region": ["Velg en av " + ", ".join(REGIONS) + "."]})

    def build() -> dict:
        check_request(current_user, report_kind, year=year, region=region, notes={})
        report, _files = produce(report_kind, ReportRequest(year=year, region=region), lambda *_: None, formats=[])
        record_access(AuditAction.EXPORT, "report", f"{kind}:{year}:{region or 'alle'}",
                      details={"format": "json", "via": "api"})
        return report.data

    return run(build)
