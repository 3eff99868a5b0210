"""Support: the help centre, tickets and complaints (filled in by the support issue)."""
