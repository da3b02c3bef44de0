"""Publish the marts to a read-only copy that the dashboard and BI tools read.

Readers never see a half-built warehouse and never block a build:

* a build writes ``warehouse/revops.duckdb`` as before; nobody but dbt opens it;
* when the build and its checks passed (``run_results.json`` has no error or failure), :func:`publish` copies
  every table of the ``marts`` schema into a new file ``<published_dir>/revops_<build_id>.duckdb``, writes a
  ``_publish.manifest`` table into it, closes it, and only then swaps the pointer ``current.duckdb`` (a symlink)
  to it with ``os.replace`` (atomic on POSIX);
* readers call :func:`connect_published`, which resolves the pointer once and opens that file read-only, so a
  reader keeps its complete version until it reopens; old copies beyond ``keep`` are deleted (an open reader
  still holds its file: on POSIX an unlinked file lives until it is closed).

Personal data: columns tagged ``pii`` in yml (``config: {meta: {pii: true}, tags: [pii]}``) are replaced by a
salted SHA-256 (``pii:<16 hex>``, equal inputs give equal hashes, so counts and joins still work) unless
``REVOPS_PUBLISH_PII=1`` (or ``allow_pii=True``). Columns whose name says they hold an email, phone or person
name are masked too even when a yml forgot the tag (a safety net, logged as a warning).

    python -m revops.publish --help
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from revops import settings

log = logging.getLogger("revops.publish")

PUBLISHED_SCHEMA = "marts"
POINTER_NAME = "current.duckdb"
FILE_PATTERN = re.compile(r"^revops_(?P<build_id>[0-9A-Za-z_-]+)\.duckdb$")
# Safety net: column names that hold personal data whatever the yml says.
PII_NAME_PATTERN = re.compile(r"(^|_)(email|e_mail|phone|phone_e164|mobile|first_name|last_name|full_name)$")
DEFAULT_SALT = "revops-published-copy"  # set REVOPS_PII_SALT in production so hashes cannot be looked up


class PublishError(RuntimeError):
    """The build did not pass, or the warehouse holds nothing to publish; the message says what to do."""


@dataclass
class PublishResult:
    build_id: str
    path: Path
    pointer: Path
    tables: dict[str, int] = field(default_factory=dict)
    masked: dict[str, list[str]] = field(default_factory=dict)
    removed: list[Path] = field(default_factory=list)
    pii_allowed: bool = False


def published_dir() -> Path:
    """Folder of the published copies: ``$REVOPS_PUBLISHED_DIR`` or ``<warehouse folder>/published``."""
    value = os.environ.get("REVOPS_PUBLISHED_DIR")
    if value:
        path = Path(value)
        return path if path.is_absolute() else settings.PROJECT_DIR / path
    return settings.duckdb_path().parent / "published"


def pii_allowed_from_env() -> bool:
    return os.environ.get("REVOPS_PUBLISH_PII", "").strip().lower() in ("1", "true", "yes")


def check_build_passed(target_path: Path) -> None:
    """Raise PublishError unless ``<target_path>/run_results.json`` is a build with no error or failure."""
    results_file = Path(target_path) / "run_results.json"
    if not results_file.exists():
        raise PublishError(f"{results_file} not found: run `dbt build` (or `revops run`) before publishing")
    data = json.loads(results_file.read_text())
    command = (data.get("args") or {}).get("which")
    if command not in ("build", None):
        raise PublishError(f"{results_file} is from `dbt {command}`, not `dbt build`: build, then publish")
    bad = [f"{r['unique_id']} ({r['status']})" for r in data.get("results", []) if r["status"] in ("error", "fail")]
    if bad:
        raise PublishError(f"the last build has {len(bad)} failed nodes, nothing published: " + ", ".join(bad[:10]))


def pii_columns_from_manifest(manifest_path: Path | None) -> dict[str, set[str]]:
    """Model name -> columns tagged personal data (``meta.pii`` true or tag ``pii``) in dbt's manifest.json."""
    out: dict[str, set[str]] = {}
    if manifest_path is None or not Path(manifest_path).exists():
        return out
    manifest = json.loads(Path(manifest_path).read_text())
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        for column in node.get("columns", {}).values():
            config = column.get("config") or {}
            meta = {**(column.get("meta") or {}), **(config.get("meta") or {})}
            tags = set(column.get("tags") or []) | set(config.get("tags") or [])
            if meta.get("pii") in (True, "true", "yes") or "pii" in tags:
                out.setdefault(node.get("alias") or node["name"], set()).add(column["name"].lower())
    return out


