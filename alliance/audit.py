"""Audit entries for the local operator's writes from the command line: file imports, replays."""

from __future__ import annotations

from services.governance.audit import Actor, AuditHook, AuditItem, AuditLog

LOCAL_IMPORT = "local-import"
LOCAL_OPERATOR = "local-operator"
_CLIENT_ID_CHARS = 200


def operator_audit(log: AuditLog | None, action: str, role: str, client_id: str) -> AuditHook:
    """A hook that records each non-empty list of items as one ``action`` entry by the local ``role``.

    ``client_id`` names the command (and file) in the entry; without an audit log the hook does nothing.
    """
    actor = Actor(None, role, client_id=client_id[:_CLIENT_ID_CHARS])

    def record(items: list[AuditItem]) -> None:
        if log is not None and items:
            log.record(actor, action, 200, items)

    return record
