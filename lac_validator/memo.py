"""Memoised views: `@shared` computes a view of the context once per run and keeps it in
`ctx.cache`; `Precompute` declares the views worth computing before the rules are shared out
among forked processes (engine.precompute_views)."""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

from .context import Context


@dataclass(frozen=True)
class Precompute:
    """When the engine computes a view before it shares the rules out among forked processes, so
    that every process inherits the view instead of each computing its own: for each argument
    tuple in `args`, when a rule about to run requires the table named by the tuple's first
    argument and has every need in `needs` (the spec's `needs:` values, e.g. "postcodes")."""
    args: tuple[tuple, ...]
    needs: frozenset[str] = frozenset()


PRECOMPUTED: list = []  # the views declared with `precompute=`, for engine.precompute_views


def shared(func=None, *, precompute: Precompute | None = None):
    """Memoise a view in ctx.cache by its arguments as bound to its signature, defaults applied:
    `ordered(ctx)`, `ordered(ctx, "Episodes")` and `ordered(ctx, name="Episodes")` are one entry.
    `@shared(precompute=Precompute(...))` also declares the view worth computing once before the
    rules run in several processes (expensive, and asked for by rules of several modules)."""
    if func is None:
        return functools.partial(shared, precompute=precompute)
    signature = inspect.signature(func)

    def cache_key(ctx: Context, *args, **kwargs) -> tuple:
        bound = signature.bind(ctx, *args, **kwargs)
        bound.apply_defaults()
        return (func.__name__, tuple(bound.arguments.values())[1:])

    @functools.wraps(func)
    def wrapper(ctx: Context, *args, **kwargs):
        key = cache_key(ctx, *args, **kwargs)
        if key not in ctx.cache:
            ctx.cache[key] = func(ctx, *args, **kwargs)
        return ctx.cache[key]
    wrapper.cache_key = cache_key
    wrapper.precompute = precompute
    if precompute is not None:
        PRECOMPUTED.append(wrapper)
    return wrapper
