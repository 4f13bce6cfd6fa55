"""``modelreg list``: filters, keyset pages, JSON lines (both databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli


def names_of(res_stdout: str) -> list[str]:
    return [json.loads(line)["name"] for line in res_stdout.splitlines() if line.strip()]


@pytest.fixture
def zoo(cli: Cli, tmp_path: Path) -> Cli:
    base = write_checkpoint(tmp_path / "base")
    assert cli("add", base, "-n", "meta/llama-base", "-l", "llama3").exit_code == 0
    specs = [
        ("meta/llama-chat", "llama3", "meta/llama-base:finetune"),
        ("acme/chat-q4", "llama3 AND mit", "meta/llama-chat:quantized"),
        ("acme/lora", "apache-2.0", "meta/llama-base:adapter"),
        ("acme/[odd]name", "MIT", None),
        ("solo", "unknown", None),
    ]
    for i, (name, lic, parent) in enumerate(specs, start=1):
        args = ["add", write_checkpoint(tmp_path / f"c{i}", seed=i), "-n", name, "-l", lic]
        if parent:
            args += ["-p", parent]
        res = cli(*args)
        assert res.exit_code == 0, res.stderr
    return cli


def listed(cli: Cli, *args: str) -> list[str]:
    res = cli("list", "--format", "jsonl", *args)
    assert res.exit_code == 0, res.stderr
    return names_of(res.stdout)


def test_jsonl_streams_every_variant_by_name(zoo: Cli) -> None:
    res = zoo("list", "-f", "jsonl")
    lines = res.stdout.splitlines()
    assert len(lines) == 6 and all(line.startswith("{") for line in lines)
    assert names_of(res.stdout) == sorted(names_of(res.stdout))
    doc = json.loads(lines[0])
    assert set(doc) == {
        "name",
        "license",
        "architecture",
        "modalities",
        "total_bytes",
        "created_at",
    }
    assert [d["name"] for d in zoo("list", "-f", "json").json()] == names_of(res.stdout)  # type: ignore[union-attr]


def test_each_filter(zoo: Cli) -> None:
    assert listed(zoo, "--license", "llama3") == [
        "acme/chat-q4",
        "meta/llama-base",
        "meta/llama-chat",
    ]
    assert listed(zoo, "--license", "mit") == ["acme/[odd]name", "acme/chat-q4"]
    assert listed(zoo, "--namespace", "acme") == ["acme/[odd]name", "acme/chat-q4", "acme/lora"]
    assert listed(zoo, "--namespace", "acme/", "--license", "apache-2.0") == ["acme/lora"]
    assert listed(zoo, "--parent", "meta/llama-base") == ["acme/lora", "meta/llama-chat"]
    assert listed(zoo, "--parent", "meta/llama-base", "--relation", "adapter") == ["acme/lora"]
    assert listed(zoo, "--relation", "quantized") == ["acme/chat-q4"]
    assert listed(zoo, "--parent", "ghost") == []
    assert listed(zoo, "--name", "meta/*") == ["meta/llama-base", "meta/llama-chat"]
    assert listed(zoo, "--name", "*chat*") == ["acme/chat-q4", "meta/llama-chat"]
    assert listed(zoo, "--name", "acme/[[]odd]*") == ["acme/[odd]name"]
    assert listed(zoo, "--name", "acme/[!c]*") == ["acme/[odd]name", "acme/lora"]
    assert listed(zoo, "--name", "sol?") == ["solo"]
    assert listed(zoo, "--name", "Solo") == []  # globs are case-sensitive
    assert len(listed(zoo, "--created-since", "2000-01-01")) == 6
    assert listed(zoo, "--created-since", "2999-01-01T00:00:00Z") == []


def test_verified_filter_follows_the_latest_verify(zoo: Cli, tmp_path: Path) -> None:
    assert listed(zoo, "--verified") == []
    assert zoo("verify", "solo", "acme/lora").exit_code == 0
    assert listed(zoo, "--verified") == ["acme/lora", "solo"]
    (tmp_path / "c5" / "config.json").write_text("{}")
    assert zoo("verify", "solo").exit_code == 1
    assert listed(zoo, "--verified") == ["acme/lora"]
    assert "solo" in listed(zoo, "--unverified") and "acme/lora" not in listed(zoo, "--unverified")


def test_keyset_pages_cover_everything_once(zoo: Cli) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        args = ["list", "-f", "jsonl", "--limit", "4"] + (["--cursor", cursor] if cursor else [])
        res = zoo(*args)
        assert res.exit_code == 0, res.stderr
        seen += names_of(res.stdout)
        pages += 1
        if "next page: --cursor " not in res.stderr:
            break
        cursor = res.stderr.split("next page: --cursor ")[1].split()[0]
    assert pages == 2 and seen == listed(zoo)
    first = zoo("list", "--limit", "2", "--license", "llama3")
    assert first.exit_code == 0 and "meta/llama-base" in first.stdout and "NAME" in first.stdout
    cur = first.stderr.split("--cursor ")[1].split()[0]
    rest = zoo("list", "-f", "jsonl", "--limit", "2", "--license", "llama3", "--cursor", cur)
    assert names_of(rest.stdout) == ["meta/llama-chat"] and "next page" not in rest.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--cursor", "not-a-cursor!"),
        ("--limit", "0"),
        ("--created-since", "yesterday"),
        ("--relation", "cousin"),
        ("--name", "[z-a]"),
        ("--format", "yaml"),
    ],
)
def test_bad_list_options_are_usage_errors(zoo: Cli, args: tuple[str, ...]) -> None:
    res = zoo("list", *args)
    assert res.exit_code == 2 and res.stdout == ""


def test_library_paging_matches_the_cli(zoo: Cli, db_url: str) -> None:
    from registry.catalog.listing import VariantFilter
    from registry.catalog.paging import cursor_key, decode_cursor, take_page
    from registry.config import load_settings
    from registry.store.connections import SettingsConnections
    from registry.store.local import LocalStore

    store = LocalStore(SettingsConnections(load_settings(database_url=db_url)))
    try:
        acme = VariantFilter(namespace="acme")
        page = take_page(store.variants(acme, limit=3), 2, lambda r: r["name"])
        assert [r["name"] for r in page.items] == ["acme/[odd]name", "acme/chat-q4"]
        assert page.next_cursor is not None and decode_cursor(page.next_cursor) == "acme/chat-q4"
        after = cursor_key(page.next_cursor, str)
        last = take_page(store.variants(acme, after=after, limit=3), 2, lambda r: r["name"])
        assert [r["name"] for r in last.items] == ["acme/lora"] and last.next_cursor is None
        cli_page = zoo("list", "-f", "jsonl", "--namespace", "acme", "--limit", "2")
        assert f"--cursor {page.next_cursor}" in cli_page.stderr  # the same cursor as the API's
    finally:
        store.close()


@pytest.mark.postgres
def test_a_prefix_is_a_range_only_where_names_sort_by_code_point(db_url: str) -> None:
    """A name prefix (``--namespace``, the literal start of ``--name``) is an index range
    where names sort by code point (the test databases: ``C.UTF-8``); in a database whose
    collation is linguistic (ICU ``en-US`` here) a range is not a prefix, and the filter
    must still find exactly the names that start with it."""
    import uuid

    from registry.catalog.listing import VariantFilter, select_variants
    from registry.db.migrate import upgrade
    from registry.db.reader import _connect
    from tests.builders import insert_variants
    from tests.conftest import _pg_admin_execute, _pg_admin_url, _pg_url_for, pg_drop_database

    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL database's collation")
    names = ["a-b/x", "a_b/y", "aB/z", "ab/w", "Ab/v", "a/only", "b/after", "a-/dash"]
    admin = _pg_admin_url()
    assert admin is not None
    icu = f"modelreg_t_{uuid.uuid4().hex[:12]}"
    try:
        _pg_admin_execute(
            admin,
            f"CREATE DATABASE {icu} TEMPLATE template0 LOCALE_PROVIDER icu "
            "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
        )
    except Exception as exc:  # a server built without ICU
        pytest.skip(f"no ICU collation on this server: {exc}")
    try:
        for url in (db_url, _pg_url_for(admin, icu)):
            upgrade(url)
            insert_variants(url, *({"name": n} for n in names))
            reader = _connect(url)
            try:
                assert reader.byte_ordered() == (url == db_url)
                for flt, want in [
                    (VariantFilter(namespace="a-"), ["a-/dash"]),
                    (VariantFilter(namespace="a"), ["a/only"]),
                    (VariantFilter(name_glob="a*"), [n for n in names if n.startswith("a")]),
                    (VariantFilter(name_glob="a-*"), ["a-b/x", "a-/dash"]),
                    (VariantFilter(name_glob="A*"), ["Ab/v"]),
                ]:
                    sql, params = select_variants(reader, flt)
                    assert sorted(r[1] for r in reader.rows(sql, params)) == sorted(want), flt
            finally:
                reader.close()
    finally:
        pg_drop_database(icu)
