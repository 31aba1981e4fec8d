"""The case core: case numbers, patients, journal, documents, deadlines, access policy and the audit log.
Domain modules use it through app.cases.interface."""
