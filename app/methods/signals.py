"""Signals other modules may listen to (re-exported by app.methods.interface)."""
from blinker import Namespace

_signals = Namespace()

# Sent with the method reference (e.g. "ID2025_102") when a decision is recorded or amended.
decision_recorded = _signals.signal("methods.decision-recorded")
