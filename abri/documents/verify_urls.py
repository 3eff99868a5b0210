"""Public certificate verification (/verifier/): filled in by the certificates work."""

urlpatterns: list = []
