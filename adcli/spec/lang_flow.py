"""The checker's rooms for control flow, functions, displays and imports (see ``language``).

:class:`FlowChecker` is a mixin of :class:`~adcli.spec.language.Checker`: ``for``, ``while``,
``if``, ``break``/``continue``, ``def``/``lambda``/``return``, comprehensions, dict and set
displays, conditional expressions and the accepted imports. Every statement it lets through
gets ``adcli_pos`` (its YAML line and column), and loops and functions get ``adcli_label``
(the text error locations quote, e.g. ``for i in range(10)``).
"""

from __future__ import annotations

import ast
from typing import Any

from .errors import SpecError

MAX_LABEL = 60

# Python's math module: constants and pure functions only (no I/O, nothing that allocates
# without bound: factorial/comb/perm/prod of big numbers are left out).
MATH_NAMES = frozenset({
    "pi", "e", "tau", "inf", "nan",
    "sqrt", "exp", "expm1", "log", "log2", "log10", "log1p", "pow", "sin", "cos", "tan",
    "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "floor", "ceil", "trunc", "fabs", "copysign", "fmod", "hypot", "degrees", "radians",
    "isfinite", "isinf", "isnan", "isclose", "erf", "erfc", "gamma", "lgamma", "gcd",
})

# What ``import X`` / ``from X import Y`` may name: the torch namespaces a spec knows.
IMPORTABLE_MODULES = frozenset({
    "torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.optim",
    "torch.nn.init", "torch.autograd.functional", "torch.optim.lr_scheduler", "torch.nn.utils",
    "math",
})
DEFAULT_ALIASES = {"F": "torch.nn.functional", "nn": "torch.nn", "autograd": "torch.autograd"}
GRAD_DECORATORS = frozenset({"no_grad", "enable_grad"})
# A spec's classes: torch.autograd.Function subclasses with these static methods (as torch's
# tutorials write them); ctx is the first parameter of each but a forward with setup_context.
FUNCTION_BASES = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})
FUNCTION_METHODS = frozenset({"forward", "backward", "setup_context", "jvp", "vjp"})
ONCE_DIFFERENTIABLE = frozenset({"torch.autograd.function.once_differentiable"})

_REFUSE_HINTS = {
    ast.AsyncFunctionDef: "'async def' is not allowed in a spec: use a plain 'def'",
    ast.AsyncFor: "'async for' is not allowed in a spec: use a plain 'for'",
    ast.AsyncWith: "'async with' is not allowed in a spec: use a plain 'with'",
}


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3] + "..."


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        return "..."


def assigned_names(stmts: list[ast.stmt]) -> set[str]:
    """Names a function body binds (its locals), not looking into nested functions."""
    found: set[str] = set()
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef):
            found.add(node.name)
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp
                      | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            found.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _qual(ref: Any) -> str:
    """The whitelist name an OpRef stands for (``torch.autograd.Function``)."""
    ns = getattr(ref, "namespace", "")
    name = getattr(ref, "name", "")
    return name if ns == "package" else f"torch.{ns}.{name}"


