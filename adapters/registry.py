"""The chat platforms the server can host. Each is a package under adapters/ exposing:

    PLATFORM = "slack"                                   # the name used in Incoming.platform
    def from_env(environ) -> Config | None               # None: not configured, skip it
    async def mount(app, bot, config) -> Sender          # routes, background services

`from_env` reads the platform's own environment variables and raises PlatformConfigError
naming what is missing when only part of a configuration is there. It must not import the
platform's SDK: the SDK is imported in `mount`, and only for platforms that are configured.
Adding a platform is one more line in PLATFORM_PACKAGES.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

PLATFORM_PACKAGES: tuple[str, ...] = ("adapters.slack", "adapters.teams")


class PlatformConfigError(Exception):
    """A platform is configured only in part; the message says what is missing."""


@dataclass(frozen=True)
class ConfiguredPlatform:
    name: str
    package: ModuleType
    config: Any

    async def mount(self, app: Any, bot: Any) -> Any:
        return await self.package.mount(app, bot, self.config)


def configured_platforms(
    environ: Mapping[str, str], packages: Sequence[str] = PLATFORM_PACKAGES
) -> list[ConfiguredPlatform]:
    """Every platform whose settings are present. All configuration problems are reported
    together, so a person fixing the environment sees them at once."""
    found: list[ConfiguredPlatform] = []
    problems: list[str] = []
    for dotted in packages:
        package = importlib.import_module(dotted)
        try:
            config = package.from_env(environ)
        except PlatformConfigError as exc:
            problems.append(str(exc))
            continue
        if config is not None:
            found.append(ConfiguredPlatform(package.PLATFORM, package, config))
    if problems:
        raise PlatformConfigError("\n".join(problems))
    return found
