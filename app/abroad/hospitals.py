"""The register of foreign hospitals (S3 § 3.3: «andre» is hospitals that treated fewer than five patients, so
a hospital must be one row however its name is spelt; § 4.1: the offices' agreements with the hospitals).

A name is matched through its normalised form (`normalise`: case, accents of Latin letters, punctuation and
spacing do not count; æ, ø and å do). The treatment plan (page and API) takes a hospital of the register only;
the import maps a name through the register, and a name it does not know becomes a new hospital whose mapping
waits for the office's review, as the data migration's mappings do. On the register page the office reviews each
spelling, moves it to the right hospital, and merges two rows of one hospital."""
import unicodedata
from dataclasses import dataclass

import pycountry
from sqlalchemy import func, select, update

from app.abroad.models import Application, ForeignHospital, HospitalName
from app.cases.interface import ensure_version
from app.core.audit import AuditAction, apply_changes, record_change
from app.core.checks import Problems, require
from app.db import utcnow
from app.errors import InvalidInput
from app.extensions import db

NORDIC_LETTERS = "æøåäö"   # letters that are not accents in the names the offices see


def normalise(name: str) -> str:
    """A name as it is matched: lower case, Latin accents dropped (é → e; æ, ø, å, ä and ö kept), punctuation as
    spaces, one space between words. «Rigshospitalet, København» and «rigshospitalet  københavn» are one."""
    letters = []
    for char in name.casefold():
        if char in NORDIC_LETTERS:
            letters.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[0]
        letters.append(base if base.isalnum() else " ")
    return " ".join("".join(letters).split())


def validate_country(value: str | None) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise InvalidInput(f"«{value or ''}» er ikke en landkode etter ISO 3166 (to bokstaver, f.eks. DK).",
                           field="country")
    return code


@dataclass(frozen=True, kw_only=True)
class HospitalDetails:
    name: str
    country: str | None
    city: str | None = None
    agreements: str | None = None


def find(name: str | None) -> ForeignHospital | None:
    """The register's hospital of a name (any spelling mapped to it), or None."""
    if not name:
        return None
    key = normalise(name)
    return db.session.scalar(select(ForeignHospital).join(HospitalName).where(HospitalName.normalised == key)) \
        or db.session.scalars(select(ForeignHospital).where(func.lower(ForeignHospital.name) == name.lower())).first()


def search(text: str | None, limit: int | None = 20) -> list[ForeignHospital]:
    """Hospitals whose name or a spelling of it contains the text (the plan form's search), by name."""
    query = select(ForeignHospital).order_by(ForeignHospital.name).limit(limit)
    if text:
        key = f"%{normalise(text)}%"
        query = query.where(ForeignHospital.id.in_(select(HospitalName.hospital_id)
                                                    .where(HospitalName.normalised.like(key))))
    return list(db.session.scalars(query))


def for_plan(name: str | None, country: str | None) -> ForeignHospital:
    """The plan's hospital, which must be in the register, in the country the plan gives (when the register
    knows its country)."""
    require(name, "hospital", "Oppgi sykehuset som skal behandle pasienten.")
    hospital = find(name)
    if hospital is None:
        raise InvalidInput(f"«{name}» finnes ikke i sykehusregisteret. Velg et sykehus fra listen, eller be om at "
                           "det legges inn i registeret («Sykehusregister»).", field="hospital")
    if hospital.country and country and country != hospital.country:
        raise InvalidInput(f"{hospital.name} ligger i {hospital.country} etter sykehusregisteret, ikke i {country}.",
                           field="country")
    return hospital


