"""Customer certificate pages (/documents/attestations/): filled in by the certificates work."""

urlpatterns: list = []
