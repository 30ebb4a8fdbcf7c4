"""What a rule's source says about it, for `explain`: the schema code lists it reads.

Rules read a field's code list only through `ctx.codes(TABLE, FIELD)` or the toolkit's
`not_code(ctx, TABLE, FIELD)` (conventions: no copies of code lists in rules), so the lists a rule
reads are those calls in its function and in the functions of its module that it calls.
"""
from __future__ import annotations

import ast
import inspect
import sys
from functools import lru_cache

_READERS = {"codes": 0, "not_code": 1}  # call name -> index of the table argument


@lru_cache(maxsize=None)
def _module_functions(module_name: str) -> dict[str, ast.FunctionDef]:
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return {}
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def code_lists(func) -> list[tuple[str, str]]:
    """(table, field) of every schema code list `func` reads, directly or through a helper of its
    own module, in the order first read."""
    functions = _module_functions(func.__module__)
    found: list[tuple[str, str]] = []
    seen_funcs: set[str] = set()
    todo = [func.__name__]
    while todo:
        name = todo.pop(0)
        if name in seen_funcs or name not in functions:
            continue
        seen_funcs.add(name)
        for node in ast.walk(functions[name]):
            if not isinstance(node, ast.Call):
                continue
            called = _call_name(node)
            if called in _READERS:
                args = node.args[_READERS[called]:_READERS[called] + 2]
                if len(args) == 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                    pair = (args[0].value, args[1].value)
                    if pair not in found:
                        found.append(pair)
            elif called in functions:
                todo.append(called)
    return found
