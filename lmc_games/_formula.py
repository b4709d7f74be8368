"""Safe parsing of the payoff formulas and conditions written in model files.

Model files are data, and data may come from anyone: a formula such as
``"B_L + dB_L - p*theta*k*F"`` must become a sympy expression without ever running it
as Python. sympy's own ``sympify``/``parse_expr`` do exactly that (they end in ``eval``),
so this module never calls them, and does not import sympy's parser at all.

The design:

1. The text is tokenized with :mod:`tokenize`. This pass bounds the nesting of brackets
   and the length of number literals, and renames parameters whose name is a Python
   keyword (a model may call a parameter ``lambda``) to private identifiers, so that
   Python's parser accepts them.
2. :func:`ast.parse` (``mode="eval"``) turns the text into a syntax tree. Building the
   tree runs no code.
3. An iterative pass over the tree accepts only a whitelist of node types (numbers,
   declared names, ``+ - * / **``, calls of :data:`ALLOWED_FUNCTIONS`, and in conditions
   comparisons, ``and``/``or``/``not``); everything else is refused with a message that
   says what to write instead.
4. A second pass builds the sympy expression from the checked tree, mapping each name
   through the caller's ``names`` dictionary (so ``E`` is whatever the model declared,
   never Euler's number) and every literal through :class:`decimal.Decimal` (so ``0.1``
   is exactly 1/10, never a binary float).

Because sympy computes with numbers eagerly (``9**9**9`` would be evaluated digit by
digit, ``sqrt`` of a huge integer is factored), sizes are estimated *before* each
operation and absurd requests are refused: text over 10,000 characters, nesting deeper
than 100 levels, numbers with more than 4,000 digits (a little under CPython's default
limit of 4,300 digits for converting integers to text, so every accepted number can be
printed), and roots of numbers with more than 300 digits.

:func:`format_expr` and :func:`format_condition` go the other way, printing sympy
objects in the same syntax so that what they print parses back to an equal object.
"""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import math
import numbers
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import NoReturn

import sympy
from sympy.logic.boolalg import (
    And,
    Boolean,
    BooleanAtom,
    BooleanFunction,
    Not,
    Or,
    to_nnf,
)

from lmc_games._errors import FormulaError

__all__ = [
    "ALLOWED_FUNCTIONS",
    "exact_number",
    "format_condition",
    "format_expr",
    "parse_condition",
    "parse_formula",
    "parse_number",
]

ALLOWED_FUNCTIONS: tuple[str, ...] = ("exp", "log", "sqrt", "min", "max", "abs")

_MAX_LENGTH = 10_000
_MAX_DEPTH = 100
_MAX_DIGITS = 4_000
_MAX_ROOT_DIGITS = 300
# Symbolic bases are never expanded by the parser, but an exponent like 10**100 would
# make any later expand() or diff() by the caller hopeless.
_MAX_SYMBOLIC_EXPONENT = 10_000
# Decimal places up to which a finite decimal fraction is printed as a decimal; longer
# ones (1/2**40) read better as fractions.
_MAX_DECIMAL_PLACES = 12
# sympy simplifies min/max by comparing every pair of arguments, at up to milliseconds
# a pair: max of 300 terms takes a minute to build, and subs() on a max of 16 takes
# seconds. So one min/max takes at most this many arguments...
_MIN_MAX_ARGUMENTS = 10
# ... and past this many pairs per formula, min/max are built unevaluated, which
# changes their form (max(p, p + 1) stays as it is) but not their value.
_MIN_MAX_PAIRS = 50
_KEYWORD_PREFIX = "_kw_"
_SHOWN_NAMES = 8

_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "min": sympy.Min,
    "max": sympy.Max,
    "abs": sympy.Abs,
}

_COMPARISONS: dict[type, Callable[[sympy.Expr, sympy.Expr], Boolean]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}

_OPERATOR_REFUSALS: dict[type, str] = {
    ast.BitXor: "'^' is not a power operator here; write a**b for powers",
    ast.FloorDiv: "'//' (floor division) is not allowed; write a/b",
    ast.Mod: "'%' (remainder) is not allowed",
    ast.MatMult: "'@' (matrix product) is not allowed; write a*b",
    ast.BitAnd: "'&' is not allowed; in conditions write 'and'",
    ast.BitOr: "'|' is not allowed; in conditions write 'or'",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
    ast.Invert: "'~' is not allowed; in conditions write 'not'",
}

_NODE_REFUSALS: dict[type, str] = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (a[i]) are not allowed",
    ast.Lambda: "lambda expressions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.IfExp: "conditional expressions (a if c else b) are not allowed; "
    "min(...) and max(...) can often express the same",
    ast.JoinedStr: "strings are not allowed",
    ast.FormattedValue: "strings are not allowed",
    ast.NamedExpr: "assignments (:=) are not allowed",
    ast.Starred: "starred arguments (*a) are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed; a formula is a single expression "
    "(commas only separate the arguments of min and max)",
    ast.Set: "sets are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_FUNCTION_LIST = ", ".join(ALLOWED_FUNCTIONS)
_NUMBER_HINT = (
    "expected a decimal number such as 2, -1.5, .5 or 1e-3, "
    "or a fraction of two integers such as 1/3 or -2/7"
)
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FRACTION_RE = re.compile(r"([+-]?[0-9]+)/([+-]?[0-9]+)")


