"""Treatment abroad's reactions to other modules' events."""
from app.abroad.services import correct_home_region, flag_applications_for_method
from app.cases.interface import registered_facts_corrected
from app.methods.interface import decision_recorded


def on_method_decision(reference: str) -> None:
    """A Beslutningsforum decision was recorded or amended: flag open applications that concern the method."""
    flag_applications_for_method(reference)


def on_registered_facts_corrected(case_id: int, *, changes: dict, actor) -> None:
    """The home region registered with an application's case was corrected: the application counts the corrected
    one (the annual report counts the region an application was received with)."""
    if "home_region" in changes:
        correct_home_region(case_id, changes["home_region"][1], actor=actor)


def register_listeners() -> None:
    decision_recorded.connect(on_method_decision)
    registered_facts_corrected.connect(on_registered_facts_corrected)
