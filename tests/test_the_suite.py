"""The suite's own conventions, read from its source: every test asserts something, and a
refusal by a service is caught with raises_rule, which names the rule that refused."""

import ast
from pathlib import Path

from servicehall.core.errors import ServiceError

TESTS = Path(__file__).parent
# calls that assert by themselves: pytest's, the suite's, unittest's and Playwright's
ASSERTING = {"raises", "raises_rule", "fail", "warns", "deprecated_call"}


def _trees():
    for path in sorted(TESTS.rglob("*.py")):
        yield path.relative_to(TESTS.parent), ast.parse(path.read_text(), str(path))


def _functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _called(node):
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            if isinstance(n.func, ast.Name):
                yield n.func.id
            elif isinstance(n.func, ast.Attribute):
                yield n.func.attr


def _has_assert(node):
    return any(isinstance(n, ast.Assert) for n in ast.walk(node))


def test_every_test_asserts_something():
    trees = list(_trees())
    helpers = {}
    for _path, tree in trees:
        for fn in _functions(tree):
            helpers.setdefault(fn.name, []).append(fn)
    # a helper asserts if it has an assert or calls a helper that does (to a fixed point)
    asserting = set(ASSERTING) | {n for n, fns in helpers.items() if any(map(_has_assert, fns))}
    grew = True
    while grew:
        grew = False
        for name, fns in helpers.items():
            if name not in asserting and any(set(_called(f)) & asserting for f in fns):
                asserting.add(name)
                grew = True
    silent = []
    for path, tree in trees:
        for fn in _functions(tree):
            if not fn.name.startswith("test") or _has_assert(fn):
                continue
            called = set(_called(fn))
            if called & asserting or any(c.startswith(("assert", "expect")) for c in called):
                continue
            silent.append(f"{path}:{fn.lineno} {fn.name}")
    assert not silent, "tests that assert nothing:\n" + "\n".join(silent)


def _service_errors():
    found, todo = set(), [ServiceError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def test_a_service_s_refusal_is_caught_with_raises_rule():
    import servicehall.urls  # noqa: F401  (every app, so every ServiceError subclass, loaded)

    errors = _service_errors()
    bare = []
    for path, tree in _trees():
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
                continue
            if n.func.attr != "raises" or not n.args:
                continue
            expected = n.args[0]
            name = getattr(expected, "id", None) or getattr(expected, "attr", None)
            if name in errors:
                bare.append(f"{path}:{n.lineno} pytest.raises({name})")
    assert not bare, "use tests.helpers.raises_rule, naming the rule (or None and match=):\n" + (
        "\n".join(bare)
    )
