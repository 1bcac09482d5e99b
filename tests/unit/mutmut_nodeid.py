"""Pytest plugin for mutation runs (``[tool.mutmut]`` loads it with ``-p``).

mutmut 3.7 maps tests to the functions they reach through ``item._nodeid``, an attribute
pytest 9 no longer has; this gives it back as an alias of the public ``nodeid``.
"""

from __future__ import annotations

from _pytest.nodes import Node

if not hasattr(Node, "_nodeid"):
    Node._nodeid = property(lambda node: node.nodeid)  # type: ignore[attr-defined]
