"""The suitability assessment's layout, written once: its four numbered parts as on the FHI/DMP form, the blocks
each part holds, the fields in each block and their labels. The edit form takes its labels from here, and the
edit page, the read page and the PDF each draw these sections in their own medium
(methods/_assessment_sections.html, one macro per medium, one branch per block kind)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One value: an attribute of the assessment (or, where `of_method`, of the method itself).

    kind: text (lines become paragraphs), line (one line), count, checks (ticked from `vocabulary`, which
    defaults to the field's own name in the assessment vocabulary), label (an enum's label), list (joined).
    with_: fields drawn together with this one (a comment, a second group of checkboxes, a count)."""

    name: str
    label: str
    kind: str = "text"
    vocabulary: str | None = None
    with_: tuple["Field", ...] = ()
    of_method: bool = False


@dataclass(frozen=True)
class Block:
    """A group of fields drawn one way: text (a heading and its text), facts (labelled values, under an optional
    heading), method (the method's own facts, in columns when `columns`), checks (groups of checkboxes side by
    side), recommendation, links, table (labelled rows under a heading), trials (4.2, the trial rows) or references
    (the numbered reference list the text cites).
    note: what the edit page says under the method's own facts, which are changed on the method's page."""

    kind: str
    fields: tuple[Field, ...] = ()
    heading: str | None = None
    columns: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    blocks: tuple[Block, ...]


def _text(name: str, label: str) -> Block:
    return Block("text", (Field(name, label),))


def _comment(name: str) -> Field:
    return Field(name, "Kommentar")


ASSESSMENT_SECTIONS = (
    Section(1, "Status og oppsummering", (
        _text("summary", "1.1 Oppsummering"),
        Block("facts", heading="Forslag PICO", fields=(
            Field("pico_population", "Populasjon"), Field("pico_comparator", "Komparator"),
            Field("pico_intervention", "Intervensjon"), Field("pico_outcome", "Utfall"))),
        Block("facts", (Field("suggested_experts", "Forslag til fageksperter"),)),
        Block("method", columns=True, note="Metodetype, fagområde og tagger hører til metoden.", fields=(
            Field("method_type", "1.2 Metodetype", kind="label", of_method=True),
            Field("subject_areas", "1.3 Fagområde", kind="list", of_method=True),
            Field("tags", "1.4 Tagger/søkeord", kind="checks", vocabulary="tags", of_method=True))),
        Block("checks", (
            Field("approvals", "1.5 Status for godkjenning", kind="checks", with_=(_comment("approval_comment"),)),
            Field("financing", "1.6 Finansieringsansvar", kind="checks"),
            Field("usage_stage", "1.7 Status for bruk", kind="checks", with_=(
                _comment("usage_comment"), Field("usage_scope", "Bruk og endring", kind="checks"))))),
        Block("recommendation", (Field("recommendation", "1.8 Bestillingsanbefaling", kind="choice", with_=(
            Field("recommended_aspects", "Aspekter som bør vurderes", kind="checks", vocabulary="aspects"),
            Field("simplified_approach", "Forenklet metodisk tilnærming", kind="label",
                  vocabulary="simplified_approach"),
            _comment("recommendation_comment"))),)),
    )),
    Section(2, "Punktoppsummering", (
        _text("points_method", "2.1 Om metoden"),
        _text("points_documentation", "2.2 Om dokumentasjonsgrunnlaget"),
        _text("points_health_economics", "2.3 Om helseøkonomi"),
        _text("points_recommendation", "2.4 Om bestillingsanbefaling"),
        Block("links", (Field("links", "Lenker"),)),
    )),
    Section(3, "Beskrivelse av metoden", (
        Block("method", note="Generisk navn, produktnavn og produsenter hører til metoden.", fields=(
            Field("generic_name", "Generisk navn", kind="line", of_method=True),
            Field("product_names", "Produktnavn", kind="line", of_method=True),
            Field("manufacturers", "Produsenter", of_method=True))),
        Block("table", heading="3.1 Beskrivelse av metoden", fields=(
            Field("description_principle", "Status og prinsipp for metode"),
            Field("description_benefit", "Potensiell nytte"),
            Field("description_safety", "Sikkerhetsaspekter og risikoforhold"),
            Field("description_population", "Sykdomsbeskrivelse og pasientgrunnlag"),
            Field("description_current_treatment", "Dagens behandling"),
            Field("description_health_economics", "Helseøkonomi"))),
    )),
    Section(4, "Dokumentasjonsgrunnlag", (
        _text("relevant_studies", "4.1 Relevante og sentrale kliniske studier"),
        Block("trials", heading="4.2 Pågående kliniske studier"),
        Block("table", heading="4.3 Metodevurderinger og –varsel", fields=(
            Field("hta_national", "Metodevurdering – nasjonalt/lokalt"),
            Field("hta_international", "Metodevurdering / systematiske oversikt – internasjonalt", with_=(
                Field("systematic_reviews_count", "Antall systematiske oversikter", kind="count"),)),
            Field("method_alerts", "Metodevarsel"))),
    )),
    Section(5, "Referanser", (Block("references", heading="Referanser"),)),
)


def _fields(fields):
    for field in fields:
        yield field
        yield from _fields(field.with_)


# The label of each of the assessment's own fields, for the edit form.
LABELS = {field.name: field.label for section in ASSESSMENT_SECTIONS for block in section.blocks
          for field in _fields(block.fields) if not field.of_method}


# The published assessment (the public PDF): without the suggested experts, who are named people.
PUBLIC_ASSESSMENT_SECTIONS = tuple(
    Section(section.number, section.title, tuple(
        block for block in section.blocks if not any(field.name == "suggested_experts" for field in block.fields)))
    for section in ASSESSMENT_SECTIONS)
