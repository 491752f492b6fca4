"""Upper-tail p-values of count distributions, computed in log space.

``P(X >= k)`` for Poisson, negative-binomial and binomial counts, through the regularised
incomplete gamma and beta functions (a power series or a continued fraction evaluated
with the modified Lentz method, whichever converges fast for the arguments). Everything
is carried as a natural logarithm, so a burst of 13,000 mentions against an expected 500
gives a finite log p-value (about -20,000) instead of an underflow to 0: severity and the
evidence a detector accumulates can still tell a large spike from a huge one.

The negative binomial has mean ``mu`` and overdispersion ``alpha`` (variance
``mu + alpha * mu**2``; ``alpha = 0`` is the Poisson). Standard library only: scipy is
not a dependency of the project."""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300
# Below this relative overdispersion the negative binomial is a Poisson to double precision.
_POISSON_ALPHA = 1e-12


def _max_iter(*params: float) -> int:
    # Both expansions need O(sqrt(largest parameter)) terms near the mode.
    return 200 + int(20 * math.sqrt(max(1.0, *params)))


def _log_gamma_p_series(a: float, x: float) -> float:
    """log P(a, x), the regularised lower incomplete gamma, by its power series (x < a + 1)."""
    term = total = 1.0 / a
    ap = a
    for _ in range(_max_iter(a, x)):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return math.log(total) - x + a * math.log(x) - math.lgamma(a)


def _lentz_step(a_n: float, b_n: float, c: float, d: float) -> tuple[float, float, float]:
    """One step of Lentz's method for a continued fraction b0 + a1/(b1 + a2/(b2 + ...)):
    the new ``c`` and ``d`` and the factor the fraction's value is multiplied by."""
    d = b_n + a_n * d
    d = _TINY if abs(d) < _TINY else d
    c = b_n + a_n / c
    c = _TINY if abs(c) < _TINY else c
    d = 1.0 / d
    return c, d, d * c


def _log_gamma_q_cf(a: float, x: float) -> float:
    """log Q(a, x) = log(1 - P(a, x)) by its continued fraction (x >= a + 1)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _max_iter(a, x)):
        b += 2.0
        c, d, delta = _lentz_step(-i * (i - a), b, c, d)
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.log(h) - x + a * math.log(x) - math.lgamma(a)


def log_gamma_p(a: float, x: float) -> float:
    """log of the regularised lower incomplete gamma P(a, x), a > 0, x >= 0."""
    if x <= 0.0:
        return -math.inf
    if x < a + 1.0:
        return _log_gamma_p_series(a, x)
    return _log1m_exp(_log_gamma_q_cf(a, x))


def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b); converges fast for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _max_iter(a, b)):
        m2 = 2 * m
        c, d, even = _lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), 1.0, c, d)  # even step
        h *= even
        c, d, delta = _lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), 1.0, c, d)  # odd step
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def _log_beta_front(a: float, b: float, x: float) -> float:
    # log of x^a (1-x)^b / (a B(a, b)); log1p keeps precision when x is tiny.
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return a * math.log(x) + b * math.log1p(-x) - math.log(a) - log_beta


def log_beta_i(a: float, b: float, x: float) -> float:
    """log of the regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1."""
    if x <= 0.0:
        return -math.inf
    if x >= 1.0:
        return 0.0
    if x < (a + 1.0) / (a + b + 2.0):
        return _log_beta_front(a, b, x) + math.log(_beta_cf(a, b, x))
    # Symmetry I_x(a, b) = 1 - I_{1-x}(b, a), where the fraction converges.
    return _log1m_exp(_log_beta_front(b, a, 1.0 - x) + math.log(_beta_cf(b, a, 1.0 - x)))


def _log1m_exp(log_q: float) -> float:
    """log(1 - exp(log_q)) for log_q <= 0, accurate at both ends."""
    if log_q >= 0.0:
        return -math.inf
    if log_q > -math.log(2.0):
        return math.log(-math.expm1(log_q))
    return math.log1p(-math.exp(log_q))


def poisson_logsf(k: int, mu: float) -> float:
    """Natural log of P(X >= k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 0.0
    if mu <= 0.0:
        return -math.inf
    return log_gamma_p(float(k), mu)


def nbinom_logsf(k: int, mu: float, alpha: float) -> float:
    """Natural log of P(X >= k) for a negative binomial of mean mu, variance mu + alpha mu^2."""
    if alpha < 0.0:
        raise ValueError("overdispersion alpha must be >= 0")
    if k <= 0:
        return 0.0
    if mu <= 0.0:
        return -math.inf
    if alpha * mu < _POISSON_ALPHA:
        return poisson_logsf(k, mu)
    r = 1.0 / alpha
    # X counts failures before the r-th success with success probability p = r / (r + mu);
    # P(X >= k) = 1 - I_p(r, k) = I_{1-p}(k, r).
    q = mu / (r + mu)
    return log_beta_i(float(k), r, q)


def binom_logsf(k: int, n: int, p: float) -> float:
    """Natural log of P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 0.0
    if k > n or p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return 0.0
    return log_beta_i(float(k), float(n - k + 1), p)


def poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu); may underflow to 0.0, use :func:`poisson_logsf`."""
    return math.exp(poisson_logsf(k, mu))


def nbinom_sf(k: int, mu: float, alpha: float) -> float:
    """P(X >= k) for the negative binomial of mean mu and overdispersion alpha."""
    return math.exp(nbinom_logsf(k, mu, alpha))


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    return math.exp(binom_logsf(k, n, p))
