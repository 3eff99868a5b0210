"""Tariff versions for administrators: uploaded files are validated, stored beside the shipped ones, and
apply to new quotes from their effective date (contracts keep their premium until they are amended)."""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from abri import pricing
from abri.core.services import audit_record
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR, TARIFFS_DIR_ENV

_seen_mtime: list[float] = []
# An uploaded version names its file (<version>.toml in the tariff directory): year-month, then an optional
# short lower-case suffix (2026-01, 2026-07-b), nothing else, so that it can never name a path elsewhere.
# (Files an operator places in ABRI_TARIFFS_DIR by hand may use their own ids, e.g. ACME-2026.)
VERSION_RE = re.compile(r"[0-9]{4}-[0-9]{2}(-[a-z0-9]{1,20})?")


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


def _declared_version(content: bytes) -> object:
    """The [tariff] version the file declares, read before anything is written (None when unreadable)."""
    try:
        head = tomllib.loads(content.decode("utf-8")).get("tariff")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # load_tariff() reports it with the other defects
    return head.get("version") if isinstance(head, dict) else None


def _version_error(version: object) -> str:
    return _("« version » doit avoir la forme année-mois, suivie si besoin d'un suffixe court en minuscules "
             "(par exemple 2026-01 ou 2026-07-b) ; reçu : %(v)s.") % {"v": repr(version)[:60]}


def tariff_upload(*, content: bytes, actor) -> pricing.Tariff:
    """Validate an uploaded tariff file and add it as a new version (never overwrite an existing one)."""
    import tempfile

    if len(content) > 512 * 1024:
        raise pricing.TariffFileError("upload", [_("Le fichier dépasse 512 Ko.")])
    # The version names the file: refuse anything but the strict pattern before writing a byte
    # ("../../x", "/etc/x", a NUL byte…), then check the resolved path all the same.
    directory = tariffs_dir().resolve()
    declared = _declared_version(content)
    if isinstance(declared, str) and not VERSION_RE.fullmatch(declared):
        raise pricing.TariffFileError("upload", [_version_error(declared)])
    with tempfile.NamedTemporaryFile(suffix=".part", dir=directory, delete=False) as handle:
        handle.write(content)
        temp = Path(handle.name)
    try:
        tariff = pricing.load_tariff(temp)
        if not VERSION_RE.fullmatch(tariff.version):
            raise pricing.TariffFileError("upload", [_version_error(tariff.version)])
        final = directory / f"{tariff.version}.toml"
        exists = pricing.TariffFileError("upload", [
            _("La version %(v)s existe déjà : changez « version ».") % {"v": tariff.version}])
        if final.is_symlink() or any(t.version == tariff.version for t in pricing.available_tariffs()):
            raise exists
        if final.resolve().parent != directory:
            raise pricing.TariffFileError("upload", [_version_error(tariff.version)])
        try:
            # A hard link never replaces an existing name (a file, or a symlink planted there) and makes the
            # complete file appear at once.
            os.link(temp, final)
        except FileExistsError:
            raise exists from None
    finally:
        temp.unlink(missing_ok=True)
    pricing.clear_tariff_cache()
    audit_record(actor=actor, action="tariff.uploaded", data={"version": tariff.version,
                                                               "effective_from": str(tariff.effective_from)})
    return tariff
