"""What the domain modules may use of the case core."""
from app.cases.access import (
    can_edit,
    can_view,
    creatable_kinds,
    get_case_or_404,
    roles_that_view,
    visible_cases,
)
from app.cases.audit import apply_changes, logged_change, record_access, record_change, record_list
from app.cases.bulk import CaseWriter, Change, NewCase, PersonFacts, TableWriter, record_changes
from app.cases.deadlines import close_deadline, complete_deadline, set_deadline
from app.cases.documents import add_version, attach_document
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
from app.cases.models import (
    AuditAction,
    Case,
    CaseKind,
    CaseStatus,
    Deadline,
    JournalEntryType,
    Patient,
    PatientDiscrepancy,
    RegisteredPatient,
)
from app.cases.municipalities import COUNTIES, County, county_of, validate_municipality
from app.cases.numbering import next_number, reserve_number
from app.cases.queries import CaseFilter, list_cases
from app.cases.regions import ABROAD_OFFICES, REGIONS, handling_office
from app.cases.services import (
    add_journal_entry,
    assign_user,
    change_status,
    differing_facts,
    ensure_open,
    find_patients,
    get_case,
    open_case,
    register_patient,
)
from app.cases.workdays import add_working_days, next_working_day

__all__ = [
    "ABROAD_OFFICES", "COUNTIES", "County", "REGIONS", "county_of", "validate_municipality", "PatientFieldsMixin", "icd10_code", "AuditAction", "Case", "CaseFilter", "CaseKind", "CaseStatus", "Deadline", "Patient",
    "PatientDiscrepancy", "RegisteredPatient", "differing_facts", "find_patients",
    "add_journal_entry", "add_version", "add_working_days", "apply_changes", "assign_user", "JournalEntryType", "attach_document", "can_edit", "can_view", "close_deadline",
    "change_status", "complete_deadline", "creatable_kinds", "ensure_open", "get_case", "get_case_or_404",
    "handling_office", "icd10_chapter", "icd10_chapter_title", "list_cases", "logged_change", "next_number", "next_working_day", "open_case", "record_access",
    "record_change", "registry_kind", "registry_url", "record_list", "register_patient", "reserve_number", "roles_that_view", "set_deadline", "validate_icd10",
    "validate_national_id", "validate_registry_id", "visible_cases",
    "CaseWriter", "Change", "NewCase", "PersonFacts", "TableWriter", "record_changes",
]
