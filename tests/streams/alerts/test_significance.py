"""Upper-tail p-values against brute-force sums of the probability mass functions."""

import math

import pytest

from streams.alerts.significance import (
    binom_logsf,
    binom_sf,
    nbinom_logsf,
    nbinom_sf,
    poisson_logsf,
    poisson_sf,
)


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def brute_poisson(k: int, mu: float) -> float:
    return _logsumexp([-mu + j * math.log(mu) - math.lgamma(j + 1) for j in range(k, k + 5000)])


def brute_nbinom(k: int, mu: float, alpha: float) -> float:
    r = 1 / alpha
    p = r / (r + mu)
    terms = [
        math.lgamma(j + r) - math.lgamma(r) - math.lgamma(j + 1) + r * math.log(p) + j * math.log1p(-p)
        for j in range(k, k + 200_000)
    ]
    return _logsumexp(terms)


def brute_binom(k: int, n: int, p: float) -> float:
    return math.log(sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1)))


@pytest.mark.parametrize(
    ("k", "mu"), [(1, 1.0), (5, 2.5), (3, 10.0), (12, 3.0), (50, 0.36), (600, 500.0), (400, 500.0), (2500, 500.0)]
)
def test_poisson_matches_the_sum_of_its_pmf(k: int, mu: float) -> None:
    assert poisson_logsf(k, mu) == pytest.approx(brute_poisson(k, mu), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("k", "mu", "alpha"),
    [(5, 2.5, 0.1), (3, 10.0, 0.5), (50, 0.36, 0.2), (600, 500.0, 0.05), (400, 500.0, 0.05), (2, 3.0, 2.0),
     (1000, 50.0, 0.01), (13479, 500.0, 0.9)],
)  # fmt: skip
def test_negative_binomial_matches_the_sum_of_its_pmf(k: int, mu: float, alpha: float) -> None:
    assert nbinom_logsf(k, mu, alpha) == pytest.approx(brute_nbinom(k, mu, alpha), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("k", "n", "p"), [(30, 100, 0.2), (3, 100, 0.2), (1, 1, 0.5), (90, 100, 0.5), (7, 10, 0.05)])
def test_binomial_matches_the_sum_of_its_pmf(k: int, n: int, p: float) -> None:
    assert binom_logsf(k, n, p) == pytest.approx(brute_binom(k, n, p), rel=1e-9, abs=1e-12)


def test_closed_forms() -> None:
    assert poisson_sf(1, 2.0) == pytest.approx(1 - math.exp(-2.0))
    # alpha = 1 is a geometric count: P(X >= k) = (mu / (1 + mu))^k.
    assert nbinom_sf(4, 3.0, 1.0) == pytest.approx((3 / 4) ** 4)
    assert binom_sf(3, 3, 0.5) == pytest.approx(1 / 8)


def test_edges() -> None:
    assert poisson_sf(0, 5.0) == 1.0
    assert nbinom_sf(-3, 5.0, 0.2) == 1.0
    assert poisson_logsf(1, 0.0) == -math.inf
    assert binom_logsf(5, 4, 0.5) == -math.inf
    assert binom_sf(2, 4, 1.0) == 1.0
    with pytest.raises(ValueError):
        nbinom_sf(3, 1.0, -0.1)


def test_negative_binomial_tends_to_poisson() -> None:
    assert nbinom_logsf(20, 8.0, 0.0) == poisson_logsf(20, 8.0)
    assert nbinom_logsf(20, 8.0, 1e-9) == pytest.approx(poisson_logsf(20, 8.0), rel=1e-6)
    # Overdispersion makes the same excess less surprising.
    assert nbinom_logsf(20, 8.0, 0.3) > poisson_logsf(20, 8.0)


def test_large_counts_stay_finite_and_ordered() -> None:
    # Far beyond where the p-value itself underflows to 0.0.
    small, large = poisson_logsf(13_479, 500.0), poisson_logsf(20_000, 500.0)
    assert math.isfinite(small) and math.isfinite(large) and large < small < -20_000
    assert poisson_sf(13_479, 500.0) == 0.0
    values = [nbinom_logsf(k, 900_000.0, 0.01) for k in (900_000, 1_000_000, 1_200_000, 2_000_000)]
    assert all(math.isfinite(v) for v in values)
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(math.log(0.5), abs=0.05)  # about half the mass above the mean