def _mask_expression(column: str, salt: str) -> str:
    quoted = '"' + column.replace('"', '""') + '"'
    salt_sql = salt.replace("'", "''")
    return (f"case when {quoted} is null then null else 'pii:' || "
            f"substr(sha256('{salt_sql}' || lower(trim(cast({quoted} as varchar)))), 1, 16) end as {quoted}")


def _new_build_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def publish(database: Path | None = None, target_dir: Path | None = None, dbt_target: Path | None = None,
            build_id: str | None = None, allow_pii: bool | None = None, keep: int = 3, check_build: bool = True,
            schema: str = PUBLISHED_SCHEMA) -> PublishResult:
    """Copy ``<database>.<schema>`` to a new read-only file and point ``current.duckdb`` at it atomically.

    ``dbt_target`` is the build's dbt target folder: its run_results.json must show no error or failure (unless
    ``check_build`` is false) and its manifest.json's pii tags decide which columns are hashed.
    """
    database = Path(database or settings.duckdb_path())
    out_dir = Path(target_dir or published_dir())
    allow_pii = pii_allowed_from_env() if allow_pii is None else allow_pii
    salt = os.environ.get("REVOPS_PII_SALT") or DEFAULT_SALT
    if check_build:
        if dbt_target is None:
            raise PublishError("pass the build's dbt target folder (run_results.json) or check_build=False")
        check_build_passed(Path(dbt_target))
    manifest_path = Path(dbt_target) / "manifest.json" if dbt_target is not None else None
    if not database.exists():
        raise PublishError(f"warehouse {database} not found: run `revops run` first")
    tagged = pii_columns_from_manifest(manifest_path)

    out_dir.mkdir(parents=True, exist_ok=True)
    build_id = build_id or _new_build_id()
    final = out_dir / f"revops_{build_id}.duckdb"
    if final.exists():
        raise PublishError(f"{final} exists already: pass another build id")
    staging = out_dir / f".revops_{build_id}.duckdb.partial"
    staging.unlink(missing_ok=True)
    result = PublishResult(build_id=build_id, path=final, pointer=out_dir / POINTER_NAME, pii_allowed=allow_pii)

    con = duckdb.connect(str(staging))
    try:
        con.execute(f"attach '{database}' as src (read_only)")
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'src' and table_schema = ? "
            "order by 1", [schema]).fetchall()]
        if not tables:
            raise PublishError(f"{database} has no table in schema {schema!r}: the build produced no marts")
        con.execute(f'create schema "{schema}"')
        for table in tables:
            columns = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'src' "
                "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()]
            masked = []
            select = []
            for column in columns:
                is_tagged = column.lower() in tagged.get(table, set())
                by_name = bool(PII_NAME_PATTERN.search(column.lower()))
                if (is_tagged or by_name) and not allow_pii:
                    if by_name and not is_tagged:
                        log.warning("%s.%s.%s looks like personal data but has no pii tag in yml: masked anyway",
                                    schema, table, column)
                    select.append(_mask_expression(column, salt))
                    masked.append(column)
                else:
                    select.append('"' + column.replace('"', '""') + '"')
            con.execute(f'create table "{schema}"."{table}" as select {", ".join(select)} '
                        f'from src."{schema}"."{table}"')
            result.tables[table] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            if masked:
                result.masked[table] = masked
        con.execute("detach src")
        con.execute("create schema _publish")
        con.execute("create table _publish.manifest (build_id varchar, published_at timestamp, source varchar, "
                    "pii_allowed boolean, tables json, masked json)")
        con.execute("insert into _publish.manifest values (?, ?, ?, ?, ?, ?)", [
            build_id, datetime.now(timezone.utc).replace(tzinfo=None), str(database), allow_pii,
            json.dumps(result.tables), json.dumps(result.masked)])
        con.execute("checkpoint")
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        raise
    con.close()

    os.replace(staging, final)
    os.chmod(final, 0o444)
    swap_pointer(out_dir, final)
    result.removed = cleanup(out_dir, keep=keep)
    return result


