"""The Jinja sandbox of the admins' email templates, with bounds: no template can spin or fill memory.

On top of Jinja's SandboxedEnvironment (no `__class__`, no unsafe attributes, immutable data):
- every `{% for %}` iteration and every call (macros, `loop(...)` of recursive loops) draws from one budget
  per render (a loop bomb stops at the budget);
- `namespace()` (state carried across iterations) and `lipsum()` are not available;
- `range`, `*`, `**`, `+` and any number passed to a function or filter are bounded;
- the output is bounded (rendering streams, and stops past the limit);
- `str.format` and the `format` filter (whose padding is unbounded) are refused.
Breaking a bound raises `TemplateLimit`, which callers turn into a pt-BR message.
"""
from __future__ import annotations

import contextvars
import operator

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_ITERATIONS = 20_000  # per render, across every loop
MAX_OUTPUT = 300_000  # characters per rendered part
MAX_NUMBER = 10_000  # largest number a template may hand to range, a function or a filter
MAX_SEQUENCE = 10_000  # longest string or list a template may build with *
ITER_GLOBAL = "pv_bounded_iteration"

_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("template_budget", default=None)


class TemplateLimit(SecurityError):
    """A template went past a bound (iterations, output, sizes)."""


def _spend(count: int = 1) -> None:
    budget = _budget.get()
    if budget is None:  # rendered outside bounded_render (which every caller in app/ uses): no budget to draw
        return
    budget[0] -= count
    if budget[0] < 0:
        raise TemplateLimit(f"o modelo repete mais de {MAX_ITERATIONS} vezes")


def _bounded_iteration(iterable):
    for item in iterable:
        _spend()
        yield item


def _check_number(value) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise TemplateLimit(f"número grande demais no modelo ({MAX_NUMBER} no máximo)")


def _bounded_range(*args):
    for value in args:
        _check_number(value)
    return range(*args)


def _check_size(result):
    if isinstance(result, (str, list, tuple)) and len(result) > MAX_OUTPUT:
        raise TemplateLimit("texto ou lista grande demais no modelo")
    return result


def _wrap_filter(function):
    def bounded(*args, **kwargs):
        for value in (*args[1:], *kwargs.values()):
            _check_number(value)
        return _check_size(function(*args, **kwargs))

    for attribute in ("jinja_pass_arg",):  # keep pass_context / pass_environment markers
        if hasattr(function, attribute):
            setattr(bounded, attribute, getattr(function, attribute))
    return bounded


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, **options):
        super().__init__(**options)
        # namespace() is the one mutable state a loop can carry (doubling a string 30 times); lipsum() makes text.
        for name in ("namespace", "lipsum"):
            self.globals.pop(name, None)
        self.globals["range"] = _bounded_range
        self.globals[ITER_GLOBAL] = _bounded_iteration
        self.filters = {name: _wrap_filter(f) for name, f in self.filters.items() if name != "format"}

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):  # every loop draws from the render's budget
            loop.iter = nodes.Call(nodes.Name(ITER_GLOBAL, "load"), [loop.iter], [], None, None,
                                   lineno=loop.iter.lineno)
        return tree

    def unsafe_undefined(self, obj, attribute):
        """`{{ ''.__class__ }}` and the like: refused outright, not rendered as nothing."""
        raise SecurityError(f"acesso não permitido no modelo: {attribute!r}")

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "+":
            if isinstance(left, (str, list, tuple)) and hasattr(right, "__len__") and \
                    len(left) + len(right) > MAX_SEQUENCE * 10:
                raise TemplateLimit("texto ou lista grande demais no modelo")
            return operator.add(left, right)
        if operator_name == "**":
            _check_number(left)
            if isinstance(right, (int, float)) and right > 64:
                raise TemplateLimit("potência grande demais no modelo")
            return operator.pow(left, right)
        # "*": a number times a number is fine; a sequence times a count is bounded by the result's size
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                if len(sequence) * max(count, 0) > MAX_SEQUENCE:
                    raise TemplateLimit("texto ou lista grande demais no modelo")
        return operator.mul(left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if getattr(__obj, "__name__", None) in ("format", "format_map"):
            raise TemplateLimit("str.format não é permitido no modelo; use {{ valor }}")
        _spend()  # every call draws from the budget too: recursive loops and macros cannot fan out
        for value in (*args, *kwargs.values()):
            _check_number(value)
        return _check_size(super().call(__context, __obj, *args, **kwargs))


def bounded_render(template, context: dict) -> str:
    """Render within the bounds (a fresh iteration budget; output cut off past MAX_OUTPUT characters)."""
    token = _budget.set([MAX_ITERATIONS])
    try:
        chunks, size = [], 0
        # root_render_func, not generate(): the same stream without generate's per-chunk wrapping (2× faster).
        for chunk in template.root_render_func(template.new_context(context)):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit(f"o e-mail passaria de {MAX_OUTPUT // 1000} mil caracteres")
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        _budget.reset(token)
