"""The packaged OCDS 1.1.5 JSON schemas, loaded once, resolvable without a network.

The package schemas refer to the release schema by its absolute URL
(``https://standard.open-contracting.org/schema/1__1__5/release-schema.json``); the
registry below maps every such id to the local copy so nothing is ever fetched.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

OCDS_VERSION = "1.1.5"
SCHEMA_BASE_URL = "https://standard.open-contracting.org/schema/1__1__5/"

RELEASE_SCHEMA = "release-schema.json"
RELEASE_PACKAGE_SCHEMA = "release-package-schema.json"
RECORD_PACKAGE_SCHEMA = "record-package-schema.json"
VERSIONED_RELEASE_VALIDATION_SCHEMA = "versioned-release-validation-schema.json"

SCHEMA_FILES: tuple[str, ...] = (
    RELEASE_SCHEMA,
    RELEASE_PACKAGE_SCHEMA,
    RECORD_PACKAGE_SCHEMA,
    VERSIONED_RELEASE_VALIDATION_SCHEMA,
)


@cache
def load_schema(file_name: str) -> dict[str, Any]:
    """Return the packaged schema ``file_name`` (one of ``SCHEMA_FILES``).

    The dict is cached and shared: treat it as read-only.
    """
    if file_name not in SCHEMA_FILES:
        raise ValueError(f"unknown OCDS schema file: {file_name}")
    path = resources.files("schemas") / "data" / "ocds-1.1.5" / file_name
    return json.loads(path.read_text(encoding="utf-8"))


def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema (read-only, cached)."""
    return load_schema(RELEASE_SCHEMA)


def release_package_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release-package schema (read-only, cached)."""
    return load_schema(RELEASE_PACKAGE_SCHEMA)


def record_package_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 record-package schema (read-only, cached)."""
    return load_schema(RECORD_PACKAGE_SCHEMA)


def schema_id(file_name: str) -> str:
    """The absolute id (URL) under which ``file_name`` is published."""
    return SCHEMA_BASE_URL + file_name


@cache
def registry() -> Registry:
    """A registry resolving every OCDS 1.1.5 schema id to its packaged copy."""
    resources_by_id = []
    for file_name in SCHEMA_FILES:
        contents = load_schema(file_name)
        # Trust the file's own id, but fail loudly if a copy was swapped for another version.
        if contents.get("id") != schema_id(file_name):
            raise ValueError(f"{file_name} has unexpected id {contents.get('id')!r}")
        resources_by_id.append(
            (schema_id(file_name), Resource.from_contents(contents, default_specification=DRAFT4))
        )
    return Registry().with_resources(resources_by_id)
