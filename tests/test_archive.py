"""Folders and zips read safely: traversal, links and bombs refused before any read."""
from __future__ import annotations

import os
import stat
import zipfile

import pytest

from lien.errors import BadInput, UnsafeInput
from lien.sources.archive import Archive


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_zip_and_folder_read_alike(tmp_path):
    z = _zip(tmp_path / "a.zip", {"export/data/tweets.js": b"x", "export/README.txt": b"hello", "export/data/": b""})
    with Archive(z) as arc:
        assert arc.is_zip and arc.names() == ["export/data/tweets.js", "export/README.txt"]
        assert arc.find("data/tweets.js") == "export/data/tweets.js"  # below one top folder
        assert arc.glob("*.txt") == ["export/README.txt"]
        assert arc.read_bytes("export/README.txt") == b"hello"
        assert arc.where("export/README.txt") == f"{z}!export/README.txt"
    d = tmp_path / "folder"
    (d / "data").mkdir(parents=True)
    (d / "data" / "tweets.js").write_bytes(b"x")
    with Archive(d) as arc:
        assert not arc.is_zip and arc.names() == ["data/tweets.js"]
        assert arc.find("missing.js", "data/*.js") == "data/tweets.js"
        with arc.open("data/tweets.js") as f:
            assert f.read() == b"x"


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "a/../../evil", "C:/evil", "a\\..\\..\\evil"])
def test_path_traversal_refused(tmp_path, name):
    z = _zip(tmp_path / "t.zip", {"ok.txt": b"1", name: b"2"})
    with pytest.raises(UnsafeInput) as e:
        Archive(z)
    assert e.value.info.record == f"member {name!r}" and "refused" in e.value.info.found


def test_symlink_member_refused(tmp_path):
    z = tmp_path / "l.zip"
    with zipfile.ZipFile(z, "w") as f:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        f.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeInput, match="symbolic link"):
        Archive(z)


def test_bombs_and_sizes_refused(tmp_path):
    z = _zip(tmp_path / "b.zip", {"zeros.json": b"0" * 200_000})
    with pytest.raises(UnsafeInput, match="zip bomb"):
        Archive(z, max_ratio=10, ratio_floor=1000)
    with pytest.raises(UnsafeInput, match="at most 1000 bytes"):
        Archive(z, max_total=1000)
    with pytest.raises(UnsafeInput, match="at most 0 members"):
        Archive(z, max_members=0)
    with Archive(z) as arc:  # the defaults let an ordinary file through
        assert len(arc.read_bytes("zeros.json")) == 200_000


def test_folder_link_outside_refused(tmp_path):
    d = tmp_path / "export"
    d.mkdir()
    (tmp_path / "secret.txt").write_text("s")
    os.symlink(tmp_path / "secret.txt", d / "outbox.json")
    with pytest.raises(UnsafeInput, match="a file inside the folder"):
        Archive(d)
    os.remove(d / "outbox.json")
    (d / "real.json").write_text("{}")
    os.symlink(d / "real.json", d / "alias.json")  # a link inside is fine
    assert Archive(d).names() == ["alias.json", "real.json"]


def test_not_a_zip(tmp_path):
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(BadInput) as e:
        Archive(bad)
    assert e.value.info.expected == "a readable zip file"
    with pytest.raises(BadInput):
        Archive(tmp_path / "nothing")
