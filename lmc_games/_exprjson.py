"""sympy expressions as JSON trees, read back through a whitelist.

The disk cache of symbolic answers (:mod:`lmc_games._stability_table`) must never run code when
it reads a file, whoever wrote the file. So an expression is stored as a plain JSON tree and
rebuilt by :func:`from_tree`, which knows a short, fixed list of node kinds and sympy classes and
nothing else: no ``eval``, no ``sympify``, no pickle, no attribute look-up by name from the file.

Node kinds (every node is a JSON list whose first element is its kind):

* ``["int", HEX]`` and ``["rat", HEX, HEX]`` — integers and rationals, in hexadecimal so that
  integers of any size are read back exactly (Python limits decimal conversion to 4,300 digits);
* ``["float", SIGN, HEX, EXP, BITS, PREC]`` — a binary float, bit for bit;
* ``["sym", NAME, {ASSUMPTION: BOOL, ...}]`` — a Symbol with its assumptions, which take part in
  equality, so they must come back exactly;
* ``["const", NAME]`` — ``pi``, ``E``, ``oo``, ``-oo``, ``zoo``, ``nan``, ``I``, ``true``,
  ``false``;
* ``["bool", BOOL]`` — a Python bool (some conditions are plain ``True``);
* ``["op", CLASS, [ARGS]]`` — arithmetic (``Add Mul Pow``), the functions the model format
  allows (``exp log Abs Min Max``, and ``sign``, ``Piecewise``), relations (``< <= > >= ==
  !=``) and ``And Or Not``, rebuilt with ``evaluate=False`` so that the tree comes back as it
  was, not re-simplified.

:func:`to_tree` refuses anything else (:class:`Unsupported`); a caller that needs exactness
checks ``from_tree(to_tree(e)) == e`` before relying on a stored tree. :func:`from_tree` raises
:class:`Malformed` for any tree it did not write: unknown kinds or classes, wrong arities, wrong
types, trees deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.core.assumptions import _assume_defined
from sympy.core.relational import (
    Equality,
    GreaterThan,
    LessThan,
    StrictGreaterThan,
    StrictLessThan,
    Unequality,
)
from sympy.functions.elementary.piecewise import ExprCondPair

from ._errors import Malformed, Unsupported

__all__ = ["MAX_DEPTH", "Malformed", "Unsupported", "canonical", "from_tree", "to_tree"]

#: Deepest tree :func:`from_tree` reads (deeper input is malformed, not a recursion error).
MAX_DEPTH = 200

_OPS: dict[str, type] = {
    "Add": sympy.Add,
    "Mul": sympy.Mul,
    "Pow": sympy.Pow,
    "exp": sympy.exp,
    "log": sympy.log,
    "Abs": sympy.Abs,
    "Min": sympy.Min,
    "Max": sympy.Max,
    "sign": sympy.sign,
    "Piecewise": sympy.Piecewise,
    "ExprCondPair": ExprCondPair,
    "StrictLessThan": StrictLessThan,
    "LessThan": LessThan,
    "StrictGreaterThan": StrictGreaterThan,
    "GreaterThan": GreaterThan,
    "Equality": Equality,
    "Unequality": Unequality,
    "And": sympy.And,
    "Or": sympy.Or,
    "Not": sympy.Not,
}
_ARITY: dict[str, tuple[int, int | None]] = {
    "Pow": (2, 2),
    "exp": (1, 1),
    "log": (1, 1),
    "Abs": (1, 1),
    "sign": (1, 1),
    "Not": (1, 1),
    "ExprCondPair": (2, 2),
    **{
        k: (2, 2)
        for k in (
            "StrictLessThan",
            "LessThan",
            "StrictGreaterThan",
            "GreaterThan",
            "Equality",
            "Unequality",
        )
    },
}
_CONSTS: dict[str, Any] = {
    "pi": sympy.pi,
    "E": sympy.E,
    "oo": sympy.oo,
    "-oo": -sympy.oo,
    "zoo": sympy.zoo,
    "nan": sympy.nan,
    "I": sympy.I,
    "true": sympy.true,
    "false": sympy.false,
}
_ASSUMPTIONS = frozenset(_assume_defined)


def to_tree(expr: Any) -> list:
    """The JSON tree of a sympy expression or condition.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> t = to_tree(sympy.Rational(1, 3) * x < 2)
    >>> t[:2]
    ['op', 'StrictLessThan']
    >>> from_tree(t) == (sympy.Rational(1, 3) * x < 2)
    True
    """
    if expr is True or expr is False:
        return ["bool", bool(expr)]
    for name, value in _CONSTS.items():
        if expr is value:
            return ["const", name]
    if isinstance(expr, sympy.Integer):
        return ["int", _hex(int(expr))]
    if isinstance(expr, sympy.Rational):
        return ["rat", _hex(int(expr.p)), _hex(int(expr.q))]
    if isinstance(expr, sympy.Float):
        sign, man, exp, bits = expr._mpf_  # man may be a gmpy integer: int() it
        return ["float", int(sign), _hex(int(man)), int(exp), int(bits), int(expr._prec)]
    if type(expr) is sympy.Symbol:
        assumptions = dict(expr._assumptions_orig)
        return ["sym", expr.name, {k: bool(v) for k, v in assumptions.items()}]
    for name, cls in _OPS.items():
        if type(expr) is cls:
            return ["op", name, [to_tree(a) for a in expr.args]]
    raise Unsupported(f"{type(expr).__name__}: {expr}")


def from_tree(tree: Any, depth: int = 0) -> Any:
    """The expression a tree of :func:`to_tree` describes; :class:`Malformed` for any other
    input."""
    if depth > MAX_DEPTH:
        raise Malformed("tree too deep")
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise Malformed(f"not a node: {_short(tree)}")
    kind, rest = tree[0], tree[1:]
    if kind == "bool" and len(rest) == 1 and isinstance(rest[0], bool):
        return rest[0]
    if kind == "const" and len(rest) == 1 and isinstance(rest[0], str) and rest[0] in _CONSTS:
        return _CONSTS[rest[0]]
    if kind == "int" and len(rest) == 1:
        return sympy.Integer(_unhex(rest[0]))
    if kind == "rat" and len(rest) == 2:
        p, q = _unhex(rest[0]), _unhex(rest[1])
        if q <= 0:
            raise Malformed("rational with a non-positive denominator")
        return sympy.Rational(p, q)
    if kind == "float" and len(rest) == 5:
        sign, man, exp, bits, prec = rest
        if not all(type(v) is int for v in (sign, exp, bits, prec)) or sign not in (0, 1):
            raise Malformed("malformed float")
        m = _unhex(man)
        if m < 0 or not 1 <= prec <= 100_000 or bits != m.bit_length():
            raise Malformed("malformed float")
        return sympy.Float((sign, format(m, "x"), exp, bits), precision=prec)
    if kind == "sym" and len(rest) == 2:
        name, assumptions = rest
        if not isinstance(name, str) or not name or not isinstance(assumptions, dict):
            raise Malformed("malformed symbol")
        for k, v in assumptions.items():
            if k not in _ASSUMPTIONS or not isinstance(v, bool):
                raise Malformed(f"symbol {name!r}: unknown assumption {k!r}")
        return sympy.Symbol(name, **assumptions)
    if kind == "op" and len(rest) == 2:
        name, args = rest
        if not isinstance(name, str) or name not in _OPS or not isinstance(args, list):
            raise Malformed(f"unknown operation {_short(name)}")
        lo, hi = _ARITY.get(name, (1, None))
        if len(args) < lo or (hi is not None and len(args) > hi):
            raise Malformed(f"{name} with {len(args)} arguments")
        built = [from_tree(a, depth + 1) for a in args]
        try:
            if name == "ExprCondPair":  # takes no evaluate flag
                return ExprCondPair(*built)
            return _OPS[name](*built, evaluate=False)
        except (TypeError, ValueError, AttributeError) as exc:
            raise Malformed(f"{name}: {type(exc).__name__}") from None
    raise Malformed(f"unknown node {_short(tree)}")


def canonical(expr: Any) -> str:
    """A text form of any sympy object, for digests: like ``srepr`` (equal text for equal
    trees, assumptions included) but total — integers are written in hexadecimal, so a number
    of any size works where ``srepr`` fails past 4,300 digits, and unknown classes are written
    by name and arguments.

    Examples
    --------
    >>> canonical(sympy.Integer(2) ** 13000 + sympy.Symbol("p", positive=True))[:24]
    'Add(int:1000000000000000'
    """
    if isinstance(expr, bool) or not isinstance(expr, sympy.Basic):
        if isinstance(expr, int) and not isinstance(expr, bool):
            return "pyint:" + _hex(expr)
        return f"{type(expr).__name__}:{expr!r}"
    if isinstance(expr, sympy.Integer):
        return "int:" + _hex(int(expr))
    if isinstance(expr, sympy.Rational):
        return f"rat:{_hex(int(expr.p))}/{_hex(int(expr.q))}"
    if isinstance(expr, sympy.Float):
        sign, man, exp, bits = expr._mpf_
        return f"float:{int(sign)},{_hex(int(man))},{int(exp)},{int(bits)},{expr._prec}"
    if isinstance(expr, sympy.Symbol):
        facts = ",".join(f"{k}={v}" for k, v in sorted(expr._assumptions_orig.items()))
        extra = f"#{expr.dummy_index}" if isinstance(expr, sympy.Dummy) else ""
        return f"{type(expr).__name__}:{expr.name}{extra}[{facts}]"
    if expr.args:
        return f"{type(expr).__name__}({','.join(canonical(a) for a in expr.args)})"
    return f"{type(expr).__name__}:{expr}"


def _hex(n: int) -> str:
    return ("-" if n < 0 else "") + format(abs(n), "x")


def _unhex(s: Any) -> int:
    if not isinstance(s, str) or not s or len(s) > 1_000_000:
        raise Malformed("malformed integer")
    body = s[1:] if s.startswith("-") else s
    if not body or any(c not in "0123456789abcdef" for c in body):
        raise Malformed("malformed integer")
    return int(s, 16)


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."
