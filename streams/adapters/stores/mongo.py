"""Read-model store on a MongoDB-wire server (MongoDB 7, FerretDB v1): the distributed shape.

Each collection is a MongoDB collection; the document's ``_id`` is the key. Only the
features both servers support are used: single-document writes batched with
``bulk_write``, ``find`` with equality and ``$in`` filters, sort, limit and exclusion
projections, ``count_documents`` and single-field ascending indexes. No transactions,
change streams, ``$lookup`` or accumulators beyond ``$sum``: :meth:`write` is therefore
not atomic across collections; every write is an idempotent replace or delete, applied
in the caller's order, so a caller that puts its consumer position last replays
harmlessly after a crash.

Connection problems (no server, timeouts, a dropped socket) surface as
:class:`services.core.ports.Unavailable` after a short server-selection timeout, never as a
hang.

Server behaviour checked against FerretDB v1.24 (SQLite backend) while writing this
adapter; MongoDB 7 behaves the same unless said otherwise:

* Integers round-trip as BSON int32/int64 (pymongo picks the width) and floats as
  doubles: ``2**53``, ``2**63 - 1`` and ``0.1 + 0.2`` come back exactly, ``2.0`` stays a
  float. Integers beyond int64 cannot be stored (pymongo raises ``OverflowError``).
* FerretDB drops the sign of ``-0.0`` (it comes back as ``0.0``); MongoDB keeps it.
* FerretDB cannot store NaN: it does not answer with an error but *closes the
  connection*, which pymongo reports as ``AutoReconnect``. Mapped blindly that would
  look like an outage and a projector would retry the poison batch forever, so when a
  write fails that way and the batch holds a NaN, :meth:`MongoDocumentStore.write` and
  :meth:`MongoDocumentStore.insert_new` raise ``ValueError`` instead of
  :class:`Unavailable`. Infinity is refused with an ordinary write error. (MongoDB stores
  both; JSON, the port's document model, has neither.)
* Numeric equality crosses types (``{"n": 1}`` matches ``1.0``) on both servers, but a
  boolean never equals a number (``True`` vs ``1``), unlike the SQLite store, which
  compares JSON booleans as integers. Read models keep booleans as booleans.
* An equality filter on ``None`` matches both ``null`` and a missing field, the same as
  the SQLite store's ``IS NULL`` on ``json_extract``; sorting puts ``null``/missing
  first ascending, then numbers, then strings (BSON order), as SQLite does for NULL,
  numbers and text.
* Nested key order is preserved; pymongo always encodes ``_id`` first at the top level.
* Duplicate-key errors from an unordered ``insert_many`` carry the ``index`` of the
  refused document, as on MongoDB, so :meth:`MongoDocumentStore.insert_new` maps them back
  to ids without a second query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, DeleteOne, MongoClient, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from services.core.ports import Delete, Document, Unavailable, Upsert, Where, Write

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_DUPLICATE_KEY = 11000
_CHUNK = 500
_FERRETDB_WRITE_CHUNK = 50
_MONGO_WRITE_CHUNK = 100_000

# ServerSelectionTimeoutError, AutoReconnect and NetworkTimeout all derive from
# ConnectionFailure; they are listed for the reader.
_CONNECTION_ERRORS = (ServerSelectionTimeoutError, NetworkTimeout, AutoReconnect, ConnectionFailure)

T = TypeVar("T")


def _collection_name(collection: str) -> str:
    if not _NAME.match(collection):
        raise ValueError(f"invalid collection name {collection!r}")
    return collection


def _field(name: str) -> str:
    if not _FIELD.match(name):
        raise ValueError(f"invalid field name {name!r}")
    return name


def _filter(where: Where | None) -> dict[str, Any]:
    """Translate the port's ``where`` (equality or ``$in`` on top-level fields) to a filter."""
    if not where:
        return {}
    query: dict[str, Any] = {}
    for name, condition in where.items():
        if isinstance(condition, dict):
            if set(condition) != {"$in"}:
                raise ValueError(f"unsupported condition on {name!r}: only equality and $in")
            query[_field(name)] = {"$in": list(condition["$in"])}
        else:
            query[_field(name)] = condition
    return query


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return value != value
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nan(v) for v in value)
    return False


@contextmanager
def _poison_checked(documents: Callable[[], Iterable[Document]]) -> Iterator[None]:
    """Re-raise a dropped connection as ``ValueError`` when the batch holds a NaN (FerretDB)."""
    try:
        yield
    except Unavailable:
        if any(_has_nan(doc) for doc in documents()):
            raise ValueError(
                "document holds NaN, which the server refused by closing the connection"
            ) from None
        raise


@contextmanager
def _reachable(what: str) -> Iterator[None]:
    """Turn pymongo's connection failures into :class:`Unavailable`."""
    try:
        yield
    except _CONNECTION_ERRORS as exc:
        raise Unavailable(f"read-model database unavailable during {what}: {exc}") from exc


