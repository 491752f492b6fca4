"""The ground floor every worker and command stands on: settings, the Mention schema, topic
names and specs, Kafka and Elasticsearch clients, logs, metrics, errors, dead letters.

It imports nothing of ``ingest``, ``streams``, ``sinks``, ``dashboards`` or ``passaparola``
(``tests/test_layering.py`` checks)."""
