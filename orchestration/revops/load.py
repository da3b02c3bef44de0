"""Land raw export files in the warehouse as text relations, one per contract table.

Every column lands as text (staging casts and quarantines what does not parse), plus three lineage columns:
``_source_file`` (path relative to the raw folder), ``_source_row`` (1-based record number in the table's
files, in file order) and ``_loaded_at`` (from the file, NULL for the rows of a file without the column).

How a table lands depends on its files:
- CSV files are copied into a table (records that do not parse must be set aside while reading).
- Parquet files are read in place: the raw relation is a view over the files (one branch per file, its rows
  numbered from the file's row number and the rows of the files landed before it), so the build reads each
  file once instead of the loader copying it first. ``raw_meta.loaded_files`` keeps each file's size, mtime and
  first row; ``revops build`` refuses to start when a file under a view changed since it was landed
  (:func:`stale_raw_files`). ``copy_parquet=True`` (``revops load --copy``) copies Parquet into tables too, for
  export folders that do not stay in place.

What the loader does with damaged files, so nothing is lost and nothing crashes silently:
- a raw folder that is missing or holds no file of any contract table: :class:`RawFileError`, nothing loaded
  (it would land every table empty over the data loaded before);
- absent file (other tables' files present), empty file (or one of only blank lines): the table is created
  empty, with a warning; a file of only its header is a valid empty export (an empty table, no warning);
- blank lines (empty, or only spaces and tabs) before the header: skipped, the file read from a copy with its
  header first and those lines after it, left empty (DuckDB skips an empty line), so the rows keep their
  ``_source_row`` and their lines; a header error names the header's line;
- a contract column missing from the header: :class:`RawFileError` naming the file and the column;
- a column without a name (a header ending in a comma): ignored with a warning when every value in it is
  empty, else :class:`RawFileError` naming the file and the column's position;
- extra columns: kept (the contract allows added columns), also one named ``filename`` (DuckDB's readers name
  their column of the file read apart from it);
- records that cannot be parsed as CSV (broken quoting, wrong number of fields, bytes that are not UTF-8,
  a field over the size limit): landed in ``raw_meta.load_rejects`` with file, line (in the file, counted from
  the reject's byte position: DuckDB counts a record with line breaks as one line), column and reason, where
  ``raw_quarantine`` picks them up;
- a quote that opens a value and is never closed (DuckDB reads every line after it into that value, up to the
  next quote): that record alone is rejected (``UNTERMINATED QUOTE``, its line and column) and the file read
  again from a copy with its lines left empty, so the records after it load; a quoted value with line breaks,
  closed, stays one record. Only a file with a rejected record spanning lines is scanned and read again;
- a record that repeats its file's header (two exports joined: ``cat a.csv b.csv``; each value its column's
  name, spaces trimmed, any case): taken out of the rows landed into ``raw_meta.load_rejects``
  (``REPEATED HEADER``, its line), so no row with id ``id`` is staged; the rows after it keep their
  ``_source_row``. Only a file holding such a record is scanned for its line;
- lines ending in both CRLF and LF (which DuckDB's reader refuses): read from a copy with LF endings, with a
  warning;
- a file DuckDB cannot read at all: :class:`RawFileError` naming the file, never a bare DuckDB error.

A table is replaced atomically: its relation, its rows in ``raw_meta`` and the incremental models a full
reload drops change in one transaction, so a load that fails leaves the table as it was before.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import logging
import mmap
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from revops.contract import LOADED_AT, RawTable, raw_tables
from revops.settings import duckdb_memory_limit

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = ("_source_file", "_source_row", LOADED_AT)
# The column DuckDB's readers add with the path of the file read (their ``filename`` option): named apart from the
# file's own columns, so an export that adds a column ``filename`` lands it like any other extra column.
READER_FILE_COLUMN = "_revops_read_from"
# A CSV record longer than this (bytes) is rejected rather than loaded (DuckDB's max_line_size).
MAX_LINE_BYTES = 1_048_576

REJECTS_DDL = """
create table if not exists raw_meta.load_rejects (
    source_system varchar,
    source_table varchar,
    source_file varchar,
    line bigint,
    column_name varchar,
    error_type varchar,
    reason varchar,
    raw_record varchar
)
"""

FILES_DDL = """
create table if not exists raw_meta.loaded_files (
    source_system varchar,
    source_table varchar,
    source_file varchar,
    file_bytes bigint,
    file_mtime double,
    rows_loaded bigint,
    loaded_at timestamp
)
"""
# Added after the first release (a warehouse landed before has the table without them): where a file read in
# place lives, how it lands (table or view) and the number its first row gets.
FILES_MIGRATION = (
    "alter table raw_meta.loaded_files add column if not exists file_path varchar",
    "alter table raw_meta.loaded_files add column if not exists landing varchar",
    "alter table raw_meta.loaded_files add column if not exists first_row bigint",
)

LOAD_LOG_DDL = """
create table if not exists raw_meta.load_log (
    source_system varchar,
    source_table varchar,
    mode varchar,
    files bigint,
    loaded_at timestamp
)
"""


class RawFileError(ValueError):
    """A raw file that cannot be loaded at all; the message names the file, the column and what to do."""


class _Unreadable(Exception):
    """DuckDB failed on a statement reading raw files: ``probes`` holds (file, SQL reading only that file), to
    find which one it was once the table's transaction is rolled back."""

    def __init__(self, probes: list[tuple[Path, str]], error: duckdb.Error):
        super().__init__(str(error))
        self.probes = probes
        self.error = error


@dataclass(frozen=True)
class _BrokenRecord:
    """Lines ``first`` to ``last`` (1-based) of a CSV file, set aside as one record: a quote opens a value on
    line ``last`` and is never closed, or closes only on a later line and is followed there by more text (the
    opening quote of a later value), so a reader takes the lines after it into the value. ``start`` and ``end``
    are the record's bytes in the file that was scanned (its newline excluded)."""

    first: int
    last: int
    column: str | None
    text: str
    swallows: bool  # lines with records follow it: a reader would take them into it
    start: int
    end: int


class _SwallowedLines(Exception):
    """A CSV file in which an unterminated quote took the lines after it into one record: ``files`` holds
    (file, its broken records), to read the file again with those lines blanked."""

    def __init__(self, files: dict[Path, list[_BrokenRecord]]):
        super().__init__(", ".join(str(path) for path in files))
        self.files = files


class _BlankLinesFirst(Exception):
    """CSV files that start with blank lines before their header (DuckDB's reader would take the first as the
    header, and its ``skip`` miscounts empty lines): ``files`` holds (file, blank lines), to read each from a copy
    with its header first (:func:`_header_first_copy`)."""

    def __init__(self, files: dict[Path, int]):
        super().__init__(", ".join(str(path) for path in files))
        self.files = files


# DuckDB errors that say nothing about the file being read: passed on as they are.
_NOT_ABOUT_THE_FILE = (duckdb.OutOfMemoryException, duckdb.InterruptException)


def _read(con: duckdb.DuckDBPyConnection, sql: str, probes: list[tuple[Path, str]],
          params: list | None = None) -> duckdb.DuckDBPyConnection:
    """Run a statement that reads raw files (listed in ``probes``); a DuckDB error becomes :class:`_Unreadable`."""
    try:
        return con.execute(sql, params or [])
    except _NOT_ABOUT_THE_FILE:
        raise
    except duckdb.Error as exc:
        raise _Unreadable(probes, exc) from exc


