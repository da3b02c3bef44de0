"""The loader on damaged files: a clear error naming file and column, or the record set aside with its line."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from revops.contract import get_table
from revops.load import RawFileError, load_all

ACCOUNT = get_table("salesforce", "account")
HEADER = ",".join(ACCOUNT.columns) + ",_loaded_at"
GOOD = "001A,Acme,acme.com,Software,10,US,005x,2024-01-01T10:00:00+02:00,false,2024-02-01T00:00:00Z"


def _write(raw: Path, text: bytes | str, name: str = "account.csv") -> Path:
    path = raw / "salesforce" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _load(tmp_path: Path, raw: Path):
    db = tmp_path / "w.duckdb"
    results = load_all(raw, db, tables=[ACCOUNT], progress=False)
    con = duckdb.connect(str(db), read_only=True)
    return results[0], con


def test_good_file_lands_every_row_as_text_with_lineage(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n{GOOD.replace('001A', '002B')}\n")
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 2 and result.rows_rejected == 0
    rows = con.execute("select id, _source_file, _source_row, _loaded_at from raw_salesforce.account order by 3").fetchall()
    assert rows == [("001A", "salesforce/account.csv", 1, "2024-02-01T00:00:00Z"),
                    ("002B", "salesforce/account.csv", 2, "2024-02-01T00:00:00Z")]


def test_missing_contract_column_is_an_error_naming_file_and_column(tmp_path):
    raw = tmp_path / "raw"
    path = _write(raw, HEADER.replace("website,", "") + "\n" + GOOD.replace("acme.com,", "") + "\n")
    with pytest.raises(RawFileError) as err:
        _load(tmp_path, raw)
    assert str(path) in str(err.value) and "'website'" in str(err.value) and "row 1" in str(err.value)


def test_extra_column_is_kept(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER},crm_region\n{GOOD},EMEA\n")
    result, con = _load(tmp_path, raw)
    assert con.execute("select crm_region from raw_salesforce.account").fetchall() == [("EMEA",)]
    assert any("crm_region" in w for w in result.warnings)


def _accounted(con) -> tuple[int, int]:
    """(rows landed in raw_salesforce.account, records in raw_meta.load_rejects): every raw record is one or the
    other, as raw_row_accounting counts them."""
    return (con.execute("select count(*) from raw_salesforce.account").fetchone()[0],
            con.execute("select count(*) from raw_meta.load_rejects").fetchone()[0])


def test_an_added_column_named_filename_is_kept_like_any_other(tmp_path):
    """DuckDB's readers add a column of the file read (their `filename` option): the loader names it apart, so an
    export that adds its own `filename` column lands it as an extra column (CSV, and Parquet in place or copied)."""
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER},filename\n{GOOD},a.pdf\n{GOOD.replace('001A', '002B')},\n", name="account/part-0.csv")
    _write(raw, f"{HEADER}\n{GOOD.replace('001A', '003C')}\n", name="account/part-1.csv")
    result, con = _load(tmp_path, raw)
    assert (result.rows_loaded, result.rows_rejected) == (3, 0) and _accounted(con) == (3, 0)
    assert con.execute("select id, filename, _source_file, _source_row from raw_salesforce.account order by 4"
                       ).fetchall() == [("001A", "a.pdf", "salesforce/account/part-0.csv", 1),
                                        ("002B", None, "salesforce/account/part-0.csv", 2),
                                        ("003C", None, "salesforce/account/part-1.csv", 3)]
    assert any("extra columns kept as text: filename" in w for w in result.warnings)
    con.close()

    parquet_raw = tmp_path / "parquet_raw"
    folder = parquet_raw / "salesforce" / "account"
    for name, ids in (("part-00000", ["p1", "p2"]), ("part-00001", ["p3"])):
        _write_parquet(tmp_path / f"{name}.parquet", ids)
        folder.mkdir(parents=True, exist_ok=True)
        with duckdb.connect() as duck:
            duck.execute(f"copy (select *, id || '.pdf' as filename from '{tmp_path / name}.parquet') "
                         f"to '{folder / name}.parquet' (format parquet)")
    expected = [("p1", "p1.pdf", "salesforce/account/part-00000.parquet", 1),
                ("p2", "p2.pdf", "salesforce/account/part-00000.parquet", 2),
                ("p3", "p3.pdf", "salesforce/account/part-00001.parquet", 3)]
    for copy in (False, True):
        database = tmp_path / f"parquet_{copy}.duckdb"
        landed = load_all(parquet_raw, database, tables=[ACCOUNT], progress=False, copy_parquet=copy)[0]
        assert landed.rows_loaded == 3, f"copy_parquet={copy}"
        with duckdb.connect(str(database), read_only=True) as duck:
            assert _accounted(duck) == (3, 0)
            assert duck.execute("select id, filename, _source_file, _source_row from raw_salesforce.account "
                                "order by 4").fetchall() == expected, f"copy_parquet={copy}"


@pytest.mark.parametrize("content", ["", HEADER + "\n"], ids=["empty file", "header only"])
def test_empty_or_header_only_file_builds_empty_with_a_warning(tmp_path, content):
    raw = tmp_path / "raw"
    _write(raw, content)
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 0
    assert con.execute("select count(*) from raw_salesforce.account").fetchone() == (0,)
    assert result.warnings or content  # empty file warns; header-only is a valid empty export


@pytest.mark.parametrize(("blank", "ending"), [("\n", "\n"), ("\r\n", "\r\n"), ("\r\n", "\n"), ("\n", "\r\n"),
                                                ("\ufeff \n\t\n", "\n"), ("\n \r\n\n", "\r\n")],
                         ids=["LF", "CRLF", "CRLF blank line, LF file", "LF blank line, CRLF file",
                              "BOM, spaces and tabs", "three, CRLF file"])
def test_blank_lines_before_the_header_are_skipped_and_every_row_lands(tmp_path, blank, ending):
    """A blank line (or lines of spaces and tabs) before the header read the file as empty: every row gone, in
    silence. They are skipped: the file lands as it would without them, its rejects at their line in the file."""
    lines = [HEADER, GOOD, GOOD.replace("001A", "002B").replace("Acme", '"Two\nlines"'),
             GOOD.replace("001A", "003C") + ",extra", HEADER, GOOD.replace("001A", "004D")]
    text = ending.join(lines) + ending
    _write(tmp_path / "plain" / "raw", text)
    plain, plain_con = _load(tmp_path / "plain", tmp_path / "plain" / "raw")
    path = _write(tmp_path / "raw", blank + text)
    result, con = _load(tmp_path, tmp_path / "raw")
    skipped = blank.count("\n")
    assert (result.rows_loaded, result.rows_rejected) == (plain.rows_loaded, plain.rows_rejected) == (3, 2)
    assert _accounted(con) == _accounted(plain_con) == (3, 2)
    assert not any("empty file" in w for w in result.warnings)
    query = "select * from raw_salesforce.account order by _source_row"
    assert con.execute(query).fetchall() == plain_con.execute(query).fetchall()
    rejects = "select line, error_type, raw_record from raw_meta.load_rejects order by line"
    assert con.execute(rejects).fetchall() == [(line + skipped, error_type, record) for line, error_type, record
                                               in plain_con.execute(rejects).fetchall()]
    assert [line for line, _, _ in con.execute(rejects).fetchall()] == [5 + skipped, 6 + skipped]

    # a header error names the header's line
    path.write_text(blank + HEADER.replace("website,", "") + ending, newline="")
    with pytest.raises(RawFileError, match=f"'website' .* is missing from the header \\(line {skipped + 1}"):
        _load(tmp_path / "again", tmp_path / "raw")


def test_a_file_of_only_blank_lines_builds_empty_with_a_warning(tmp_path):
    raw = tmp_path / "raw"
    path = _write(raw, "\n \r\n\t\n")
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 0 and _accounted(con) == (0, 0)
    assert f"{path}: empty file" in result.warnings[0]


def test_absent_file_builds_empty_with_a_warning(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, "", name="contact.csv")  # another table's file: the folder is an export, without this table's
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 0 and "no file" in result.warnings[0]
    assert [c[0] for c in con.execute("describe raw_salesforce.account").fetchall()][:2] == ["id", "name"]


def test_columns_in_another_order_are_read_by_name(tmp_path):
    raw = tmp_path / "raw"
    cols = [*ACCOUNT.columns, "_loaded_at"]
    values = GOOD.split(",")
    _write(raw, ",".join(reversed(cols)) + "\n" + ",".join(reversed(values)) + "\n")
    _, con = _load(tmp_path, raw)
    assert con.execute("select id, name, website from raw_salesforce.account").fetchall() == [("001A", "Acme", "acme.com")]


@pytest.mark.parametrize(
    ("bad_line", "error_type"),
    [
        (b'003C,"Bro"ken,acme.com,Software,10,US,005x,2024-01-01,false,2024-02-01', "UNQUOTED VALUE"),
        (b"004D,Caf\xe9 SARL,cafe.fr,Food,10,FR,005x,2024-01-01,false,2024-02-01", "INVALID ENCODING"),
        (b"005E,Too,many,fields,10,US,005x,2024-01-01,false,2024-02-01,extra", "TOO MANY COLUMNS"),
        (b"006F,Huge," + b"x" * 1_100_000 + b",Software,10,US,005x,2024-01-01,false,2024-02-01", "LINE SIZE OVER MAXIMUM"),
    ],
    ids=["broken quoting", "non-utf8 bytes", "extra field", "huge field"],
)
def test_unparseable_record_goes_to_load_rejects_with_its_line(tmp_path, bad_line, error_type):
    raw = tmp_path / "raw"
    _write(raw, HEADER.encode() + b"\n" + GOOD.encode() + b"\n" + bad_line + b"\n" + GOOD.replace("001A", "007G").encode() + b"\n")
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 2 and result.rows_rejected == 1
    rejects = con.execute("select source_file, line, error_type, reason from raw_meta.load_rejects").fetchall()
    assert len(rejects) == 1
    source_file, line, found_type, reason = rejects[0]
    assert (source_file, line) == ("salesforce/account.csv", 3)
    assert found_type == error_type and "line 3" in reason


def test_part_files_in_a_folder_are_one_table(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0.csv")
    _write(raw, f"{HEADER}\n{GOOD.replace('001A', '002B')}\n", name="account/part-1.csv")
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 2
    assert con.execute("select distinct _source_file from raw_salesforce.account order by 1").fetchall() == [
        ("salesforce/account/part-0.csv",), ("salesforce/account/part-1.csv",)]


def test_a_file_without_loaded_at_leaves_the_other_files_their_own(tmp_path):
    """_loaded_at is optional per file: part files that carry it keep it whatever the others do, copied (CSV, and
    Parquet with --copy) or read in place (a file without it lands NULL: its rows are judged by the build's clock)."""
    raw = tmp_path / "raw"
    unstamped_header = ",".join(ACCOUNT.columns)
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0.csv")
    unstamped = GOOD.replace("001A", "002B").rsplit(",", 1)[0]
    _write(raw, f"{unstamped_header}\n{unstamped}\n", name="account/part-1.csv")
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 2
    assert con.execute("select id, _loaded_at from raw_salesforce.account order by id").fetchall() == [
        ("001A", "2024-02-01T00:00:00Z"), ("002B", None)]
    con.close()

    folder = raw / "salesforce" / "parquet_account"
    _write_parquet(folder / "part-00000.parquet", ["p1"])
    with duckdb.connect() as duck:  # the same account without the _loaded_at column
        duck.execute(f"copy (select * exclude (_loaded_at) from '{folder / 'part-00000.parquet'}') "
                     f"to '{folder / 'part-00001.parquet'}' (format parquet)")
    parquet_raw = tmp_path / "parquet_raw"
    (parquet_raw / "salesforce").mkdir(parents=True)
    folder.rename(parquet_raw / "salesforce" / "account")
    for copy in (False, True):
        database = tmp_path / f"parquet_{copy}.duckdb"
        load_all(parquet_raw, database, tables=[ACCOUNT], progress=False, copy_parquet=copy)
        with duckdb.connect(str(database), read_only=True) as duck:
            landed = duck.execute("select _source_file, _loaded_at from raw_salesforce.account order by 1").fetchall()
            assert landed == [
                ("salesforce/account/part-00000.parquet", "2024-02-01T00:00:00Z"),
                ("salesforce/account/part-00001.parquet", None)], f"copy_parquet={copy}"


def test_missing_raw_folder_says_what_to_do(tmp_path):
    with pytest.raises(RawFileError, match="REVOPS_RAW_DIR"):
        load_all(tmp_path / "nope", tmp_path / "w.duckdb", progress=False)


def _write_parquet(path: Path, ids: list[str]) -> None:
    """Account rows with these ids as a Parquet file (every column text, as exports arrive)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = GOOD.split(",")
    rows = ", ".join("(" + ", ".join(f"'{v}'" for v in [i, *values[1:]]) + ")" for i in ids)
    columns = ", ".join([*ACCOUNT.columns, "_loaded_at"])
    with duckdb.connect() as con:
        con.execute(f"copy (select * from (values {rows}) as t({columns})) to '{path}' (format parquet)")


def test_parquet_part_files_are_numbered_in_file_order_also_when_appended(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "salesforce" / "account"
    _write_parquet(folder / "part-00000.parquet", ["a1", "a2", "a3"])
    _write_parquet(folder / "part-00001.parquet", ["b1", "b2"])
    full, con = _load(tmp_path, raw)
    expected = [("a1", "salesforce/account/part-00000.parquet", 1), ("a2", "salesforce/account/part-00000.parquet", 2),
                ("a3", "salesforce/account/part-00000.parquet", 3), ("b1", "salesforce/account/part-00001.parquet", 4),
                ("b2", "salesforce/account/part-00001.parquet", 5)]
    query = "select id, _source_file, _source_row from raw_salesforce.account order by _source_row"
    assert full.mode == "full" and full.rows_loaded == 5
    assert con.execute(query).fetchall() == expected
    con.close()

    # The same files arriving one after the other: the later one is appended and numbered on.
    appended_db = tmp_path / "appended.duckdb"
    (folder / "part-00001.parquet").rename(tmp_path / "later.parquet")
    load_all(raw, appended_db, tables=[ACCOUNT], progress=False)
    (tmp_path / "later.parquet").rename(folder / "part-00001.parquet")
    later = load_all(raw, appended_db, tables=[ACCOUNT], progress=False)[0]
    assert later.mode == "append" and later.rows_loaded == 2
    with duckdb.connect(str(appended_db), read_only=True) as appended:
        assert appended.execute(query).fetchall() == expected


def _relation_type(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select table_type from information_schema.tables "
                           "where table_schema = 'raw_salesforce' and table_name = 'account'").fetchone()[0]


def _rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select * from raw_salesforce.account order by _source_row").fetchall()


def test_parquet_is_read_in_place_with_the_rows_a_copy_lands(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "salesforce" / "account"
    _write_parquet(folder / "part-00000.parquet", ["a1", "a2", "a3"])
    _write_parquet(folder / "part-00001.parquet", ["b1", "b2"])
    in_place, copied = tmp_path / "in_place.duckdb", tmp_path / "copied.duckdb"
    landed = load_all(raw, in_place, tables=[ACCOUNT], progress=False)[0]
    assert landed.rows_loaded == 5 and landed.in_place
    assert not load_all(raw, copied, tables=[ACCOUNT], progress=False, copy_parquet=True)[0].in_place
    assert (_relation_type(in_place), _relation_type(copied)) == ("VIEW", "BASE TABLE")
    assert len(_rows(in_place)) == 5 and _rows(in_place) == _rows(copied)

    # Landing the other way next time (--copy given) lands the table again, in full, as a table.
    again = load_all(raw, in_place, tables=[ACCOUNT], progress=False, copy_parquet=True)[0]
    assert again.mode == "full" and _relation_type(in_place) == "BASE TABLE" and _rows(in_place) == _rows(copied)


def test_a_part_file_added_under_a_view_is_numbered_after_the_files_landed_before(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "salesforce" / "account"
    _write_parquet(folder / "part-00001.parquet", ["b1", "b2"])
    db = tmp_path / "w.duckdb"
    load_all(raw, db, tables=[ACCOUNT], progress=False)
    _write_parquet(folder / "part-00002.parquet", ["c1"])
    later = load_all(raw, db, tables=[ACCOUNT], progress=False)[0]
    assert later.mode == "append" and later.rows_loaded == 1
    assert [(r[0], r[-1]) for r in _rows(db)] == [("b1", 1), ("b2", 2), ("c1", 3)]
    # A file that sorts first but arrives later: the table is landed again in file order, as a full load numbers
    # it (the higher _source_row is the later version of a key without _loaded_at).
    _write_parquet(folder / "part-00000.parquet", ["a1"])
    again = load_all(raw, db, tables=[ACCOUNT], progress=False)[0]
    assert again.mode == "full"
    assert [(r[0], r[-1]) for r in _rows(db)] == [("a1", 1), ("b1", 2), ("b2", 3), ("c1", 4)]


def test_part_files_are_numbered_in_natural_name_order(tmp_path):
    """part-9 before part-10 (text order puts part-10 first): without _loaded_at the version of a key in part-10,
    which the export wrote later, is the one with the higher _source_row, so staging keeps it."""
    raw = tmp_path / "raw"
    folder = raw / "salesforce" / "account"
    _write_parquet(folder / "part-10.parquet", ["x-new"])
    _write_parquet(folder / "part-9.parquet", ["x-old"])
    _write_parquet(folder / "part-1.parquet", ["first"])
    db = tmp_path / "w.duckdb"
    load_all(raw, db, tables=[ACCOUNT], progress=False)
    assert [(r[0], r[-1]) for r in _rows(db)] == [("first", 1), ("x-old", 2), ("x-new", 3)]


def test_a_file_changed_under_a_view_stops_the_build_until_it_is_loaded_again(tmp_path, monkeypatch):
    from revops.build import build
    from revops.load import stale_raw_files

    raw = tmp_path / "raw"
    part = raw / "salesforce" / "account" / "part-00000.parquet"
    _write_parquet(part, ["a1", "a2"])
    db = tmp_path / "w.duckdb"
    load_all(raw, db, tables=[ACCOUNT], progress=False)
    assert stale_raw_files(db) == []

    _write_parquet(part, ["a1", "a2", "a3"])  # rewritten in place: the view would read rows never landed
    assert stale_raw_files(db) == [f"salesforce.account: {part.resolve()} changed since it was landed"]
    monkeypatch.setenv("REVOPS_TARGET", "dev")
    with pytest.raises(ValueError, match="changed since `revops load` landed them.*part-00000.parquet"):
        build(database=db, quiet=True)
    part.unlink()
    assert stale_raw_files(db) == [f"salesforce.account: {part.resolve()} is gone"]

    _write_parquet(part, ["a1", "a2", "a3"])
    assert load_all(raw, db, tables=[ACCOUNT], progress=False)[0].mode == "full"
    assert stale_raw_files(db) == [] and len(_rows(db)) == 3


def _landed(database: Path) -> tuple[list[tuple], list[tuple]]:
    """(rows of raw_salesforce.account, its rows in raw_meta.loaded_files)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return (con.execute("select id, _source_file, _source_row from raw_salesforce.account order by 3").fetchall(),
                con.execute("select source_file, file_bytes from raw_meta.loaded_files "
                            "where source_system = 'salesforce' and source_table = 'account' order by 1").fetchall())


def _account_landed_once(tmp_path: Path) -> tuple[Path, Path, tuple[list[tuple], list[tuple]]]:
    """(raw folder, warehouse, what landed) after loading one good part file of salesforce.account."""
    raw, db = tmp_path / "raw", tmp_path / "w.duckdb"
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0.csv")
    load_all(raw, db, tables=[ACCOUNT], progress=False)
    return raw, db, _landed(db)


def test_a_file_duckdb_cannot_read_is_a_raw_file_error_and_the_table_stays_as_it_was(tmp_path):
    raw, db, before = _account_landed_once(tmp_path)
    assert before[0] == [("001A", "salesforce/account/part-0.csv", 1)]

    # A changed file forces a full reload; a lone CR ending one line (the others end in LF) stops DuckDB's reader.
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0.csv").touch()
    bad = _write(raw, f"{HEADER}\n{GOOD.replace('001A', '002B')}\r{GOOD.replace('001A', '003C')}\n",
                 name="account/part-1.csv")
    with pytest.raises(RawFileError) as err:
        load_all(raw, db, tables=[ACCOUNT], progress=False, full_refresh=True)
    message = str(err.value)
    assert message.startswith(f"{bad}: ") and "part-0.csv" not in message and "left as they were" in message
    assert _landed(db) == before


def test_an_unreadable_parquet_file_is_a_raw_file_error_and_the_view_stays_as_it_was(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "salesforce" / "account"
    _write_parquet(folder / "part-00000.parquet", ["a1", "a2"])
    db = tmp_path / "w.duckdb"
    load_all(raw, db, tables=[ACCOUNT], progress=False)
    before = _landed(db)
    broken = folder / "part-00001.parquet"
    broken.write_bytes(b"PAR1" + b"not parquet at all" * 10 + b"PAR1")
    for copy in (False, True):
        with pytest.raises(RawFileError, match=f"^{broken}: .*cannot be read"):
            load_all(raw, db, tables=[ACCOUNT], progress=False, copy_parquet=copy)
        assert _landed(db) == before and _relation_type(db) == "VIEW"


@pytest.mark.parametrize("crlf_line", [0, 1, 3], ids=["header", "first record", "last record"])
def test_lines_ending_in_both_crlf_and_lf_load(tmp_path, crlf_line):
    raw = tmp_path / "raw"
    broken = '003C,"Bro"ken,acme.com,Software,10,US,005x,2024-01-01,false,2024-02-01'
    lines = [HEADER, GOOD, broken, GOOD.replace("001A", "002B")]
    text = "".join(line + ("\r\n" if i == crlf_line else "\n") for i, line in enumerate(lines))
    path = _write(raw, text, name="account/part-0.csv")
    _write(raw, f"{HEADER}\r\n{GOOD.replace('001A', '004D')}\r\n", name="account/part-1.csv")  # CRLF only
    result, con = _load(tmp_path, raw)
    assert (result.rows_loaded, result.rows_rejected) == (3, 1)
    assert con.execute("select id, _source_file, _source_row, _loaded_at from raw_salesforce.account order by 3"
                       ).fetchall() == [("001A", "salesforce/account/part-0.csv", 1, "2024-02-01T00:00:00Z"),
                                        ("002B", "salesforce/account/part-0.csv", 2, "2024-02-01T00:00:00Z"),
                                        ("004D", "salesforce/account/part-1.csv", 3, "2024-02-01T00:00:00Z")]
    assert con.execute("select source_file, line from raw_meta.load_rejects").fetchall() == [
        ("salesforce/account/part-0.csv", 3)]
    assert [w for w in result.warnings if "CRLF" in w] == [f"{path}: lines end in both CRLF and LF; read with LF "
                                                           "line endings"]


LINE_ITEM = get_table("stripe", "invoice_line_item")


def _line_item(n: int, description: str = "Pro plan") -> str:
    return f"il_{n},in_{n},sub_1,price_1,{description},1,1000,0,usd,2024-01-01,2024-02-01,false"


def _load_line_items(tmp_path: Path, lines: list[str], name: str = "invoice_line_item.csv", ending: str = "\n",
                     **more: list[str]):
    """Land these records of stripe.invoice_line_item (in file ``name``, and ``more`` part files by name)."""
    for file, records in {name: lines, **{f"invoice_line_item/{n}.csv": r for n, r in more.items()}}.items():
        path = tmp_path / "raw" / "stripe" / file
        path.parent.mkdir(parents=True, exist_ok=True)
        text = ",".join(LINE_ITEM.columns) + "\n" + "\n".join(records) + "\n"
        path.write_bytes(text.replace("\n", ending).encode())
    result = load_all(tmp_path / "raw", tmp_path / "w.duckdb", tables=[LINE_ITEM], progress=False)[0]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    loaded = con.execute("select _source_row, id, description from raw_stripe.invoice_line_item order by 1").fetchall()
    rejects = con.execute("select source_file, line, column_name, error_type, reason, raw_record "
                          "from raw_meta.load_rejects order by source_file, line").fetchall()
    con.close()
    return result, loaded, rejects


@pytest.mark.parametrize("ending", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_an_unterminated_quote_rejects_its_record_alone_and_the_records_after_it_load(tmp_path, ending):
    """A description opening a quote it never closes made DuckDB read every line after it into that one
    value: the three good records after it were lost inside one reject. Only the broken line is rejected now."""
    broken = _line_item(2, '"Annual plan')
    result, loaded, rejects = _load_line_items(tmp_path, [_line_item(1), broken, _line_item(3), _line_item(4),
                                                          _line_item(5)], ending=ending)
    assert (result.rows_loaded, result.rows_rejected) == (4, 1)
    assert loaded == [(1, "il_1", "Pro plan"), (2, "il_3", "Pro plan"), (3, "il_4", "Pro plan"),
                      (4, "il_5", "Pro plan")]
    assert len(rejects) == 1
    source_file, line, column, error_type, reason, raw_record = rejects[0]
    assert (source_file, line, column, error_type) == ("stripe/invoice_line_item.csv", 3, "description",
                                                       "UNTERMINATED QUOTE")
    assert reason.startswith("UNTERMINATED QUOTE at line 3 in column description: a quoted value opens here and is "
                             "never properly closed")
    assert raw_record == broken


def test_an_unterminated_quote_before_a_value_with_line_breaks_leaves_that_value_whole(tmp_path):
    """The stray quote closed at the opening quote of a later value with a line break (DuckDB then rejected the
    rest of that record apart): each broken line is rejected alone, the values with line breaks load whole,
    in several files, numbered on across them."""
    first = [_line_item(1), _line_item(2, '"Annual plan'), _line_item(3), _line_item(4, '"Two\nlines, one value"'),
             _line_item(5, '"Open again'), _line_item(6)]
    result, loaded, rejects = _load_line_items(tmp_path, first, name="invoice_line_item/part-0.csv",
                                               **{"part-1": [_line_item(7, '"Also open'), _line_item(8)]})
    assert (result.rows_loaded, result.rows_rejected) == (5, 3)
    assert loaded == [(1, "il_1", "Pro plan"), (2, "il_3", "Pro plan"), (3, "il_4", "Two\nlines, one value"),
                      (4, "il_6", "Pro plan"), (5, "il_8", "Pro plan")]
    assert [(f, line, error_type) for f, line, _, error_type, _, _ in rejects] == [
        ("stripe/invoice_line_item/part-0.csv", 3, "UNTERMINATED QUOTE"),
        ("stripe/invoice_line_item/part-0.csv", 7, "UNTERMINATED QUOTE"),  # line 5 holds a line break
        ("stripe/invoice_line_item/part-1.csv", 2, "UNTERMINATED QUOTE")]


def test_an_unterminated_quote_on_the_last_record_rejects_that_record(tmp_path):
    result, loaded, rejects = _load_line_items(tmp_path, [_line_item(1), _line_item(2), _line_item(3, '"Annual plan')])
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert [row[1] for row in loaded] == ["il_1", "il_2"]
    assert [(line, column) for _, line, column, *_ in rejects] == [(4, "description")]
    assert "unterminated quote" in rejects[0][4].lower()


def test_a_quoted_value_with_line_breaks_loads_as_one_record(tmp_path):
    result, loaded, rejects = _load_line_items(
        tmp_path, [_line_item(1, '"Annual\nplan, ""gold"""'), _line_item(2, '"Pro\r\n\nplan"'), _line_item(3)])
    assert (result.rows_loaded, result.rows_rejected) == (3, 0) and rejects == []
    assert loaded == [(1, "il_1", 'Annual\nplan, "gold"'), (2, "il_2", "Pro\r\n\nplan"), (3, "il_3", "Pro plan")]


@pytest.mark.parametrize("ending", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_a_reject_after_values_with_line_breaks_names_its_line_in_the_file(tmp_path, ending):
    """DuckDB counts a record holding line breaks as one line: the rejects after one were named a line too
    early for each break (line 4 for the record on line 7 here), so a person opening the file found another."""
    lines = [HEADER, GOOD.replace("Acme", '"Acme\nHoldings"'), GOOD.replace("001A", "002B").replace("Acme", '"A\n\nB"'),
             GOOD.replace("001A", "003C") + ",extra", GOOD.replace("001A", "004D").replace("Acme", "Caf\xe9"),
             GOOD.replace("001A", "005E")]
    _write(tmp_path / "raw", ("\n".join(lines) + "\n").replace("\n", ending).encode("latin-1"))
    result, con = _load(tmp_path, tmp_path / "raw")
    assert (result.rows_loaded, result.rows_rejected) == (3, 2)
    rejects = con.execute("select line, error_type, reason from raw_meta.load_rejects order by line").fetchall()
    assert [(line, error_type) for line, error_type, _ in rejects] == [(7, "TOO MANY COLUMNS"), (8, "INVALID ENCODING")]
    assert [reason.split(":")[0] for _, _, reason in rejects] == ["TOO MANY COLUMNS at line 7",
                                                                  "INVALID ENCODING at line 8 in column name"]


def test_a_repeated_header_row_is_rejected_with_its_line_and_never_landed(tmp_path):
    """Two exports joined (`cat a.csv b.csv`): the second header was landed as a data row (an account with id
    `id`, named `name`). A record equal to its file's header (spaces trimmed, any case) is rejected now, with
    its line; a record with only some of the column names (id `id`) is data and lands."""
    raw = tmp_path / "raw"
    spaced = ",".join(f" {c.upper()} " if i % 2 else c for i, c in enumerate(HEADER.split(",")))
    _write(raw, "\n".join([HEADER, GOOD, GOOD.replace("001A", "002B").replace("Acme", '"Two\nlines"'), spaced,
                           GOOD.replace("001A", "id"), GOOD.replace("001A", "003C"), ""]), name="account/part-0.csv")
    _write(raw, f"{HEADER}\n{GOOD.replace('001A', '004D')}\n{HEADER}\n", name="account/part-1.csv")
    result, con = _load(tmp_path, raw)
    assert (result.rows_loaded, result.rows_rejected) == (5, 2)
    assert con.execute("select id, _source_file, _source_row from raw_salesforce.account order by 3").fetchall() == [
        ("001A", "salesforce/account/part-0.csv", 1), ("002B", "salesforce/account/part-0.csv", 2),
        ("id", "salesforce/account/part-0.csv", 4), ("003C", "salesforce/account/part-0.csv", 5),
        ("004D", "salesforce/account/part-1.csv", 6)]
    rejects = con.execute("select source_file, line, column_name, error_type, reason, raw_record "
                          "from raw_meta.load_rejects order by 1, 2").fetchall()
    assert rejects == [
        ("salesforce/account/part-0.csv", 5, None, "REPEATED HEADER",
         "REPEATED HEADER at line 5: the record repeats the file's header (two exports joined?); "
         "set aside, not landed as data", spaced),
        ("salesforce/account/part-1.csv", 3, None, "REPEATED HEADER",
         "REPEATED HEADER at line 3: the record repeats the file's header (two exports joined?); "
         "set aside, not landed as data", HEADER)]
    assert any("2 record(s)" in w for w in result.warnings)


def test_a_repeated_header_in_an_appended_part_file_is_rejected_too(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0.csv")
    _load(tmp_path, raw)[1].close()
    _write(raw, f"{HEADER}\n{HEADER}\n{GOOD.replace('001A', '002B')}\n", name="account/part-1.csv")
    result, con = _load(tmp_path, raw)
    assert (result.mode, result.rows_loaded, result.rows_rejected) == ("append", 1, 1)
    assert con.execute("select id, _source_row from raw_salesforce.account order by 2").fetchall() == [
        ("001A", 1), ("002B", 3)]
    assert con.execute("select source_file, line, error_type from raw_meta.load_rejects").fetchall() == [
        ("salesforce/account/part-1.csv", 2, "REPEATED HEADER")]


def test_a_header_ending_in_a_comma_over_empty_values_is_ignored_with_a_warning(tmp_path):
    raw = tmp_path / "raw"
    path = _write(raw, f"{HEADER},\n{GOOD},\n{GOOD.replace('001A', '002B')}, \n")
    result, con = _load(tmp_path, raw)
    assert result.rows_loaded == 2
    assert f"{path}: column {len(ACCOUNT.columns) + 2} of the header (row 1) has no name" in " ".join(result.warnings)
    landed = [c[0] for c in con.execute("describe raw_salesforce.account").fetchall()]
    assert landed == [*ACCOUNT.columns, "_source_file", "_loaded_at", "_source_row"]


def test_a_column_without_a_name_holding_values_is_an_error_and_the_table_stays_as_it_was(tmp_path):
    raw, db, before = _account_landed_once(tmp_path)
    # A new part file with a new (unnamed) column: the whole table would be landed again.
    path = _write(raw, f"{HEADER},\n{GOOD.replace('001A', '002B')},\n{GOOD.replace('001A', '003C')},EMEA\n",
                  name="account/part-1.csv")
    with pytest.raises(RawFileError) as err:
        load_all(raw, db, tables=[ACCOUNT], progress=False)
    assert str(err.value).startswith(f"{path}: column {len(ACCOUNT.columns) + 2} of the header (row 1) has no "
                                     "name but 1 row(s) have a value in it")
    assert _landed(db) == before


def test_files_no_table_reads_are_named_with_why_and_upper_case_suffixes_are_read(tmp_path, caplog):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0001.csv")
    _write(raw, f"{HEADER}\n{GOOD.replace('001A', '002B')}\n", name="account/upper.CSV")
    stray = {
        "salesforce/account/2026-11/part-0002.csv": "in a nested folder: only the files directly in "
                                                    "salesforce/account/",
        "salesforce/account/notes.txt": "unsupported suffix '.txt'",
        "zendesk/nps_responses.csv": "unknown table zendesk.nps_responses: no such table in the raw contract; did "
                                     "you mean zendesk.nps_response?",
        "gong/calls.csv": "unknown table gong.calls: the raw contract has no system 'gong'",
        "accounts.csv": "not in a <system>/ folder",
    }
    for name in stray:
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(f"{HEADER}\n{GOOD.replace('001A', '009Z')}\n")
    (raw / "salesforce" / ".DS_Store").write_bytes(b"\0")
    with caplog.at_level("WARNING", logger="revops.load"):
        results = load_all(raw, tmp_path / "w.duckdb", tables=[ACCOUNT], progress=False)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select id, _source_file from raw_salesforce.account order by 1").fetchall() == [
            ("001A", "salesforce/account/part-0001.csv"), ("002B", "salesforce/account/upper.CSV")]
    assert len(results.warnings) == len(stray)
    for name, why in stray.items():
        (warning,) = [w for w in results.warnings if w.startswith(f"{raw / name}: not read (")]
        assert why in warning, warning
        assert warning in caplog.text

    from revops.dagster_assets.raw_gate import raw_fingerprint, tables_of

    assert "salesforce/account/upper.CSV" in raw_fingerprint(raw)
    assert tables_of(["salesforce/account/2026-11/part-0002.csv", "salesforce/account/upper.CSV"]) == [
        ("salesforce", "account")]
    assert tables_of(["salesforce/account/2026-11/part-0002.csv"]) == []


def test_csv_and_parquet_files_of_one_table_are_an_error_whatever_the_case_of_their_suffixes(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0.CSV")
    _write_parquet(raw / "salesforce" / "account" / "part-1.parquet", ["a1"])
    with pytest.raises(RawFileError, match=f"^{raw / 'salesforce'}: table salesforce.account has both CSV and "):
        _load(tmp_path, raw)


def test_an_upper_case_parquet_suffix_is_read(tmp_path):
    raw = tmp_path / "raw"
    _write_parquet(raw / "salesforce" / "account" / "part-00000.Parquet", ["a1", "a2"])
    result, _ = _load(tmp_path, raw)
    assert result.in_place and result.rows_loaded == 2 and not load_all(raw, tmp_path / "w2.duckdb", progress=False
                                                                        ).warnings


def test_the_sensor_does_not_count_a_file_in_a_nested_folder_as_the_tables(tmp_path, monkeypatch):
    from dagster import DagsterInstance, build_sensor_context

    from revops.dagster_assets.raw import raw_files_sensor

    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n", name="account/part-0001.csv")
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    sensor = raw_files_sensor("full_refresh")
    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(build_sensor_context(instance=instance))
        assert first.run_requests[0].tags["revops/changed_tables"] == "salesforce.account"
        _write(raw, f"{HEADER}\n{GOOD}\n", name="account/2026-11/part-0002.csv")
        nested = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert not nested.run_requests and "outside the raw contract" in nested.skip_message
        assert "salesforce/account/2026-11/part-0002.csv" in nested.skip_message


@pytest.mark.parametrize("left", [None, "zendesk/nps_responses.csv"], ids=["no file", "only a misspelt table"])
def test_a_raw_folder_without_any_contract_file_is_an_error_and_the_warehouse_stays_as_it_was(tmp_path, left):
    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n")
    db = tmp_path / "w.duckdb"
    load_all(raw, db, progress=False)
    before = _landed(db)
    (raw / "salesforce" / "account.csv").unlink()
    if left:
        (raw / left).parent.mkdir(parents=True)
        (raw / left).write_text("id\n1\n")
    with pytest.raises(RawFileError, match=f"^raw folder {raw} holds no file of any contract table") as err:
        load_all(raw, db, progress=False)
    assert "REVOPS_RAW_DIR" in str(err.value) and (not left or f"{raw / left}: not read" in str(err.value))
    assert _landed(db) == before

    with pytest.raises(RawFileError, match=f"^raw folder {tmp_path / 'nope'} not found"):
        load_all(tmp_path / "nope", db, progress=False)
    assert _landed(db) == before


def test_the_raw_asset_fails_and_the_sensor_skips_on_a_raw_folder_without_any_contract_file(tmp_path, monkeypatch):
    from dagster import DagsterInstance, build_sensor_context, materialize

    from revops.dagster_assets.raw import raw_files_sensor, raw_table_asset

    raw = tmp_path / "raw"
    _write(raw, f"{HEADER}\n{GOOD}\n")
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    asset = raw_table_asset(ACCOUNT)
    with DagsterInstance.ephemeral() as instance:
        assert materialize([asset], instance=instance).success
        sensor = raw_files_sensor("full_refresh")
        first = sensor.evaluate_tick(build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1
        (raw / "salesforce" / "account.csv").unlink()
        result = materialize([asset], instance=instance, raise_on_error=False)
        assert not result.success
        (failure,) = [e for e in result.all_events if e.is_step_failure]
        assert f"raw folder {raw} holds no file of any contract table" in failure.event_specific_data.error.message
        tick = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert not tick.run_requests and tick.skip_message.startswith(
            f"raw folder {raw} holds no file of any contract table")
        raw.rename(tmp_path / "elsewhere")
        tick = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert not tick.run_requests and tick.skip_message.startswith(f"raw folder {raw} not found")
    assert _landed(tmp_path / "w.duckdb")[0] == [("001A", "salesforce/account.csv", 1)]


@pytest.mark.parametrize("made", [True, False], ids=["empty folder", "no folder"])
def test_revops_run_never_generates_the_sample_into_revops_raw_dir(tmp_path, monkeypatch, capsys, made):
    from revops.cli import main

    raw = tmp_path / "exports"
    if made:
        raw.mkdir()
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("REVOPS_TRUTH_DIR", str(tmp_path / "truth"))
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    assert main(["run", "--scale", "0.01"]) == 2
    assert f"raw folder {raw} {'holds no file' if made else 'not found'}" in capsys.readouterr().err
    assert (list(raw.iterdir()) if made else raw.exists()) in ([], False)
    assert not (tmp_path / "truth").exists() and not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("raw_dir", [None, "data/raw", "./data/raw/", "absolute"],
                         ids=["unset", "the default", "the default spelt otherwise", "the default's absolute path"])
def test_revops_run_generates_the_sample_into_data_raw_when_revops_raw_dir_is_not_set(tmp_path, monkeypatch,
                                                                                      raw_dir):
    """REVOPS_RAW_DIR set to the default folder itself (relative or absolute) is the default, not a folder of
    someone's exports: `revops run` generates the sample there as when it is unset (it used to stop with an
    error, as for any value set)."""
    import revops.generator
    import revops.load
    from revops import settings
    from revops.cli import main

    generated = []

    def fake_generate(raw_dir, truth_dir, **kwargs):
        generated.append(raw_dir)
        _write(raw_dir, f"{HEADER}\n{GOOD}\n")

    def stop(*args, **kwargs):
        raise RuntimeError("stopped before loading")

    if raw_dir is None:
        monkeypatch.delenv("REVOPS_RAW_DIR", raising=False)
    else:
        monkeypatch.setenv("REVOPS_RAW_DIR", str(tmp_path / "data" / "raw") if raw_dir == "absolute" else raw_dir)
    monkeypatch.setattr(settings, "PROJECT_DIR", tmp_path)
    monkeypatch.setattr(revops.generator, "generate", fake_generate)
    monkeypatch.setattr(revops.load, "load_all", stop)
    assert main(["run"]) == 2
    assert generated == [tmp_path / "data" / "raw"]


@pytest.mark.parametrize("name", ["salesforce/account.CSV", "salesforce/account/part-00001.Parquet"])
def test_revops_generate_leaves_a_folder_of_exports_with_upper_case_suffixes_alone(tmp_path, monkeypatch, capsys,
                                                                                   name):
    """The loader reads `.CSV` and `.Parquet` too; `revops generate` (which `make ui` runs) took a folder holding
    only such files for an empty one and generated the sample into it, deleting the tables' part folders."""
    import revops.generator
    from revops.cli import main

    export = tmp_path / "raw" / name
    export.parent.mkdir(parents=True)
    export.write_text("mine\n")
    generated = []
    monkeypatch.setattr(revops.generator, "generate", lambda raw_dir, *a, **k: generated.append(raw_dir) or {})
    assert main(["generate", "--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "truth")]) == 0
    assert not generated and export.read_text() == "mine\n"
    # no --force advice: the folder has no sample marker, so --force would refuse it too
    out = capsys.readouterr().out
    assert "already holds raw files the generator did not write; kept" in out and "--force" not in out
    (tmp_path / "raw" / ".revops-sample").write_text("")
    assert main(["generate", "--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "truth")]) == 0
    assert "already holds the sample company; kept (`revops generate --force`" in capsys.readouterr().out
