"""The documentation stays whole and current: the README short, every page of docs/ in the site's
nav, the generated key table what the schema gives now, the set-up commands the same in both places.
The site itself is built by .ci/run (mkdocs build --strict)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README_MAX_LINES = 150  # issue 23: the README finds its reader; the rest lives in docs/


def _nav_pages(entries) -> list[str]:
    pages = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def _gen_keys():
    spec = importlib.util.spec_from_file_location("gen_keys", DOCS / "gen_keys.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move text into docs/"


def test_every_page_is_in_the_nav_and_every_nav_page_exists():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs" and config["strict"] is True
    nav = _nav_pages(config["nav"])
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(nav) == pages
    assert len(nav) == len(set(nav))


def test_key_table_is_what_the_schema_gives_now():
    committed = (DOCS / "keys.md").read_text(encoding="utf-8")
    assert committed == _gen_keys().render(), "docs/keys.md is stale: run python docs/gen_keys.py"


def test_key_table_lists_every_field_of_the_schema():
    import dataclasses

    from sim.config import schema

    text = (DOCS / "keys.md").read_text(encoding="utf-8")
    classes = [c for c in vars(schema).values() if dataclasses.is_dataclass(c) and c.__module__ == schema.__name__]
    assert len(classes) > 40
    for cls in classes:
        assert f"`{cls.__name__}`" in text, cls.__name__
        for f in dataclasses.fields(cls):
            assert re.search(rf"\| `([\w.]+\.)?{f.name}` \|", text), f"{cls.__name__}.{f.name}"


def test_setup_commands_are_the_same_in_readme_and_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = (DOCS / "setup.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up (two commands)", 1)[1].split("\n## ", 1)[0]
    commands = _bash_blocks(section)
    assert len(commands) == 2 and "pip install -e '.[test]'" in commands[0] and "pytest" in commands[1]
    assert _bash_blocks(setup)[:2] == commands
