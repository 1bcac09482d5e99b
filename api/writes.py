"""Writes through the API, each audited once through :func:`record_write`, whatever its outcome.

A write route declares its action and policy in one parameter::

    Submission = Annotated[Write, audited("events.submit", municipality_writer)]

    async def post_events(write: Submission, ...):
        value = write.json()                  # the decoded body (a refusal is raised, and audited)
        ...
        write.result(202, ingest_items(results))
        return response

The dependency records the entry when the route is done: the status and items the route
gave, or, when the route ended with an exception, the status that exception is answered
with (a body or validation refusal, 503 for an unavailable log, 500 for anything else).
A write its policy refuses (403, a known caller) is recorded by the policy, through the
same function. The audit items of each kind of result are built here too.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.errors import failure_of
from api.middleware.body import Model, json_body, json_model
from api.platform import platform_of
from api.security.principal import Principal
from services.governance.audit import AuditItem
from services.intake.events import IngestResult
from services.intake.releases import SubmissionResult

log = logging.getLogger(__name__)
MAX_ACTION_CHARS = 200
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def record_write(
    request: Request,
    principal: Principal,
    action: str,
    status: int,
    items: Iterable[AuditItem] = (),
    reason: str | None = None,
    wait: bool = True,
) -> None:
    """Append one entry to the audit log: who wrote, what, with which answer (the API's only call).

    ``wait=False`` hands the entry to a worker thread and returns at once (a request out of time).
    """
    audit = platform_of(request).audit
    if audit is None:
        return
    entry = functools.partial(
        audit.record, principal.actor, action[:MAX_ACTION_CHARS], status, list(items), reason
    )
    if wait:
        await run_in_threadpool(entry)
    else:
        asyncio.get_running_loop().run_in_executor(None, entry)


@dataclass(slots=True)
class Write:
    """One write in progress: the caller, the body it sent, and the outcome to audit."""

    request: Request
    principal: Principal
    action: str
    status: int = 200
    items: list[AuditItem] = field(default_factory=list)
    reason: str | None = None

    def json(self) -> Any:
        """The decoded JSON body (:class:`api.middleware.body.BodyRefused` when it was refused)."""
        return json_body(self.request)

    def model(self, model: type[Model]) -> Model:
        """The JSON body validated as ``model`` (422 when it is not one)."""
        return json_model(self.request, model)

    def result(self, status: int, items: Iterable[AuditItem] = (), reason: str | None = None) -> None:
        """The outcome to audit: the status the route answers with, the items, why (if refused)."""
        self.status, self.items, self.reason = status, list(items), reason


def audited(action: str, policy: Callable[..., Any]) -> Any:
    """The ``Depends`` of a write route: ``policy`` decides who may, the entry is recorded after."""

    async def write(request: Request, principal: Principal = Depends(policy)) -> AsyncIterator[Write]:
        entry = Write(request, principal, action)
        try:
            yield entry
        except Exception as error:
            status, reason = failure_of(error)
            try:
                await record_write(request, principal, action, status, entry.items, reason)
            except Exception:  # the write's own error is what the caller must see
                log.exception("audit entry of a failed %s not recorded", action)
            raise
        except asyncio.CancelledError:
            # Out of time (api.middleware.limits answers 503): recorded without holding up that answer.
            reason = "The request took too long: request_timeout"
            await record_write(request, principal, action, 503, entry.items, reason, wait=False)
            raise
        await record_write(request, principal, action, entry.status, entry.items, entry.reason)

    # scope="function": the entry is recorded before the response is sent, so it is there to be read.
    return Depends(write, scope="function")


def ingest_items(results: Iterable[IngestResult]) -> list[AuditItem]:
    """Submitted events as audit items: id, outcome and the rules that refused them."""
    return [AuditItem(r.event_id, r.outcome, tuple(e.rule for e in r.errors)) for r in results]


def submission_items(result: SubmissionResult) -> list[AuditItem]:
    """Submitted OCDS releases as audit items: release id (else ocid), outcome and rules."""
    return [
        AuditItem(r.release_id or r.ocid, r.outcome, tuple(f.rule for f in r.refusals))
        for r in result.results
    ]


def submission_reason(result: SubmissionResult) -> str | None:
    """The rules that refused a submission as a whole (size, shape), if any."""
    return ", ".join(sorted({f.rule for f in result.refusals})) or None


WHOLE_ACCEPTED = (AuditItem(None, "accepted"),)
"""The items of a write that is taken as one whole (a new member list)."""
