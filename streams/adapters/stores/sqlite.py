"""Read-model store on SQLite (standard library): the embedded default.

Each collection is a table of ``(id, doc)`` with the document as JSON text; filters use
``json_extract`` with expression indexes. WAL mode lets API threads read while the
projector writes; writes go through one connection under a lock, one transaction each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import orjson

from services.core.ports import Document, Upsert, Where, Write
from streams.adapters.sqlite_file import SqliteFile

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _table(collection: str) -> str:
    if not _NAME.match(collection):
        raise ValueError(f"invalid collection name {collection!r}")
    return f"c_{collection}"


def _field(name: str) -> str:
    if not _FIELD.match(name):
        raise ValueError(f"invalid field name {name!r}")
    return f"json_extract(doc, '$.{name}')"


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


class SqliteDocumentStore:
    """:class:`services.core.ports.DocumentStore` on one SQLite file (``:memory:`` not supported)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Read models can be rebuilt from the log, so commits need not wait for the disk.
        self._db = SqliteFile(self.path, synchronous="NORMAL")
        self._writer = self._db.writer
        self._write_lock = self._db.lock
        self._reader = self._db.reader
        self._tables: set[str] = set()
        # Bumped on every committed write from this process; read caches key on it.
        self.generation = 0

    def _ensure_table(self, collection: str) -> str:
        table = _table(collection)
        if table not in self._tables:
            with self._write_lock:
                self._writer.execute(
                    f'CREATE TABLE IF NOT EXISTS "{table}" (id TEXT PRIMARY KEY, doc TEXT NOT NULL)'
                )
            self._tables.add(table)
        return table

    def ensure_indexes(self, collection: str, fields: Iterable[str]) -> None:
        table = self._ensure_table(collection)
        with self._write_lock:
            for name in fields:
                self._writer.execute(
                    f'CREATE INDEX IF NOT EXISTS "{table}_{name}" ON "{table}" ({_field(name)})'
                )

    def get(self, collection: str, id: str) -> Document | None:
        table = self._ensure_table(collection)
        row = self._reader().execute(f'SELECT doc FROM "{table}" WHERE id = ?', (id,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def get_many(self, collection: str, ids: Iterable[str]) -> dict[str, Document]:
        table = self._ensure_table(collection)
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Document] = {}
        reader = self._reader()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for id_, doc in reader.execute(f'SELECT id, doc FROM "{table}" WHERE id IN ({marks})', chunk):
                found[id_] = orjson.loads(doc)
        return found

    def _where(self, where: Where | None) -> tuple[str, list[Any]]:
        if not where:
            return "", []
        clauses, params = [], []
        for name, condition in where.items():
            column = "id" if name == "_id" else _field(name)
            if isinstance(condition, dict) and "$in" in condition:
                values = [_sql_value(v) for v in condition["$in"]]
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
            elif condition is None:
                clauses.append(f"{column} IS NULL")
            else:
                clauses.append(f"{column} = ?")
                params.append(_sql_value(condition))
        return " WHERE " + " AND ".join(clauses), params

    def find(
        self,
        collection: str,
        where: Where | None = None,
        *,
        sort: str | None = None,
        limit: int | None = None,
        exclude: Sequence[str] = (),
    ) -> list[Document]:
        table = self._ensure_table(collection)
        clause, params = self._where(where)
        sql = f'SELECT doc FROM "{table}"{clause}'
        if sort:
            descending = sort.startswith("-")
            name = sort.lstrip("-")
            column = "id" if name == "_id" else _field(name)
            sql += f" ORDER BY {column} {'DESC' if descending else 'ASC'}, id"
        else:
            sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        docs = [orjson.loads(row[0]) for row in self._reader().execute(sql, params)]
        if exclude:
            for doc in docs:
                for name in exclude:
                    doc.pop(name, None)
        return docs

    def count(self, collection: str, where: Where | None = None) -> int:
        table = self._ensure_table(collection)
        clause, params = self._where(where)
        return int(self._reader().execute(f'SELECT COUNT(*) FROM "{table}"{clause}', params).fetchone()[0])

    def insert_new(self, collection: str, documents: Sequence[Document]) -> set[str]:
        table = self._ensure_table(collection)
        ids = [doc["_id"] for doc in documents]
        existing: set[str] = set()
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    existing.update(
                        row[0]
                        for row in self._writer.execute(
                            f'SELECT id FROM "{table}" WHERE id IN ({marks})', chunk
                        )
                    )
                self._writer.executemany(
                    f'INSERT OR IGNORE INTO "{table}" (id, doc) VALUES (?, ?)',
                    [
                        (doc["_id"], orjson.dumps(doc).decode())
                        for doc in documents
                        if doc["_id"] not in existing
                    ],
                )
                self._writer.execute("COMMIT")
                self.generation += 1
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
        return existing

    def write(self, writes: Sequence[Write]) -> None:
        tables = {w.collection: self._ensure_table(w.collection) for w in writes}
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                # Consecutive writes of one kind to one table go in one executemany; order
                # between groups is kept, so "position last" still holds.
                for (table, kind), group in groupby(writes, key=lambda w: (tables[w.collection], type(w))):
                    if kind is Upsert:
                        self._writer.executemany(
                            f'INSERT OR REPLACE INTO "{table}" (id, doc) VALUES (?, ?)',
                            [(w.document["_id"], orjson.dumps(w.document).decode()) for w in group],
                        )
                    else:
                        self._writer.executemany(
                            f'DELETE FROM "{table}" WHERE id = ?', [(w.id,) for w in group]
                        )
                self._writer.execute("COMMIT")
                self.generation += 1
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise

    def drop(self, collection: str) -> None:
        table = _table(collection)
        with self._write_lock:
            self._writer.execute(f'DROP TABLE IF EXISTS "{table}"')
        self._tables.discard(table)

    def close(self) -> None:
        self._db.close()
