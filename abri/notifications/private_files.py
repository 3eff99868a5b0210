"""Files that hold codes and links (local e-mail and SMS copies): 0700 directories, 0600 files."""

from __future__ import annotations

import os
from typing import IO


def private_directory(path: str | os.PathLike) -> None:
    """Create the directory (0700), or take group and other permissions away from an existing one."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)  # makedirs leaves an existing directory as it was


def private_append_handle(path: str | os.PathLike, *, binary: bool = False) -> IO:
    """Open for appending, created 0600; an existing file made 0600 too (it may predate this rule)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "ab" if binary else "a", **({} if binary else {"encoding": "utf-8"}))
