"""Streaming: the importers' own memory does not grow with the input.

What Python holds while a large dump is read is bounded by the chunk size (rows go to DuckDB
in chunks; parsed XML elements are dropped as they are read). DuckDB's share is measured by
bench/streaming.py (it depends on DuckDB's memory_limit, not on the importers)."""
from __future__ import annotations

import importlib.util
import tracemalloc
from pathlib import Path

from conftest import ROOT, do_import
from lien.sources import load
from lien.sources.base import ImportOptions
from lien.sources.stackexchange import FILES, StackExchangeSource


def _bench():
    spec = importlib.util.spec_from_file_location("bench_streaming", ROOT / "bench" / "streaming.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _peak_python_bytes(ws, folder: Path, chunk: int) -> tuple[int, int]:
    """Stage Posts.xml as the importer does; (rows, peak bytes Python allocated)."""
    src = StackExchangeSource(folder, ImportOptions(chunk_size=chunk))
    src.con = ws.con
    table, cols = FILES["Posts.xml"]
    tracemalloc.start()
    try:
        n = src._stage_file(folder / "Posts.xml", table, cols)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ws.scalar("SELECT count(*) FROM _se_posts") == n
    ws.con.execute("DROP TABLE _se_posts")
    return n, peak


def test_xml_staging_memory_is_flat(ws, tmp_path):
    bench = _bench()
    small, large = tmp_path / "small", tmp_path / "large"
    bench.make_stackexchange(small, 1)
    bench.make_stackexchange(large, 6)
    n_small, peak_small = _peak_python_bytes(ws, small, 1000)
    n_large, peak_large = _peak_python_bytes(ws, large, 1000)
    assert n_large >= 3 * n_small
    # three times the rows and more, about the same memory: bounded by the chunk, not the file
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)
    assert peak_large < 32 * 2**20


def test_generated_files_import(ws, tmp_path):
    """The benchmark's generated inputs are valid imports (so the benchmark measures real work)."""
    bench = _bench()
    saved = list(load.AFTER_IMPORT)
    load.AFTER_IMPORT.clear()
    try:
        n = bench.make_jsonl(tmp_path / "acts.jsonl", 1)
        [s] = do_import(ws, tmp_path / "acts.jsonl")
        assert (s.format, s.read, s.added) == ("jsonl", n, n)
        site = tmp_path / "site"
        m = bench.make_stackexchange(site, 1)
        [s2] = do_import(ws, site)
        assert (s2.format, s2.read, s2.added) == ("stackexchange", m, m)
        assert s2.by_kind["post"]["added"] == (m + 5) // 6
    finally:
        load.AFTER_IMPORT[:] = saved


def _arrow_bytes_after_staging(ws, folder: Path, chunk: int) -> tuple[int, int]:
    """Stage Posts.xml inside the import's transaction, as the loader runs it; (rows, bytes
    Arrow still holds before the commit)."""
    import pyarrow as pa

    src = StackExchangeSource(folder, ImportOptions(chunk_size=chunk))
    src.con = ws.con
    table, cols = FILES["Posts.xml"]
    with ws.transaction():
        before = pa.total_allocated_bytes()
        n = src._stage_file(folder / "Posts.xml", table, cols)
        held = pa.total_allocated_bytes() - before
        ws.con.execute("DROP TABLE _se_posts")
    return n, held


def test_xml_chunks_are_not_kept_until_the_commit(ws, tmp_path):
    """Each chunk's Arrow table is freed once inserted, also inside a transaction (a view
    registered with con.register and unregistered again lives on until the commit, and
    kept every chunk of the dump in memory)."""
    bench = _bench()
    bench.make_stackexchange(tmp_path / "site", 4)
    n, held = _arrow_bytes_after_staging(ws, tmp_path / "site", 1000)
    assert n > 8000
    assert held < 2 * 2**20, held  # at most one chunk's worth, not the 4 MB of the file


def test_workspace_memory_limit(tmp_path):
    """A file workspace caps DuckDB's memory (it spills beyond it) at 512 MB unless lien.toml
    says otherwise; a value DuckDB does not take is a configuration error naming the setting."""
    import pytest

    import lien
    from lien.errors import ConfigError

    def settings(ws):
        return ws.scalar("SELECT current_setting('memory_limit')"), ws.scalar("SELECT current_setting('temp_directory')")

    with lien.open(tmp_path / "lien.duckdb") as ws:
        limit, tmp = settings(ws)
    assert limit == "488.2 MiB"  # 512 MB as DuckDB shows it
    assert tmp == str(tmp_path / "lien.duckdb.tmp")
    (tmp_path / "lien.toml").write_text('[workspace]\nmemory_limit = "1GB"\ntemp_directory = "spill"\n')
    with lien.open(tmp_path / "lien.duckdb") as ws:
        assert settings(ws) == ("953.6 MiB", str(tmp_path / "spill"))
    with lien.open(tmp_path / "lien.duckdb", read_only=True) as ws:
        assert settings(ws)[0] == "953.6 MiB"
    (tmp_path / "lien.toml").write_text('[workspace]\nmemory_limit = "lots"\n')
    with pytest.raises(ConfigError, match="workspace.memory_limit"):
        lien.open(tmp_path / "lien.duckdb")
    (tmp_path / "lien.toml").write_text('[workspace]\nmemory = "1GB"\n')
    with lien.open(tmp_path / "lien.duckdb") as ws:  # reported by what reads the configuration
        with pytest.raises(ConfigError, match="workspace.memory"):
            ws.config
