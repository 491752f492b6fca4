"""The product's environment runs on the real urllib3.

grafana-client's HTTP stack brings urllib3-future, which overwrites the ``urllib3`` package of
the environment it is installed in (a ``.pth`` file copies it over at every start), so the
Elasticsearch client would run on the fork. grafana-client lives in an environment of its own
(``.venv-grafana``, see dashboards/grafana_push.py); this fails if it comes back here.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util


def test_urllib3_is_the_real_one():
    import urllib3

    patch = int(urllib3.__version__.split(".")[2])
    assert patch < 900, f"urllib3 {urllib3.__version__} is urllib3-future (its patch numbers start at 900)"


def test_grafana_client_and_the_fork_are_not_installed_here():
    installed = {d.metadata["Name"].lower() for d in importlib.metadata.distributions()}
    assert not installed & {"grafana-client", "niquests", "urllib3-future"}
    assert importlib.util.find_spec("urllib3_future") is None
