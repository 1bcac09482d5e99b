"""A small closed-loop HTTP/1.1 load generator (keep-alive, N connections, asyncio).

Light enough that on one machine the server, not the client, is what gets measured; both
routes in a comparison go through the same client, so the comparison is fair either way.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    path: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)


async def _connection(host: str, port: int, request: bytes, stop_at: float, out: LoadResult) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            status = int(head.split(b" ", 2)[1])
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            out.latencies_ms.append((time.perf_counter() - started) * 1000)
            out.requests += 1
            if status != 200:
                out.errors += 1
    finally:
        writer.close()


async def _run(
    host: str, port: int, path: str, connections: int, seconds: float, headers: dict[str, str]
) -> LoadResult:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n{extra}\r\n".encode()
    result = LoadResult(path, 0, seconds, [], 0)
    stop_at = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, request, stop_at, result) for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def load(
    host: str,
    port: int,
    path: str,
    connections: int = 32,
    seconds: float = 5.0,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """Hammer ``path`` with ``connections`` keep-alive clients for ``seconds`` (``headers`` added)."""
    return asyncio.run(_run(host, port, path, connections, seconds, headers or {}))
