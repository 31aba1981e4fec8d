"""A meeting's papers: the notice with the agenda and the items' suitability assessments, the minutes after
the meeting, both read back with pdftotext and filed in the journal of each agenda method's case."""
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import Document, JournalEntry
from app.extensions import db
from app.methods import services
from app.methods.assessment_services import AssessmentChanges, save_assessment
from app.methods.commands import StatusChange
from app.methods.models import Forum, Meeting, MeetingPaper, MethodStatus
from tests.factories import agenda_item, forum_decision, new_meeting, new_method
from tests.pdf import pdf_text


@pytest.fixture
def sak_031(app, make_user):
    """Beslutningsforum 17.03.2025 with «Sak 031-2025» covering two methods decided together; one has a suitability
    assessment. Returns (secretary id, meeting id)."""
    user_id = make_user("methods_secretariat", name="Siri Sekretær")
    with app.app_context():
        actor = db.session.get(User, user_id)
        methods = [services.register_method(new_method(title, date(2022, 9, 1)), actor=actor)
                   for title in ("Robotassistert prostatektomi", "Robotassistert hysterektomi")]
        meeting = services.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, date(2025, 3, 17)), actor=actor)
        item = services.add_agenda_item(meeting, agenda_item(methods, number=31, title="Robotassistert kirurgi"),
                                        actor=actor)
        for method in methods:
            for status in (MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE,
                           MethodStatus.FOR_DECISION):
                services.change_status(method, StatusChange(status, date(2025, 1, 10)), actor=actor)
        services.record_forum_decision(methods[0], forum_decision(
            item, date(2025, 3, 17), points=("Robotassistert kirurgi kan fortsatt brukes.",), whole_item=True),
            actor=actor)
        save_assessment(methods[0], AssessmentChanges(summary="Metoden er en minimalt invasiv kirurgisk metode."),
                        expected_version=None, actor=actor)
        db.session.commit()
        return user_id, meeting.id


def test_the_notice_lists_the_item_with_its_methods_and_attaches_the_assessment(app, login, sak_031):
    user_id, meeting_id = sak_031
    response = login(user_id).get(f"/metoder/moter/{meeting_id}/innkalling.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Innkalling til møte i Beslutningsforum 17.03.2025" in text
    assert "Sak 031-2025 Robotassistert kirurgi" in text
    assert "Robotassistert prostatektomi" in text and "Robotassistert hysterektomi" in text
    assert "Vedlegg: egnethetsvurderinger" in text and "Metoden er en minimalt invasiv kirurgisk metode." in text


def test_the_minutes_are_filed_after_the_meeting_in_each_methods_journal_and_published(app, login, sak_031):
    user_id, meeting_id = sak_031
    client = login(user_id)
    assert client.get(f"/metoder/moter/{meeting_id}/protokoll.pdf").status_code == 404   # not written yet
    refused = client.post(f"/metoder/moter/{meeting_id}/arkiver", data={"kind": "protokoll", "published": "y"},
                          follow_redirects=True)
    assert "Skriv referatet før protokollen arkiveres." in refused.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        services.update_minutes(meeting, minutes="Beslutningsforum behandlet sak 031-2025.",
                                expected_version=meeting.version, actor=db.session.get(User, user_id))
        db.session.commit()
    text = pdf_text(client.get(f"/metoder/moter/{meeting_id}/protokoll.pdf").data)
    assert "Protokoll fra møte i Beslutningsforum 17.03.2025" in text
    assert "Beslutningsforum behandlet sak 031-2025." in text
    assert text.count("Robotassistert kirurgi kan fortsatt brukes.") == 2   # decided for both methods

    filed = client.post(f"/metoder/moter/{meeting_id}/arkiver", data={"kind": "protokoll", "published": "y"},
                        follow_redirects=True)
    assert "Protokoll er arkivert på sakene til metodene på sakslisten." in filed.get_data(as_text=True)
    client.post(f"/metoder/moter/{meeting_id}/arkiver", data={"kind": "innkalling"})   # not published
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        minutes, notice = meeting.papers
        assert len(minutes.document_ids) == 2 and notice.published is False
        assert meeting.published == [minutes]
        documents = db.session.scalars(select(Document).where(Document.id.in_(minutes.document_ids))).all()
        assert {document.title for document in documents} == {"Protokoll – Beslutningsforum 17.03.2025"}
        assert all(db.session.get(JournalEntry, document.journal_entry_id).title == document.title
                   for document in documents)
        assert db.session.scalar(select(db.func.count()).select_from(MeetingPaper)) == 2


def test_only_the_secretariat_files_papers_and_a_missing_choice_is_refused(app, login, make_user, sak_031):
    user_id, meeting_id = sak_031
    secretary = login(user_id)
    for url, message in ((f"/metoder/moter/{meeting_id}/arkiver", "Velg innkalling eller protokoll."),
                         (f"/metoder/moter/{meeting_id}/saker/gjenoppta", "Velg en sak fra et tidligere møte.")):
        assert message in secretary.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(MeetingPaper)) == 0
    member = login(make_user("bestillerforum"))
    assert member.get(f"/metoder/moter/{meeting_id}/innkalling.pdf").status_code == 200
    assert member.post(f"/metoder/moter/{meeting_id}/arkiver", data={"kind": "innkalling"}).status_code == 403
