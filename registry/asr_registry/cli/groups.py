"""A command that also has subcommands (`bench [MODEL]...` beside `bench compare OLD NEW`), and
the one-line error that replaces a mode flag which became a subcommand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from asr_registry.errors import RegistryError


class CommandWithSubcommands(click.Group):
    """Runs its own callback unless the first argument names a subcommand.

    `bench digits_ctc --rounds 1` parses models and options as a plain command would (in any
    order); `bench compare OLD NEW` hands everything after `compare` to that subcommand. `--help`
    shows the command's own options and lists the subcommands.
    """

    # Models and options in any order, as for a plain command (a group stops at its first argument).
    allow_interspersed_args = True

    def __init__(self, *args: Any, callback: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        kwargs["invoke_without_command"] = True

        def own(*a: Any, **k: Any) -> Any:
            # click calls a group's callback before its subcommand's: run ours only when there is none.
            if click.get_current_context().invoked_subcommand is None and callback is not None:
                return callback(*a, **k)
            return None

        super().__init__(*args, callback=own, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in self.commands:
            click.Command.parse_args(self, ctx, [])  # our own parameters keep their defaults
            ctx._protected_args, ctx.args = args[:1], args[1:]
            return ctx.args
        return click.Command.parse_args(self, ctx, args)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        if ctx.command is not self:  # a subcommand's usage line: our own arguments are not on its path
            return [p for p in params if not isinstance(p, click.Argument)]
        return params

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [*click.Command.collect_usage_pieces(self, ctx), "| COMMAND [ARGS]..."]


def removed_option(flag: str, replacement: str, *, is_flag: bool = False, nargs: int = 1) -> Callable[[Any], Any]:
    """A hidden `flag` whose use is a one-line error naming the subcommand that replaced it (exit 2)."""

    def refuse(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value:
            raise RegistryError(f"{flag} is now a subcommand: {replacement}")

    extra: dict[str, Any] = {"is_flag": True} if is_flag else {"nargs": nargs}
    return click.option(flag, hidden=True, expose_value=False, is_eager=True, callback=refuse, **extra)
