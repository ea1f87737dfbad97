"""A command is one unit: its words in both languages, its typed arguments (a reader), who
may use it, its help and usage, its handler and its buttons, declared together on the handler
(errbot's `@botcmd`/`@arg_botcmd` is the model):

    commands = CommandSet()

    @commands.command(
        "show", sv=("visa",), en=("show",), role=EVERYONE,
        read=with_number("show", lambda number, rest, _: ShowArgs(number)),
        help=((EVERYONE, "help.show"), (COORDINATOR, "help.show.coordinator")),
        menu=("personal", "group"),
    )
    async def _show(ctx: CommandContext, args: ShowArgs) -> list[Reply]: ...

bot/commands/catalog.py puts every module's `CommandSet` together into the one `Registry`;
the parser, `help`, the button codec, the Teams manifest's command list and the check of
README's command table are all made from it. A word without a handler cannot be written down.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.commands.buttons import Button, Codec
from bot.commands.syntax import Command, Reader

EVERYONE = "everyone"
COORDINATOR = "coordinator"
ADMIN = "admin"
ROLES = (EVERYONE, COORDINATOR, ADMIN)
# Where a command shows in Teams' command menu: the personal chat, a channel or group chat.
MENU_SCOPES = ("personal", "group")

Handler = Callable[[Any, Any], Awaitable[list[Any]]]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    sv: tuple[str, ...]  # single words, the first is the one shown
    en: tuple[str, ...]
    role: str  # who may run it; a command may check finer rights itself (gdpr)
    read: Reader
    handler: Handler
    phrases: tuple[str, ...] = ()  # commands of more than one word ("glöm mig")
    # (section of help, text key): the lines `help` shows, in the section of that role.
    help: tuple[tuple[str, str], ...] = ()
    menu: tuple[str, ...] = ()  # Teams' command menu; described by "menu.<name>[.group]"
    buttons: tuple[Button[Any], ...] = ()  # decode to this command's arguments
    doc_role: str | None = None  # README's "who", when it is not `role` (gdpr)

    @property
    def usage_key(self) -> str:
        return f"usage.{self.name}"

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.sv, *self.en)))  # a word both languages share once

    @property
    def title(self) -> str:
        """The English word: Teams' menu title, which Teams sends back as the text."""
        return self.en[0]


class CommandSet:
    """The commands one module declares, in the order it declares them."""

    def __init__(self) -> None:
        self.specs: list[CommandSpec] = []

    def command(
        self,
        name: str,
        *,
        sv: tuple[str, ...],
        en: tuple[str, ...],
        role: str,
        read: Reader,
        phrases: tuple[str, ...] = (),
        help: tuple[tuple[str, str], ...] = (),
        menu: tuple[str, ...] = (),
        buttons: tuple[Button[Any], ...] = (),
        doc_role: str | None = None,
    ) -> Callable[[Handler], Handler]:
        def declare(handler: Handler) -> Handler:
            self.specs.append(
                CommandSpec(
                    name=name, sv=sv, en=en, role=role, read=read, handler=handler,
                    phrases=phrases, help=help, menu=menu, buttons=buttons,
                    doc_role=doc_role,
                )
            )  # fmt: skip
            return handler

        return declare


class RegistryError(ValueError):
    """Two commands claim one word, or a command lacks what every command must have."""


class Registry:
    """Every command, in the order of help and of the Teams menu."""

    def __init__(self, specs: Iterable[CommandSpec], texts: Callable[[str, str], str]) -> None:
        self.specs = tuple(specs)
        self.by_name = {spec.name: spec for spec in self.specs}
        self.by_word: dict[str, str] = {}
        self.phrases: dict[str, str] = {}
        for spec in self.specs:
            _check(spec, texts)
            for word in spec.words:
                if word.casefold() != word or (
                    word in self.by_word and spec.name != self.by_word[word]
                ):
                    raise RegistryError(
                        f"{word!r}: {spec.name} (taken by {self.by_word.get(word)})"
                    )
                self.by_word[word] = spec.name
            for phrase in spec.phrases:
                if phrase in self.phrases:
                    raise RegistryError(
                        f"{phrase!r} means both {self.phrases[phrase]} and {spec.name}"
                    )
                self.phrases[phrase] = spec.name
        if len(self.by_name) != len(self.specs):
            raise RegistryError("two commands have one name")
        self.codec = Codec(_command_buttons(self.specs))

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(self.specs)

    def __getitem__(self, name: str) -> CommandSpec:
        return self.by_name[name]

    def for_role(self, role: str) -> frozenset[str]:
        return frozenset(spec.name for spec in self.specs if spec.role == role)


def _check(spec: CommandSpec, texts: Callable[[str, str], str]) -> None:
    """At import: every command has words in both languages, a known role, and its usage,
    help and menu texts exist in both languages (a KeyError names what is missing)."""
    if not spec.sv or not spec.en:
        raise RegistryError(f"{spec.name} needs words in Swedish and in English")
    if spec.role not in ROLES or any(section not in ROLES for section, _ in spec.help):
        raise RegistryError(f"{spec.name}: unknown role")
    if any(scope not in MENU_SCOPES for scope in spec.menu):
        raise RegistryError(f"{spec.name}: unknown menu scope")
    for lang in ("sv", "en"):
        texts(lang, spec.usage_key)
        for _, key in spec.help:
            texts(lang, key)
        if spec.menu:
            texts(lang, f"menu.{spec.name}")


def _command_buttons(specs: Iterable[CommandSpec]) -> list[Button[Command[Any]]]:
    def as_command(name: str, button: Button[Any]) -> Button[Command[Any]]:
        def decode(fields: tuple[str, ...]) -> Command[Any] | None:
            args = button.decode(fields)
            return None if args is None else Command(name, args)

        return Button(button.prefix, button.arity, decode)

    return [as_command(spec.name, button) for spec in specs for button in spec.buttons]
