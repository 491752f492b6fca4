"""Helpers shared by test modules, imported by name: ``from tests.support.waits import wait_until``.

Importable because the pytest ini options put the repository root on ``sys.path``
(``pythonpath = ["."]``); fixtures stay in the ``conftest.py`` files.

- :mod:`tests.support.waits`: bounded waits on observable state instead of fixed sleeps.
- :mod:`tests.support.kafka`: reading whole topics with their records' metadata, a group's lag,
  waiting for topics to go quiet.
- :mod:`tests.support.elastic`: counting what the sink indexed.
- :mod:`tests.support.net`: a free local port; a recording webhook endpoint.
"""
