"""Static files: hashed, compressed names when collected; plain names when not (tests, first start)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage that falls back to the plain name instead of raising."""

    manifest_strict = False

    def stored_name(self, name):
        # Without a manifest entry, Django hashes the file found in STATIC_ROOT; on a fresh checkout
        # (tests, `make test` before any collectstatic) it is not there and Django raises ValueError.
        # The plain name is served by WhiteNoise's finders (WHITENOISE_USE_FINDERS) outside production.
        try:
            return super().stored_name(name)
        except ValueError:
            return name
