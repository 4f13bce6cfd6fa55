"""Find the files of a checkpoint: a directory or a single file, links kept inside it.

Symbolic links are followed only while their target stays inside the checkpoint root (the
Hugging Face cache keeps ``snapshots/REV/file -> ../../blobs/SHA``, so the root of a cache
snapshot is the repository folder for that purpose). Links that escape, FIFOs, sockets and
device files are refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from registry.checkpoints.manifest import FileStat
from registry.errors import CheckpointError, InvalidInputError

IGNORED_DIRS = {".git", ".cache", "__pycache__", ".ipynb_checkpoints"}


def _containment_root(root: Path) -> Path:
    """The folder links may point into: the repo folder for a Hugging Face cache snapshot."""
    if root.parent.name == "snapshots" and root.parent.parent.name.startswith(
        ("models--", "datasets--")
    ):
        return root.parent.parent
    return root


def _check_regular(path: Path, rel: str, root: Path, allowed: Path) -> int:
    """Return the size of a regular file, following links only inside ``allowed``."""
    try:
        lst = path.lstat()
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror}") from None
    if stat.S_ISLNK(lst.st_mode):
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(allowed):
            raise CheckpointError(rel, f"symbolic link escapes the checkpoint (-> {target})")
        try:
            st = target.stat()
        except OSError:
            raise CheckpointError(rel, "dangling symbolic link") from None
    else:
        st = lst
    if stat.S_ISREG(st.st_mode):
        if not os.access(path, os.R_OK):
            raise CheckpointError(rel, "cannot read: permission denied")
        return st.st_size
    kind = (
        "a FIFO"
        if stat.S_ISFIFO(st.st_mode)
        else "a device file"
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
        else "a socket"
        if stat.S_ISSOCK(st.st_mode)
        else "not a regular file"
    )
    raise CheckpointError(rel, f"refused: {kind}")


def discover_files(path: Path) -> tuple[Path, list[tuple[str, int]]]:
    """Return the checkpoint root and its files as (relative POSIX path, size), sorted."""
    path = Path(path).expanduser()
    if not path.exists() and not path.is_symlink():
        raise InvalidInputError(f"{path}: no such file or directory")
    if path.is_file() and not path.is_dir():
        root = path.parent.resolve()
        rel = path.name
        return root, [(rel, _check_regular(path, rel, root, root))]
    if not path.is_dir():
        raise CheckpointError(str(path), "not a regular file or directory")
    root = path.resolve() if not path.is_symlink() else Path(os.path.abspath(path))
    allowed = _containment_root(Path(os.path.realpath(root)))
    found: list[tuple[str, int]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        here = Path(dirpath)
        for d in list(dirnames):
            full = here / d
            if full.is_symlink():
                rel = full.relative_to(root).as_posix()
                target = Path(os.path.realpath(full))
                if not target.is_relative_to(allowed):
                    raise CheckpointError(
                        rel, f"symbolic link escapes the checkpoint (-> {target})"
                    )
                raise CheckpointError(rel, "refused: symbolic link to a directory")
        for name in sorted(filenames):
            full = here / name
            rel = full.relative_to(root).as_posix()
            found.append((rel, _check_regular(full, rel, root, allowed)))
    if not found:
        raise InvalidInputError(f"{path}: the directory holds no files")
    found.sort()
    return root, found


def file_stat(path: Path, rel: str) -> FileStat:
    """Size, mtime, inode and device of a file (following the links discovery allowed)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return FileStat(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
