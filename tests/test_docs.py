"""The docs say what the code does: the generated reference is current, every command,
setting and format is documented, the README opens with the two commands, links resolve."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REF = DOCS / "reference"

#: how-to page of each format, when its name is not simply <format>.md
FORMAT_PAGES = {
    "feed": "feeds.md", "wxr": "wordpress.md", "ical": "icalendar.md", "mbox": "mailing-lists.md",
    "stackexchange": "stack-exchange.md", "checkin": "check-in-sheets.md", "edgelist": "edge-lists.md",
    "csv": "csv.md", "jsonl": "csv.md",
}


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_cli_reference", ROOT / "scripts" / "gen_cli_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("page", ["cli.md", "schema.md", "configuration.md"])
def test_generated_reference_is_current(gen, page):
    committed = (REF / page).read_text(encoding="utf-8") if (REF / page).exists() else ""
    assert committed == gen.PAGES[page](), f"docs/reference/{page} is stale: run `make docs`"


def test_every_command_is_in_the_cli_reference(gen):
    text = (REF / "cli.md").read_text(encoding="utf-8")
    names = gen.command_names()
    assert {"lien import", "lien status", "lien demo", "lien people"} <= set(names)
    missing = [n for n in names if f"## `{n}`" not in text]
    assert not missing, f"commands missing from docs/reference/cli.md: {missing}"


def test_every_setting_is_documented(gen):
    keys = gen.model_keys()
    assert "weights.offline" in keys and keys["weights.offline"] == 30
    undocumented = [k for k in keys if k not in gen.MODEL_DOCS]
    assert not undocumented, f"lien.toml settings without a description: {undocumented}"
    text = (REF / "configuration.md").read_text(encoding="utf-8")
    for k, v in keys.items():
        assert f"| `{k}` | `{gen._toml(v)}` |" in text
    for k in ("name", "identities", "staff", "bots"):
        assert f"| `{k}` |" in text


def test_every_public_column_is_in_the_schema_reference():
    import lien
    from lien.schema import PUBLIC_TABLES

    text = (REF / "schema.md").read_text(encoding="utf-8")
    ws = lien.open(":memory:")
    try:
        for table in PUBLIC_TABLES:
            section = text.split(f"## `{table}`", 1)[1].split("\n## ", 1)[0]
            for c in ws.rows(f"DESCRIBE {table}"):
                line = next((x for x in section.splitlines() if x.startswith(f"| `{c['column_name']}` |")), None)
                assert line is not None, f"{table}.{c['column_name']} is not in docs/reference/schema.md"
                assert not line.endswith("|  |"), f"{table}.{c['column_name']} has no description"
    finally:
        ws.close()


def test_every_format_has_a_howto_page():
    from lien.sources import REGISTRY

    pages = {p.name: p.read_text(encoding="utf-8") for p in (DOCS / "howto").glob("*.md")}
    missing = [c.name for c in REGISTRY
               if FORMAT_PAGES.get(c.name, f"{c.name}.md") not in pages
               and not any(f"--format {c.name}" in text for text in pages.values())]
    assert not missing, f"formats without a how-to page in docs/howto/: {missing}"


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```", 2)[1]
    assert readme.index("```") < 20  # the very first lines
    assert "make demo" in first_block and "make test" in first_block
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:.*\n(\t.*\n)*\t\$\(BIN\)/lien demo", makefile, re.M)
    assert re.search(r"^test:", makefile, re.M) and "pytest" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_internal_links_resolve():
    broken = []
    for page in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert not broken, f"broken links: {broken}"
