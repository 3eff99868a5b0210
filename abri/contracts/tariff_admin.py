"""Tariff versions for administrators: uploaded files are validated, stored beside the shipped ones, and
apply to new quotes from their effective date (contracts keep their premium until they are amended)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings

from abri import pricing
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR, TARIFFS_DIR_ENV

_seen_mtime: list[float] = []


def tariffs_dir() -> Path:
    """The writable directory the engine reads (ABRI_TARIFFS_DIR), seeded with the shipped files."""
    configured = os.environ.get(TARIFFS_DIR_ENV)
    directory = Path(configured) if configured else Path(settings.VAR_DIR) / "tariffs"
    if not configured:
        os.environ[TARIFFS_DIR_ENV] = str(directory)
        pricing.clear_tariff_cache()
    directory.mkdir(parents=True, exist_ok=True)
    for shipped in DEFAULT_TARIFFS_DIR.glob("*.toml"):
        target = directory / shipped.name
        # A shipped version is Abri's own file (uploads never overwrite a version): when Abri corrects it
        # (e.g. the 2026-01 tax classes of CGI art. 1001, the building section), the copy follows.
        if not target.exists() or target.read_bytes() != shipped.read_bytes():
            # Copy then rename: another process never reads a half-written tariff.
            partial = directory / f".{shipped.name}.{os.getpid()}.part"
            shutil.copyfile(shipped, partial)
            partial.replace(target)
    return directory


def tariffs_refresh_if_changed() -> None:
    """Another app server may have added a version: re-read the directory when it changed (one stat)."""
    configured = os.environ.get(TARIFFS_DIR_ENV)
    directory = Path(configured) if configured else None
    try:
        mtime = directory.stat().st_mtime if directory else None
    except FileNotFoundError:
        mtime = None
    if mtime is None or not _seen_mtime or _seen_mtime[0] != mtime:
        directory = tariffs_dir()  # creates and seeds it with the shipped versions when needed
        pricing.clear_tariff_cache()
        _seen_mtime[:] = [directory.stat().st_mtime]


def tariff_upload(*, content: bytes, actor) -> pricing.Tariff:
    """Validate an uploaded tariff file and add it as a new version (never overwrite an existing one)."""
    import tempfile

    from abri.core.services import audit_record

    if len(content) > 512 * 1024:
        raise pricing.TariffFileError("upload", ["Le fichier dépasse 512 Ko."])
    directory = tariffs_dir()
    with tempfile.NamedTemporaryFile(suffix=".part", dir=directory, delete=False) as handle:
        handle.write(content)
        temp = Path(handle.name)
    try:
        tariff = pricing.load_tariff(temp)
        if any(t.version == tariff.version for t in pricing.available_tariffs()):
            raise pricing.TariffFileError("upload", [f"La version {tariff.version} existe déjà : changez « version »."])
        final = directory / f"{tariff.version}.toml"
        temp.replace(final)
    finally:
        if temp.exists():
            temp.unlink()
    pricing.clear_tariff_cache()
    audit_record(actor=actor, action="tariff.uploaded", data={"version": tariff.version,
                                                               "effective_from": str(tariff.effective_from)})
    return tariff
