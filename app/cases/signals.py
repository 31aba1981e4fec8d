"""The case core's events, for the domain modules' listeners."""
from blinker import Namespace

_signals = Namespace()

# A correction changed the patient facts registered with a case: sent with case_id and changes
# ({field: [old, new]}), so a module that keeps a copy of a fact (e.g. the home region it counts) corrects it.
registered_facts_corrected = _signals.signal("cases.registered-facts-corrected")
