"""Configuration, in one place: ``PASSAPAROLA_*`` environment variables over an optional TOML file.

Precedence, highest first: keyword arguments (tests), environment variables, the TOML file
(``PASSAPAROLA_CONFIG`` or ``./passaparola.toml``), the defaults below. Nested fields use a
double underscore in the environment: ``PASSAPAROLA_STACK__KAFKA_PORT=19092``.

Secrets live only in the ``secrets`` section and are read only from the environment
(``PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD``); a TOML file that carries one is refused,
so a password never lands in a committed file. ``SecretStr`` keeps them out of logs and reprs.
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.schema import Platform

CONFIG_ENV = "PASSAPAROLA_CONFIG"
DEFAULT_CONFIG_FILE = "passaparola.toml"


class _Section(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid")


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


class StackSettings(_Section):
    """The local Kafka broker and Elasticsearch node that ``passaparola stack`` runs."""

    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("PASSAPAROLA_CACHE_DIR") or _xdg("XDG_CACHE_HOME", ".cache") / "passaparola"),
        description="downloads (Maven repository, Kafka jars, Elasticsearch zip); safe to keep between CI runs",
    )
    state_dir: Path = Field(
        default_factory=lambda: _xdg("XDG_STATE_HOME", ".local/state") / "passaparola",
        description="data, logs and pid files of the running services",
    )
    kafka_version: str = "4.1.1"
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    kafka_heap: str = "512m"
    elasticsearch_version: str = "8.19.21"
    elasticsearch_port: int = 9200
    elasticsearch_transport_port: int = 9300
    elasticsearch_heap: str = "1g"
    java_home: Path | None = Field(default=None, description="a JDK 17+; default: JAVA_HOME, then java on PATH")
    start_timeout_s: float = 180.0


class KafkaSettings(_Section):
    bootstrap_servers: str = Field(default="", description="default: the local stack's broker")
    client_id: str = "passaparola"
    compression: Literal["gzip", "none"] = Field(default="gzip", description="gzip needs no native codec on any client")
    partitions: int = Field(default=6, ge=1, description="partitions of the topics we create")
    replication_factor: int = Field(default=1, ge=1)
    # Batching of every producer of ours (ingest, streams): a few ms of linger turns one
    # produce request per message into one per batch, which is most of a produce's cost.
    linger_ms: int = Field(default=20, ge=0, description="how long a producer waits to fill a batch")
    batch_bytes: int = Field(default=256 * 1024, gt=0, description="largest batch per partition a producer sends")


class ElasticsearchSettings(_Section):
    url: str = Field(default="", description="default: the local stack's node")
    username: str | None = None
    index_prefix: str = "passaparola"
    replicas: int = Field(default=0, ge=0, description="0 suits one node; use 1+ on a cluster")
    retention_days: int = Field(default=400, ge=1, description="ILM deletes monthly indices this old (where there is ILM)")
    verify_certs: bool = True
    ca_certs: Path | None = None
    request_timeout_s: float = 30.0


class TopicSettings(_Section):
    """Kafka topic names: the contract between workers."""

    mentions_raw: str = "mentions.raw"
    mentions_enriched: str = "mentions.enriched"
    replies: str = "replies"
    alerts: str = "alerts"
    reply_ticks: str = "replies.ticks"
    mentions_by_brand: str = "mentions.by_brand"
    alerts_notified: str = "alerts.notified"
    ingest_state: str = "ingest.state"
    ingest_errors: str = "ingest.errors"
    mentions_dlq: str = "mentions.dlq"
    sink_dlq: str = "sink.dlq"


class Brand(_Section):
    name: str
    query: str = Field(default="", description="brand query: AND, OR, NOT, \"phrases\", NEAR/n, field:value")
    own_accounts: dict[str, list[str]] = Field(
        default_factory=dict, description="platform -> the brand's own handles or ids there"
    )
    competitor: bool = Field(default=False, description="tracked for share of voice, not answered by us")


class Source(_Section):
    name: str
    kind: Platform
    url: str | None = None
    query: str | None = None
    brand: str | None = None
    interval_s: int = Field(default=300, ge=10)
    options: dict[str, Any] = Field(default_factory=dict)


class IngestSettings(_Section):
    """How ingest workers talk to the sources (per source, where it says so)."""

    user_agent: str = Field(
        default="Passaparola/0.1 (open-source buzz and reputation monitor)",
        description="sent on every request; APIs like Reddit ask for a descriptive one",
    )
    timeout_s: float = Field(default=20.0, gt=0, description="connect/read timeout of one request")
    retries: int = Field(default=4, ge=0, description="retries after a 429, 5xx or connection error")
    backoff_s: float = Field(default=1.0, gt=0, description="first retry delay; doubles each time, with jitter")
    max_backoff_s: float = Field(default=60.0, gt=0, description="cap on one retry delay")
    max_wait_s: float = Field(
        default=900.0, gt=0, description="longest Retry-After or rate-limit reset honoured before giving up this run"
    )
    concurrency: int = Field(default=2, ge=1, description="requests in flight per source")
    max_body_bytes: int = Field(default=10_000_000, gt=0, description="larger responses are refused as bad input")
    max_text_chars: int = Field(default=20_000, gt=0, description="a mention's text is cut here after cleaning")
    max_items_per_run: int = Field(default=5_000, gt=0, description="mentions one run of a source yields at most")
    error_sample_chars: int = Field(default=500, gt=0, description="how much of bad input an ingest error keeps")


class EnrichmentSettings(_Section):
    """What the enrichment step knows and keeps."""

    languages: list[str] = Field(
        default_factory=lambda: ["it", "en", "es", "fr", "de", "pt", "nl"],
        description="languages the identifier chooses among; few and relevant beats many",
    )
    aspects_file: Path | None = Field(default=None, description="TOML aspect taxonomy replacing the shipped one")
    drop_unmatched: bool = Field(default=True, description="drop mentions no brand query matches (when brands exist)")
    duplicate_window_hours: float = Field(default=168, gt=0, description="how far back a copy's original is looked for")
    duplicate_max_entries: int = Field(default=200_000, gt=0, description="memory bound of the duplicate index")


class BusinessHours(_Section):
    timezone: str = "Europe/Rome"
    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="0 is Monday")


class StreamsSettings(_Section):
    """How the stateful stream agents (reply tracking, spike detection) take their events."""

    batch_max: int = Field(default=500, ge=1, description="most events handled as one batch")
    batch_wait_s: float = Field(default=0.1, gt=0, description="longest wait for a batch to fill")
    # Faust's consumer fetched as soon as any partition had a message: a quarter of the
    # worker's CPU at 200/s, and at 600/s the worker fell seconds behind (p99 5.6 -> 2.2 s).
    fetch_min_bytes: int = Field(default=64 * 1024, ge=1, description="a fetch waits until this many bytes of messages are ready")
    fetch_max_wait_ms: int = Field(default=100, ge=0, description="or until this long has passed")


class SinkSettings(_Section):
    """How ``sink run`` batches its writes to Elasticsearch (see ``sinks.base.Batching``)."""

    max_records: int = Field(default=1000, ge=1, description="most documents in one bulk request")
    min_records: int = Field(
        default=200, ge=1, description="an idle lane writes as soon as this many wait (busy lanes gather up to max_records)"
    )
    # At light load this wait was most of the publish-to-searchable time: at 200/s, p50
    # 1.5 s with 1 s, 0.84 s with 0.2 s. Under load the lanes are busy and batches grow anyway.
    max_wait_s: float = Field(default=0.2, gt=0, description="longest a waiting document is held before its batch is written")
    lanes: int = Field(default=2, ge=1, description="bulk requests in flight at once")
    backoff_initial_s: float = Field(default=0.5, gt=0, description="first pause after Elasticsearch refused or failed")
    backoff_max_s: float = Field(default=30.0, gt=0, description="longest pause between retries")


class ReplySettings(_Section):
    """How soon a brand should answer, per intent, in business hours."""

    sla_hours: dict[str, float] = Field(
        default_factory=lambda: {"complaint": 4, "question": 8, "purchase": 2, "suggestion": 48, "praise": 72, "other": 24}
    )
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    tick_s: float = Field(default=30.0, gt=0, description="how often open items are checked against their SLA")
    clock_grace_s: float = Field(
        default=3600.0, ge=0,
        description="the SLA clock is the newest mention time seen, or the wall clock minus this, whichever is later",
    )


class SpikeSettings(_Section):
    """Detector parameters: one set for every brand and window size.

    The significance and persistence defaults follow from the calibration argument above;
    ``min_peak_ratio`` (2), ``evidence`` (2), ``cooldown`` (1 day) and ``level_half_life``
    (3 days) were picked from a few round values on the five shared NAB tweet series, hourly
    windows (pooled precision 0.61, window recall 0.81); ``dispersion_clip_sd`` (3) keeps
    the overdispersion estimate sane when a brand spikes often (synthetic tests).
    """

    p_threshold: float = Field(default=1e-3, gt=0, lt=1, description="a window is evidence below this p-value")
    evidence: float = Field(default=2.0, gt=0, description="decades of p-value beyond p_threshold for an alert")
    persistence: timedelta = Field(
        default=timedelta(minutes=10), description="shorter windows need a run of significant ones this long"
    )
    min_count: int = Field(default=10, ge=1, description="fewest mentions in a window that can be a spike")
    min_negative: int = Field(default=5, ge=1, description="fewest negative mentions that can count")
    min_peak_ratio: float = Field(
        default=2.0, ge=0, description="a spike window holds this many times the brand's normal busiest one"
    )
    cooldown: timedelta = Field(default=timedelta(days=1), description="quiet time per kind after an alert")
    warmup: timedelta = Field(default=timedelta(days=1), description="history before the first alert")
    max_gap: timedelta = Field(default=timedelta(days=1), description="longest gap filled with empty windows")
    severity_ratios: tuple[float, float] = Field(
        default=(3.0, 10.0), description="observed/expected from which a spike is high, critical"
    )
    share_severity_ratios: tuple[float, float] = Field(
        default=(2.0, 3.0), description="share/baseline share from which a share rise is high, critical"
    )
    share_min_ratio: float = Field(default=1.5, ge=1, description="a share rise is this many times the baseline")
    share_min_rise: float = Field(default=0.1, ge=0, description="and this much above it (absolute)")
    share_half_life: timedelta = Field(default=timedelta(days=7), description="memory of the baseline share")
    share_prior: float = Field(default=0.2, gt=0, lt=1, description="baseline share assumed before data")
    share_prior_mentions: float = Field(default=50.0, gt=0, description="weight of share_prior, in mentions")
    level_half_life: timedelta = Field(default=timedelta(days=3))
    daily_half_life: timedelta = Field(default=timedelta(days=7))
    weekly_half_life: timedelta = Field(default=timedelta(weeks=4))
    dispersion_half_life: timedelta = Field(default=timedelta(days=7))
    clip_sd: float = Field(default=4.0, gt=0, description="level updates are capped at mean + clip_sd * sd")
    dispersion_clip_sd: float = Field(default=3.0, gt=0, description="dispersion updates are capped here")


class AlertSettings(_Section):
    """Spike detection per brand (the detector's own parameters live with it, validated
    on real series: see streams/alerts/spike_detector.py) and the webhook notifier."""

    windows: list[str] = Field(default_factory=lambda: ["1m", "5m", "1h"], description="tumbling window sizes")
    lateness_s: float = Field(default=120.0, ge=0, description="how far behind its partition's newest mention one may arrive")
    idle_s: float = Field(default=60.0, gt=0, description="wall seconds after which a silent partition stops holding windows open")
    future_s: float = Field(default=86400.0, gt=0, description="mentions dated further ahead than this are indexed but not counted in spike windows")
    context_hours: float = Field(default=24.0, gt=0, description="history the alert explanation compares the spike with")
    webhook_min_severity: str = Field(default="warning", description="warning, high or critical: what is posted")
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_retries: int = Field(default=5, ge=0)
    detector: SpikeSettings = Field(default_factory=SpikeSettings, description="the spike detector's parameters")


class Secrets(_Section):
    """Credentials, from the environment only (``PASSAPAROLA_SECRETS__<NAME>``)."""

    elasticsearch_password: SecretStr | None = None
    elasticsearch_api_key: SecretStr | None = None
    grafana_token: SecretStr | None = None
    alert_webhook_url: SecretStr | None = None
    x_bearer_token: SecretStr | None = None
    mastodon_token: SecretStr | None = None
    reddit_client_secret: SecretStr | None = None
    facebook_token: SecretStr | None = None
    youtube_api_key: SecretStr | None = None
    disqus_api_key: SecretStr | None = None
    bluesky_app_password: SecretStr | None = None
    wordpress_app_password: SecretStr | None = None


class ConfigError(ValueError):
    """The configuration cannot be used; the text says what to change."""


class _TomlWithoutSecrets(TomlConfigSettingsSource):
    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        if "secrets" in data:
            names = ", ".join(sorted(data["secrets"]))
            raise ConfigError(
                f"{self.toml_file_path}: secrets ({names}) may come only from the environment, "
                "e.g. PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD"
            )
        return data


def config_file() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PASSAPAROLA_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    log_level: str = "INFO"
    log_json: bool = True
    metrics_host: str = Field(default="127.0.0.1", description="0.0.0.0 in containers, so Prometheus can scrape")
    metrics_port: int = Field(default=0, description="Prometheus /metrics and /healthz; 0 picks a free port")
    health_stall_s: float = Field(default=60.0, gt=0, description="/healthz fails when a sink worker's loop has not come round for this long")
    out_of_group_s: float = Field(
        default=60.0, gt=0, description="a sink worker's consumer without partitions and outside its group this long is replaced"
    )
    stack: StackSettings = Field(default_factory=StackSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    brands: list[Brand] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    enrichment: EnrichmentSettings = Field(default_factory=EnrichmentSettings)
    replies: ReplySettings = Field(default_factory=ReplySettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    streams: StreamsSettings = Field(default_factory=StreamsSettings)
    sink: SinkSettings = Field(default_factory=SinkSettings)
    secrets: Secrets = Field(default_factory=Secrets)

    @model_validator(mode="after")
    def _local_defaults(self) -> Settings:
        # Unset endpoints point at the local stack, so one port setting moves both sides.
        if not self.kafka.bootstrap_servers:
            self.kafka.bootstrap_servers = f"127.0.0.1:{self.stack.kafka_port}"
        if not self.elasticsearch.url:
            self.elasticsearch.url = f"http://127.0.0.1:{self.stack.elasticsearch_port}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlWithoutSecrets(settings_cls, toml_file=config_file()))

    def brand(self, name: str) -> Brand | None:
        return next((b for b in self.brands if b.name == name), None)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
