"""The customer shell: dashboard, demo outbox pages, the background worker and runportal.

Sits above the feature apps (it reads them all) and below backoffice and api (ADR 0007).
"""
