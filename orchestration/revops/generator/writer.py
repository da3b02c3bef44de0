"""Streaming table writers: CSV (csv module, appended in batches) or Parquet (one file, row groups).

Every value reaching a writer is a ``str`` or ``None``; the empty string also means NULL.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

FLUSH_ROWS = 25_000


class TableWriter:
    """Buffers rows or column batches of one table and appends them to its file when the buffer fills."""

    def __init__(self, path_base: Path, columns: Sequence[str], fmt: str = "csv", flush_rows: int = FLUSH_ROWS):
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown format {fmt!r}: use 'csv' or 'parquet'")
        self.columns = list(columns)
        self.fmt = fmt
        self.path = path_base.with_suffix("." + fmt)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.flush_rows = flush_rows
        self.rows_written = 0
        self._rows: list[tuple] = []
        self._batches: list[list] = []
        self._buffered = 0
        self._csv_file = None
        self._csv = None
        self._pq: pq.ParquetWriter | None = None
        self._schema = pa.schema([(c, pa.string()) for c in self.columns])
        if fmt == "csv":
            self._csv_file = open(self.path, "w", newline="", encoding="utf-8")
            self._csv = csv.writer(self._csv_file, lineterminator="\n")
            self._csv.writerow(self.columns)
        else:
            self._pq = pq.ParquetWriter(self.path, self._schema, compression="zstd")

    def add_row(self, row: Sequence[str | None]) -> None:
        self._rows.append(tuple(row))
        self._buffered += 1
        if self._buffered >= self.flush_rows:
            self.flush()

    def add_columns(self, cols: Sequence[Sequence[str] | np.ndarray]) -> None:
        """A batch given column-wise (numpy string arrays or lists), in column order."""
        if len(cols) != len(self.columns):
            raise ValueError(f"{self.path}: got {len(cols)} columns, expected {len(self.columns)}")
        n = len(cols[0])
        if n == 0:
            return
        self._flush_rows_to_batches()
        self._batches.append(list(cols))
        self._buffered += n
        if self._buffered >= self.flush_rows:
            self.flush()

    def _flush_rows_to_batches(self) -> None:
        if self._rows:
            self._batches.append([list(c) for c in zip(*self._rows)])
            self._rows = []

    def flush(self) -> None:
        self._flush_rows_to_batches()
        if not self._batches:
            return
        if self.fmt == "csv":
            for cols in self._batches:
                lists = [c.tolist() if isinstance(c, np.ndarray) else c for c in cols]
                self._csv.writerows(zip(*lists))
        else:
            arrays = []
            for i in range(len(self.columns)):
                chunks = [pa.array(b[i], type=pa.string()) for b in self._batches]
                arr = pa.concat_arrays(chunks) if len(chunks) > 1 else chunks[0]
                arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
                arrays.append(arr)
            self._pq.write_table(pa.Table.from_arrays(arrays, schema=self._schema), row_group_size=1_000_000)
        self.rows_written += self._buffered
        self._batches = []
        self._buffered = 0

    def close(self) -> None:
        self.flush()
        if self._csv_file is not None:
            self._csv_file.close()
        if self._pq is not None:
            self._pq.close()
