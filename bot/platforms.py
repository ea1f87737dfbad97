"""Which chat platforms there are: every class named under the `idesluss.platforms` entry
point group (pyproject.toml), found through the installed distributions' metadata.

Loading a platform's class imports its package's light part only (settings, names); its SDK
comes in when a configured platform is mounted. Adding a platform is one folder under
adapters/ and one line in pyproject.toml; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points

from bot.ports import Platform, PlatformConfigError, RateRule

GROUP = "idesluss.platforms"


def platform_classes() -> list[type[Platform]]:
    """Every platform class, in the alphabetical order of the names people read ("Slack",
    "Teams"): the order they are mounted, checked and listed in. An entry point that does
    not name a Platform is a packaging mistake and fails loudly."""
    found: dict[str, type[Platform]] = {}
    for point in entry_points(group=GROUP):
        cls = point.load()
        if not (isinstance(cls, type) and issubclass(cls, Platform)):
            raise TypeError(f"entry point {point.name} = {point.value} is not a Platform class")
        if point.name != cls.name:
            raise TypeError(f"entry point {point.name} names a platform called {cls.name!r}")
        found.setdefault(cls.name, cls)
    return sorted(found.values(), key=lambda cls: (cls.display_name.casefold(), cls.name))


def configured_platforms(
    environ: Mapping[str, str], classes: list[type[Platform]] | None = None
) -> list[Platform]:
    """Every platform whose settings are present. All configuration problems are reported
    together, so a person fixing the environment sees them at once."""
    found: list[Platform] = []
    problems: list[str] = []
    for cls in platform_classes() if classes is None else classes:
        try:
            platform = cls.from_env(environ)
        except PlatformConfigError as exc:
            problems.append(str(exc))
            continue
        if platform is not None:
            found.append(platform)
    if problems:
        raise PlatformConfigError("\n".join(problems))
    return found


def display_name(name: str) -> str:
    """ "Slack" for "slack"; a name no platform has is shown as it is ("console")."""
    for cls in platform_classes():
        if cls.name == name:
            return cls.display_name
    return name


def rate_limits() -> dict[str, tuple[RateRule, ...]]:
    """Each platform's declared limits, for the dispatcher."""
    return {cls.name: cls.rate_limits for cls in platform_classes() if cls.rate_limits}


def route_platforms() -> dict[str, str]:
    """Path → platform name, for the request log and metrics."""
    return {route: cls.name for cls in platform_classes() for route in cls.routes}
