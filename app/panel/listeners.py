"""The panel's reactions to other modules' events."""
from app.methods.interface import decision_recorded
from app.panel.services import flag_referrals_for_method


def on_method_decision(reference: str) -> None:
    """A Beslutningsforum decision was recorded or amended: flag open referrals that concern the method."""
    flag_referrals_for_method(reference)


def register_listeners() -> None:
    decision_recorded.connect(on_method_decision)
