"""Option groups: several click options handed to the command as one typed value.

`option_group("scale", ScaleRequest, opt1, opt2, ...)` adds the options and calls the command
with `scale=ScaleRequest(**their values)` instead of one parameter per option, so a command's
signature lists a few requests rather than dozens of flags. A request that refuses its values
raises a `RegistryError` (one line, exit 2) before the command body runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def option_group(
    target: str, build: Callable[..., Any], *options: Callable[[Any], Any], consumes: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Add `options` (click.option decorators); the command receives `target=build(**their values)`.

    `consumes` names values an outer group built (e.g. "prompt") that go into `build` as well.
    """

    def decorate(function: F) -> F:
        names: list[str] = list(consumes)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[target] = build(**{name: kwargs.pop(name) for name in names})
            return function(*args, **kwargs)

        # functools.wraps shares the function's list of click parameters: give the wrapper its own
        # copy, so that the ones click appends to it now are exactly this group's.
        params: list[Any] = list(getattr(function, "__click_params__", []))
        wrapper.__dict__["__click_params__"] = params
        before = len(params)
        decorated: Callable[..., Any] = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        names.extend(p.name for p in params[before:] if p.name)
        return cast(F, decorated)

    return decorate
