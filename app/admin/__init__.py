"""Administration: user accounts and the audit log (log review, per-patient access extract)."""
