"""The deposit on disk: the extraction's files, the schemas, and `arkivuttrekk.xml` (ADDML 8.3) naming each
XML file with its SHA-256 checksum, its schema and its counts; and the check of a deposit (`verify`).

A deposit is written into a new directory beside the output and moved into place only once it has passed its
own check, so a failed extraction leaves nothing half-written behind.
"""
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path, PurePosixPath

from lxml import etree

from app.archive.extraction import (
    CREATOR_NAME,
    XSI,
    ArchiveError,
    Extraction,
    Period,
    extract,
    serialise,
)
from app.core.audit import AuditAction, record_access, record_list

SCHEMAS = Path(__file__).parent / "schemas"
ADDML = "http://www.arkivverket.no/standarder/addml"
MANIFEST = "arkivuttrekk.xml"
# Each XML file of a deposit and the schema it is checked against; metadatakatalog.xsd is imported by all four.
FILE_SCHEMAS = {"arkivstruktur.xml": "arkivstruktur.xsd", "endringslogg.xml": "endringslogg.xsd",
                "loependeJournal.xml": "loependeJournal.xsd", "offentligJournal.xml": "offentligJournal.xsd"}
SCHEMA_FILES = ("addml.xsd", "metadatakatalog.xsd", *FILE_SCHEMAS.values())
DOCUMENT_COUNT = "dokumentfil"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@cache
def schema(name: str) -> etree.XMLSchema:
    """The project's copy of a schema (never the deposit's own copy, which verify() checks by checksum)."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def schema_errors(name: str, document) -> list[str]:
    checker = schema(FILE_SCHEMAS.get(name, "addml.xsd"))
    if checker.validate(document):
        return []
    return [f"{name}, linje {error.line}: {error.message}" for error in list(checker.error_log)[:10]]


def _property(parent, name: str, value=None):
    node = etree.SubElement(parent, f"{{{ADDML}}}property", name=name)
    if value is not None:
        etree.SubElement(node, f"{{{ADDML}}}value").text = str(value)
    return node


def _properties(parent):
    return etree.SubElement(parent, f"{{{ADDML}}}properties")


def _file_properties(parent, name: str, content: bytes) -> None:
    properties = _properties(_property(parent, "file"))
    _property(properties, "name", name)
    _property(properties, "format", "XML")
    checksum = _properties(_property(properties, "checksum"))
    _property(checksum, "algorithm", "SHA256")
    _property(checksum, "value", sha256(content))


def _schema_properties(parent, name: str) -> None:
    properties = _properties(_property(parent, "schema"))
    _property(properties, "name", name)
    checksum = _properties(_property(properties, "checksum"))
    _property(checksum, "algorithm", "SHA256")
    _property(checksum, "value", sha256((SCHEMAS / name).read_bytes()))


def _occurrences(parent, counts: dict[str, int]) -> None:
    numbers = _properties(_property(_properties(_property(parent, "info")), "numberOfOccurrences"))
    for element, number in counts.items():
        _property(numbers, element, number)


def manifest(extraction: Extraction) -> bytes:
    """arkivuttrekk.xml: the creator and period, then one dataObject per XML file (name, checksum, schema,
    counts) and one for the document files (their count; each file's checksum is in arkivstruktur.xml)."""
    root = etree.Element(f"{{{ADDML}}}addml", nsmap={None: ADDML, "xsi": XSI}, name="Noark 5 arkivuttrekk")
    dataset = etree.SubElement(root, f"{{{ADDML}}}dataset", name="Helsesak")
    period = extraction.period
    etree.SubElement(dataset, f"{{{ADDML}}}description").text = " ".join(
        [f"Arkivuttrekk fra Helsesak for perioden {period.label}, laget {extraction.made_at:%d.%m.%Y %H:%M} UTC.",
         *extraction.notes])
    reference = etree.SubElement(dataset, f"{{{ADDML}}}reference")
    context = etree.SubElement(etree.SubElement(reference, f"{{{ADDML}}}context"), f"{{{ADDML}}}additionalElements")
    creator = etree.SubElement(context, f"{{{ADDML}}}additionalElement", name="recordCreator")
    _property(_properties(creator), "name", CREATOR_NAME)
    system = etree.SubElement(context, f"{{{ADDML}}}additionalElement", name="systemType")
    etree.SubElement(system, f"{{{ADDML}}}value").text = "Noark5"
    content = etree.SubElement(etree.SubElement(reference, f"{{{ADDML}}}content"), f"{{{ADDML}}}additionalElements")
    archival = etree.SubElement(content, f"{{{ADDML}}}additionalElement", name="archivalPeriod")
    dates = _properties(archival)
    _property(dates, "startDate", period.start.isoformat())
    _property(dates, "endDate", period.end.isoformat())
    objects = etree.SubElement(dataset, f"{{{ADDML}}}dataObjects")
    package = etree.SubElement(objects, f"{{{ADDML}}}dataObject", name="Noark 5 arkivuttrekk")
    package_properties = _properties(package)
    _schema_properties(package_properties, "addml.xsd")
    files = etree.SubElement(package, f"{{{ADDML}}}dataObjects")
    for name, xml in extraction.xml.items():
        data_object = etree.SubElement(files, f"{{{ADDML}}}dataObject", name=name.removesuffix(".xml"))
        properties = _properties(data_object)
        _file_properties(properties, name, xml)
        _schema_properties(properties, FILE_SCHEMAS[name])
        _schema_properties(properties, "metadatakatalog.xsd")
        _occurrences(properties, extraction.counts.get(name, {}))
    documents = etree.SubElement(files, f"{{{ADDML}}}dataObject", name="dokumenter")
    _occurrences(_properties(documents), {DOCUMENT_COUNT: len(extraction.documents)})
    return serialise(root)


def _ensure_free(output: Path) -> None:
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise ArchiveError(f"{output} finnes allerede og er ikke en tom mappe. Velg en ny mappe for uttrekket.")
    if not output.parent.is_dir():
        raise ArchiveError(f"Mappen {output.parent} finnes ikke.")


def write_deposit(period: Period, output: Path, *, made_at: datetime, via: str, user=None,
                  progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Extract `period` into `output` (a new or empty directory), check the result and log the export: the
    patients of the cases extracted (a list event) and the extraction itself. Nothing is left at `output`
    when any step fails."""
    _ensure_free(output)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        (staging / "dokumenter").mkdir()
        extraction = extract(period, made_at=made_at, progress=progress,
                             store=lambda path, content: (staging / path).write_bytes(content))
        for name, content in extraction.xml.items():
            (staging / name).write_bytes(content)
        for name in SCHEMA_FILES:
            shutil.copyfile(SCHEMAS / name, staging / name)
        (staging / MANIFEST).write_bytes(manifest(extraction))
        if problems := verify(staging):
            raise ArchiveError("Uttrekket besto ikke sin egen kontroll: " + " ".join(problems))
        _ensure_free(output)
        if output.exists():
            output.rmdir()
        os.rename(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    record_list(extraction.cases, context="archive_extraction")
    record_access(AuditAction.EXPORT, "archive_extraction", f"{period.start}:{period.end}", user=user, details={
        "via": via, "cases": len(extraction.cases), "documents": len(extraction.documents),
        "output": output.name})
    return extraction


def _read_properties(node) -> dict[str, object]:
    """An ADDML properties element as a dict: a property with a value is its text, one with properties a dict
    (a repeated name, like `schema`, a list of them)."""
    found: dict[str, object] = {}
    for child in node.findall(f"{{{ADDML}}}property"):
        value = child.find(f"{{{ADDML}}}value")
        nested = child.find(f"{{{ADDML}}}properties")
        item = value.text if value is not None else (_read_properties(nested) if nested is not None else None)
        name = child.get("name")
        if name == "schema":
            found.setdefault(name, []).append(item)
        else:
            found[name] = item
    return found


def _inside(root: Path, reference: str) -> Path | None:
    relative = PurePosixPath(reference)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    return root.joinpath(*relative.parts)


def _count(document, element: str) -> int:
    if element == "journalpost":
        return len(document.xpath("//*[local-name()='registrering'][@xsi:type='journalpost']",
                                  namespaces={"xsi": XSI}))
    return len(document.xpath(f"//*[local-name()='{element}']"))


def verify(directory: Path) -> list[str]:
    """What is wrong with the deposit in `directory`, in bokmål, or nothing: every file arkivuttrekk.xml names
    is there with its checksum, valid against its schema and with the counts given; every document file
    arkivstruktur.xml names is there with its checksum and size, and no other file is in dokumenter/."""
    directory = Path(directory)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        return [f"{MANIFEST} mangler i {directory}."]
    try:
        addml = etree.parse(str(manifest_path))
    except etree.XMLSyntaxError as error:
        return [f"{MANIFEST} er ikke gyldig XML: {error}"]
    if problems := schema_errors(MANIFEST, addml):
        return problems
    described = {data_object.get("name"): _read_properties(data_object.find(f"{{{ADDML}}}properties"))
                 for data_object in addml.iter(f"{{{ADDML}}}dataObject")
                 if data_object.find(f"{{{ADDML}}}properties") is not None}
    problems = [problem for info in described.values() for schema_file in info.get("schema", [])
                if (problem := _schema_file_problem(directory, schema_file))]
    structure = None
    for info in described.values():
        if "file" in info:
            file_problems, document = _verify_file(directory, info)
            problems += file_problems
            if info["file"]["name"] == "arkivstruktur.xml":
                structure = document
    if structure is None:
        return [*problems, f"arkivstruktur.xml mangler, eller {MANIFEST} nevner den ikke."]
    return problems + _verify_documents(directory, structure, described.get("dokumenter", {}))


def _schema_file_problem(directory: Path, schema_file: dict) -> str | None:
    path = directory / schema_file["name"]
    if not path.is_file():
        return f"Skjemaet {schema_file['name']} mangler."
    if sha256(path.read_bytes()) != schema_file["checksum"]["value"]:
        return f"Sjekksummen for skjemaet {schema_file['name']} stemmer ikke."
    return None


def _verify_file(directory: Path, info: dict) -> tuple[list[str], object]:
    """One XML file the manifest names: present, with its checksum, valid, with its counts; and its tree."""
    name = info["file"]["name"]
    path = directory / name
    if name not in FILE_SCHEMAS:
        return [f"{MANIFEST} nevner en ukjent fil: {name}."], None
    if not path.is_file():
        return [f"Filen {name} mangler."], None
    content = path.read_bytes()
    problems = []
    if sha256(content) != info["file"]["checksum"]["value"]:
        problems.append(f"Sjekksummen for {name} stemmer ikke med {MANIFEST}: filen er endret.")
    try:
        document = etree.fromstring(content).getroottree()
    except etree.XMLSyntaxError as error:
        return [*problems, f"{name} er ikke gyldig XML: {error}"], None
    problems += schema_errors(name, document)
    for element, expected in (info.get("info") or {}).get("numberOfOccurrences", {}).items():
        if (actual := _count(document, element)) != int(expected):
            problems.append(f"{name} har {actual} {element}, men {MANIFEST} oppgir {expected}.")
    return problems, document


def _verify_documents(directory: Path, structure, info: dict) -> list[str]:
    problems = []
    named = set()
    namespace = {"n": structure.getroot().nsmap[None]}
    for objekt in structure.iterfind(".//n:dokumentobjekt", namespace):
        reference = objekt.findtext("n:referanseDokumentfil", namespaces=namespace)
        path = _inside(directory, reference)
        if path is None:
            problems.append(f"Dokumentfilen {reference} ligger utenfor uttrekket.")
            continue
        named.add(path)
        if not path.is_file():
            problems.append(f"Dokumentfilen {reference} mangler.")
            continue
        content = path.read_bytes()
        if sha256(content) != objekt.findtext("n:sjekksum", namespaces=namespace):
            problems.append(f"Sjekksummen for dokumentfilen {reference} stemmer ikke med arkivstruktur.xml.")
        elif len(content) != int(objekt.findtext("n:filstoerrelse", namespaces=namespace)):
            problems.append(f"Størrelsen på dokumentfilen {reference} stemmer ikke med arkivstruktur.xml.")
    folder = directory / "dokumenter"
    present = {path for path in folder.iterdir()} if folder.is_dir() else set()
    for extra in sorted(present - named):
        problems.append(f"Dokumentfilen dokumenter/{extra.name} er ikke nevnt i arkivstruktur.xml.")
    expected = (info.get("info") or {}).get("numberOfOccurrences", {}).get(DOCUMENT_COUNT)
    if expected is not None and int(expected) != len(named):
        problems.append(f"arkivstruktur.xml nevner {len(named)} dokumentfiler, men {MANIFEST} oppgir {expected}.")
    return problems