def _target_names(node: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class FlowChecker:
    """Mixin: control flow, functions, displays and imports for the spec checker."""

    # provided by Checker
    srcmap: Any
    vocab: Any
    bound: set[str]
    aliases: dict[str, str]
    loops: int
    function: bool
    ctx_names: frozenset[str]
    hoisted: frozenset[str]
    enclosing: frozenset[str]
    own_locals: frozenset[str]

    def fail(self, node: Any, message: str) -> Any:  # pragma: no cover - Checker's
        raise NotImplementedError

    def expr(self, node: ast.expr, depth: int) -> ast.expr:  # pragma: no cover - Checker's
        raise NotImplementedError

    def block(self, stmts: Any) -> list[ast.stmt]:  # pragma: no cover - Checker's
        raise NotImplementedError

    def target(self, node: ast.expr, allow_tuple: bool) -> ast.expr:  # pragma: no cover
        raise NotImplementedError

    def child(self, bound: set[str], *, function: bool, loops: int) -> Any:  # pragma: no cover
        raise NotImplementedError

    def resolve_path(self, qual: str, node: Any) -> Any:  # pragma: no cover - Checker's
        raise NotImplementedError

    # -- statements --------------------------------------------------------------------------
    def flow_stmt(self, node: ast.stmt) -> ast.stmt | bool | None:
        """Check a control-flow/function/import statement; False if it is none of those."""
        if type(node) in _REFUSE_HINTS:
            raise self.fail(node, _REFUSE_HINTS[type(node)])
        if isinstance(node, ast.For):
            node.adcli_label = _label(  # type: ignore[attr-defined]
                f"for {_unparse(node.target)} in {_unparse(node.iter)}")
            node.iter = self.expr(node.iter, 0)
            node.target = self.target(node.target, allow_tuple=True)
            node.body = self.loop_body(node.body, node)
            node.orelse = self.block(node.orelse)
            return node
        if isinstance(node, ast.While):
            node.adcli_label = _label(f"while {_unparse(node.test)}")  # type: ignore[attr-defined]
            node.test = self.expr(node.test, 0)
            node.body = self.loop_body(node.body, node)
            node.orelse = self.block(node.orelse)
            return node
        if isinstance(node, ast.If):
            node.test = self.expr(node.test, 0)
            node.body = self.block(node.body) or [ast.Pass(lineno=node.lineno, col_offset=0)]
            node.orelse = self.block(node.orelse)
            return node
        if isinstance(node, ast.Break | ast.Continue):
            if self.loops <= 0:
                word = "break" if isinstance(node, ast.Break) else "continue"
                raise self.fail(node, f"'{word}' outside a loop")
            return node
        if isinstance(node, ast.Return):
            if not self.function:
                raise self.fail(node, "'return' outside a function")
            if node.value is not None:
                node.value = self.expr(node.value, 0)
            return node
        if isinstance(node, ast.FunctionDef):
            return self.funcdef(node)
        if isinstance(node, ast.ClassDef):
            return self.classdef(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            if self.function:
                raise self.fail(node, "imports go at the top of a step, not inside a function")
            self.imports(node)
            return None
        return False

    def loop_body(self, body: list[ast.stmt], node: ast.stmt) -> list[ast.stmt]:
        self.loops += 1
        try:
            return self.block(body) or [ast.Pass(lineno=node.lineno, col_offset=0)]
        finally:
            self.loops -= 1

    # -- functions ---------------------------------------------------------------------------
    def params(self, args: ast.arguments, node: Any, depth: int) -> list[str]:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                 *(a for a in (args.vararg, args.kwarg) if a is not None)]
        names = [a.arg for a in every]
        seen: set[str] = set()
        for a in every:
            self.check_param(a, a.arg)
            if a.arg in seen:
                raise self.fail(a, f"duplicate argument '{a.arg}' in function definition")
            seen.add(a.arg)
            a.annotation = None  # annotations are not evaluated
        args.defaults = [self.expr(d, depth + 1) for d in args.defaults]
        args.kw_defaults = [None if d is None else self.expr(d, depth + 1)
                            for d in args.kw_defaults]
        return names

    def check_param(self, node: Any, name: str) -> None:
        from .language import BUILTINS, RESERVED

        if name.startswith("__"):
            raise self.fail(node, f"dunder names are not allowed in a spec: '{name}'")
        if name in RESERVED or name in BUILTINS:
            raise self.fail(node, f"cannot use the reserved name '{name}' as a parameter")

    def funcdef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.check_param(node, node.name)
        grad_modes = []
        for dec in node.decorator_list:
            grad_modes.append(self.decorator(dec))
        node.adcli_grad_modes = grad_modes  # type: ignore[attr-defined]
        node.decorator_list = []
        node.returns = None
        if node.type_params if hasattr(node, "type_params") else False:
            raise self.fail(node, "type parameters are not allowed in a spec")
        names = self.params(node.args, node, 0)
        node.adcli_label = _label(f"{node.name}()")  # type: ignore[attr-defined]
        self.bound.add(node.name)
        self.aliases.pop(node.name, None)
        from .lang_extra import function_declarations

        glob, nonloc = function_declarations(node.body)
        for name in sorted((glob | nonloc) & set(names)):
            word = "global" if name in glob else "nonlocal"
            raise self.fail(node, f"name '{name}' is parameter and {word}")
        for name in sorted(glob & nonloc):
            raise self.fail(node, f"name '{name}' is nonlocal and global")
        mine = (set(names) | assigned_names(node.body)) - glob - nonloc
        node.adcli_globals = glob  # type: ignore[attr-defined]
        node.adcli_nonlocals = nonloc  # type: ignore[attr-defined]
        inner = (set(self.bound) | set(names) | assigned_names(node.body) | {node.name}
                 | self.hoisted)
        sub = self.child(inner, function=True, loops=0,
                         enclosing=(self.enclosing | self.own_locals) if self.function
                         else frozenset())
        sub.own_locals = frozenset(mine)
        ctx = getattr(node, "adcli_ctx", None)
        if ctx is not None:
            sub.ctx_names = sub.ctx_names | {ctx}
        node.body = sub.block(node.body) or [ast.Pass(lineno=node.lineno, col_offset=0)]
        node.adcli_locals = frozenset(mine)  # type: ignore[attr-defined]
        return node

    def classdef(self, node: ast.ClassDef) -> ast.ClassDef:
        """``class Name(torch.autograd.Function):`` with static ``forward``/``backward``/
        ``setup_context``/``jvp``/``vjp`` (``@once_differentiable`` allowed); nothing else."""
        self.check_param(node, node.name)
        what = "a class in a spec must be a torch.autograd.Function subclass"
        if node.decorator_list:
            raise self.fail(node.decorator_list[0], f"{what}, without decorators")
        if node.keywords or len(node.bases) != 1:
            raise self.fail(node, f"{what}: class {node.name}(torch.autograd.Function):")
        if getattr(node, "type_params", None):
            raise self.fail(node, "type parameters are not allowed in a spec")
        base = self.expr(node.bases[0], 0)
        if getattr(base, "namespace", None) not in ("autograd", "package") or \
                _qual(base) not in FUNCTION_BASES:
            raise self.fail(node.bases[0], f"{what}: class {node.name}(torch.autograd.Function):")
        node.bases = [base]
        methods = [m for m in node.body if isinstance(m, ast.FunctionDef)]
        has_setup = any(m.name == "setup_context" for m in methods)
        body: list[ast.stmt] = []
        for m in node.body:
            if isinstance(m, ast.Pass) or (isinstance(m, ast.Expr) and isinstance(
                    m.value, ast.Constant) and isinstance(m.value.value, str)):
                continue  # a docstring
            if not isinstance(m, ast.FunctionDef) or m.name not in FUNCTION_METHODS:
                raise self.fail(m, f"a Function class holds only the static methods "
                                   f"{', '.join(sorted(FUNCTION_METHODS))}")
            m.adcli_once = self.method_decorators(m)  # type: ignore[attr-defined]
            params = [a.arg for a in (*m.args.posonlyargs, *m.args.args)]
            if params and not (m.name == "forward" and has_setup):
                m.adcli_ctx = params[0]  # type: ignore[attr-defined]
            outer = set(self.bound)
            self.funcdef(m)
            # methods are the class's names, not the step's (the set is the caller's: in place)
            self.bound.intersection_update(outer)
            body.append(m)
        node.body = body
        node.decorator_list = []
        node.keywords = []
        self.bound.add(node.name)
        self.aliases.pop(node.name, None)
        node.adcli_label = _label(f"class {node.name}")  # type: ignore[attr-defined]
        return node

    def method_decorators(self, m: ast.FunctionDef) -> ast.expr | None:
        """A Function method's decorators: ``@staticmethod``, maybe ``@once_differentiable``
        (returned, resolved, to wrap the method); the checked method keeps none."""
        static = False
        once = None
        for dec in m.decorator_list:
            if isinstance(dec, ast.Name) and dec.id == "staticmethod" and \
                    "staticmethod" not in self.bound:
                static = True
                continue
            try:
                ref = self.expr(dec, 0) if isinstance(dec, ast.Name | ast.Attribute) else None
            except SpecError:
                ref = None  # (an unknown name: refused below, with what is allowed)
            if ref is not None and _qual(ref) in ONCE_DIFFERENTIABLE:
                once = ref
                continue
            raise self.fail(dec, "a Function's methods take only @staticmethod and "
                                 "@once_differentiable")
        if not static:
            raise self.fail(m, f"'{m.name}' must be a @staticmethod, as torch.autograd.Function "
                               "requires")
        m.decorator_list = []
        return once

    def decorator(self, dec: ast.expr) -> str:
        call = dec.func if isinstance(dec, ast.Call) and not dec.args and not dec.keywords \
            else dec
        chain = []
        cur = call
        while isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name) and cur.id == "torch" and "torch" not in self.bound \
                and len(chain) == 1 and chain[0] in GRAD_DECORATORS:
            return chain[0]
        raise self.fail(dec, "the only decorators allowed in a spec are @torch.no_grad() and "
                             "@torch.enable_grad()")

    def lambda_(self, node: ast.Lambda, depth: int) -> ast.Lambda:
        names = self.params(node.args, node, depth)
        sub = self.child(set(self.bound) | set(names), function=False, loops=0)
        node.body = sub.expr(node.body, depth + 1)
        node.adcli_label = "lambda"  # type: ignore[attr-defined]
        node.adcli_pos = self.srcmap.position(node.lineno, node.col_offset)  # type: ignore
        return node

    # -- displays and comprehensions ---------------------------------------------------------
    def flow_expr(self, node: ast.expr, depth: int) -> ast.expr | None:
        """Check a display/comprehension/lambda/conditional expression; None if none."""
        d = depth + 1
        if isinstance(node, ast.IfExp):
            node.test = self.expr(node.test, d)
            node.body = self.expr(node.body, d)
            node.orelse = self.expr(node.orelse, d)
            return node
        if isinstance(node, ast.Dict):  # ({**d, 'k': v}: a None key is a ** mapping)
            node.keys = [None if k is None else self.expr(k, d) for k in node.keys]
            node.values = [self.expr(v, d) for v in node.values]
            return node
        if isinstance(node, ast.Set):
            node.elts = [self.starred(e, d) if isinstance(e, ast.Starred) else self.expr(e, d)
                         for e in node.elts]
            return node
        if isinstance(node, ast.Lambda):
            return self.lambda_(node, d)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return self.comprehension(node, d)
        return None

    def comprehension(self, node: Any, depth: int) -> ast.expr:
        gens: list[ast.comprehension] = node.generators
        if any(g.is_async for g in gens):
            raise self.fail(node, "'async for' is not allowed in a spec")
        gens[0].iter = self.expr(gens[0].iter, depth)
        inner = set(self.bound)
        for g in gens:
            inner |= _target_names(g.target)
        sub = self.child(inner, function=self.function, loops=0, comp=True)
        for k, g in enumerate(gens):
            if k:
                g.iter = sub.expr(g.iter, depth)
            g.target = sub.comp_target(g.target)
            g.ifs = [sub.expr(c, depth) for c in g.ifs]
        if isinstance(node, ast.DictComp):
            node.key = sub.expr(node.key, depth)
            node.value = sub.expr(node.value, depth)
        else:
            node.elt = sub.expr(node.elt, depth)
        return node

    def comp_target(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Name):
            self.check_param(node, node.id)
            return node
        if isinstance(node, ast.Tuple | ast.List):
            node.elts = [self.comp_target(e) for e in node.elts]
            return node
        raise self.fail(node, "a comprehension's target must be a name or a tuple of names")

    # -- imports -----------------------------------------------------------------------------
    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        hint = ("a spec may import only torch's namespaces and math: import torch, "
                "import torch.nn as nn, import torch.nn.functional as F, from torch import nn, "
                "from torch.autograd import grad, import torch.linalg as LA, import math")
        if isinstance(node, ast.Import):
            for a in node.names:
                if not self.importable(a.name):
                    raise self.fail(node, f"cannot import '{a.name}': {hint}")
                if a.asname is None:
                    if a.name == "math":
                        self.add_alias(node, "math", "math")
                    continue  # 'import torch.nn' binds only 'torch'
                self.add_alias(node, a.asname, a.name)
            return
        module = node.module or ""
        if node.level or not self.importable(module):
            raise self.fail(node, f"cannot import from '{'.' * node.level}{module}': {hint}")
        for a in node.names:
            if a.name == "*":
                raise self.fail(node, "'from ... import *' is not allowed in a spec")
            qual = f"{module}.{a.name}"
            if not self.importable(qual):
                self.resolve_path(qual, node)  # raises if the whitelist does not have it
            self.add_alias(node, a.asname or a.name, qual)

    def importable(self, qual: str) -> bool:
        """A module a spec may import: the fixed ones, or a namespace of the package
        whitelist (``torch.linalg``, ``torch.autograd.forward_ad``, ``torch.utils.data``)."""
        if qual in IMPORTABLE_MODULES:
            return True
        return qual.startswith("torch.") and self.vocab.package_kind(qual) == "namespace"

    def add_alias(self, node: Any, name: str, qual: str) -> None:
        from .language import BUILTINS, RESERVED

        if name.startswith("_"):
            raise self.fail(node, f"cannot import under the private name '{name}'")
        fixed = {"torch": "torch", **DEFAULT_ALIASES}
        if name in fixed:
            if fixed[name] != qual:
                raise self.fail(node, f"'{name}' always means {fixed[name]} in a spec")
            return
        if name in RESERVED or name in BUILTINS:
            raise self.fail(node, f"cannot import under the reserved name '{name}'")
        self.bound.discard(name)
        self.aliases[name] = qual
