"""Static files: hashed, compressed names when collected; plain names when not (tests, first start)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage that falls back to the plain name instead of raising."""

    manifest_strict = False
