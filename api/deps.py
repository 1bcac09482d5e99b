"""What routes declare as parameters: the platform, its settings, and the caller by policy.

Each is an ``Annotated`` type, so a route states what it needs in its signature::

    def route(platform: PlatformDep, principal: Reader) -> ...: ...

The policies (who may call) are in :mod:`api.security.policies`; router-wide forms
(``READER``, ``COORDINATOR``) serve routers whose routes do not need the caller themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.platform import ApiPlatform, ApiSettings, platform_of
from api.security.policies import admin, coordinator, municipality_writer, public, reader
from api.security.principal import Principal


def get_platform(request: Request) -> ApiPlatform:
    """The platform of the application serving the request."""
    return platform_of(request)


def get_settings(request: Request) -> ApiSettings:
    """The settings of the platform serving the request."""
    return platform_of(request).settings


PlatformDep = Annotated[ApiPlatform, Depends(get_platform)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]

Reader = Annotated[Principal, Depends(reader)]
Coordinator = Annotated[Principal, Depends(coordinator)]
MunicipalityWriter = Annotated[Principal, Depends(municipality_writer)]
Admin = Annotated[Principal, Depends(admin)]
PUBLIC = Depends(public)
READER = Depends(reader)
COORDINATOR = Depends(coordinator)
