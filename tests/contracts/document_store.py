"""The contract every :class:`services.core.ports.DocumentStore` adapter must keep.

Subclass :class:`DocumentStoreContract` and provide a ``store`` fixture (a fresh, empty store).
"""

from __future__ import annotations

import pytest

from services.core.ports import Delete, Upsert


class DocumentStoreContract:
    @pytest.fixture
    def store(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def test_get_missing_is_none(self, store):
        assert store.get("things", "nope") is None

    def test_upsert_get_and_replace(self, store):
        store.write([Upsert("things", {"_id": "a", "n": 1, "nested": {"x": [1, 2]}, "text": "Ålesund ✓"})])
        assert store.get("things", "a") == {"_id": "a", "n": 1, "nested": {"x": [1, 2]}, "text": "Ålesund ✓"}
        store.write([Upsert("things", {"_id": "a", "n": 2})])
        assert store.get("things", "a") == {"_id": "a", "n": 2}

    def test_writes_apply_in_order_across_collections(self, store):
        store.write(
            [
                Upsert("things", {"_id": "a", "n": 1}),
                Upsert("others", {"_id": "b", "n": 1}),
                Delete("things", "a"),
                Upsert("things", {"_id": "c", "n": 3}),
                Delete("things", "never-existed"),
            ]
        )
        assert store.get("things", "a") is None
        assert store.get("things", "c") == {"_id": "c", "n": 3}
        assert store.get("others", "b") == {"_id": "b", "n": 1}

    def test_get_many_returns_only_found(self, store):
        store.write([Upsert("things", {"_id": str(i), "n": i}) for i in range(1200)])
        found = store.get_many("things", ["1", "999", "1199", "missing", "1"])
        assert set(found) == {"1", "999", "1199"}
        assert found["999"]["n"] == 999

    def test_find_filters_sorts_limits_and_excludes(self, store):
        store.ensure_indexes("cells", ["region", "phase"])
        store.write(
            [
                Upsert("cells", {"_id": "1", "region": "r1", "phase": "planning", "rank": 3, "big": [1]}),
                Upsert("cells", {"_id": "2", "region": "r1", "phase": "operation", "rank": 1, "big": [1]}),
                Upsert("cells", {"_id": "3", "region": "r2", "phase": "operation", "rank": 2, "big": [1]}),
                Upsert("cells", {"_id": "4", "region": "r2", "phase": None, "rank": 4, "big": [1]}),
            ]
        )
        assert [d["_id"] for d in store.find("cells", {"region": "r1"})] == ["1", "2"]
        assert [d["_id"] for d in store.find("cells", {"phase": {"$in": ["operation"]}}, sort="rank")] == [
            "2",
            "3",
        ]
        assert [d["_id"] for d in store.find("cells", {"phase": {"$in": []}})] == []
        assert [d["_id"] for d in store.find("cells", sort="-rank", limit=2)] == ["4", "1"]
        assert [d["_id"] for d in store.find("cells", {"region": "r2", "phase": "operation"})] == ["3"]
        assert [d["_id"] for d in store.find("cells", {"_id": {"$in": ["2", "4"]}})] == ["2", "4"]
        assert all("big" not in d for d in store.find("cells", exclude=("big",)))
        assert store.count("cells", {"region": "r2"}) == 2
        assert store.count("cells") == 4

    def test_booleans_filter(self, store):
        store.write([Upsert("flags", {"_id": "t", "on": True}), Upsert("flags", {"_id": "f", "on": False})])
        assert [d["_id"] for d in store.find("flags", {"on": True})] == ["t"]

    def test_insert_new_reports_existing_ids(self, store):
        assert store.insert_new("ids", [{"_id": "a", "v": 1}, {"_id": "b", "v": 1}]) == set()
        assert store.insert_new("ids", [{"_id": "b", "v": 2}, {"_id": "c", "v": 2}]) == {"b"}
        assert store.get("ids", "b") == {"_id": "b", "v": 1}
        assert store.get("ids", "c") == {"_id": "c", "v": 2}

    def test_drop_empties_a_collection(self, store):
        store.write([Upsert("things", {"_id": "a"})])
        store.drop("things")
        assert store.find("things") == []
        store.write([Upsert("things", {"_id": "b"})])
        assert store.count("things") == 1

    def test_arrays_of_objects_round_trip(self, store):
        doc = {
            "_id": "a",
            "steps": [{"at": "2021", "phase": "planning"}, {"at": "2022", "phase": "operation"}],
        }
        store.write([Upsert("nested", doc)])
        assert store.get("nested", "a") == doc

    def test_replacing_many_documents_in_one_write(self, store):
        store.write([Upsert("many", {"_id": str(i), "v": 1}) for i in range(300)])
        store.write(
            [Upsert("many", {"_id": str(i), "v": 2}) for i in range(0, 300, 2)] + [Delete("many", "1")]
        )
        docs = {d["_id"]: d["v"] for d in store.find("many")}
        assert len(docs) == 299 and docs["0"] == 2 and docs["3"] == 1 and "1" not in docs

    def test_floats_and_large_ints_round_trip(self, store):
        doc = {"_id": "n", "f": 0.1 + 0.2, "i": 2**53, "neg": -1.5, "empty": {}, "list": []}
        store.write([Upsert("nums", doc)])
        assert store.get("nums", "n") == doc