def _file_error(path: Path, table: RawTable, error: BaseException) -> RawFileError:
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return RawFileError(
        f"{path}: this file of raw table {table.qualified_name} cannot be read ({message}); the table and its "
        "bookkeeping are left as they were. Re-export the file (or move it out of the raw folder) and load again."
    )


@dataclass
class TableLoad:
    table: RawTable
    files: list[Path] = field(default_factory=list)
    rows_loaded: int = 0
    rows_rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False
    mode: str = "full"
    in_place: bool = False  # Parquet read in place: the raw relation is a view over the files


class LoadResult(list[TableLoad]):
    """What :func:`load_all` landed: a :class:`TableLoad` per table, plus ``warnings`` on the raw folder as a
    whole (files that no table of the contract reads)."""

    def __init__(self, loads: Iterable[TableLoad] = (), warnings: Iterable[str] = ()):
        super().__init__(loads)
        self.warnings = list(warnings)


def file_kind(path: Path) -> str:
    """A raw file's format by its suffix, in any case (``.CSV``, ``.Parquet``): '.csv', '.parquet', or ''."""
    suffix = path.suffix.lower()
    return suffix if suffix in (".csv", ".parquet") else ""


def natural_key(name: str) -> list:
    """Sort key reading runs of digits as numbers: part-9 before part-10 (text order puts part-10 first)."""
    return [int(part) if n % 2 else part for n, part in enumerate(re.split(r"([0-9]+)", name))]


def _table_files(raw_dir: Path, table: RawTable) -> list[Path]:
    """A table's files in load order, which numbers its rows (``_source_row``): the later of two versions of a
    key without ``_loaded_at`` is the one with the higher number, so part files go in natural name order."""
    base = raw_dir / table.system
    if not base.is_dir():
        return []
    files = sorted((p for p in base.iterdir() if p.stem == table.table and file_kind(p) and p.is_file()),
                   key=lambda p: (file_kind(p), p.name))
    folder = base / table.table
    if folder.is_dir():
        files.extend(sorted((p for p in folder.iterdir() if file_kind(p) and p.is_file()),
                            key=lambda p: natural_key(p.name)))
    return files


def find_files(raw_dir: Path, table: RawTable) -> list[Path]:
    """The files of one raw table: ``<system>/<table>.csv|.parquet`` or ``<system>/<table>/*.csv|*.parquet``
    (suffixes in any case); files in folders below ``<system>/<table>/`` are not read (see :func:`unread_files`)."""
    files = _table_files(raw_dir, table)
    kinds = {file_kind(p) for p in files}
    if len(kinds) > 1:
        raise RawFileError(
            f"{raw_dir / table.system}: table {table.qualified_name} has both CSV and Parquet files "
            f"({', '.join(map(str, files))}); "
            "keep one format per table."
        )
    return files


def table_of_file(relative: Path) -> tuple[str, str] | None:
    """(system, table) of a file by its place in the raw folder (``relative`` to it): ``<system>/<table>.<ext>``
    or ``<system>/<table>/<file>``; None anywhere else (at the top, or in a folder below a table's)."""
    parts = relative.parts
    if len(parts) == 2:
        return parts[0], Path(parts[1]).stem
    if len(parts) == 3:
        return parts[0], parts[1]
    return None


def unread_files(raw_dir: Path, limit: int | None = None) -> list[str]:
    """Every file under ``raw_dir`` that no table of the contract reads, each as ``<file>: not read (<why>)``:
    an unknown system or table, a folder below a table's, a suffix other than .csv or .parquet. Hidden files
    (``.DS_Store``, ``.gitkeep``) are left out. With ``limit``, the first that many found (in no order)."""
    known = {(t.system, t.table) for t in raw_tables()}
    names = sorted(f"{system}.{table}" for system, table in known)
    found: list[str] = []
    for path in sorted(raw_dir.rglob("*")) if limit is None else raw_dir.rglob("*"):
        if limit is not None and len(found) >= limit:
            break
        relative = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        place = table_of_file(relative)
        if len(relative.parts) == 1:
            why = "not in a <system>/ folder: the loader reads <system>/<table>.csv|.parquet"
        elif len(relative.parts) > 3 and tuple(relative.parts[:2]) in known:
            why = (f"in a nested folder: only the files directly in {relative.parts[0]}/{relative.parts[1]}/ are "
                   f"read as raw table {relative.parts[0]}.{relative.parts[1]}")
        elif place in known and not file_kind(path):
            why = f"unsupported suffix '{path.suffix}': only .csv and .parquet files are read"
        elif place in known:
            continue
        else:
            system, table = place or relative.parts[:2]
            close = difflib.get_close_matches(f"{system}.{table}", names, n=1)
            why = (f"unknown table {system}.{table}: "
                   + ("no such table in the raw contract" if any(system == s for s, _ in known)
                      else f"the raw contract has no system '{system}'")
                   + (f"; did you mean {close[0]}?" if close else ""))
        found.append(f"{path}: not read ({why})")
    return found


def raw_folder_problem(raw_dir: Path) -> str | None:
    """Why ``raw_dir`` cannot be loaded at all, or None. A folder that is missing or holds no file of any
    table of the contract (a wrong REVOPS_RAW_DIR, an unmounted share) is not loaded: every raw table would land
    empty over the data landed before. One table without a file among others lands empty, with a warning."""
    if not raw_dir.is_dir():
        return f"raw folder {raw_dir} not found"
    if not any(_table_files(raw_dir, table) for table in raw_tables()):
        return f"raw folder {raw_dir} holds no file of any contract table"
    return None


def check_raw_folder(raw_dir: Path) -> None:
    """Raise :class:`RawFileError` saying what to do when ``raw_dir`` cannot be loaded (:func:`raw_folder_problem`)."""
    problem = raw_folder_problem(raw_dir)
    if problem is None:
        return
    unread = unread_files(raw_dir, limit=3) if raw_dir.is_dir() else []
    raise RawFileError(
        problem + (f" ({'; '.join(unread)}{'; ...' if len(unread) == 3 else ''})" if unread else "")
        + ". Nothing was loaded (the warehouse keeps the raw tables it has). Generate the sample "
        "(revops generate) or set REVOPS_RAW_DIR to the folder of your exports (<system>/<table>.csv|.parquet)."
    )


def _csv_header(path: Path) -> tuple[list[str] | None, int]:
    """Header of a CSV file, lower-cased and trimmed (None when the file is empty or holds only blank lines), and
    the blank lines before it (:func:`_leading_blank_lines`)."""
    blank, offset = _leading_blank_lines(path)
    with path.open("rb") as raw:
        raw.seek(offset)
        with io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as handle:
            try:
                header = next(csv.reader(handle))
            except StopIteration:
                return None, blank
    if len(header) == 1 and not header[0].strip():  # a last line of spaces without a line end
        return None, blank
    return [h.strip().lower() for h in header], blank


_BOM = b"\xef\xbb\xbf"


def _leading_blank_lines(path: Path, chunk_bytes: int = 1 << 16) -> tuple[int, int]:
    """(number, bytes) of the blank lines a CSV file starts with: lines empty or of spaces and tabs only (the first
    may start with a byte order mark). Reads only those lines and the first line after them, up to a point."""
    blank = offset = 0
    with path.open("rb") as handle:
        if handle.read(len(_BOM)) != _BOM:
            handle.seek(0)
        while line := handle.readline(chunk_bytes):
            if line.strip():
                break
            if line.endswith(b"\n"):
                blank, offset = blank + 1, handle.tell()
    return blank, offset


