"""Treatment abroad: applications to the regional offices, decisions, costs and appeals.
Consults app.methods.interface for the Nye Metoder status of a method."""