class ImportRegister:
    """The register as an import sees it: each name (normalised) to its hospital's id, looked up once; a name the
    register does not know becomes a new hospital with an unreviewed mapping."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def id_for(self, name: str | None, country: str | None) -> int | None:
        if not name:
            return None
        key = normalise(name)
        if key not in self.ids:
            known = db.session.scalar(select(HospitalName.hospital_id).where(HospitalName.normalised == key))
            if known is None:
                hospital = ForeignHospital(name=_free_name(name), country=country)
                db.session.add(hospital)
                db.session.flush()
                db.session.add(HospitalName(normalised=key, spelling=name, hospital_id=hospital.id))
                known = hospital.id
            self.ids[key] = known
        return self.ids[key]


def _free_name(name: str) -> str:
    """The name for a new hospital: as given, or with a number when another hospital has it."""
    taken = set(db.session.scalars(select(ForeignHospital.name).where(ForeignHospital.name.like(f"{name}%"))))
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


def _check(details: HospitalDetails, hospital_id: int | None = None) -> None:
    problems = Problems()
    with problems.check():
        require(details.name, "name", "Oppgi sykehusets navn.")
    if details.name and db.session.scalar(select(ForeignHospital.id).where(
            ForeignHospital.name == details.name, ForeignHospital.id != (hospital_id or 0))):
        problems.errors.append(InvalidInput(f"Registeret har allerede et sykehus som heter «{details.name}».",
                                            field="name"))
    known = find(details.name) if details.name and hospital_id is None else None
    if known is not None:
        problems.errors.append(InvalidInput(f"«{details.name}» er allerede en skrivemåte for {known.name}.",
                                            field="name"))
    with problems.check():
        validate_country(details.country)
    problems.done()


def add_hospital(details: HospitalDetails, *, actor) -> ForeignHospital:
    """A new hospital in the register, with its name as a reviewed spelling."""
    _check(details)
    hospital = ForeignHospital(name=details.name, country=details.country, city=details.city,
                               agreements=details.agreements)
    db.session.add(hospital)
    db.session.flush()
    db.session.add(HospitalName(normalised=normalise(details.name), spelling=details.name, hospital_id=hospital.id,
                                reviewed_at=utcnow(), reviewed_by_id=actor.id))
    db.session.flush()
    record_change(AuditAction.CREATE, "abroad_hospital", hospital.id, user=actor,
                  changes={"name": [None, details.name], "country": [None, details.country]})
    return hospital


def update_hospital(hospital: ForeignHospital, details: HospitalDetails, *, expected_version: int | None,
                    actor) -> dict:
    """Correct a hospital's name, country, city or agreements; the plans chosen under its old name show the new
    one (an imported spelling stays as imported)."""
    ensure_version(hospital, expected_version)
    _check(details, hospital.id)
    old_name = hospital.name
    changes = apply_changes(hospital, {"name": details.name, "country": details.country, "city": details.city,
                                       "agreements": details.agreements})
    if "name" in changes:
        db.session.execute(update(Application).where(Application.hospital_id == hospital.id,
                                                     Application.hospital == old_name)
                           .values(hospital=details.name))
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "abroad_hospital", hospital.id, user=actor, changes=changes)
    return changes


def _move_plans(previous: ForeignHospital, hospital: ForeignHospital, spelling: str | None) -> None:
    """The plans naming `previous` (only those under `spelling`, normalised, when given) name `hospital`; the
    name as the plan or the import gave it stays."""
    for application in db.session.scalars(select(Application).where(Application.hospital_id == previous.id)):
        if spelling is None or normalise(application.hospital or "") == spelling:
            application.hospital_id = hospital.id
            application.country = application.country or hospital.country


def _remove_if_unnamed(hospital: ForeignHospital, into: ForeignHospital, *, actor) -> None:
    """A hospital no spelling and no plan names any more was a second row of `into`: it is removed."""
    db.session.flush()
    db.session.expire(hospital, ["names"])
    if hospital.names or db.session.scalar(select(func.count()).select_from(Application)
                                           .where(Application.hospital_id == hospital.id)):
        return
    record_change(AuditAction.UPDATE, "abroad_hospital", hospital.id, user=actor,
                  changes={"merged_into": [None, into.name], "removed": [False, True]})
    db.session.delete(hospital)
    db.session.flush()


def review_name(name: HospitalName, hospital: ForeignHospital, *, actor) -> None:
    """The office confirms which hospital a spelling is: moved to `hospital` when it was mapped to another (with
    the plans made under it), and marked reviewed. A hospital then left unnamed is removed."""
    previous = name.hospital
    name.reviewed_at, name.reviewed_by_id = utcnow(), actor.id
    if previous.id != hospital.id:
        name.hospital_id = hospital.id
        _move_plans(previous, hospital, name.normalised)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_hospital_name", name.id, user=actor,
                  changes={"hospital": [previous.name, hospital.name], "reviewed": [None, True]})
    if previous.id != hospital.id:
        _remove_if_unnamed(previous, hospital, actor=actor)


def merge(hospital: ForeignHospital, into: ForeignHospital, *, actor) -> None:
    """Two rows of one hospital become one: every spelling (reviewed) and every plan of `hospital` moves to
    `into`, and `hospital` is removed."""
    if hospital.id == into.id:
        raise InvalidInput("Velg et annet sykehus å slå sammen med.", field="into")
    for name in list(hospital.names):
        name.hospital_id, name.reviewed_at, name.reviewed_by_id = into.id, utcnow(), actor.id
    _move_plans(hospital, into, None)
    _remove_if_unnamed(hospital, into, actor=actor)


def register_rows() -> list[ForeignHospital]:
    """The register page's rows: hospitals with a spelling awaiting review first, then by name."""
    waiting = select(HospitalName.hospital_id).where(HospitalName.reviewed_at.is_(None))
    return list(db.session.scalars(select(ForeignHospital).order_by(
        ForeignHospital.id.not_in(waiting), ForeignHospital.name)))
