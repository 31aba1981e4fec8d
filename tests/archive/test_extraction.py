"""The Noark 5 archive extraction (issue 20 item 1): the demo data's deposit validates against all six schemas
and passes its own check; the check catches a changed or missing file; bad input leaves nothing behind."""
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select, update
from weasyprint import HTML

from app.archive.deposit import FILE_SCHEMAS, MANIFEST, verify, write_deposit
from app.archive.extraction import ArchiveError, Period
from app.auth.models import User
from app.cases import services
from app.cases.documents import attach_document
from app.cases.models import Case, JournalEntryType, StoredFile
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db

SCHEMAS = Path(__file__).resolve().parents[2] / "app" / "archive" / "schemas"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
MADE_AT = datetime(2040, 1, 2, 8, 0)
PERIOD = Period(date(2000, 1, 1), date(2099, 12, 31))   # every case a test makes (each test is rolled back)


def _valid(name: str, path: Path) -> list[str]:
    """Validation straight against the project's copy of the schema, independent of the deposit's check."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / FILE_SCHEMAS.get(name, "addml.xsd"))))
    return [] if schema.validate(etree.parse(str(path))) else [str(error) for error in schema.error_log]


def test_the_demo_data_extracts_to_a_deposit_that_validates_and_whose_check_catches_changes(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    output = tmp_path / "uttrekk"
    result = runner.invoke(args=["archive", "extract", "--from", "2000-01-01", "--to", "31.12.2035",
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    for name in [MANIFEST, *FILE_SCHEMAS]:
        assert _valid(name, output / name) == [], name
    structure = etree.parse(str(output / "arkivstruktur.xml"))
    with app.app_context():
        cases = db.session.scalar(select(func.count(Case.id)).where(Case.case_date <= date(2035, 12, 31)))
        patients = dict(db.session.execute(select(Case.number, Case.patient_name).where(
            Case.access_code.is_not(None), Case.patient_name.is_not(None))).all())
    assert len(structure.xpath("//*[local-name()='mappe']")) == cases
    assert structure.xpath("//*[local-name()='journalstatus']") and structure.xpath("//*[local-name()='skjerming']")
    formats = {(node.xpath("string(*[local-name()='format'])"), node.xpath("string(*[local-name()='variantformat'])"))
               for node in structure.xpath("//*[local-name()='dokumentobjekt']")}
    assert ("PDF/A-2a", "Arkivformat") in formats   # the app's own letters are filed in an archival format
    public = etree.parse(str(output / "offentligJournal.xml"))
    registrations = public.xpath("//*[local-name()='journalregistrering']")
    named = [number for registration in registrations
             if (number := registration.xpath("string(.//*[local-name()='mappeID'])")) in patients
             and patients[number] in etree.tostring(registration, encoding="unicode")]
    assert registrations and not named   # no screened case's patient is named in its public journal posts
    assert not public.xpath("//*[local-name()='saksmappe' or local-name()='journalpost']/*[local-name()='tittel']")
    assert verify(output) == []
    assert "er i orden" in runner.invoke(args=["archive", "verify", str(output)]).output

    documents = sorted((output / "dokumenter").iterdir())
    changed = tmp_path / "endret"
    shutil.copytree(output, changed)
    (changed / "dokumenter" / documents[0].name).write_bytes(b"%PDF-1.7 endret")
    (changed / "dokumenter" / documents[1].name).unlink()
    result = runner.invoke(args=["archive", "extract", "--verify", str(changed)])
    assert result.exit_code == 1
    assert f"Sjekksummen for dokumentfilen dokumenter/{documents[0].name} stemmer ikke" in result.output
    assert f"Dokumentfilen dokumenter/{documents[1].name} mangler" in result.output

    (changed / "loependeJournal.xml").write_bytes((output / "loependeJournal.xml").read_bytes() + b"\n")
    (changed / "endringslogg.xml").unlink()
    problems = verify(changed)
    assert "Sjekksummen for loependeJournal.xml stemmer ikke med arkivuttrekk.xml: filen er endret." in problems
    assert "Filen endringslogg.xml mangler." in problems


@pytest.fixture
def screened_case(app_ctx, make_user, make_case):
    """A patient's case (screened) whose application came from the patient, with the application filed."""
    caseworker = db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))
    case = db.session.get(Case, make_case(caseworker.id))
    entry = services.add_journal_entry(
        case, entry_type=JournalEntryType.INCOMING, title="Søknad fra Kari Nordmann", party_name="Kari Nordmann",
        party_address=services.PartyAddress("Storgata 1", "0155", "Oslo"), actor=caseworker)
    attach_document(case, title="Søknad", filename="søknad.pdf", content=PDF, actor=caseworker, journal_entry=entry)
    return case


