"""Sinks: the batching consumer loop and its targets (Elasticsearch)."""
