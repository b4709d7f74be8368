"""The logit dynamics (smoothed best response with logit choice)."""

from __future__ import annotations

from fractions import Fraction

import sympy

from ._base import Dynamics, RestPointMethod


class Logit(Dynamics):
    r"""The logit dynamics with noise level :math:`\eta > 0`:

    .. math:: \dot x_{p,i} = L_{p,i}(x) - x_{p,i}, \qquad
              L_{p,i}(x) = \frac{\exp(f_{p,i}(x)/\eta)}{\sum_j \exp(f_{p,j}(x)/\eta)}
              = \frac{1}{\sum_j \exp\bigl((f_{p,j}(x) - f_{p,i}(x))/\eta\bigr)},

    the smoothed best-response dynamics of Fudenberg & Levine (1998, *The Theory of Learning in
    Games*, ch. 4) with logit choice; Sandholm 2010, *Population Games and Evolutionary
    Dynamics*, §6.2. The field is written with payoff differences (for two strategies as
    :math:`(1 + \tanh(\Delta f/2\eta))/2`, otherwise with the exponent capped at 700), so
    nothing overflows for large payoffs or small noise. Its rest points are the logit (quantal
    response) equilibria of McKelvey & Palfrey (1995, Games Econ. Behav. 10, 6--38), all
    interior; as :math:`\eta \to 0` they approach Nash equilibria. They are found by a numeric
    search (:attr:`RestPointMethod.SEARCH`).

    Options
    -------
    eta : number > 0
        Noise level, in payoff units (default 1/10). Only payoff differences divided by
        ``eta`` matter, so scaling every payoff by c is the same as dividing ``eta`` by c.

    Examples
    --------
    >>> import sympy
    >>> x, a = sympy.symbols("x a")
    >>> Logit(eta=0.5).growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    -x + tanh(a)/2 + 1/2
    """

    name = "logit"
    title = "logit dynamics"
    latex = r"\text{logit}"
    smooth = True
    rest_points = RestPointMethod.SEARCH
    options = {"eta": (Fraction(1, 10), 0, None, "noise level (payoff units)")}
    open_bounds = frozenset({"eta"})

    def growth(self, game, shares, payoffs):
        eta = self.value("eta")
        out = []
        for x, f in zip(shares, payoffs):
            if len(x) == 2:
                # 1/(1 + exp(-d)) = (1 + tanh(d/2))/2: tanh never overflows, and unlike exp
                # sympy never splits it into exp(constant) * exp(...) once numbers are put in.
                half = (1 + sympy.tanh((f[0] - f[1]) / (2 * eta))) / 2
                out.append((half - x[0], 1 - half - x[1]))
                continue
            comps = []
            for i, xi in enumerate(x):
                # exp of a capped exponent: no overflow (a term of e**700 makes the share
                # 1e-304, zero in double precision), and the argument is a Min, not a sum
                # sympy would split.
                terms = [
                    sympy.Integer(1)
                    if j == i
                    else sympy.exp(sympy.Min((f[j] - f[i]) / eta, sympy.Integer(700)))
                    for j in range(len(x))
                ]
                comps.append(1 / sympy.Add(*terms) - xi)
            out.append(tuple(comps))
        return tuple(out)
