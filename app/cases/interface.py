"""What the domain modules may use of the case core: its services (open a case, register a patient, journal,
deadlines, documents), access checks, read helpers, the letters' addressees (`letter_addressees`), the signal
of a corrected registration, the public journal and its access requests (`public_journal_entries`, `PublicPost`,
`register_access_request`) and the values of its enums.

`Case` is here for reading only (a module's list joins and filters on it, a letter takes one as an argument),
and so are the journal's and documents' rows and the archive classes (the archive extraction, app.archive):
a case changes through the services, or for an import through the bulk writer (`CaseWriter`, `TableWriter`,
`record_changes`). The shared kernel (roles, regions, the audit log) is imported from app.core directly.
"""
from app.cases.access import (
    audited_page,
    can_edit,
    caseworkers,
    creatable_kinds,
    get_case_or_404,
    load_record,
    roles_that_view,
    visible_cases,
    visible_records,
)
from app.cases.bulk import CaseWriter, Change, NewCase, PersonFacts, TableWriter, record_changes
from app.cases.commands import NewGuardian
from app.cases.deadlines import close_deadline, has_overdue_deadline, open_deadlines, set_deadline
from app.cases.documents import (
    FiledDocument,
    attach_document,
    check_file,
    filed_contents,
    filed_documents,
    read_version,
)
from app.cases.forms import PatientAddressMixin, PatientFieldsMixin, icd10_code
from app.cases.identifiers import (
    icd10_chapter,
    icd10_chapter_title,
    registry_kind,
    registry_url,
    validate_icd10,
    validate_national_id,
    validate_registry_id,
)
from app.cases.lists import CASE_QUEUES
from app.cases.models import (
    ArchiveClass,
    Case,
    CaseKind,
    CaseStatus,
    CaseStatusChange,
    DisposalDecision,
    Document,
    DocumentVersion,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    PartyType,
    RegisteredPatient,
)
from app.cases.municipalities import (
    COUNTIES,
    county_of,
    municipality_number,
    normalise_municipality,
    validate_municipality,
)
from app.cases.numbering import next_number, reserve_number
from app.cases.patient_facts import (
    ADULT_AGE,
    Addressee,
    add_guardian,
    age_on,
    letter_addressees,
    letter_facts,
)
from app.cases.public_journal import (
    ACCESS_LABELS,
    ACCESS_REQUEST_LIMITS,
    AccessRequest,
    PublicPost,
    Screening,
    check_access_request,
    journal_party,
    party_screening_text,
    post_screening,
    public_journal_entries,
    public_posts,
    register_access_request,
)
from app.cases.queries import Workload, cases_by_id, workload
from app.cases.services import (
    FOLLOW_UP_METHODS,
    SCREENED_WORD,
    SCREENING_BASIS_PERSONAL,
    PartyAddress,
    add_journal_entry,
    answer_incoming,
    assign_responsible,
    assign_user,
    change_status,
    check_address,
    complete_follow_up,
    ensure_version,
    follow_module_status,
    get_case,
    open_case,
    record_review,
    register_patient,
)
from app.cases.signals import registered_facts_corrected
from app.cases.workdays import next_working_day

__all__ = [
    "ACCESS_LABELS", "ACCESS_REQUEST_LIMITS", "AccessRequest", "check_access_request", "journal_party",
    "party_screening_text", "post_screening", "public_journal_entries", "public_posts", "PublicPost",
    "register_access_request", "Screening",
    "ArchiveClass", "CaseStatusChange", "DisposalDecision", "Document", "DocumentVersion", "FOLLOW_UP_METHODS",
    "JournalEntry", "JournalStatus", "PartyAddress", "PartyType", "read_version", "SCREENED_WORD",
    "SCREENING_BASIS_PERSONAL",
    "add_guardian", "add_journal_entry", "Addressee", "ADULT_AGE", "age_on", "answer_incoming", "assign_responsible",
    "assign_user", "attach_document", "audited_page", "can_edit", "Case", "CASE_QUEUES", "CaseKind", "cases_by_id",
    "CaseStatus", "caseworkers", "CaseWriter", "Change", "change_status", "check_address", "check_file",
    "close_deadline", "complete_follow_up", "COUNTIES", "county_of", "creatable_kinds", "ensure_version",
    "filed_contents", "filed_documents",
    "FiledDocument", "follow_module_status", "get_case", "get_case_or_404", "has_overdue_deadline", "icd10_chapter",
    "icd10_chapter_title", "icd10_code", "JournalEntryType", "letter_addressees", "letter_facts", "load_record",
    "municipality_number", "NewCase", "NewGuardian", "next_number", "next_working_day", "normalise_municipality",
    "open_case", "open_deadlines", "PatientAddressMixin", "PatientFieldsMixin", "PersonFacts", "record_changes",
    "record_review", "register_patient", "registered_facts_corrected", "RegisteredPatient", "registry_kind",
    "registry_url", "reserve_number", "roles_that_view", "set_deadline", "TableWriter", "validate_icd10",
    "validate_municipality", "validate_national_id", "validate_registry_id", "visible_cases", "visible_records",
    "Workload", "workload",
]
