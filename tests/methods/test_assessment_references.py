"""The suitability assessment's numbered reference list (S2: «… ved hjelp av et endoskop [1, 2]», «[21-23]»,
«[32, 35-38, 42]»): entries added at the end, moved and removed with the citations in the text following, every
citation checked against the list at its field, shown as a linked numbered list on the page and in the PDF; and
the simplified approach of recommendation 3 as one of the listed values (with the migration of free text)."""
import importlib.util
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from app.methods import assessment_services as assessments
from app.methods import citations, services
from app.methods.assessment_services import AssessmentChanges as Changes
from app.methods.assessment_services import ReferenceRow
from app.methods.models import SimplifiedApproach
from tests.factories import new_method

CITATIONS = [
    ReferenceRow("Endoskopisk ryggkirurgi. Store medisinske leksikon. 2024."),
    ReferenceRow("Lewandrowski KU et al. Endoscopic spine surgery: a review. 2022.", "doi:10.1007/s00586-022-07105-1"),
    ReferenceRow("Nasjonalt kvalitetsregister for ryggkirurgi. Årsrapport 2024.",
                 "https://www.unn.no/nkr-arsrapport-2024"),
    ReferenceRow("Golan DJ et al. Cost-effectiveness of endoscopic spine surgery. 2023."),
]


@pytest.fixture
def method(register):
    return register()


@pytest.fixture
def assessment(method, secretary):
    saved = assessments.save_assessment(method, Changes(), expected_version=None, actor=secretary)
    for row in CITATIONS:
        assessments.add_reference(saved, row, actor=secretary)
    return saved


def _save(method, secretary, **fields):
    return assessments.save_assessment(method, Changes(**fields), expected_version=method.assessment.version,
                                       actor=secretary)


@pytest.mark.parametrize(("text", "numbers"), [
    ("et endoskop [1, 2]. Et kirurgisk endoskop [3]", [1, 2, 3]),
    ("tre RCTer [21-23] og [32, 35–38, 42]", [21, 22, 23, 32, 35, 36, 37, 38, 42]),
    ("n=220 [sic] og 1) ikke [a]", []),
])
def test_citations_are_read_as_the_form_writes_them(text, numbers):
    assert citations.cited(text) == numbers


def test_entries_take_the_next_number_and_a_doi_is_stored_plain(assessment):
    assert [entry.position for entry in assessment.references] == [1, 2, 3, 4]
    assert assessment.references[1].url == "10.1007/s00586-022-07105-1"
    assert assessments.reference_link(assessment.references[1].url) == "https://doi.org/10.1007/s00586-022-07105-1"


def test_a_bad_entry_is_refused_at_each_field_at_once(assessment, secretary):
    with pytest.raises(InvalidInputs) as refused:
        assessments.add_reference(assessment, ReferenceRow("  ", "www.example"), actor=secretary)
    assert set(refused.value.by_field()) == {"citation", "url"}


def test_citations_outside_the_list_are_refused_at_their_fields_all_at_once(method, assessment, secretary):
    with pytest.raises(InvalidInputs) as refused:
        _save(method, secretary, description_principle="ved hjelp av et endoskop [1, 2] og [5]",
              hta_international="systematiske oversikter [3-7]", summary="[4–2]")
    messages = refused.value.by_field()
    assert messages["description_principle"] == [
        "Ukjent referanse [5]: referanselisten har 4 referanser. Legg referansen til i listen eller rett nummeret."]
    assert "[5–7]" in messages["hta_international"][0]
    assert "laveste nummeret først" in messages["summary"][0]
    assert _save(method, secretary, description_principle="et endoskop [1, 2]; registeret [3], [4]").version == 2


def test_moving_an_entry_renumbers_the_citations_in_the_stored_text(method, assessment, secretary):
    _save(method, secretary, description_principle="endoskop [1, 2]. Registeret [3]; [2–4].",
          description_health_economics="Golan et al. 2023 [4]")
    third = assessment.references[2]
    assessments.move_reference(third, 1, actor=secretary)
    assert [entry.citation[:10] for entry in assessment.references] == [
        "Endoskopis", "Lewandrows", "Golan DJ e", "Nasjonalt "]
    assert assessment.description_principle == "endoskop [1, 2]. Registeret [4]; [2–4]."
    assert assessment.description_health_economics == "Golan et al. 2023 [3]"
    with pytest.raises(InvalidInput, match="allerede først"):
        assessments.move_reference(assessment.references[0], -1, actor=secretary)
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "method_assessment")
                               .order_by(AuditEvent.id.desc())).first()
    assert audit.changes["description_health_economics"] == ["Golan et al. 2023 [4]", "Golan et al. 2023 [3]"]


