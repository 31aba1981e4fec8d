"""The shared kernel: what sign-in (app.auth), the case core (app.cases) and the modules all need — the roles,
the health regions and their offices, and the audit log with its writer — so that auth never imports the case
core."""
