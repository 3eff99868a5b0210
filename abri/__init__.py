"""Abri: an open-source customer space for French home insurers."""