class _Refusal(Exception):
    """Internal signal carrying the reason; the public functions add where and what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse(reason: str) -> NoReturn:
    raise _Refusal(reason)


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def _show(value: object, *, plain: bool = False) -> str:
    """Show ``value`` in an error message: one line, bounded length, and never failing
    (str() of an int over 4,300 digits raises in CPython)."""
    if isinstance(value, str):
        if len(value) > 200:
            return f"{value[:80]!r}... ({len(value)} characters)"
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3000:
        return f"<an integer of about {_digits(value):.0f} digits>"
    shown = _one_line(value if plain else repr(value))
    return shown if len(shown) <= 200 else shown[:80] + "..."


def _message(text: object, reason: str, where: str) -> str:
    # A bare number from TOML is shown as written there (0.3, not Decimal('0.3')).
    head = _show(text, plain=True)
    return f"{where}: {head}: {reason}" if where else f"{head}: {reason}"


# --------------------------------------------------------------------------- numbers


def _digits(n: int) -> float:
    """Approximate count of decimal digits of ``n``, without converting it to text."""
    n = abs(n)
    if n < 10:
        return 1.0
    # log10 of a large int is computed by Python without overflow.
    return math.log10(n) + 1


def _check_rational(value: sympy.Rational) -> sympy.Rational:
    if _digits(max(abs(value.p), value.q)) > _MAX_DIGITS:
        _refuse(f"numbers are limited to {_MAX_DIGITS} digits")
    return value


def _exact(value: object) -> sympy.Rational:
    """Body of :func:`exact_number`, raising :class:`_Refusal`."""
    if isinstance(value, bool):
        _refuse("a boolean is not a number")
    if isinstance(value, sympy.Rational):
        return _check_rational(value)
    if isinstance(value, sympy.Float):
        if not value.is_finite:
            _refuse("only finite numbers are allowed")
        # str gives the Float's own decimal digits, so Float(0.1) becomes 1/10.
        return _exact(Decimal(str(value)))
    if isinstance(value, sympy.Basic):
        _refuse(f"expected a number, got the sympy object {type(value).__name__}")
    if isinstance(value, float):
        if not math.isfinite(value):
            _refuse("only finite numbers are allowed")
        # repr is the shortest decimal that reads back as this float: 0.1 -> '0.1'.
        # float.__repr__, because subclasses such as numpy.float64 decorate their repr.
        return _exact(Decimal(float.__repr__(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            _refuse("only finite numbers are allowed")
        if value.is_zero():
            return sympy.Integer(0)
        _sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)  # finite Decimals have an int exponent
        # Checked before as_integer_ratio, which would build 10**999999 for '1e999999'.
        size = len(digits) + exponent if exponent >= 0 else max(len(digits), -exponent)
        if size > _MAX_DIGITS:
            _refuse(f"numbers are limited to {_MAX_DIGITS} digits")
        numerator, denominator = value.as_integer_ratio()
        return sympy.Rational(numerator, denominator)
    if isinstance(value, numbers.Integral):
        return _check_rational(sympy.Integer(int(value)))
    if isinstance(value, numbers.Rational):  # Fraction and foreign exact rationals
        return _check_rational(sympy.Rational(int(value.numerator), int(value.denominator)))
    _refuse(f"expected a number, got {type(value).__name__}")


def exact_number(value: object) -> sympy.Rational:
    """Convert a number to an exact sympy Rational.

    Parameters
    ----------
    value : int, decimal.Decimal, fractions.Fraction, sympy.Rational or float
        The number. A float is taken as its shortest ``repr``, which is the decimal
        the user typed in nearly every case, so ``0.1`` becomes 1/10 rather than the
        binary fraction nearest to it.

    Returns
    -------
    sympy.Rational
        The exact value.

    Raises
    ------
    FormulaError
        For booleans, strings, NaN and infinities, other types, and numbers with more
        than 4,000 digits.

    Examples
    --------
    >>> from decimal import Decimal
    >>> exact_number(0.1)
    1/10
    >>> exact_number(Decimal("2.50"))
    5/2
    >>> exact_number(True)
    Traceback (most recent call last):
    ...
    lmc_games._errors.FormulaError: True: a boolean is not a number
    """
    try:
        return _exact(value)
    except _Refusal as exc:
        raise FormulaError(f"{_show(value)}: {exc.reason}") from None


def parse_number(text: str) -> sympy.Rational:
    """Read an exact number typed on the command line (``--set NAME=VALUE``).

    Parameters
    ----------
    text : str
        A signed decimal, optionally with an exponent (``'-1.5e-3'``, ``'+2'``,
        ``'.5'``), or a fraction of two integers (``'1/3'``, ``'-2/7'``).
        Surrounding whitespace is ignored.

    Returns
    -------
    sympy.Rational
        The exact value; ``'0.1'`` is 1/10.

    Raises
    ------
    FormulaError
        For anything else, saying which forms are accepted.

    Examples
    --------
    >>> parse_number("-1.5e-3")
    -3/2000
    >>> parse_number("1/3")
    1/3
    >>> parse_number("one")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.FormulaError: 'one': expected a decimal number such as 2, ... or -2/7
    """
    try:
        if not isinstance(text, str):
            _refuse(f"expected text, got {type(text).__name__}")
        stripped = text.strip()
        # Reject long digit strings before int() meets CPython's conversion limit.
        if len(stripped) > _MAX_DIGITS + 2:
            _refuse(f"numbers are limited to {_MAX_DIGITS} digits")
        fraction = _FRACTION_RE.fullmatch(stripped)
        if fraction:
            numerator, denominator = (int(part) for part in fraction.groups())
            if denominator == 0:
                _refuse("the denominator is zero")
            return _check_rational(sympy.Rational(numerator, denominator))
        if _DECIMAL_RE.fullmatch(stripped):
            return _exact(Decimal(stripped))
        _refuse(_NUMBER_HINT)
    except _Refusal as exc:
        raise FormulaError(f"{_show(text)}: {exc.reason}") from None


# ---------------------------------------------------------------- size estimates


def _rational_atoms(expr: sympy.Basic) -> set[sympy.Rational]:
    return expr.atoms(sympy.Rational)


def _log_size(expr: sympy.Basic) -> float:
    """Sum of log10 of the numbers in ``expr``: a bound on the digits that raising it
    to the power ``n`` can produce, divided by ``n``."""
    return sum(math.log10(max(abs(r.p), r.q)) for r in _rational_atoms(expr))


def _magnitude(expr: sympy.Basic) -> int:
    """Largest absolute value among the numbers in ``expr`` (at least 1)."""
    biggest = 1
    for r in _rational_atoms(expr):
        biggest = max(biggest, -(-abs(r.p) // r.q))
    return biggest


def _is_root(term: sympy.Basic) -> bool:
    return bool(
        term.is_Pow and term.base.is_Number and term.exp.is_Rational and not term.exp.is_Integer
    )


def _root_digits(expr: sympy.Basic) -> float:
    """Digits of the numbers under numeric roots in ``expr``: sympy multiplies such
    roots together (sqrt(2)*sqrt(3) -> sqrt(6)) and factors the product."""
    return sum(_digits(max(abs(p.base.p), p.base.q)) for p in expr.atoms(sympy.Pow) if _is_root(p))


def _check_result(value: sympy.Basic, undefined: str) -> sympy.Basic:
    """Refuse infinities, undefined and non-real numbers, and oversized numbers."""
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        _refuse(undefined)
    if isinstance(value, sympy.Expr) and not value.free_symbols and value.is_extended_real is False:
        _refuse("the result is not a real number (root or logarithm of a negative number)")
    for r in _rational_atoms(value):
        _check_rational(r)
    return value


def _check_operands(operands: Iterable[sympy.Basic], *, roots: bool) -> None:
    operands = list(operands)
    # sympy combines the numbers of all operands; bounding their total bounds the work.
    if sum(_log_size(op) for op in operands) > 2 * _MAX_DIGITS:
        _refuse(f"the numbers involved are too large (limit {_MAX_DIGITS} digits)")
    if roots and sum(_root_digits(op) for op in operands) > _MAX_ROOT_DIGITS:
        _refuse(f"roots of numbers with more than {_MAX_ROOT_DIGITS} digits are not supported")


def _check_power(base: sympy.Expr, exponent: sympy.Expr) -> None:
    if exponent.free_symbols:
        return
    magnitude = _magnitude(exponent)
    if not exponent.is_Rational and not exponent.atoms(sympy.Rational):
        return
    if base.free_symbols and magnitude > _MAX_SYMBOLIC_EXPONENT:
        _refuse(f"exponents are limited to {_MAX_SYMBOLIC_EXPONENT} in absolute value")
    estimate = magnitude * _log_size(base)
    if estimate > _MAX_DIGITS:
        _refuse(
            f"the power would have about {estimate:.3g} digits; "
            f"numbers are limited to {_MAX_DIGITS} digits"
        )
    if not exponent.is_Integer and _log_size(base) + _root_digits(base) > _MAX_ROOT_DIGITS:
        _refuse(f"roots of numbers with more than {_MAX_ROOT_DIGITS} digits are not supported")


def _check_exp(argument: sympy.Expr) -> None:
    # sympy rewrites exp(n*log(b)) as b**n, so the same bound as for powers applies.
    logs = argument.atoms(sympy.log)
    if not logs:
        return
    size = sum(_log_size(term.args[0]) + _root_digits(term.args[0]) for term in logs)
    estimate = _magnitude(argument) * size
    if estimate > _MAX_DIGITS or size > _MAX_ROOT_DIGITS:
        _refuse(f"exp of this logarithm would need numbers over {_MAX_DIGITS} digits")


def _sympy(function: Callable[..., sympy.Basic], *args: object) -> sympy.Basic:
    """Call into sympy, turning its complaints into refusals instead of tracebacks."""
    try:
        return function(*args)
    except _Refusal:
        raise
    except RecursionError:
        _refuse(f"the formula is too deeply nested (limit {_MAX_DEPTH} levels)")
    except Exception as exc:  # noqa: BLE001 - any sympy failure is the formula's fault
        _refuse(f"cannot be computed: {_one_line(exc)}")


# --------------------------------------------------------------- tokens and tree


def _scan(text: str, names: Mapping[str, object]) -> tuple[str, dict[str, str]]:
    """Bound bracket nesting and literal length, and rename keyword parameters.

    Returns the text to hand to :func:`ast.parse` and the map from private identifier
    back to the declared name. Tokenizer errors are left for :func:`ast.parse` to
    report, as it words them better.
    """
    keyword_names = [name for name in names if keyword.iskeyword(name)]
    aliases: dict[str, str] = {}
    for name in keyword_names:
        alias = _KEYWORD_PREFIX + name
        # Never capture a declared name, nor an identifier the text already uses.
        while alias in names or alias in text:
            alias = "_" + alias
        aliases[name] = alias
    line_starts = [0]
    for line in io.StringIO(text):
        line_starts.append(line_starts[-1] + len(line))
    replacements: list[tuple[int, int, str]] = []
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP and tok.string in ("(", "[", "{"):
                depth += 1
                if depth > _MAX_DEPTH:
                    _refuse(f"brackets are nested more than {_MAX_DEPTH} levels deep")
            elif tok.type == tokenize.OP and tok.string in (")", "]", "}"):
                depth -= 1
            elif tok.type == tokenize.NUMBER and len(tok.string) > _MAX_DIGITS:
                _refuse(f"numbers are limited to {_MAX_DIGITS} digits")
            elif tok.type == tokenize.NAME and tok.string in aliases:
                start = line_starts[tok.start[0] - 1] + tok.start[1]
                end = line_starts[tok.end[0] - 1] + tok.end[1]
                replacements.append((start, end, aliases[tok.string]))
    except (tokenize.TokenError, SyntaxError):
        return text, {}
    source = text
    for start, end, alias in reversed(replacements):
        source = source[:start] + alias + source[end:]
    return source, {alias: name for name, alias in aliases.items() if alias in source}


def _parse_tree(source: str, *, renamed: bool) -> ast.Expression:
    try:
        return ast.parse(source, mode="eval")
    except SyntaxError as exc:
        message = _one_line(exc.msg)
        if "too many nested" in message:
            _refuse(f"the formula is nested more than {_MAX_DEPTH} levels deep")
        if exc.offset and not renamed:
            position = f" at character {exc.offset}"
            if exc.lineno and exc.lineno > 1:
                position += f" of line {exc.lineno}"
            message += position
        _refuse(f"syntax error: {message}")
    except (RecursionError, MemoryError):
        _refuse(
            f"the formula is too deeply nested or too long "
            f"(limits: {_MAX_DEPTH} levels, a few thousand terms)"
        )
    except ValueError as exc:  # e.g. null bytes on Python 3.11
        _refuse(f"syntax error: {_one_line(exc)}")


def _same_chain(parent: ast.BinOp, child: ast.AST) -> bool:
    """Whether ``child`` continues the left-associative chain of ``parent``:
    ``a + b - c`` is one level of nesting, not two."""
    groups = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
    return (
        isinstance(child, ast.BinOp)
        and child is parent.left
        and any(isinstance(parent.op, g) and isinstance(child.op, g) for g in groups)
    )


class _Reader:
    """Checks and converts one parsed formula; holds what the node handlers share."""

    def __init__(
        self,
        names: Mapping[str, object],
        aliases: Mapping[str, str],
        source: str,
        *,
        condition: bool,
    ) -> None:
        self.names = names
        self.aliases = aliases
        self.source = source
        self.condition = condition
        self._normalized: dict[str, str] | None = None
        self.pairs_left = _MIN_MAX_PAIRS

    # ---- names

    def declared(self, identifier: str) -> str | None:
        """The declared name that ``identifier`` (as the parser spells it) stands for."""
        if identifier in self.aliases:
            return self.aliases[identifier]
        if identifier in self.names:
            return identifier
        # Python NFKC-normalizes identifiers ('µ' MICRO SIGN becomes 'μ' GREEK MU), so
        # a declared name may differ from the parser's spelling of it.
        if self._normalized is None:
            self._normalized = {unicodedata.normalize("NFKC", n): n for n in self.names}
        return self._normalized.get(identifier)

    def unknown_name(self, identifier: str) -> NoReturn:
        declared = list(self.names)
        reason = f"unknown name {identifier!r}"
        close = difflib.get_close_matches(identifier, declared, n=3, cutoff=0.6)
        if close:
            reason += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
        if identifier in ("e", "E"):
            reason += " (Euler's number is written exp(1))"
        if identifier in ALLOWED_FUNCTIONS:
            reason += f" ({identifier} is a function: write {identifier}(...))"
        if identifier in ("true", "false") and not self.condition:
            reason += " (true and false are only allowed in conditions)"
        if declared:
            shown = ", ".join(declared[:_SHOWN_NAMES])
            if len(declared) > _SHOWN_NAMES:
                shown += ", ..."
            reason += f"; declared: {shown}"
        else:
            reason += "; no names are declared here"
        _refuse(reason)

    def original(self, identifier: str) -> str:
        return self.aliases.get(identifier, identifier)

    # ---- pass 1: whitelist

    def check(self, tree: ast.Expression) -> None:
        """Refuse anything outside the whitelist before any sympy work is done."""
        stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > _MAX_DEPTH:
                _refuse(f"the formula is nested more than {_MAX_DEPTH} levels deep")
            children = self.check_node(node)
            for child in reversed(children):
                same = isinstance(node, ast.BinOp) and _same_chain(node, child)
                stack.append((child, depth if same else depth + 1))

    def check_node(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Constant):
            self.check_constant(node.value)
            return []
        if isinstance(node, ast.Name):
            if self.declared(node.id) is None and not self.is_truth_word(node.id):
                self.unknown_name(node.id)
            return []
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not) and not self.condition:
                _refuse("'not' is only allowed in conditions")
            if type(node.op) in _OPERATOR_REFUSALS:
                _refuse(_OPERATOR_REFUSALS[type(node.op)])
            return [node.operand]
        if isinstance(node, ast.BinOp):
            if type(node.op) in _OPERATOR_REFUSALS:
                _refuse(_OPERATOR_REFUSALS[type(node.op)])
            return [node.left, node.right]
        if isinstance(node, ast.Call):
            self.check_call(node)
            return list(node.args)
        if isinstance(node, ast.Compare):
            if not self.condition:
                _refuse("comparisons are only allowed in conditions")
            for op in node.ops:
                if type(op) not in _COMPARISONS:
                    _refuse("'in' and 'is' are not allowed; compare with ==, !=, <, <=, >, >=")
            return [node.left, *node.comparators]
        if isinstance(node, ast.BoolOp):
            if not self.condition:
                _refuse("'and' and 'or' are only allowed in conditions")
            return list(node.values)
        _refuse(
            _NODE_REFUSALS.get(type(node), f"{type(node).__name__} expressions are not allowed")
        )

    def check_constant(self, value: object) -> None:
        if isinstance(value, bool):
            if self.condition:
                _refuse(f"write {str(value).lower()} (lower case) for a truth value")
            _refuse("booleans are not allowed in formulas")
        if isinstance(value, complex):
            _refuse("complex numbers (1j) are not allowed")
        if isinstance(value, (str, bytes)):
            _refuse("strings are not allowed; names are written without quotes")
        if value is None or value is Ellipsis:
            _refuse(f"{value!r} is not allowed")
        if not isinstance(value, (int, float)):
            _refuse(f"constants of type {type(value).__name__} are not allowed")

    def check_call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name):
            _refuse(f"only the functions {_FUNCTION_LIST} can be called")
        if func.id not in ALLOWED_FUNCTIONS:
            name = self.original(func.id)
            if self.declared(func.id) is not None:
                _refuse(
                    f"{name!r} is a declared name, not a function; write {name}*(...) "
                    f"for a product (functions: {_FUNCTION_LIST})"
                )
            _refuse(f"{name!r} is not an allowed function; allowed: {_FUNCTION_LIST}")
        if node.keywords:
            _refuse(f"keyword arguments are not allowed in {func.id}(...)")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            _refuse(f"starred arguments (*a) are not allowed in {func.id}(...)")
        count = len(node.args)
        if func.id in ("min", "max"):
            if count < 2:
                _refuse(f"{func.id}(...) needs at least two arguments")
        elif func.id == "log" and count != 1:
            _refuse(
                "log(...) takes one argument (the natural logarithm); "
                "for base b write log(x)/log(b)"
            )
        elif count != 1:
            _refuse(f"{func.id}(...) takes exactly one argument")

    def is_truth_word(self, identifier: str) -> bool:
        return self.condition and identifier in ("true", "false")

    # ---- pass 2: build sympy objects

    def build(self, node: ast.AST) -> sympy.Basic:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return _sympy(Not, self.boolean(node.operand))
            operand = self.expr(node.operand)
            return operand if isinstance(node.op, ast.UAdd) else _sympy(lambda a: -a, operand)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return self.sum(node)
            if isinstance(node.op, (ast.Mult, ast.Div)):
                return self.product(node)
            return self.power(self.expr(node.left), self.expr(node.right))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BoolOp):
            values = [self.boolean(v) for v in node.values]
            return _sympy(And if isinstance(node.op, ast.And) else Or, *values)
        # Unreachable after check(); kept so a gap in check() cannot build anything.
        _refuse(f"{type(node).__name__} expressions are not allowed")

    def expr(self, node: ast.AST) -> sympy.Expr:
        value = self.build(node)
        if not isinstance(value, sympy.Expr):
            _refuse("a condition cannot be used as a number")
        return value

    def boolean(self, node: ast.AST) -> Boolean:
        value = self.build(node)
        if isinstance(value, sympy.Expr) or not isinstance(value, Boolean):
            shown = ast.get_source_segment(self.source, node) or "a number"
            for alias, name in self.aliases.items():
                shown = shown.replace(alias, name)
            _refuse(f"{shown} is a number, not a condition; compare it, e.g. {shown} > 0")
        return value

    def constant(self, node: ast.Constant) -> sympy.Rational:
        if isinstance(node.value, int):
            return _exact(node.value)
        # The literal's own text, not the float Python made of it: '0.1' is 1/10.
        segment = ast.get_source_segment(self.source, node)
        if segment is None:
            _refuse("cannot read a number literal")
        try:
            return _exact(Decimal(segment))
        except InvalidOperation:
            _refuse(f"cannot read the number {segment!r}")

    def name(self, identifier: str) -> sympy.Basic:
        declared = self.declared(identifier)
        if declared is None:
            if self.is_truth_word(identifier):
                return sympy.true if identifier == "true" else sympy.false
            self.unknown_name(identifier)
        value = self.names[declared]
        if isinstance(value, sympy.Basic):
            return value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, (numbers.Number, Decimal)):
            return _exact(value)
        raise TypeError(
            f"names[{declared!r}] must be a sympy object or a number, not {type(value).__name__}"
        )

    def sum(self, node: ast.BinOp) -> sympy.Expr:
        # Walk the left spine iteratively: a sum of 2,000 terms is a tree 2,000 deep.
        pending: list[tuple[ast.operator, ast.AST]] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, (ast.Add, ast.Sub)):
            pending.append((current.op, current.right))
            current = current.left
        terms = [self.expr(current)]
        for op, right in reversed(pending):
            term = self.expr(right)
            terms.append(_sympy(lambda t: -t, term) if isinstance(op, ast.Sub) else term)
        _check_operands(terms, roots=False)
        return _check_result(_sympy(sympy.Add, *terms), "the sum is undefined")

    def product(self, node: ast.BinOp) -> sympy.Expr:
        pending: list[tuple[ast.operator, ast.AST]] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, (ast.Mult, ast.Div)):
            pending.append((current.op, current.right))
            current = current.left
        factors = [self.expr(current)]
        divisors = []
        for op, right in reversed(pending):
            value = self.expr(right)
            if isinstance(op, ast.Div):
                if value.is_zero:
                    _refuse("division by zero")
                divisors.append(value)
            else:
                factors.append(value)
        _check_operands([*factors, *divisors], roots=True)
        inverses = [_sympy(sympy.Pow, d, -1) for d in divisors]
        return _check_result(_sympy(sympy.Mul, *factors, *inverses), "division by zero")

    def power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if base.is_zero and exponent.is_extended_negative:
            _refuse("0 raised to a negative power is a division by zero")
        _check_power(base, exponent)
        return _check_result(_sympy(sympy.Pow, base, exponent), "the power is undefined")

    def call(self, node: ast.Call) -> sympy.Expr:
        assert isinstance(node.func, ast.Name)  # guaranteed by check_call
        name = node.func.id
        args = [self.expr(arg) for arg in node.args]
        if name == "sqrt":
            return self.power(args[0], sympy.Rational(1, 2))
        if name == "exp":
            _check_exp(args[0])
        if name == "log" and args[0].is_zero:
            _refuse("log(0) is undefined")
        if name in ("min", "max"):
            _check_operands(args, roots=False)
            return self.min_max(_FUNCTIONS[name], args)
        undefined = f"{name}(...) is undefined here"
        return _check_result(_sympy(_FUNCTIONS[name], *args), undefined)

    def min_max(self, function: Callable[..., sympy.Expr], args: list[sympy.Expr]) -> sympy.Expr:
        flat: list[sympy.Expr] = []
        for arg in args:
            # max(max(a, b), c) is one max of three: sympy flattens it the same way.
            flat.extend(arg.args if isinstance(arg, function) else [arg])
        unique = list(dict.fromkeys(flat))
        if len(unique) > _MIN_MAX_ARGUMENTS:
            _refuse(
                f"min and max take at most {_MIN_MAX_ARGUMENTS} arguments "
                "(nested min/max count together)"
            )
        pairs = len(unique) * (len(unique) - 1) // 2
        if pairs <= self.pairs_left:
            self.pairs_left -= pairs
            return _check_result(_sympy(function, *unique), "min/max is undefined here")
        # Exact numbers compare cheaply: only the extreme one can matter.
        numbers = [a for a in unique if a.is_Rational]
        rest = [a for a in unique if not a.is_Rational]
        if numbers:
            rest.append(max(numbers) if function is sympy.Max else min(numbers))
        if len(rest) == 1:
            return rest[0]
        return _sympy(lambda *a: function(*a, evaluate=False), *rest)

    def compare(self, node: ast.Compare) -> Boolean:
        # Chains mean what they mean in Python: 0 < x < 1 is 0 < x and x < 1.
        operands = [self.expr(node.left), *(self.expr(c) for c in node.comparators)]
        relations = [
            _sympy(_COMPARISONS[type(op)], left, right)
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True)
        ]
        if len(relations) == 1:
            return relations[0]
        return _sympy(And, *relations)


def _read(text: object, names: Mapping[str, object], where: str, *, condition: bool) -> sympy.Basic:
    try:
        if not isinstance(text, str):
            if condition:
                if isinstance(text, bool):
                    return sympy.true if text else sympy.false
                _refuse("a number is not a condition; write a comparison such as x > 0")
            return _exact(text)
        if len(text) > _MAX_LENGTH:
            _refuse(f"the formula is longer than {_MAX_LENGTH} characters")
        if not text.strip():
            what = "condition" if condition else "formula"
            _refuse(f"the {what} is empty; write an expression such as (V - C)/2")
        source, aliases = _scan(text, names)
        tree = _parse_tree(source, renamed=bool(aliases))
        reader = _Reader(names, aliases, source, condition=condition)
        reader.check(tree)
        if condition:
            return reader.boolean(tree.body)
        return reader.expr(tree.body)
    except _Refusal as exc:
        raise FormulaError(_message(text, exc.reason, where)) from None
    except (RecursionError, MemoryError):
        reason = "the formula is too deeply nested or too large"
        raise FormulaError(_message(text, reason, where)) from None


def parse_formula(
    text: str | int | Decimal, names: Mapping[str, sympy.Expr], *, where: str = ""
) -> sympy.Expr:
    """Parse a payoff formula from a model file into a sympy expression, safely.

    The text is parsed with :mod:`ast` and checked against a whitelist; no part of it
    is ever executed.

    Parameters
    ----------
    text : str, int or decimal.Decimal
        The formula. Allowed: numbers (``2``, ``0.35``, ``1e-3``; taken exactly, so
        ``0.1`` is 1/10), declared names, unary ``+``/``-``, ``+ - * / **``,
        parentheses, and calls of :data:`ALLOWED_FUNCTIONS` (``min``/``max`` with two
        or more arguments, the others with one). A bare number, as TOML reads it with
        ``parse_float=Decimal``, is accepted as is.
    names : Mapping[str, sympy.Expr]
        The declared names (parameters, definitions, share symbols) and the sympy
        objects they stand for. Any other name is refused. Names shadow sympy's own:
        ``E`` is ``names["E"]``, never Euler's number. A declared name may be a Python
        keyword such as ``lambda``.
    where : str, optional
        Where the formula comes from, put in front of error messages, e.g.
        ``'models/water_use.toml, [payoffs] "reasonable, excessive"'``.

    Returns
    -------
    sympy.Expr
        The expression.

    Raises
    ------
    FormulaError
        With a one-line message ``{where}: {text!r}: {reason}`` for anything outside
        the syntax above, unknown names, division by zero, non-real or undefined
        results, and absurd sizes (over 10,000 characters, nesting over 100 levels,
        numbers over 4,000 digits).

    Examples
    --------
    >>> from sympy import Symbol
    >>> V, C = Symbol("V"), Symbol("C")
    >>> parse_formula("(V - C)/2", {"V": V, "C": C})
    -C/2 + V/2
    >>> parse_formula("0.1 + 0.2 - 0.3", {})
    0
    >>> parse_formula("lambda*x", {"lambda": Symbol("lambda"), "x": Symbol("x")})
    lambda*x
    >>> parse_formula("V.real", {"V": V}, where="m.toml, [payoffs] a")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.FormulaError: m.toml, [payoffs] a: 'V.real': attribute access (a.b) ...
    """
    result = _read(text, names, where, condition=False)
    assert isinstance(result, sympy.Expr)
    return result


def parse_condition(
    text: str | bool, names: Mapping[str, sympy.Expr], *, where: str = ""
) -> Boolean:
    """Parse a condition (a truth-valued formula) into a sympy Boolean, safely.

    Parameters
    ----------
    text : str or bool
        Everything :func:`parse_formula` accepts, combined by comparisons
        (``< <= > >= == !=``, including chains such as ``0 < x < 1``), ``and``,
        ``or``, ``not``, and the words ``true`` and ``false`` (unless declared as
        names, which take precedence). A bare TOML boolean is accepted too.
    names : Mapping[str, sympy.Expr]
        The declared names, as for :func:`parse_formula`.
    where : str, optional
        Where the condition comes from, put in front of error messages.

    Returns
    -------
    sympy.logic.boolalg.Boolean
        An ``And``/``Or``/``Not`` of relationals, or ``true``/``false``.

    Raises
    ------
    FormulaError
        As for :func:`parse_formula`, and when the result is a number rather than a
        truth value.

    Examples
    --------
    >>> from sympy import Symbol
    >>> x = Symbol("x")
    >>> parse_condition("0 < x < 1", {"x": x})
    (0 < x) & (x < 1)
    >>> parse_condition("x > 0.5 or true", {"x": x})
    True
    >>> parse_condition("x", {"x": x})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.FormulaError: 'x': x is a number, not a condition; compare it, ...
    """
    result = _read(text, names, where, condition=True)
    assert isinstance(result, Boolean)
    return result


# ------------------------------------------------------------------------ printing

# Python's binding strengths, loosest first; a sub-expression is parenthesized when it
# binds more loosely than its position requires.
_OR, _AND, _NOT, _CMP = 1, 2, 3, 4
_ADD, _MUL, _NEG, _POW, _ATOM = 10, 20, 25, 30, 100

_RELATION_SYMBOLS: dict[type, str] = {
    sympy.StrictLessThan: "<",
    sympy.LessThan: "<=",
    sympy.StrictGreaterThan: ">",
    sympy.GreaterThan: ">=",
    sympy.Equality: "==",
    sympy.Unequality: "!=",
}

_PRINTED_FUNCTIONS: dict[type, str] = {
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.Min: "min",
    sympy.Max: "max",
    sympy.Abs: "abs",
}


def _wrap(printed: tuple[str, int], minimum: int) -> str:
    text, precedence = printed
    return text if precedence >= minimum else f"({text})"


def _int_text(n: int) -> str:
    # Decimal's conversion is not subject to CPython's 4,300-digit limit on str(int),
    # which numbers built by other code may exceed.
    return str(n) if n.bit_length() < 14_000 else str(Decimal(n))


def _decimal_places(q: int) -> int | None:
    """Digits after the point of 1/q, or None when the expansion does not end."""
    twos = (q & -q).bit_length() - 1
    q >>= twos
    fives = 0
    while q % 5 == 0:
        q //= 5
        fives += 1
    return max(twos, fives) if q == 1 else None


def _rational_text(value: sympy.Rational) -> tuple[str, int]:
    sign = "-" if value.p < 0 else ""
    p, q = abs(value.p), value.q
    if q == 1:
        return sign + _int_text(p), (_NEG if sign else _ATOM)
    places = _decimal_places(q)
    if places is not None and places <= _MAX_DECIMAL_PLACES:
        scaled = _int_text(p * 10**places // q).rjust(places + 1, "0")
        digits = f"{scaled[:-places]}.{scaled[-places:]}"
        return sign + digits, (_NEG if sign else _ATOM)
    return f"{sign}{_int_text(p)}/{_int_text(q)}", _MUL


def _is_short_decimal(value: sympy.Rational) -> bool:
    places = _decimal_places(value.q)
    return places is not None and places <= _MAX_DECIMAL_PLACES


def _cannot_print(expr: object, why: str) -> NoReturn:
    raise FormulaError(f"{_one_line(expr)}: cannot be written as a formula: {why}")


def _print_expr(expr: sympy.Basic) -> tuple[str, int]:
    if not isinstance(expr, sympy.Expr):
        _cannot_print(expr, "it is a condition; use format_condition")
    if isinstance(expr, sympy.Symbol):
        if not expr.name.isidentifier():
            _cannot_print(expr, f"the name {expr.name!r} is not an identifier")
        return expr.name, _ATOM
    if isinstance(expr, sympy.Rational):
        return _rational_text(expr)
    if isinstance(expr, sympy.Float):
        try:
            return _rational_text(_exact(expr))
        except _Refusal as exc:
            _cannot_print(expr, exc.reason)
    if expr is sympy.E:
        return "exp(1)", _ATOM
    if isinstance(expr, sympy.Add):
        return _print_add(expr)
    if isinstance(expr, sympy.Mul):
        return _print_mul(expr)
    if isinstance(expr, sympy.Pow):
        return _print_pow(expr)
    if type(expr) in _PRINTED_FUNCTIONS:
        args = expr.args
        if isinstance(expr, (sympy.Min, sympy.Max)):
            args = tuple(sorted(args, key=sympy.default_sort_key))
        inner = ", ".join(_print_expr(a)[0] for a in args)
        return f"{_PRINTED_FUNCTIONS[type(expr)]}({inner})", _ATOM
    _cannot_print(expr, f"{type(expr).__name__} is not part of the formula syntax")


def _print_add(expr: sympy.Add) -> tuple[str, int]:
    parts: list[str] = []
    for term in expr.as_ordered_terms():
        if not parts:
            parts.append(_wrap(_print_expr(term), _ADD))
        elif term.could_extract_minus_sign():
            parts.append(" - " + _wrap(_print_expr(-term), _ADD + 1))
        else:
            parts.append(" + " + _wrap(_print_expr(term), _ADD + 1))
    return "".join(parts), _ADD


def _print_mul(expr: sympy.Mul) -> tuple[str, int]:
    coefficient, rest = expr.as_coeff_Mul()
    negative = bool(coefficient.is_negative)
    if negative:
        coefficient = -coefficient
    numerator: list[sympy.Expr] = []
    denominator: list[sympy.Expr] = []
    if coefficient != 1:
        if (
            isinstance(coefficient, sympy.Rational)
            and coefficient.q != 1
            and (not _is_short_decimal(coefficient) or rest != 1)
        ):
            # 2*x/3 reads better than 2/3*x, (C - V)/2 better than 0.5*(C - V) (as papers
            # print it), and a non-ending decimal has no other form.
            if coefficient.p != 1:
                numerator.append(sympy.Integer(coefficient.p))
            denominator.append(sympy.Integer(coefficient.q))
        else:
            numerator.append(coefficient)
    for factor in sympy.Mul.make_args(rest):
        if factor == 1:
            continue
        if factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative:
            denominator.append(sympy.Pow(factor.base, -factor.exp))
        else:
            numerator.append(factor)
    ordered = sorted(
        numerator[1:] if numerator and numerator[0].is_Number else numerator,
        key=sympy.default_sort_key,
    )
    if numerator and numerator[0].is_Number:
        ordered.insert(0, numerator[0])
    pieces = [_wrap(_print_expr(f), _MUL if i == 0 else _MUL + 1) for i, f in enumerate(ordered)]
    text = "*".join(pieces) or "1"
    precedence = _print_expr(ordered[0])[1] if len(ordered) == 1 else _MUL
    if denominator:
        if len(denominator) == 1:
            below = _wrap(_print_expr(denominator[0]), _MUL + 1)
        else:
            below = "(" + "*".join(_wrap(_print_expr(f), _MUL + 1) for f in denominator) + ")"
        text = f"{text}/{below}"
        precedence = _MUL
    if negative:
        # -x*y and -x/y mean (-x)*y and (-x)/y in Python, which are equal to -(x*y) and
        # -(x/y); but such a product still binds like a product, not like a negation.
        return "-" + _wrap((text, precedence), _MUL), min(_NEG, precedence)
    return text, precedence


def _print_pow(expr: sympy.Pow) -> tuple[str, int]:
    base, exponent = expr.base, expr.exp
    if exponent.is_Rational and exponent.is_negative:
        return "1/" + _wrap(_print_expr(sympy.Pow(base, -exponent)), _MUL + 1), _MUL
    if exponent == sympy.Rational(1, 2):
        return f"sqrt({_print_expr(base)[0]})", _ATOM
    return f"{_wrap(_print_expr(base), _POW + 1)}**{_wrap(_print_expr(exponent), _POW + 1)}", _POW


def _print_condition(cond: object) -> tuple[str, int]:
    if cond is True or cond is sympy.true:
        return "true", _ATOM
    if cond is False or cond is sympy.false:
        return "false", _ATOM
    if isinstance(cond, sympy.Expr) or not isinstance(cond, Boolean):
        _cannot_print(cond, "it is not a condition (a comparison, and/or/not, true/false)")
    if type(cond) in _RELATION_SYMBOLS:
        left = _wrap(_print_expr(cond.lhs), _CMP + 1)
        right = _wrap(_print_expr(cond.rhs), _CMP + 1)
        return f"{left} {_RELATION_SYMBOLS[type(cond)]} {right}", _CMP
    if isinstance(cond, Not):
        return "not " + _wrap(_print_condition(cond.args[0]), _NOT), _NOT
    if isinstance(cond, And):
        return " and ".join(_wrap(_print_condition(a), _AND + 1) for a in cond.args), _AND
    if isinstance(cond, Or):
        # 'and' binds tighter than 'or' anyway; the parentheses are for the reader.
        return " or ".join(_wrap(_print_condition(a), _AND + 1) for a in cond.args), _OR
    if isinstance(cond, BooleanFunction):
        # Xor, Implies, Equivalent, ITE, Nand, Nor: rewritten with and/or/not.
        rewritten = to_nnf(cond, simplify=False)
        if type(rewritten) is not type(cond):
            return _print_condition(rewritten)
    if isinstance(cond, BooleanAtom):
        return ("true" if bool(cond) else "false"), _ATOM
    _cannot_print(cond, f"{type(cond).__name__} is not part of the condition syntax")


def format_expr(expr: sympy.Expr) -> str:
    """Write a sympy expression in the model-file formula syntax.

    The inverse of :func:`parse_formula`: for expressions built from declared names,
    numbers, ``+ - * / **`` and the functions of :data:`ALLOWED_FUNCTIONS`,
    ``parse_formula(format_expr(e), names)`` equals ``e``. Names are printed as
    given (also keywords such as ``lambda``); rationals as decimals when they end
    within 12 places (``0.1``) and as fractions otherwise (``1/3``).

    Parameters
    ----------
    expr : sympy.Expr
        The expression. Plain Python numbers are accepted as by :func:`exact_number`.

    Returns
    -------
    str
        The formula.

    Raises
    ------
    FormulaError
        If the expression uses something the syntax cannot express (``pi``, the
        imaginary unit, infinities, ``Piecewise``, other functions, names that are
        not identifiers).

    Examples
    --------
    >>> from sympy import Max, Rational, Symbol, sqrt
    >>> x, y = Symbol("x"), Symbol("y")
    >>> format_expr(Rational(1, 10)*x - y/3)
    'x/10 - y/3'
    >>> format_expr(Max(0, x - 1)**2 / sqrt(y))
    'max(0, x - 1)**2/sqrt(y)'
    """
    if not isinstance(expr, sympy.Basic):
        try:
            expr = _exact(expr)
        except _Refusal as exc:
            raise FormulaError(f"{_show(expr)}: {exc.reason}") from None
    return _print_expr(expr)[0]


def format_condition(cond: Boolean | bool) -> str:
    """Write a sympy Boolean in the model-file condition syntax.

    The inverse of :func:`parse_condition`. Relationals print as comparisons,
    ``And``/``Or``/``Not`` as ``and``/``or``/``not``, ``true``/``false`` as the
    words; other logic functions (``Xor``, ``Implies``, ...) are first rewritten
    with ``and``/``or``/``not``.

    Parameters
    ----------
    cond : sympy.logic.boolalg.Boolean or bool
        The condition.

    Returns
    -------
    str
        The condition text.

    Raises
    ------
    FormulaError
        If ``cond`` is not a condition or contains something the syntax cannot
        express.

    Examples
    --------
    >>> from sympy import And, Not, Or, Symbol
    >>> x, y = Symbol("x"), Symbol("y")
    >>> format_condition(Or(And(x > 0, x < 1), Not(y <= 2)))
    'y > 2 or (x > 0 and x < 1)'
    >>> format_condition(True)
    'true'
    """
    return _print_condition(cond)[0]
