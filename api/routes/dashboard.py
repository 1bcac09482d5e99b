"""The coordinator dashboard at ``/``: one server-rendered page, static assets under ``/static``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from api.dashboard.page import SearchForm, build_page
from api.deps import READER, PlatformDep
from api.routes.parameters import RegionCode
from schemas.events import TechnologyCode

HERE = Path(__file__).resolve().parent.parent / "dashboard"
# Autoescaping is what keeps municipalities' free text (lessons, titles) from becoming markup.
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
)
static_files = StaticFiles(directory=HERE / "static")
# The dashboard shows the shared views, so it is as open as they are (ALLIANCE_READ_REQUIRES_TOKEN).
router = APIRouter(tags=["dashboard"], dependencies=[READER])


@router.get("/", response_class=HTMLResponse, summary="Coordinator dashboard (HTML)")
async def dashboard(
    request: Request,
    platform: PlatformDep,
    lang: Literal["nb", "en"] = "nb",
    q: Annotated[str, Query(max_length=200)] = "",
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    region: RegionCode | None = None,
) -> HTMLResponse:
    today = platform.clock().date()
    form = SearchForm(q, technology, region)
    context = await run_in_threadpool(build_page, platform, lang, form, today)
    return templates.TemplateResponse(request, "dashboard.html", context)
