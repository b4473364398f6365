"""Reading an export that comes as a folder or a zip, without surprises.

Account archives (Mastodon, X/Twitter, Facebook, LinkedIn, groups.io) arrive as a zip or as
the folder it unpacks to. :class:`Archive` gives both the same face: member names as POSIX
paths relative to the root, and a binary stream per member. A zip is never extracted to disk:
members are read straight from it, after the whole directory has been checked for

- path traversal: absolute names, ``..`` parts, drive letters, NUL bytes;
- links: symbolic links stored in the zip (and, in a folder, links leading outside it);
- size: more than ``max_members`` members, more than ``max_total`` bytes once
  uncompressed, or a member that inflates more than ``max_ratio`` times (a zip bomb).

Any of these raises :class:`~lien.errors.UnsafeInput` before a single byte is read.
"""
from __future__ import annotations

import fnmatch
import os
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Iterator

from ..errors import BadInput, UnsafeInput

#: defaults; an :class:`Archive` takes others as arguments
MAX_TOTAL = 64 << 30  # 64 GiB uncompressed
MAX_MEMBERS = 1_000_000
MAX_RATIO = 1000  # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 16 << 20


def is_zip(path: Path) -> bool:
    """A zip file, or a file that starts like one (a truncated zip is still meant as a zip)."""
    if not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06") or zipfile.is_zipfile(path)


class Archive:
    """A folder or a zip, read member by member. Use as a context manager."""

    def __init__(self, path: Path, location: str | None = None, *, max_total: int = MAX_TOTAL,
                 max_members: int = MAX_MEMBERS, max_ratio: int = MAX_RATIO, ratio_floor: int = RATIO_FLOOR) -> None:
        self.path = Path(path)
        self.location = location or str(path)
        self._zip: zipfile.ZipFile | None = None
        self._names: list[str] = []
        if self.path.is_dir():
            self._names = self._scan_folder()
        elif self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as e:
                raise BadInput(self.location, "the zip directory", "a readable zip file", str(e)) from e
            self._names = self._check_zip(max_total, max_members, max_ratio, ratio_floor)
        else:
            raise BadInput(self.location, "the path", "a folder or a zip file", "nothing readable there")

    # -- checks ------------------------------------------------------------------------------
    def _unsafe(self, name: str, expected: str, found: str) -> UnsafeInput:
        return UnsafeInput(self.location, f"member {name!r}", expected, found)

    def _check_zip(self, max_total: int, max_members: int, max_ratio: int, ratio_floor: int) -> list[str]:
        assert self._zip is not None
        infos = self._zip.infolist()
        if len(infos) > max_members:
            raise UnsafeInput(self.location, "the zip directory", f"at most {max_members} members", str(len(infos)))
        names: list[str] = []
        total = 0
        for info in infos:
            name = info.filename
            _check_name(self, name)
            mode = info.external_attr >> 16
            if mode and stat.S_ISLNK(mode):
                raise self._unsafe(name, "a regular file", "a symbolic link (refused)")
            if info.is_dir():
                continue
            total += info.file_size
            if total > max_total:
                raise UnsafeInput(self.location, "the zip directory", f"at most {max_total} bytes uncompressed",
                                  f"more than {total}")
            if info.file_size > ratio_floor and info.file_size > max_ratio * max(info.compress_size, 1):
                raise self._unsafe(name, f"a compression ratio under {max_ratio}",
                                   f"{info.file_size} bytes from {info.compress_size} (a zip bomb?)")
            names.append(name)
        return names

    def _scan_folder(self) -> list[str]:
        root = self.path.resolve()
        names: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.path, followlinks=False):
            for d in list(dirnames):
                p = Path(dirpath) / d
                if p.is_symlink():
                    _inside(self, root, p)
            for f in filenames:
                p = Path(dirpath) / f
                if p.is_symlink():
                    _inside(self, root, p)
                names.append(p.relative_to(self.path).as_posix())
        names.sort()
        return names

    # -- reading -----------------------------------------------------------------------------
    @property
    def is_zip(self) -> bool:
        return self._zip is not None

    def names(self) -> list[str]:
        return list(self._names)

    def glob(self, pattern: str) -> list[str]:
        """Members whose path, or whose path below a single top folder, matches ``pattern``
        (``fnmatch`` syntax: ``data/tweets*.js``). Sorted."""
        out = []
        for n in self._names:
            parts = n.split("/")
            if fnmatch.fnmatchcase(n, pattern) or (len(parts) > 1 and fnmatch.fnmatchcase("/".join(parts[1:]), pattern)):
                out.append(n)
        return sorted(out)

    def find(self, *patterns: str) -> str | None:
        """The first member matching one of the patterns, shallowest first."""
        for pat in patterns:
            hits = sorted(self.glob(pat), key=lambda n: (n.count("/"), n))
            if hits:
                return hits[0]
        return None

    def open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(name)
        return open(self.path / name, "rb")

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as f:
            return f.read()

    def where(self, name: str) -> str:
        """How to name a member in an error message."""
        return f"{self.location}!{name}" if self._zip is not None else str(Path(self.location) / name)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)


def _check_name(arc: Archive, name: str) -> None:
    if "\x00" in name:
        raise arc._unsafe(name, "a relative path", "a NUL byte in the name")
    norm = name.replace("\\", "/")
    p = PurePosixPath(norm)
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        raise arc._unsafe(name, "a relative path", "an absolute path (refused: path traversal)")
    if ".." in p.parts:
        raise arc._unsafe(name, "a path inside the archive", "'..' (refused: path traversal)")


def _inside(arc: Archive, root: Path, p: Path) -> None:
    target = p.resolve()
    if target != root and root not in target.parents:
        raise UnsafeInput(arc.location, f"{p.relative_to(arc.path).as_posix()!r}",
                          "a file inside the folder", f"a link to {target} (refused)")


__all__ = ["Archive", "is_zip", "MAX_TOTAL", "MAX_MEMBERS", "MAX_RATIO"]
