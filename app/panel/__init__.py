"""The national expert panel: referrals, the four assessment questions and advisory statements.
Consults app.methods.interface for the Nye Metoder status of a method."""