def test_a_cited_entry_stays_and_removing_another_moves_the_later_ones_up(method, assessment, secretary):
    _save(method, secretary, description_principle="endoskop [1, 3]", relevant_studies="Golan [4]")
    with pytest.raises(InvalidInput, match=r"Referanse \[3\] er sitert i «Status og prinsipp for metode»"):
        assessments.remove_reference(assessment.references[2], actor=secretary)
    assessments.remove_reference(assessment.references[1], actor=secretary)
    assert [entry.position for entry in assessment.references] == [1, 2, 3]
    assert (assessment.description_principle, assessment.relevant_studies) == ("endoskop [1, 2]", "Golan [3]")


def test_the_simplified_approach_is_one_of_the_listed_values(method, assessment, secretary):
    saved = _save(method, secretary, recommendation=3, simplified_approach="kostnader")
    assert saved.simplified_approach is SimplifiedApproach.COSTS
    with pytest.raises(InvalidInput, match="fra listen") as refused:
        _save(method, secretary, simplified_approach="Noe annet")
    assert refused.value.field == "simplified_approach"


def _migration():
    path = next(Path("migrations/versions").glob("*_e5a7c3d9b1f4_*.py"))
    spec = importlib.util.spec_from_file_location("references_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("text", "value"), [
    ("Forenklet vurdering av effekt", "effekt_sikkerhet"),
    ("Sikkerhet", "effekt_sikkerhet"),
    ("Kostnader og budsjettkonsekvenser", "kostnader"),
    ("Helseøkonomi", "kostnader"),
    ("Effekt, sikkerhet og kostnader", "effekt_sikkerhet_kostnader"),
    ("Velg et element.", None),
])
def test_the_migration_maps_free_text_to_the_listed_values(text, value):
    assert _migration().listed_value(text) == value


@pytest.fixture
def reference(app, make_user):
    user_id = make_user("methods_secretariat")
    with app.app_context():
        method = services.register_method(new_method("Endoskopisk ryggkirurgisk prosedyre"),
                                          actor=db.session.get(User, user_id))
        db.session.commit()
        return user_id, method.reference


def test_the_list_is_edited_on_the_page_and_shown_linked_on_the_page_and_in_the_pdf(app, login, reference, tmp_path):
    user_id, ref = reference
    client = login(user_id)
    assert client.post(f"/metoder/{ref}/egnethetsvurdering", data={"version": "0", "document_version": "1.0",
                                                                    "author_body": "FHI"}).status_code == 302
    for row in CITATIONS[:3]:
        response = client.post(f"/metoder/{ref}/egnethetsvurdering/referanser/ny",
                               data={"citation": row.citation, "url": row.url or ""})
        assert response.status_code == 302, response.get_data(as_text=True)
    edit = client.get(f"/metoder/{ref}/egnethetsvurdering").get_data(as_text=True)
    assert "Flytt ned" in edit and "Legg til referanse" in edit and 'formaction="' in edit

    refused = client.post(f"/metoder/{ref}/egnethetsvurdering", data={
        "version": "1", "document_version": "1.0", "author_body": "FHI",
        "description_principle": "et endoskop [1, 2] [9]"})
    assert refused.status_code == 200 and "Ukjent referanse [9]" in refused.get_data(as_text=True)
    saved = client.post(f"/metoder/{ref}/egnethetsvurdering", data={
        "version": "1", "document_version": "1.0", "author_body": "FHI",
        "description_principle": "et endoskop [1, 2]. Registeret [3]."})
    assert saved.status_code == 302

    with app.app_context():
        entries = [entry.id for entry in services.find_method(ref).assessment.references]
    moved = client.post(f"/metoder/{ref}/egnethetsvurdering/referanser/{entries[2]}/opp")
    assert moved.status_code == 302 and moved.location.endswith("#referanser")
    assert client.post(f"/metoder/{ref}/egnethetsvurdering/referanser/{entries[2]}/ned").status_code == 302
    assert client.post(f"/metoder/{ref}/egnethetsvurdering/referanser/{max(entries) + 1}/fjern").status_code == 404

    page = client.get(f"/metoder/{ref}/egnethetsvurdering/vis").get_data(as_text=True)
    assert '[<a href="#referanse-1">1</a>, <a href="#referanse-2">2</a>]' in page
    assert '<li id="referanse-3" value="3">Nasjonalt kvalitetsregister' in page
    assert 'href="https://doi.org/10.1007/s00586-022-07105-1"' in page

    pdf = client.get(f"/metoder/{ref}/egnethetsvurdering.pdf")
    path = tmp_path / "egnethetsvurdering.pdf"
    path.write_bytes(pdf.data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "5. Referanser" in text and "et endoskop [1, 2]. Registeret [3]." in text
    assert "Lewandrowski KU et al. Endoscopic spine surgery: a review. 2022. 10.1007/s00586-022-07105-1" in text


def test_a_meeting_notice_keeps_each_assessments_links_apart():
    """Several assessments in one PDF (a notice): each method's entries get ids of their own."""
    assert str(citations.linked("[2]", "ID2025_102")) == '[<a href="#ID2025_102-referanse-2">2</a>]'
    assert citations.anchor(2, "ID2025_102") != citations.anchor(2, "ID2018_084")