def _header_first_copy(path: Path, copy: Path, chunk_bytes: int = 1 << 24) -> Path:
    """Write the CSV file ``path``, which starts with blank lines, to ``copy`` with its header first and those lines
    after it, left empty (in the header's line ending): DuckDB skips an empty line, and every line after them keeps
    its number (a reject's line is counted in the copy)."""
    blank, offset = _leading_blank_lines(path)
    with path.open("rb") as src:
        src.seek(offset)
        text = io.TextIOWrapper(src, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text)
        next(reader, None)
        header_lines = max(reader.line_num, 1)  # a quoted name may hold line breaks
        text.detach()
        src.seek(offset)
        header = b"".join(src.readline() for _ in range(header_lines))
        ending = b"\r\n" if header.endswith(b"\r\n") else b"\n"
        with copy.open("wb") as dst:
            dst.write(header.removesuffix(b"\n").removesuffix(b"\r") + ending + ending * blank)
            while chunk := src.read(chunk_bytes):
                dst.write(chunk)
    return copy


def _parquet_header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    sql = "select name from parquet_schema(?) where num_children is null"
    rows = _read(con, sql, [(path, _parquet_probe(path))], [str(path)]).fetchall()
    return [r[0].lower() for r in rows]


def _parquet_probe(path: Path) -> str:
    return f"select * from read_parquet({_sql_str(str(path.resolve()))})"


def _file_offsets(con: duckdb.DuckDBPyConnection, paths: list[Path], start: int) -> str:
    """SQL: for read_parquet's file column (:data:`READER_FILE_COLUMN`), the rows of the files before it in
    ``paths`` (plus ``start``)."""
    cases, offset = [], start
    for path in paths:
        cases.append(f"when {_sql_str(str(path.resolve()))} then {offset}")
        offset += _parquet_rows(con, path)
    return f"(case {READER_FILE_COLUMN} {' '.join(cases)} end)"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_header(path: Path, header: list[str], table: RawTable,
                  values_in: Callable[[int], int] | None = None, line: int = 1) -> tuple[list[str], list[str]]:
    """Check a file's header (on ``line`` of the file) against the contract: (its extra columns, to keep; warnings).

    A column without a name (a header ending in a comma) is left out with a warning when no row has a value in
    it, else it is an error; ``values_in(position)`` counts the rows with a value in the column at that
    position (1-based). Without it (Parquet) a column without a name is always an error."""
    at = "row 1" if line == 1 else f"line {line}, after {line - 1} blank line{'s' if line > 2 else ''}"
    warnings = []
    for position, name in enumerate(header, 1):
        if name:
            continue
        filled = values_in(position) if values_in else None
        if filled == 0:
            warnings.append(f"{path}: column {position} of the header ({at}) has no name and no value in any row; "
                            "ignored")
            continue
        raise RawFileError(
            f"{path}: column {position} of the header ({at}) has no name"
            + (f" but {filled} row(s) have a value in it" if filled else "")
            + ". Name the column in the export (or drop it), so the loader knows what it holds."
        )
    named = [c for c in header if c]
    missing = [c for c in table.columns if c not in named]
    if missing:
        raise RawFileError(
            f"{path}: column '{missing[0]}' of raw table {table.qualified_name} is missing from the header "
            f"({at}){' (also missing: ' + ', '.join(missing[1:]) + ')' if len(missing) > 1 else ''}. "
            f"The header has: {', '.join(named)}. Add the column (it may be empty) or map the export onto "
            "the contract in models/staging/<system>/_<system>__sources.yml."
        )
    duplicated = sorted({c for c in named if named.count(c) > 1})
    if duplicated:
        raise RawFileError(f"{path}: column '{duplicated[0]}' appears twice in the header ({at}); keep one.")
    if READER_FILE_COLUMN in named:
        raise RawFileError(f"{path}: column '{READER_FILE_COLUMN}' of the header ({at}) is the name the loader reads "
                           "the file's path under; rename the column in the export (or drop it).")
    return [c for c in named if c not in table.columns and c not in LINEAGE_COLUMNS], warnings


def _unnamed(position: int) -> str:
    """The name a column without one is read under (1-based position in the header); never landed."""
    return f"_unnamed_column_{position}"


def _values_in_column(con: duckdb.DuckDBPyConnection, path: Path, header: list[str], position: int,
                      copy: Path | None) -> int:
    """Rows of a CSV file with a value (not blank) in the column at ``position`` (1-based) of its header."""
    reader = _csv_reader(path, header, copy, rejects="revops_probe")
    sql = f"select count(*) from ({reader}) where nullif(trim({_quote(_unnamed(position))}), '') is not null"
    filled = _read(con, sql, [(path, reader)]).fetchone()[0]
    for name in ("revops_probe_rejects", "revops_probe_scans"):
        con.execute(f"drop table if exists {name}")
    return filled


def _select_list(table: RawTable, extras: Iterable[str], has_loaded_at: bool, raw_dir: Path) -> str:
    cols = [f"cast({_quote(c)} as varchar) as {_quote(c)}" for c in table.columns]
    cols += [f"cast({_quote(c)} as varchar) as {_quote(c)}" for c in extras]
    prefix = str(raw_dir.resolve()) + "/"
    cols.append(f"replace({READER_FILE_COLUMN}, {_sql_str(prefix)}, '') as _source_file")
    cols.append(
        f"cast({_quote(LOADED_AT)} as varchar) as {LOADED_AT}" if has_loaded_at
        else f"cast(null as varchar) as {LOADED_AT}"
    )
    return ",\n    ".join(cols)


