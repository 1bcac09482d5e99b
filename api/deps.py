"""FastAPI dependencies: the platform built by the composition root, per application."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from alliance.bootstrap import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
