"""The case core's bulk writer screens a title «subject – name» exactly as screened_title() does."""
import random
from datetime import date

from app.cases.bulk import PersonFacts, _screened
from app.cases.services import screened_title

SUBJECTS = ["Søknad om behandling i utlandet", "Henvisning – partikkelterapi",
            "Klage på avslag om behandling i utlandet"]
WORDS = ["Ukjent", "navn", "(importert,", "ref.", "X)", "i", "ı", "I", "–", "utlandet", "Henvisning", "behandling)",
         "partikkelterapi", "KLAGE", "01019012345", "a-b", "på", "PÅ", "søknad"]


def test_the_fast_path_gives_what_screened_title_gives():
    generator = random.Random(15)
    for _ in range(5000):
        subject = generator.choice(SUBJECTS)
        name = " ".join(generator.choice(WORDS) for _ in range(generator.randint(1, 5)))
        number = generator.choice([None, "01019012345"])
        patient = PersonFacts(number, name, date(1990, 1, 1), "helse-vest")
        title = f"{subject} – {name}"
        assert _screened(subject, title, patient) == screened_title(title, patient), (subject, name)


def test_a_batch_of_audit_rows_is_sealed_into_an_intact_chain(app_ctx, make_user):
    from app.auth.models import User
    from app.cases import audit_chain
    from app.cases.bulk import Change, record_changes
    from app.extensions import db

    user = db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))
    written = record_changes([Change("abroad_application", index, None, None, {"reference": [None, f"R-{index}"]})
                              for index in range(1, 301)], user=user, note={"import_batch": [None, "b1"]})
    db.session.commit()

    assert written == 300
    assert audit_chain.seal_all() >= 300
    assert audit_chain.verify().intact
