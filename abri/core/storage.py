"""Static files: hashed, compressed names when collected; plain names when not (tests, first start)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage that falls back to the plain name instead of raising.

    A file added after the last `collectstatic` (or a run without it) is served under its plain name
    by WhiteNoise's finders rather than breaking the page with a 500.
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
