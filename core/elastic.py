"""The Elasticsearch client, built one way for every worker and command."""

from __future__ import annotations

from elasticsearch import ApiError, Elasticsearch

from core.settings import Settings


def connect(settings: Settings, **overrides: object) -> Elasticsearch:
    """A client for ``[elasticsearch]``: its timeout, TLS and credentials (API key first,
    else basic auth), retrying timeouts twice; ``overrides`` win."""
    es, secrets = settings.elasticsearch, settings.secrets
    options: dict[str, object] = {
        "request_timeout": es.request_timeout_s,
        "verify_certs": es.verify_certs,
        "retry_on_timeout": True,
        "max_retries": 2,
    }
    if es.ca_certs:
        options["ca_certs"] = str(es.ca_certs)
    if secrets.elasticsearch_api_key:
        options["api_key"] = secrets.elasticsearch_api_key.get_secret_value()
    elif es.username and secrets.elasticsearch_password:
        options["basic_auth"] = (es.username, secrets.elasticsearch_password.get_secret_value())
    options.update(overrides)
    return Elasticsearch(es.url, **options)


def has_analyzer(client: Elasticsearch, name: str) -> bool:
    """Whether the cluster knows a built-in analyzer (minimal distributions lack the language ones)."""
    try:
        client.indices.analyze(analyzer=name, text="prova")
    except ApiError as err:
        if err.meta.status == 400:
            return False
        raise
    return True