def swap_pointer(out_dir: Path, target: Path) -> None:
    """Point ``current.duckdb`` at ``target`` atomically: a new symlink renamed over the old one."""
    tmp = out_dir / f".{POINTER_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target.name, tmp)
    os.replace(tmp, out_dir / POINTER_NAME)


def current_path(out_dir: Path | None = None) -> Path:
    """The file the pointer names now (resolved once: a reader keeps it until it asks again)."""
    out_dir = Path(out_dir or published_dir())
    pointer = out_dir / POINTER_NAME
    if not pointer.exists():
        raise FileNotFoundError(f"no published copy in {out_dir}: run `python -m revops.publish` after a build")
    return pointer.resolve()


def connect_published(out_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current published copy."""
    return duckdb.connect(str(current_path(out_dir)), read_only=True)


def cleanup(out_dir: Path, keep: int = 3) -> list[Path]:
    """Delete published copies older than the ``keep`` newest (never the current one) and stale partial files."""
    current = (out_dir / POINTER_NAME).resolve() if (out_dir / POINTER_NAME).exists() else None
    copies = sorted((p for p in out_dir.iterdir() if FILE_PATTERN.match(p.name)), key=lambda p: p.name, reverse=True)
    removed = []
    for old in copies[max(keep, 1):]:
        if current is not None and old.resolve() == current:
            continue
        old.unlink(missing_ok=True)
        removed.append(old)
    for partial in out_dir.glob(".revops_*.duckdb.partial"):
        if time.time() - partial.stat().st_mtime > 3600:  # an abandoned publish; a running one is younger
            partial.unlink(missing_ok=True)
            removed.append(partial)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revops.publish", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, help="built warehouse (default $REVOPS_DUCKDB_PATH)")
    parser.add_argument("--out", type=Path, help="published folder (default $REVOPS_PUBLISHED_DIR or "
                                                 "<warehouse folder>/published)")
    parser.add_argument("--target-path", type=Path, default=settings.dbt_target_dir(),
                        help="dbt target folder of the build (run_results.json, manifest.json); default "
                             "$DBT_TARGET_PATH, else target/")
    parser.add_argument("--build-id", help="name of the copy (default a UTC timestamp)")
    parser.add_argument("--keep", type=int, default=3, help="published copies to keep (default 3)")
    parser.add_argument("--allow-pii", action="store_true", help="publish personal data in clear "
                                                                 "(same as REVOPS_PUBLISH_PII=1)")
    parser.add_argument("--skip-build-check", action="store_true", help="publish even without a passing "
                                                                        "run_results.json (not for production)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        result = publish(database=args.database, target_dir=args.out, build_id=args.build_id,
                         dbt_target=args.target_path, allow_pii=True if args.allow_pii else None,
                         keep=args.keep, check_build=not args.skip_build_check)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the warehouse locked by another process: what to do, not a traceback
        if not settings.is_lock_error(exc):
            raise
        print(f"error: {settings.explain_error(exc)}", file=sys.stderr)
        return 2
    print(f"published {len(result.tables)} tables ({sum(result.tables.values()):,} rows) to {result.path}")
    masked = sum(len(v) for v in result.masked.values())
    print(f"   pointer {result.pointer} -> {result.path.name}; "
          + ("personal data published in clear (REVOPS_PUBLISH_PII)" if result.pii_allowed
             else f"{masked} personal-data columns hashed"))
    if result.removed:
        print(f"   removed {len(result.removed)} old copies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
