"""An in-memory :class:`services.core.ports.DocumentStore` for unit and property tests (no files, no server).

It keeps the same contract as the real adapters (``tests/contracts``): documents are copied
in and out, so callers can never mutate stored state by accident.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from services.core.ports import Delete, Document, Upsert, Where, Write


def _matches(doc: Document, where: Where | None) -> bool:
    for name, condition in (where or {}).items():
        value = doc.get(name)
        if isinstance(condition, dict) and "$in" in condition:
            if value not in condition["$in"]:
                return False
        elif value != condition:
            return False
    return True


class MemoryDocumentStore:
    """Dicts of documents per collection."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Document]] = {}
        self.generation = 0

    def _collection(self, name: str) -> dict[str, Document]:
        return self._data.setdefault(name, {})

    def ensure_indexes(self, collection: str, fields: Iterable[str]) -> None:
        self._collection(collection)

    def get(self, collection: str, id: str) -> Document | None:
        doc = self._collection(collection).get(id)
        return copy.deepcopy(doc) if doc is not None else None

    def get_many(self, collection: str, ids: Iterable[str]) -> dict[str, Document]:
        docs = self._collection(collection)
        return {i: copy.deepcopy(docs[i]) for i in ids if i in docs}

    def find(
        self,
        collection: str,
        where: Where | None = None,
        *,
        sort: str | None = None,
        limit: int | None = None,
        exclude: Sequence[str] = (),
    ) -> list[Document]:
        docs = [d for _, d in sorted(self._collection(collection).items()) if _matches(d, where)]
        if sort:
            name = sort.lstrip("-")
            docs.sort(key=lambda d: (d.get(name) is not None, d.get(name)), reverse=sort.startswith("-"))
        docs = docs[:limit] if limit is not None else docs
        return [{k: copy.deepcopy(v) for k, v in d.items() if k not in exclude} for d in docs]

    def count(self, collection: str, where: Where | None = None) -> int:
        return sum(1 for d in self._collection(collection).values() if _matches(d, where))

    def insert_new(self, collection: str, documents: Sequence[Document]) -> set[str]:
        docs = self._collection(collection)
        existing = {d["_id"] for d in documents if d["_id"] in docs}
        for doc in documents:
            docs.setdefault(doc["_id"], copy.deepcopy(doc))
        return existing

    def write(self, writes: Sequence[Write]) -> None:
        for item in writes:
            if isinstance(item, Upsert):
                self._collection(item.collection)[item.document["_id"]] = copy.deepcopy(item.document)
            elif isinstance(item, Delete):
                self._collection(item.collection).pop(item.id, None)
        self.generation += 1

    def drop(self, collection: str) -> None:
        self._data.pop(collection, None)

    def close(self) -> None:
        pass

    def snapshot(self, collection: str) -> dict[str, Document]:
        """A copy of a whole collection (tests compare views)."""
        return copy.deepcopy(self._collection(collection))
