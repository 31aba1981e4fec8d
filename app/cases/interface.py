"""What the domain modules may use of the case core: its services (open a case, register a patient, journal,
deadlines, documents), access checks, read helpers and the values of its enums.

`Case` is here for reading only (a module's list joins and filters on it, a letter takes one as an argument):
a case changes through the services. The shared kernel (roles, regions, the audit log) is imported from
app.core directly.
"""
from app.cases.access import (
    audited_page,
    can_edit,
    creatable_kinds,
    get_case_or_404,
    load_record,
    roles_that_view,
    visible_cases,
)
from app.cases.deadlines import close_deadline, has_overdue_deadline, open_deadlines, set_deadline
from app.cases.documents import attach_document
from app.cases.forms import PatientFieldsMixin, icd10_code
from app.cases.identifiers import (
    icd10_chapter,
    icd10_chapter_title,
    registry_kind,
    registry_url,
    validate_icd10,
    validate_national_id,
    validate_registry_id,
)
from app.cases.models import Case, CaseKind, CaseStatus, JournalEntryType, Patient, PatientDiscrepancy
from app.cases.municipalities import COUNTIES, county_of
from app.cases.numbering import next_number, reserve_number
from app.cases.queries import cases_by_id
from app.cases.services import (
    add_journal_entry,
    assign_user,
    change_status,
    differing_facts,
    ensure_version,
    find_patients,
    get_case,
    open_case,
    register_patient,
)
from app.cases.workdays import next_working_day

# Kept while app.abroad.importing writes the core's tables itself; it goes when the importer writes through the
# core's bulk API (app.cases.bulk).
from app.core.audit import AuditAction, logged_change, record_change
from app.core.regions import ABROAD_OFFICES, REGIONS, handling_office

__all__ = [
    "COUNTIES", "Case", "audited_page", "load_record", "CaseKind", "CaseStatus", "JournalEntryType", "PatientFieldsMixin",
    "add_journal_entry", "assign_user", "attach_document", "can_edit", "cases_by_id", "change_status",
    "close_deadline", "county_of", "ensure_version", "get_case", "get_case_or_404", "has_overdue_deadline",
    "icd10_chapter", "icd10_chapter_title", "icd10_code", "next_number", "next_working_day", "open_case",
    "open_deadlines", "register_patient", "registry_kind", "registry_url", "reserve_number", "roles_that_view",
    "set_deadline", "validate_icd10", "validate_registry_id", "visible_cases",
    # app.abroad.importing only, until it writes through app.cases.bulk:
    "ABROAD_OFFICES", "REGIONS", "AuditAction", "Patient", "PatientDiscrepancy", "creatable_kinds",
    "differing_facts", "find_patients", "handling_office", "logged_change", "record_change",
    "validate_national_id",
]