def _empty_table(con: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    cols = [f"{_quote(c)} varchar" for c in table.columns]
    cols += ["_source_file varchar", "_source_row bigint", f"{LOADED_AT} varchar"]
    con.execute(f"create or replace table {table.schema}.{_quote(table.table)} ({', '.join(cols)})")


def _file_state(raw_dir: Path, path: Path) -> tuple[str, int, float]:
    stat = path.stat()
    return str(path.resolve().relative_to(raw_dir.resolve())), stat.st_size, stat.st_mtime


def _previous_files(con: duckdb.DuckDBPyConnection, table: RawTable) -> dict[str, tuple[int, float]] | None:
    """Files landed last time for this table, or None when the raw table does not exist yet."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [table.schema, table.table],
    ).fetchone()[0]
    if not exists:
        return None
    rows = con.execute(
        "select source_file, file_bytes, file_mtime from raw_meta.loaded_files "
        "where source_system = ? and source_table = ?",
        [table.system, table.table],
    ).fetchall()
    return {name: (size, mtime) for name, size, mtime in rows}


def plan_load(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: RawTable, files: list[Path],
              full_refresh: bool = False) -> tuple[str, list[Path]]:
    """Decide how to land a table: ("skip", []) when no file changed, ("append", new files) when files were
    only added after those landed (part files of an append-mostly table), else ("full", all files)."""
    previous = None if full_refresh else _previous_files(con, table)
    if previous is None:
        return "full", files
    current = {_file_state(raw_dir, p)[0]: p for p in files}
    unchanged = all(
        name in current and _file_state(raw_dir, current[name])[1:] == state for name, state in previous.items()
    )
    if not unchanged or not previous and files:
        return "full", files
    added = [path for name, path in current.items() if name not in previous]
    # rows are numbered in load order (natural file-name order), and the later number wins between versions of a
    # key without _loaded_at: a file that sorts before one already landed is reloaded with the rest, so the
    # table is numbered as a full load would number it (and an incremental build equals a full one)
    order = {name: n for n, name in enumerate(current)}
    if added and min(order[_file_state(raw_dir, p)[0]] for p in added) < max(
            (order[name] for name in previous), default=-1):
        return "full", files
    return ("append", added) if added else ("skip", [])


def _relation_kind(con: duckdb.DuckDBPyConnection, table: RawTable) -> str | None:
    """'VIEW' or 'BASE TABLE' for the landed relation of ``table``; None when it does not exist."""
    row = con.execute(
        "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
        [table.schema, table.table],
    ).fetchone()
    return row[0] if row else None


def _drop_relation(con: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    """Drop the landed relation, whichever kind it is (DuckDB will not replace a view by a table)."""
    kind = _relation_kind(con, table)
    if kind is not None:
        con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} {table.schema}.{_quote(table.table)}")


def _parquet_rows(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    return _read(con, "select coalesce(sum(num_rows), 0) from parquet_file_metadata(?)", [(path, _parquet_probe(path))],
                 [str(path.resolve())]).fetchone()[0]


def load_table(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: RawTable,
               full_refresh: bool = False, copy_parquet: bool = False) -> TableLoad:
    """Land one raw table and record its rejected records.

    Unchanged files are not read again. When files were only added (new part files), only those are
    appended, with ``_source_row`` continuing the table's numbering, so incremental models downstream pick
    up exactly the new rows. Any other change (a file edited, replaced or removed) reloads the whole table
    and drops the incremental models built on it (``staging.base_<system>__<table>`` and those in
    ``contract.INCREMENTAL_DOWNSTREAM``), which the next ``dbt build`` then rebuilds in full.

    A raw folder that is missing or holds no file of any contract table is an error (:func:`check_raw_folder`),
    not every table landed empty. All of it happens in one transaction: when a file cannot be read
    (:class:`RawFileError`, naming it) or anything else fails, the table, its rows in ``raw_meta`` and those
    incremental models stay as they were.
    """
    started = time.perf_counter()
    check_raw_folder(raw_dir)
    files = find_files(raw_dir, table)
    con.execute(f"create schema if not exists {table.schema}")
    # CSV file -> the copy read instead: with its header before the blank lines it started with (their number, in
    # ``blank_first``), with LF line endings (lines ending in both CRLF and LF, in ``mixed``), and with the lines of
    # its records broken by an unterminated quote left empty (in ``broken``); each copy made from the one before
    normalised: dict[Path, Path] = {}
    blank_first: dict[Path, int] = {}
    mixed: list[Path] = []
    broken: dict[Path, list[_BrokenRecord]] = {}
    scratch: tempfile.TemporaryDirectory | None = None
    copies = 0
    try:
        while True:
            con.execute("begin transaction")
            try:
                result = _land_table(con, raw_dir, table, files, full_refresh, copy_parquet, normalised, broken,
                                     blank_first)
                con.execute("commit")
                break
            except _Unreadable as failed:
                _rollback(con)
                _drop_rejects(con)
                unread = [path for path, _ in failed.probes if path not in mixed and file_kind(path) == ".csv"
                          and _mixed_line_endings(normalised.get(path, path))]
                if not unread:
                    raise _unreadable_error(con, table, failed) from failed.error
                # DuckDB's CSV reader stops on such a file: read it again from a copy with LF line endings.
                scratch = scratch or tempfile.TemporaryDirectory(prefix="revops_load_")
                for path in unread:
                    copies += 1
                    normalised[path] = _lf_copy(normalised.get(path, path),
                                                Path(scratch.name) / f"{copies}_{path.name}")
                    mixed.append(path)
            except _BlankLinesFirst as found:
                # DuckDB would read the first blank line as the header: read the file from a copy with its
                # header first (made before any other copy of it).
                _rollback(con)
                scratch = scratch or tempfile.TemporaryDirectory(prefix="revops_load_")
                for path, blank in found.files.items():
                    copies += 1
                    normalised[path] = _header_first_copy(path, Path(scratch.name) / f"{copies}_{path.name}")
                    blank_first[path] = blank
            except _SwallowedLines as found:
                # An unterminated quote took the lines after it into one rejected record: read the file again
                # from a copy with that record's lines left empty, and reject that record alone.
                _rollback(con)
                _drop_rejects(con)
                scratch = scratch or tempfile.TemporaryDirectory(prefix="revops_load_")
                for path, records in found.files.items():
                    copies += 1
                    copy = Path(scratch.name) / f"{copies}_{path.name}"
                    normalised[path] = _blank_copy(normalised.get(path, path), copy, records)
                    broken.setdefault(path, []).extend(records)
            except BaseException:
                _rollback(con)
                raise
            finally:
                con.execute("reset preserve_insertion_order")  # a setting, not rolled back with the transaction
    finally:
        if scratch is not None:
            scratch.cleanup()
    result.warnings += [f"{path}: lines end in both CRLF and LF; read with LF line endings" for path in mixed]
    result.seconds = time.perf_counter() - started
    return result


def _mixed_line_endings(path: Path, chunk_bytes: int = 1 << 24) -> bool:
    """Whether some lines of ``path`` end in CRLF and others in a bare LF."""
    crlf = lf = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            lf += chunk.count(b"\n")
            if 0 < crlf < lf:
                return True
            last = chunk[-1:]
    return False


def _lf_copy(path: Path, copy: Path, chunk_bytes: int = 1 << 24) -> Path:
    """Write ``path`` to ``copy`` with every CRLF turned into LF (the lines, and their numbers, stay the same;
    a CRLF inside a quoted field becomes LF too)."""
    with path.open("rb") as src, copy.open("wb") as dst:
        carry = b""
        while chunk := src.read(chunk_bytes):
            chunk = carry + chunk
            chunk, carry = (chunk[:-1], b"\r") if chunk.endswith(b"\r") else (chunk, b"")
            dst.write(chunk.replace(b"\r\n", b"\n"))
        dst.write(carry)
    return copy


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("rollback")
    except duckdb.TransactionException:  # a failed commit has rolled back already
        pass


def _unreadable_error(con: duckdb.DuckDBPyConnection, table: RawTable, failed: _Unreadable) -> RawFileError:
    """A :class:`RawFileError` naming the file a failed statement could not read: each file is read again on
    its own (outside the rolled-back transaction) until one fails; if none does alone, all are named."""
    for path, sql in failed.probes if len(failed.probes) > 1 else ():
        try:
            con.execute(f"select max(hash(columns(*))) from ({sql}) as probe").fetchall()
        except duckdb.Error as exc:
            return _file_error(path, table, exc)
        finally:
            for name in ("revops_probe_rejects", "revops_probe_scans"):
                con.execute(f"drop table if exists {name}")
    named = ", ".join(str(path) for path, _ in failed.probes) or table.qualified_name
    return _file_error(Path(named), table, failed.error)


def _land_table(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: RawTable, files: list[Path],
                full_refresh: bool, copy_parquet: bool, normalised: dict[Path, Path],
                broken: dict[Path, list[_BrokenRecord]], blank_first: dict[Path, int]) -> TableLoad:
    """:func:`load_table` inside its transaction (CSV files in ``normalised`` read from their copy, the records
    in ``broken`` rejected with the lines left empty in it, those in ``blank_first`` with their header moved
    before the blank lines they start with). Raises :class:`_BlankLinesFirst` when a CSV file not read from such a
    copy starts with blank lines, before reading any file, and :class:`_SwallowedLines` when an unterminated quote
    took the lines after it into one rejected record."""
    result = TableLoad(table=table, files=files)
    mode, todo = plan_load(con, raw_dir, table, result.files, full_refresh)
    in_place = not copy_parquet and bool(result.files) and file_kind(result.files[0]) == ".parquet"
    kind = _relation_kind(con, table)
    if mode != "full" and kind is not None and (kind == "VIEW") != in_place:
        # The files land another way than last time (--copy given or dropped, a warehouse landed before
        # Parquet was read in place): land the table again, in full.
        mode, todo = "full", result.files
    result.mode = mode
    if mode == "skip":
        result.skipped = True
        return result
    if mode == "full":
        for sql in ("delete from raw_meta.load_rejects where source_system = ? and source_table = ?",
                    "delete from raw_meta.loaded_files where source_system = ? and source_table = ?"):
            con.execute(sql, [table.system, table.table])
        for relation in table.incremental_relations:
            con.execute(f"drop table if exists {relation}")

    readable: list[tuple[Path, list[str]]] = []
    header_line: dict[Path, int] = {}  # the file's line its header is on, when not the first
    blank_lines: dict[Path, int] = {}  # CSV files starting with blank lines, not read from a copy yet
    for path in todo:
        header, blank = (_parquet_header(con, path), 0) if file_kind(path) == ".parquet" else _csv_header(path)
        if not header:
            result.warnings.append(f"{path}: empty file{' (only blank lines)' if blank else ''}, read as no rows")
            continue
        if blank:
            header_line[path] = blank + 1
            if blank_first.get(path) != blank:
                blank_lines[path] = blank
        readable.append((path, header))
    if blank_lines:
        raise _BlankLinesFirst(blank_lines)
    if not result.files:
        result.warnings.append(
            f"{raw_dir / table.system / table.table}.csv|.parquet: no file for raw table "
            f"{table.qualified_name}; it builds as empty"
        )

    target = f"{table.schema}.{_quote(table.table)}"
    if not readable:
        if mode == "full":
            _drop_relation(con, table)
            _empty_table(con, table)
        _record_files(con, raw_dir, table, todo, mode, landing="table")
        return result

    extras: list[str] = []
    has_loaded_at = False  # any file with the column: the readers fill NULL for the files without it (by name)
    for path, header in readable:
        values_in = None if file_kind(path) == ".parquet" else (
            lambda position, path=path, header=header: _values_in_column(con, path, header, position,
                                                                          normalised.get(path)))
        file_extras, warnings = _check_header(path, header, table, values_in, header_line.get(path, 1))
        result.warnings += warnings
        extras += [extra for extra in file_extras if extra not in extras]
        has_loaded_at = has_loaded_at or LOADED_AT in header
    if mode == "append":
        existing = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [table.schema, table.table]).fetchall()}
        if any(extra not in existing for extra in extras):
            # A new column arrived with the new files: land the whole table again.
            return _land_table(con, raw_dir, table, files, True, copy_parquet, normalised, broken, blank_first)
    if extras:
        result.warnings.append(f"{table.qualified_name}: extra columns kept as text: {', '.join(extras)}")
    if in_place:
        result.in_place = True
        _land_in_place(con, raw_dir, table, result, readable, todo, mode)
        return result

    parquet = file_kind(readable[0][0]) == ".parquet"
    if parquet:
        files_sql = "[" + ", ".join(_sql_str(str(p.resolve())) for p, _ in readable) + "]"
        reader = (f"read_parquet({files_sql}, filename = {_sql_str(READER_FILE_COLUMN)}, union_by_name = true, "
                  "file_row_number = true)")
        probes = [(p, _parquet_probe(p)) for p, _ in readable]
    else:
        # Each file is read by its own header (columns may come in any order), every field as text.
        reader = "(" + " union all by name ".join(_csv_reader(p, h, normalised.get(p)) for p, h in readable) + ")"
        probes = [(p, _csv_reader(p, h, normalised.get(p), rejects="revops_probe")) for p, h in readable]

    select_sql = _select_list(table, extras, has_loaded_at, raw_dir)
    offset = 0 if mode == "full" else con.execute(f"select coalesce(max(_source_row), 0) from {target}").fetchone()[0]
    before = 0 if mode == "full" else con.execute(f"select count(*) from {target}").fetchone()[0]
    if parquet:
        # Rows numbered from each file's row number and the rows of the files before it (Parquet metadata):
        # the same numbering as a window over the files in order, without one (a window and insertion order
        # made DuckDB write the table on one thread: 3-4x slower at 10 M rows).
        row_number = f"{_file_offsets(con, [p for p, _ in readable], offset)} + file_row_number + 1"
        numbered = f"select\n    {select_sql},\n    {row_number} as _source_row\nfrom {reader}"
        con.execute("set preserve_insertion_order = false")
    else:
        numbered = (f"select *, {offset} + row_number() over () as _source_row from (select\n    {select_sql}\n"
                    f"from {reader}) as landed")
    if mode == "full":
        _drop_relation(con, table)
        _read(con, f"create table {target} as\n{numbered}", probes)
    else:
        _read(con, f"insert into {target} by name\n{numbered}", probes)
    result.rows_loaded = con.execute(f"select count(*) from {target}").fetchone()[0] - before
    if not parquet:
        swallowed = _swallowing_quotes(con, readable, normalised)
        if swallowed:
            raise _SwallowedLines(swallowed)
        result.rows_rejected = _collect_rejects(con, table, raw_dir, normalised,
                                                {path: broken[path] for path, _ in readable if path in broken})
        repeated = _reject_repeated_headers(con, table, raw_dir, target, readable, normalised, offset,
                                            [*table.columns, *extras, *([LOADED_AT] if has_loaded_at else [])])
        result.rows_loaded -= repeated
        result.rows_rejected += repeated
    _record_files(con, raw_dir, table, todo, mode, landing="table")
    if result.rows_rejected:
        result.warnings.append(
            f"{table.qualified_name}: {result.rows_rejected} record(s) could not be parsed and went to "
            "raw_meta.load_rejects (see raw_quarantine)"
        )
    return result


def _land_in_place(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: RawTable, result: TableLoad,
                   readable: list[tuple[Path, list[str]]], todo: list[Path], mode: str) -> None:
    """Land Parquet files as a view over them: one ``union all by name`` branch per file, its rows numbered
    ``first_row + file_row_number + 1``. The first rows are fixed when a file lands (files landed before keep
    theirs, new ones are numbered on), so appending a part file numbers only its rows anew, and a filter on
    ``_source_row`` above the last build's maximum skips the older files without reading them."""
    files: list[tuple[Path, list[str], int, int]] = []  # path, header, first row, rows
    next_row = 0
    if mode == "append":
        for file_path, first_row, rows in con.execute(
            "select file_path, first_row, rows_loaded from raw_meta.loaded_files where source_system = ? "
            "and source_table = ? and first_row is not null order by first_row",
            [table.system, table.table],
        ).fetchall():
            files.append((Path(file_path), _parquet_header(con, Path(file_path)), first_row, rows))
            next_row = max(next_row, first_row + rows)
    for path, header in readable:
        rows = _parquet_rows(con, path)
        files.append((path, header, next_row, rows))
        result.rows_loaded += rows
        next_row += rows
    if not files:  # only empty files so far
        result.in_place = False
        _drop_relation(con, table)
        _empty_table(con, table)
        _record_files(con, raw_dir, table, todo, mode, landing="table")
        return

    extras: list[str] = []
    for path, header, _, _ in files:
        extras += [c for c in header if c not in table.columns and c not in LINEAGE_COLUMNS and c not in extras]
    branches = []
    for path, header, first_row, _ in files:
        cols = [f"cast({_quote(c)} as varchar) as {_quote(c)}" for c in [*table.columns, *extras] if c in header]
        cols.append(f"{_sql_str(_file_state(raw_dir, path)[0])} as _source_file")
        cols.append(f"cast({_quote(LOADED_AT)} as varchar) as {LOADED_AT}" if LOADED_AT in header
                    else f"cast(null as varchar) as {LOADED_AT}")
        cols.append(f"cast({first_row} + file_row_number + 1 as bigint) as _source_row")
        branches.append(f"select {', '.join(cols)}\nfrom read_parquet({_sql_str(str(path.resolve()))}, "
                        "file_row_number = true)")
    _drop_relation(con, table)
    _read(con, f"create view {table.schema}.{_quote(table.table)} as\n" + "\nunion all by name\n".join(branches),
          [(path, _parquet_probe(path)) for path, _, _, _ in files])
    first_rows = {str(path.resolve()): (first_row, rows) for path, _, first_row, rows in files}
    _record_files(con, raw_dir, table, todo, mode, landing="view", first_rows=first_rows)


def _record_files(con: duckdb.DuckDBPyConnection, raw_dir: Path, table: RawTable, files: list[Path],
                  mode: str, landing: str, first_rows: dict[str, tuple[int, int]] | None = None) -> None:
    """Remember the files landed (to skip or append next time) and log the load (``mode`` full or append):
    ``revops build --changed`` rebuilds what is downstream of the tables loaded since the last good build.
    For files read in place (``landing`` view) also their path, first row and rows."""
    con.execute(LOAD_LOG_DDL)
    con.execute("insert into raw_meta.load_log values (?, ?, ?, ?, current_timestamp)",
                [table.system, table.table, mode, len(files)])
    for path in files:
        name, size, mtime = _file_state(raw_dir, path)
        first_row, rows = (first_rows or {}).get(str(path.resolve()), (None, None))
        con.execute(
            "insert into raw_meta.loaded_files (source_system, source_table, source_file, file_bytes, file_mtime, "
            "rows_loaded, loaded_at, file_path, landing, first_row) "
            "values (?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?)",
            [table.system, table.table, name, size, mtime, rows, str(path.resolve()), landing, first_row],
        )


def _files_read_in_place(con: duckdb.DuckDBPyConnection, columns: str = "") -> list[tuple]:
    """(``system.table``, file path, *columns) of each Parquet file landed as a view, by table and path; none in a
    warehouse landed before the loader recorded how it landed a file."""
    has_column = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw_meta' "
        "and table_name = 'loaded_files' and column_name = 'landing'"
    ).fetchone()[0]
    if not has_column:
        return []
    return con.execute(
        f"select source_system || '.' || source_table, file_path{', ' + columns if columns else ''} "
        "from raw_meta.loaded_files where landing = 'view' order by 1, 2"
    ).fetchall()


