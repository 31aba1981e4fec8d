"""Nye Metoder: method proposals, suitability assessments and the forums' decisions.
Other modules ask about a method only through app.methods.interface (to come with the module)."""
