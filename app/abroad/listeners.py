"""Treatment abroad's reactions to other modules' events."""
from app.abroad.services import flag_applications_for_method
from app.methods.interface import decision_recorded


def on_method_decision(reference: str) -> None:
    """A Beslutningsforum decision was recorded or amended: flag open applications that concern the method."""
    flag_applications_for_method(reference)


def register_listeners() -> None:
    decision_recorded.connect(on_method_decision)