def stale_raw_files(database: Path | str) -> list[str]:
    """Files read in place (Parquet landed as views) that changed or went away since they were landed: a
    build would read other rows than the loader numbered. Empty when all is as landed."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = _files_read_in_place(con, "file_bytes, file_mtime")
    problems = []
    for table, file_path, size, mtime in rows:
        path = Path(file_path)
        if not path.is_file():
            problems.append(f"{table}: {path} is gone")
        elif (path.stat().st_size, path.stat().st_mtime) != (size, mtime):
            problems.append(f"{table}: {path} changed since it was landed")
    return problems


def unreadable_raw_files(database: Path | str, tables: list[tuple[str, str]]) -> list[str]:
    """Of these raw tables (system, table), the Parquet files read in place whose rows DuckDB cannot decode, each
    with DuckDB's error: empty when every file reads whole.

    `revops load` reads a Parquet file's footer (its schema and row count), not its data, so a damaged data page
    behind a sound footer lands, and the parse model that reads the table fails with DuckDB's error, which may
    not name the file ("don't know what type:"). This reads each file of those tables whole, so it runs after a
    failed build, not on every load."""
    if not tables:
        return []
    wanted = {f"{system}.{table}" for system, table in tables}
    with duckdb.connect(str(database), read_only=True) as con:
        problems = []
        for table, file_path in _files_read_in_place(con):
            if table not in wanted or not Path(file_path).is_file():
                continue
            try:  # hashing every row decodes every value of every column
                con.execute(f"select sum(hash(t)) from read_parquet({_sql_str(file_path)}) as t").fetchone()
            except duckdb.Error as exc:
                first_line = "".join(  # DuckDB's message may quote the damaged bytes: shown escaped
                    ch if ch.isprintable() else ch.encode("unicode_escape").decode()
                    for ch in (str(exc).strip().splitlines() or [type(exc).__name__])[0])
                problems.append(f"{table}: {file_path} cannot be read whole (a damaged data page or value: "
                                f"{first_line}); export it again, or move it out of the raw folder and run "
                                "`revops load`")
    return problems


def _csv_reader(path: Path, header: list[str], copy: Path | None = None, rejects: str = "revops") -> str:
    """SQL reading one CSV file (from ``copy`` if given, its file column :data:`READER_FILE_COLUMN` still the
    file's) by its header, every field as text; records that do not parse go to the temporary tables
    ``<rejects>_rejects`` and ``_scans``."""
    filename = f" replace ({_sql_str(str(path.resolve()))} as {READER_FILE_COLUMN})" if copy else ""
    return (
        f"select *{filename} from read_csv({_sql_str(str((copy or path).resolve()))}, columns = {_columns(header)}, "
        "header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, strict_mode = true, filename = {_sql_str(READER_FILE_COLUMN)}, store_rejects = true, "
        f"rejects_table = '{rejects}_rejects', rejects_scan = '{rejects}_scans', "
        f"max_line_size = {MAX_LINE_BYTES}, null_padding = false)"
    )


def _columns(header: list[str]) -> str:
    """A read_csv ``columns`` struct reading every field of this header as text (a column without a name under
    the name :func:`_unnamed` gives it)."""
    names = [h or _unnamed(position) for position, h in enumerate(header, 1)]
    return "{" + ", ".join(f"{_sql_str(h)}: 'VARCHAR'" for h in names) + "}"


def _collect_rejects(con: duckdb.DuckDBPyConnection, table: RawTable, raw_dir: Path,
                     normalised: dict[Path, Path], broken: dict[Path, list[_BrokenRecord]]) -> int:
    """Land the records DuckDB rejected, and ``broken`` (records with an unterminated quote, left out of the
    copy read), in ``raw_meta.load_rejects``, one row per record; the number of records."""
    rows = [
        [table.system, table.table, _file_state(raw_dir, path)[0], record.first, record.column, "UNTERMINATED QUOTE",
         f"UNTERMINATED QUOTE at line {record.first}" + (f" in column {record.column}" if record.column else "")
         + ": a quoted value opens here and is never properly closed; the record is set aside alone and the "
           "lines after it are read as records",
         record.text]
        for path, records in broken.items() for record in records
    ]
    if rows:
        con.executemany("insert into raw_meta.load_rejects values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'revops_rejects' and temporary"
    ).fetchone()[0]
    if not exists:
        return len(rows)
    prefix = str(raw_dir.resolve()) + "/"
    file_path = "s.file_path"  # the file's path, also for a record read from its copy with LF line endings
    if normalised:
        cases = " ".join(f"when {_sql_str(str(copy.resolve()))} then {_sql_str(str(path.resolve()))}"
                         for path, copy in normalised.items())
        file_path = f"(case s.file_path {cases} else s.file_path end)"
    _reject_lines(con)
    # One reject row per record (the first error DuckDB found on that line).
    con.execute(
        f"""
        insert into raw_meta.load_rejects
        select
            ?, ?,
            replace({file_path}, {_sql_str(prefix)}, ''),
            coalesce(l.file_line, e.line),
            e.column_name,
            e.error_type,
            e.error_type || ' at line ' || coalesce(l.file_line, e.line)
                || coalesce(' in column ' || e.column_name, '') || ': ' || e.error_message,
            e.csv_line
        from revops_rejects as e
        join revops_scans as s on e.scan_id = s.scan_id and e.file_id = s.file_id
        left join revops_reject_lines as l on s.file_path = l.file_path and e.line = l.line
        qualify row_number() over (partition by s.file_path, e.line order by e.column_idx) = 1
        """,
        [table.system, table.table],
    )
    count = con.execute(
        "select count(distinct s.file_path || ':' || e.line) from revops_rejects as e "
        "join revops_scans as s on e.scan_id = s.scan_id and e.file_id = s.file_id"
    ).fetchone()[0]
    _drop_rejects(con)
    return count + len(rows)


REPEATED_HEADER = "REPEATED HEADER"
# spaces, tabs and line ends (a header edited in a spreadsheet, a CRLF line in a LF file), and the byte order mark a
# second export joined on (cat) starts with
_HEADER_TRIM = " \t\r\n\ufeff"


def _reject_repeated_headers(con: duckdb.DuckDBPyConnection, table: RawTable, raw_dir: Path, target: str,
                             readable: list[tuple[Path, list[str]]], normalised: dict[Path, Path], offset: int,
                             landed: list[str]) -> int:
    """Take the records that repeat their file's header (two exports joined: ``cat a.csv b.csv``) out of the
    rows just landed (``_source_row`` above ``offset``) into ``raw_meta.load_rejects`` (``REPEATED HEADER``,
    their line in the file); the number of records. A record counts when each of its values, spaces, tabs and
    line ends trimmed and in any case, is its column's name; the rows after it keep their ``_source_row``. One
    query over the rows landed; a file is only scanned for the lines when it holds such a record."""
    by_header: dict[tuple[str, ...], list[str]] = {}
    for path, header in readable:
        names = tuple(h for h in header if h in landed)
        if names:
            by_header.setdefault(names, []).append(_file_state(raw_dir, path)[0])
    if not by_header:
        return 0
    condition = " or ".join(
        "(_source_file in (" + ", ".join(_sql_str(f) for f in files) + ") and "
        + " and ".join(f"trim(lower({_quote(n)}), {_sql_str(_HEADER_TRIM)}) = {_sql_str(n)}" for n in names) + ")"
        for names, files in by_header.items())
    where = f"_source_row > {offset} and ({condition})"
    found = con.execute(f"select _source_file, _source_row from {target} where {where} order by 2").fetchall()
    if not found:
        return 0
    con.execute(f"delete from {target} where {where}")
    paths = {_file_state(raw_dir, path)[0]: (path, header) for path, header in readable}
    rows = []
    for source_file, records in itertools.groupby(found, key=lambda row: row[0]):
        path, header = paths[source_file]
        lines = _header_lines(normalised.get(path, path), header)
        for index, _ in enumerate(records):
            line, text = lines[index] if index < len(lines) else (None, ",".join(header))
            rows.append([table.system, table.table, source_file, line, None, REPEATED_HEADER,
                         f"{REPEATED_HEADER}{f' at line {line}' if line else ''}: the record repeats the file's "
                         "header (two exports joined?); set aside, not landed as data", text])
    con.executemany("insert into raw_meta.load_rejects values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def _header_lines(path: Path, header: list[str]) -> list[tuple[int, str]]:
    """The records of a CSV file after its first that repeat its header (as :func:`_reject_repeated_headers`
    compares): (line the record starts on, its text). Stops at a record Python's reader cannot read."""
    found: list[tuple[int, str]] = []
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        text: list[str] = []

        def lines():
            for line in handle:
                text.append(line)
                yield line

        reader = csv.reader(lines())
        start = 1
        try:
            for record in reader:
                if start > 1 and [v.lower().strip(_HEADER_TRIM) for v in record] == header:
                    found.append((start, "".join(text).rstrip("\r\n")))
                text.clear()
                start = reader.line_num + 1
        except csv.Error:
            pass
    return found


def _reject_lines(con: duckdb.DuckDBPyConnection) -> None:
    """The temporary table ``revops_reject_lines``: for each record DuckDB rejected (file read, DuckDB's line),
    the line of the file it starts on. DuckDB counts a record with a quoted value holding line breaks as one
    line, so after one its number falls short of the file's; the line is counted from the reject's byte
    position instead, in one pass over each file with rejects up to its last (DuckDB's number where that
    position does not hold the rejected record)."""
    rejected = con.execute(
        "select s.file_path, e.line, min(e.line_byte_position), arg_min(e.csv_line, e.line_byte_position) "
        "from revops_rejects as e join revops_scans as s on e.scan_id = s.scan_id and e.file_id = s.file_id "
        "group by s.file_path, e.line order by s.file_path, 3"
    ).fetchall()
    files, duckdb_lines, file_lines = [], [], []
    for file_path, rows in itertools.groupby(rejected, key=lambda row: row[0]):
        with open(file_path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            lines = _LineCounter(buf)
            for _, line, position, text in rows:
                start = _record_start(buf, position, text)
                files.append(file_path)
                duckdb_lines.append(line)
                file_lines.append(line if start is None else lines.line(start))
    con.execute("create or replace temporary table revops_reject_lines as select "
                "unnest(cast(? as varchar[])) as file_path, unnest(cast(? as bigint[])) as line, "
                "unnest(cast(? as bigint[])) as file_line", [files, duckdb_lines, file_lines])


def _drop_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables DuckDB's CSV reader wrote the rejects of a load in."""
    for name in ("revops_rejects", "revops_scans", "revops_reject_lines"):
        con.execute(f"drop table if exists {name}")


# DuckDB's errors on a record that an unterminated quote ran on into the lines after it.
_QUOTE_ERRORS = ("UNQUOTED VALUE", "LINE SIZE OVER MAXIMUM")
# DuckDB keeps this many characters of a rejected record (csv_line): a longer one may span lines unseen.
_REJECT_TEXT_CHARS = 10_000
_NOT_BLANK = re.compile(rb"[^\r\n\t ]")
_TEXT_HEAD = re.compile(r"[^?\x80-\U0010ffff]*")


def _swallowing_quotes(con: duckdb.DuckDBPyConnection, readable: list[tuple[Path, list[str]]],
                       normalised: dict[Path, Path]) -> dict[Path, list[_BrokenRecord]]:
    """The CSV files of this load in which a quote that is never closed made DuckDB read the lines after it into
    one rejected record, each with its broken records (:func:`_unterminated_quotes`). Only the files with such a
    reject (one that spans lines) are scanned: a load without rejects costs one query on an absent table."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'revops_rejects' and temporary"
    ).fetchone()[0]
    if not exists:
        return {}
    read_as = {str((normalised.get(path) or path).resolve()): (path, header) for path, header in readable}
    rows = con.execute(
        f"""
        select s.file_path, min(e.line_byte_position), arg_min(e.csv_line, e.line_byte_position)
        from revops_rejects as e
        join revops_scans as s on e.scan_id = s.scan_id and e.file_id = s.file_id
        where e.error_type in ({", ".join(_sql_str(t) for t in _QUOTE_ERRORS)})
            and (contains(trim(e.csv_line, chr(13) || chr(10)), chr(10))
                or length(e.csv_line) >= {_REJECT_TEXT_CHARS})
        group by s.file_path
        """
    ).fetchall()
    found = {}
    for read_path, position, csv_line in rows:
        path, header = read_as[read_path]
        broken = _unterminated_quotes(Path(read_path), position, csv_line, header)
        if any(record.swallows for record in broken):
            found[path] = broken
    return found


def _record_start(buf: mmap.mmap, position: int, text: str) -> int | None:
    """Where the rejected record DuckDB reports at ``position`` (its line_byte_position, which is the record's
    first byte or the one after it) with text ``text`` begins; None when the bytes there are not that text."""
    if 0 < position <= len(buf) and buf[position - 1] != ord("\n"):
        position = buf.rfind(b"\n", 0, position) + 1
    while position < len(buf) and buf[position] in b"\r\n":
        position += 1
    # DuckDB shows bytes that are not UTF-8 as '?' (and may take the next byte with them): compare up to there
    head = _TEXT_HEAD.match(text.lstrip("\r\n")).group().encode()[:200]
    return position if head and buf[position:position + len(head)] == head else None


def _unterminated_quotes(path: Path, position: int, text: str, header: list[str]) -> list[_BrokenRecord]:
    """The records of a CSV file, from the rejected record at ``position`` with text ``text`` on
    (:func:`_record_start`), in which a quote opens a value and is never closed, or closes on a later line
    followed by more text (RFC 4180: a quoted value ends at a quote followed by a comma or a line break).
    A quoted value with line breaks closed that way is a value, not a broken record, and a quote inside an
    unquoted value is a character of it, as DuckDB reads them; a quote closed on its own line but followed by
    more text breaks only that line, which DuckDB rejects alone. Reads the file once, quote to quote."""
    records = []
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        size = len(buf)
        lines = _LineCounter(buf)
        pos = record = _record_start(buf, position, text) or 0  # not sure where: from the file's start
        while (quote := buf.find(b'"', pos)) != -1:
            newline = buf.rfind(b"\n", pos, quote)
            if newline != -1:
                record = newline + 1
            if quote != record and buf[quote - 1] != ord(","):  # a quote inside an unquoted value
                pos = quote + 1
                continue
            close = _closing_quote(buf, quote)
            if close != -1 and buf[close + 1:close + 2] in (b",", b"\n", b"\r", b""):
                pos = close + 1  # a quoted value (over several lines, one holding line breaks)
                continue
            line_end = buf.find(b"\n", quote)
            line_end = size if line_end == -1 else line_end
            if close != -1 and close < line_end:  # closed on its line, followed by text: DuckDB rejects the line
                pos = record = line_end + 1
                continue
            if record == 0:  # the header: the file cannot be read as records at all; DuckDB's rejects stand
                return []
            before = next(csv.reader(io.StringIO(buf[record:quote].decode("utf-8", "replace"))), [""])
            records.append(_BrokenRecord(
                first=lines.line(record), last=lines.line(quote),
                column=(header[len(before) - 1] or None) if len(before) <= len(header) else None,
                text=buf[record:line_end].rstrip(b"\r").decode("utf-8", "replace"),
                swallows=_NOT_BLANK.search(buf, line_end) is not None, start=record, end=line_end,
            ))
            pos = record = line_end + 1
    return records


def _closing_quote(buf: mmap.mmap, quote: int) -> int:
    """Where the value opened by the quote at ``quote`` closes (a doubled quote is a quote in it); -1: never."""
    pos = quote + 1
    while (found := buf.find(b'"', pos)) != -1:
        if buf[found + 1:found + 2] != b'"':
            return found
        pos = found + 2
    return -1


class _LineCounter:
    """1-based line numbers of byte offsets in a file, asked mostly in increasing order (each byte counted once
    going forward; an offset before the last one asked is counted back from it)."""

    def __init__(self, buf: mmap.mmap, chunk_bytes: int = 1 << 24):
        self.buf, self.chunk_bytes, self.pos, self.lines = buf, chunk_bytes, 0, 1

    def line(self, offset: int) -> int:
        if offset < self.pos:
            return self.lines - self.buf[offset:self.pos].count(b"\n")
        while self.pos < offset:
            end = min(offset, self.pos + self.chunk_bytes)
            self.lines += self.buf[self.pos:end].count(b"\n")
            self.pos = end
        return self.lines


def _blank_copy(path: Path, copy: Path, records: list[_BrokenRecord], chunk_bytes: int = 1 << 24) -> Path:
    """Write ``path`` to ``copy`` with the lines of ``records`` (their bytes in ``path``) left empty: the lines,
    and their numbers, stay; DuckDB skips an empty line, so it reads the lines after them as records."""
    with path.open("rb") as src, copy.open("wb") as dst:
        done = 0
        for record in sorted(records, key=lambda r: r.start):
            _copy_bytes(src, dst, record.start - done, chunk_bytes)
            dst.write(re.sub(rb"[^\r\n]+", b"", src.read(record.end - record.start)))
            done = record.end
        while chunk := src.read(chunk_bytes):
            dst.write(chunk)
    return copy


def _copy_bytes(src, dst, count: int, chunk_bytes: int) -> None:
    while count > 0:
        chunk = src.read(min(count, chunk_bytes))
        if not chunk:
            return
        dst.write(chunk)
        count -= len(chunk)


def create_meta_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The loader's bookkeeping tables in ``raw_meta`` (brought up to date when an older load made them)."""
    con.execute("create schema if not exists raw_meta")
    con.execute(REJECTS_DDL)
    con.execute(FILES_DDL)
    for sql in FILES_MIGRATION:
        con.execute(sql)


def load_all(
    raw_dir: Path,
    database: Path | str,
    tables: Iterable[RawTable] | None = None,
    progress: bool = True,
    full_refresh: bool = False,
    copy_parquet: bool = False,
) -> LoadResult:
    """Land every raw table of the contract found under ``raw_dir`` in the DuckDB file ``database``
    (Parquet read in place unless ``copy_parquet``); a raw folder that is missing or holds no file of any
    contract table is an error, nothing loaded (:func:`check_raw_folder`). Then every other file under
    ``raw_dir``, which no table reads, is named in a warning saying why (:func:`unread_files`)."""
    raw_dir = Path(raw_dir)
    check_raw_folder(raw_dir)
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    todo = list(tables) if tables is not None else raw_tables()
    results = LoadResult()
    # the same memory cap as the dbt build (profiles.yml): DuckDB spills past it
    memory_limit = duckdb_memory_limit()
    with duckdb.connect(str(database), config={"memory_limit": memory_limit}) as con:
        create_meta_tables(con)
        iterator: Iterable[RawTable] = todo
        if progress:
            from tqdm import tqdm

            iterator = tqdm(todo, desc="load raw", unit="table", leave=False)
        for table in iterator:
            result = load_table(con, raw_dir, table, full_refresh=full_refresh, copy_parquet=copy_parquet)
            for warning in result.warnings:
                log.warning(warning)
            results.append(result)
    results.warnings = unread_files(raw_dir)
    for warning in results.warnings:
        log.warning(warning)
    return results