class MongoDocumentStore:
    """:class:`services.core.ports.DocumentStore` on a MongoDB-wire server (MongoDB or FerretDB).

    ``timeout_ms`` bounds server selection, connecting and each socket operation, so an
    unreachable server raises :class:`Unavailable` within about that time.
    """

    def __init__(self, uri: str, database: str, *, timeout_ms: int = 5000) -> None:
        if not uri:
            raise ValueError("MongoDocumentStore needs a mongodb:// URI")
        self.uri = uri
        self.database_name = database
        self._client: MongoClient[Document] = MongoClient(
            uri,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=max(timeout_ms * 6, 30_000),
            retryWrites=True,
            retryReads=True,
            appname="innlandet-welfare-alliance",
        )
        self._db = self._client[database]
        self._ferretdb: bool | None = None

    def _collection(self, collection: str) -> Collection[Document]:
        return self._db[_collection_name(collection)]

    def _call(self, what: str, action: Callable[[], T]) -> T:
        with _reachable(what):
            return action()

    def ensure_indexes(self, collection: str, fields: Iterable[str]) -> None:
        """Create an ascending single-field index for each field (idempotent)."""
        target = self._collection(collection)
        with _reachable("ensure_indexes"):
            for name in fields:
                if _field(name) != "_id":
                    target.create_index([(name, ASCENDING)], name=f"{name}_1")

    def get(self, collection: str, id: str) -> Document | None:
        """The document with ``_id == id``, or None."""
        target = self._collection(collection)
        return self._call("get", lambda: target.find_one({"_id": id}))

    def get_many(self, collection: str, ids: Iterable[str]) -> dict[str, Document]:
        """The documents found among ``ids``, by id (missing ids are left out).

        One ``$in`` query per 500 ids on MongoDB. FerretDB v1 evaluates ``$in`` by reading
        the whole collection, but looks up a single ``_id`` through its index, so there it
        is one small query per id (about half a millisecond each on loopback).
        """
        target = self._collection(collection)
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Document] = {}
        with _reachable("get_many"):
            if self._is_ferretdb():
                for id in wanted:
                    doc = target.find_one({"_id": id})
                    if doc is not None:
                        found[id] = doc
                return found
            for start in range(0, len(wanted), _CHUNK):
                for doc in target.find({"_id": {"$in": wanted[start : start + _CHUNK]}}):
                    found[doc["_id"]] = doc
        return found

    def find(
        self,
        collection: str,
        where: Where | None = None,
        *,
        sort: str | None = None,
        limit: int | None = None,
        exclude: Sequence[str] = (),
    ) -> list[Document]:
        """Matching documents, sorted by ``sort`` (``-field`` descending), then by ``_id``."""
        target = self._collection(collection)
        query = _filter(where)
        order: list[tuple[str, int]] = []
        if sort:
            name = _field(sort.lstrip("-"))
            order.append((name, DESCENDING if sort.startswith("-") else ASCENDING))
        if not order or order[0][0] != "_id":
            order.append(("_id", ASCENDING))
        projection = {_field(name): 0 for name in exclude} or None
        if limit is not None and int(limit) <= 0:
            return []
        with _reachable("find"):
            cursor = target.find(query, projection=projection, sort=order)
            if limit is not None:
                cursor = cursor.limit(int(limit))
            return list(cursor)

    def count(self, collection: str, where: Where | None = None) -> int:
        """How many documents match ``where``."""
        target = self._collection(collection)
        query = _filter(where)
        return int(self._call("count", lambda: target.count_documents(query)))

    def insert_new(self, collection: str, documents: Sequence[Document]) -> set[str]:
        """Insert the documents whose ``_id`` is new; return the ids that already existed.

        Unordered, so one duplicate does not stop the rest; duplicate-key errors are the
        answer, any other write error is raised.
        """
        if not documents:
            return set()
        target = self._collection(collection)
        existing: set[str] = set()
        with _poison_checked(lambda: documents), _reachable("insert_new"):
            try:
                # insert_many adds _id to documents lacking one; ours always have it,
                # but copy so the caller's dicts are never touched.
                target.insert_many([dict(doc) for doc in documents], ordered=False)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                others = [e for e in errors if e.get("code") != _DUPLICATE_KEY]
                if others or exc.details.get("writeConcernErrors"):
                    raise
                existing = {documents[e["index"]]["_id"] for e in errors}
        return existing

    def write(self, writes: Sequence[Write]) -> None:
        """Apply upserts and deletes in order: one ordered ``bulk_write`` per run of one collection.

        Not atomic: a failure part-way leaves the earlier writes applied. Callers write so
        that a replay converges (facts first, position last, lost derived documents rebuilt
        from facts).
        """
        runs: list[tuple[str, list[Write]]] = [
            (_collection_name(collection), list(group))
            for collection, group in groupby(writes, key=lambda w: w.collection)
        ]

        def upserted() -> Iterator[Document]:
            return (w.document for w in writes if isinstance(w, Upsert))

        # FerretDB v1 stops answering an update command of 100 or more statements (its
        # batch size); MongoDB takes any size, so the chunking only applies there.
        chunk = _FERRETDB_WRITE_CHUNK if self._is_ferretdb() else _MONGO_WRITE_CHUNK
        with _poison_checked(upserted), _reachable("write"):
            for collection, run in runs:
                for start in range(0, len(run), chunk):
                    operations = [_operation(w) for w in run[start : start + chunk]]
                    self._db[collection].bulk_write(operations, ordered=True)

    def _is_ferretdb(self) -> bool:
        if self._ferretdb is None:
            with _reachable("buildInfo"):
                info = self._client.admin.command("buildInfo")
            self._ferretdb = "ferretdbVersion" in info
        return self._ferretdb

    def drop(self, collection: str) -> None:
        """Remove the collection with its documents and indexes (no error if absent)."""
        target = self._collection(collection)
        self._call("drop", target.drop)

    def ping(self) -> None:
        """Round trip to the server; raises :class:`Unavailable` when it does not answer."""
        self._call("ping", lambda: self._client.admin.command("ping"))

    def close(self) -> None:
        """Close the client's connection pool."""
        self._client.close()


def _operation(w: Write) -> ReplaceOne[Document] | DeleteOne:
    if isinstance(w, Upsert):
        return ReplaceOne({"_id": w.document["_id"]}, w.document, upsert=True)
    if isinstance(w, Delete):
        return DeleteOne({"_id": w.id})
    raise TypeError(f"unknown write {w!r}")  # pragma: no cover - the port's Write union is closed