def test_a_screened_case_carries_its_legal_basis_and_the_public_journal_masks_the_patient(screened_case, tmp_path):
    output = tmp_path / "uttrekk"
    write_deposit(PERIOD, output, made_at=MADE_AT, via="test")
    structure = (output / "arkivstruktur.xml").read_text()
    assert "<skjermingshjemmel>Offl. § 13 jf. fvl. § 13 første ledd nr. 1</skjermingshjemmel>" in structure
    assert "<skjermingMetadata>Skjerming navn avsender</skjermingMetadata>" in structure
    assert "<journalstatus>Journalført</journalstatus>" in structure
    assert "<korrespondanseparttype>Avsender</korrespondanseparttype>" in structure
    assert "<poststed>Oslo</poststed>" in structure and "<klasseID>BU-01</klasseID>" in structure
    public = (output / "offentligJournal.xml").read_text()
    assert "Kari Nordmann" not in public and "<korrespondansepartNavn>******</korrespondansepartNavn>" in public
    assert verify(output) == []
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "archive_extraction")).one()
    assert exported.action is AuditAction.EXPORT and exported.changes["cases"] == 1


def test_a_period_with_nothing_in_it_gives_an_empty_valid_deposit_with_a_note(app_ctx, tmp_path):
    output = tmp_path / "tom"
    extraction = write_deposit(Period(date(1990, 1, 1), date(1990, 12, 31)), output, made_at=MADE_AT, via="test")
    assert sorted(path.name for path in output.glob("*.xml")) == ["arkivstruktur.xml", MANIFEST]
    assert any("ingen journalposter" in note for note in extraction.notes)
    assert "Ingen saker ble opprettet" in (output / MANIFEST).read_text()
    assert verify(output) == []


def test_an_output_directory_that_is_not_empty_is_refused(app_ctx, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "annet.txt").write_text("noe")
    with pytest.raises(ArchiveError, match="finnes allerede og er ikke en tom mappe"):
        write_deposit(PERIOD, tmp_path / "full", made_at=MADE_AT, via="test")
    assert [path.name for path in (tmp_path / "full").iterdir()] == ["annet.txt"]


def test_a_document_missing_from_storage_stops_the_extraction_naming_it_and_leaves_nothing(
        screened_case, tmp_path):
    db.session.execute(update(StoredFile).values(content=b"borte"))
    with pytest.raises(ArchiveError, match=f"Sak {screened_case.number}: dokumentet «Søknad» \\(versjon 1\\)"):
        write_deposit(PERIOD, tmp_path / "uttrekk", made_at=MADE_AT, via="test")
    assert list(tmp_path.iterdir()) == []


def test_a_period_that_ends_before_it_starts_is_refused_by_the_command(app):
    result = app.test_cli_runner().invoke(args=["archive", "extract", "--from", "2037-02-01", "--to", "2037-01-01",
                                                "--output", "/tmp/ikke-laget"])
    assert result.exit_code == 1 and "Til-datoen kan ikke være før fra-datoen." in result.output


def test_a_pdf_a_file_is_deposited_as_archival_format_and_any_other_as_produced(screened_case, tmp_path):
    letter = HTML(string="<html lang='nb'><title>Vedtak</title><h1>Vedtak</h1></html>").write_pdf(
        pdf_variant="pdf/a-2b")
    attach_document(screened_case, title="Vedtak", filename="vedtak.pdf", content=letter,
                    actor=db.session.get(User, screened_case.created_by_id))
    write_deposit(PERIOD, tmp_path / "uttrekk", made_at=MADE_AT, via="test")
    objects = etree.parse(str(tmp_path / "uttrekk" / "arkivstruktur.xml")).xpath("//*[local-name()='dokumentobjekt']")
    formats = sorted((node.xpath("string(*[local-name()='format'])"),
                      node.xpath("string(*[local-name()='variantformat'])")) for node in objects)
    assert formats == [("PDF", "Produksjonsformat"), ("PDF/A-2b", "Arkivformat")]
