"""Configuration, in one place: ``PASSAPAROLA_*`` environment variables over an optional TOML file.

Precedence, highest first: keyword arguments (tests), environment variables, the TOML file
(``PASSAPAROLA_CONFIG`` or ``./passaparola.toml``), the defaults below. Nested fields use a
double underscore in the environment: ``PASSAPAROLA_STACK__KAFKA_PORT=19092``.

Secrets live only in the ``secrets`` section and are read only from the environment
(``PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD``); a TOML file that carries one is refused,
so a password never lands in a committed file. ``SecretStr`` keeps them out of logs and reprs.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import tomllib
import typing
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.schema import Platform

ENV_PREFIX = "PASSAPAROLA_"
CONFIG_ENV = ENV_PREFIX + "CONFIG"
SECRETS_DIR_ENV = ENV_PREFIX + "SECRETS_DIR"
DEFAULT_CONFIG_FILE = "passaparola.toml"


class _Section(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid")


# A path setting as a shell would read it: ~ is the home directory.
UserPath = Annotated[Path, AfterValidator(lambda path: path.expanduser())]


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


class StackSettings(_Section):
    """The local Kafka broker and Elasticsearch node that ``passaparola stack`` runs."""

    cache_dir: UserPath = Field(
        default_factory=lambda: Path(os.environ.get("PASSAPAROLA_CACHE_DIR") or _xdg("XDG_CACHE_HOME", ".cache") / "passaparola"),
        description=(
            "downloads (Maven repository, Kafka jars, Elasticsearch zip) and the unpacked services; "
            "PASSAPAROLA_CACHE_DIR sets it too; $XDG_CACHE_HOME is ~/.cache when unset; safe to keep between CI runs"
        ),
    )
    state_dir: UserPath = Field(
        default_factory=lambda: _xdg("XDG_STATE_HOME", ".local/state") / "passaparola",
        description="data, logs and pid files of the local services; also the streams worker's Faust data "
        "(streams/) and benchmark results (bench/); $XDG_STATE_HOME is ~/.local/state when unset",
    )
    kafka_version: str = Field(
        default="4.1.1",
        description=(
            "Apache Kafka release of the local broker, resolved from Maven Central (docker-compose.yml pins the same)"
        ),
    )
    kafka_port: int = Field(
        default=9092,
        description="the local broker's client port on 127.0.0.1; kafka.bootstrap_servers follows it",
    )
    kafka_controller_port: int = Field(default=9093, description="the local broker's KRaft controller port")
    kafka_heap: str = Field(default="512m", description="JVM heap of the local broker (-Xms and -Xmx)")
    elasticsearch_version: str = Field(
        default="8.19.21",
        description=(
            "Elasticsearch release of the local node, the integ-test zip from Maven Central (docker-compose.yml pins "
            "the same)"
        ),
    )
    elasticsearch_port: int = Field(
        default=9200,
        description="the local node's HTTP port on 127.0.0.1; elasticsearch.url follows it",
    )
    elasticsearch_transport_port: int = Field(default=9300, description="the local node's transport port")
    elasticsearch_heap: str = Field(default="1g", description="JVM heap of the local node (-Xms and -Xmx)")
    java_home: UserPath | None = Field(
        default=None,
        description="a JDK 17+ (javac builds the node's analysis plugin); default: JAVA_HOME, then java on PATH",
    )
    start_timeout_s: float = Field(
        default=180.0,
        description="how long stack up waits for each service to be healthy before failing with its log's path",
    )


class KafkaSettings(_Section):
    """The Kafka cluster, and how every Passaparola client talks to it."""

    bootstrap_servers: str = Field(
        default="",
        description="brokers, comma-separated host:port; empty: the local stack's broker (127.0.0.1:stack.kafka_port)",
    )
    client_id: str = Field(
        default="passaparola",
        description="prefix of every client name and consumer group (<client_id>-streams, -sink, -notifier): "
        "workers with the same one share the partitions",
    )
    compression: Literal["gzip", "none"] = Field(
        default="gzip",
        description=(
            "compression of the kafka-python producers (ingest, cursors, dead letters, notifier; not the streams "
            "worker's Faust producer); gzip needs no native codec on any client"
        ),
    )
    partitions: int = Field(
        default=6,
        ge=1,
        description=(
            "partitions of the data topics Passaparola creates: at most this many processes of a kind share the work; "
            "set it before the topics exist"
        ),
    )
    replication_factor: int = Field(
        default=1,
        ge=1,
        description=(
            "replicas of every topic Passaparola creates, Faust's changelogs included; 3 to survive a broker loss"
        ),
    )
    # Batching of every producer of ours (ingest, streams): a few ms of linger turns one
    # produce request per message into one per batch, which is most of a produce's cost.
    linger_ms: int = Field(
        default=20,
        ge=0,
        description="how long a producer (ingest, streams worker, ...) waits to fill a batch",
    )
    batch_bytes: int = Field(
        default=256 * 1024,
        gt=0,
        description="largest batch per partition a producer sends, in bytes",
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description=(
            "how every client (kafka-python and the streams worker's Faust) talks to the brokers: SASL_SSL for "
            "Confluent Cloud, MSK with SASL/SCRAM, Aiven with SASL; SSL for TLS only"
        ),
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="PLAIN",
        description="SASL mechanism with a SASL_* security_protocol (Confluent Cloud: PLAIN; MSK: SCRAM-SHA-512)",
    )
    sasl_username: str = Field(
        default="",
        description="SASL user (Confluent Cloud: the API key); its password is PASSAPAROLA_SECRETS__KAFKA_SASL_PASSWORD",
    )
    ssl_cafile: UserPath | None = Field(
        default=None,
        description="CA certificates (PEM) the brokers' TLS certificates are checked against; empty: the system's",
    )
    delivery_timeout_s: float = Field(
        default=120,
        ge=2,
        description=(
            "how long an ingest producer (mentions, error records, dead letters of the sink) keeps trying to deliver "
            "a record before it counts as failed; ingest then keeps its cursor and reads the input again, so an "
            "outage longer than this delays mentions but loses none"
        ),
    )
    max_message_bytes: int = Field(
        default=900_000,
        ge=10_000,
        le=1_000_000,
        description=(
            "largest mention (JSON bytes) the pipeline carries: a larger one is refused where it enters, by ingest "
            "(to ingest.errors) or by the streams worker (to mentions.dlq, also when enrichment makes it larger); "
            "below the broker's message.max.bytes and Faust's producer limit (1,000,000)"
        ),
    )
    # The SASL password, from [secrets] (never from this section, which a TOML file may set):
    # Settings hands it over so that every client built from these settings can log in.
    _sasl_password: SecretStr | None = PrivateAttr(default=None)

    def sasl_password(self) -> str:
        return self._sasl_password.get_secret_value() if self._sasl_password else ""


class ElasticsearchSettings(_Section):
    """The Elasticsearch node or cluster the sink writes to and the commands query."""

    url: str = Field(
        default="",
        description=(
            "a node, or a load balancer in front of a cluster; empty: the local stack's node "
            "(http://127.0.0.1:stack.elasticsearch_port)"
        ),
    )
    username: str | None = Field(
        default=None,
        description=(
            "basic-auth user; the password comes from PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD (an API key wins over"
            " both)"
        ),
    )
    index_prefix: str = Field(
        default="passaparola",
        description=(
            "indices <prefix>-mentions-YYYY.MM, <prefix>-replies-*, <prefix>-alerts-*, read through the aliases "
            "<prefix>-mentions, -replies, -alerts; the provisioned Grafana data sources read passaparola-*"
        ),
    )
    replicas: int = Field(default=0, ge=0, description="replicas of each index: 0 suits one node; use 1+ on a cluster")
    retention_days: int = Field(
        default=400,
        ge=1,
        description=(
            "the ILM policy <prefix>-retention deletes monthly indices this old (where the cluster has ILM; else sink "
            "prune)"
        ),
    )
    verify_certs: bool = Field(default=True, description="check the node's TLS certificate (https URLs)")
    ca_certs: UserPath | None = Field(default=None, description="CA bundle (PEM) to verify the node's certificate with")
    request_timeout_s: float = Field(
        default=30.0,
        description="timeout of one request (a timed-out request is retried twice)",
    )


class TopicSettings(_Section):
    """Kafka topic names: the contract between workers."""

    mentions_raw: str = Field(
        default="mentions.raw",
        description="mentions as the connectors found them (ingest to streams worker)",
    )
    mentions_enriched: str = Field(
        default="mentions.enriched",
        description=(
            "mentions after enrichment (streams worker to sink; also read by its reply tracker and spike detector)"
        ),
    )
    replies: str = Field(
        default="replies",
        description="reply-tracker events: pending, brand_reply, unanswered (streams worker to sink)",
    )
    alerts: str = Field(
        default="alerts",
        description="spike alerts with their explanation (streams worker to sink and notifier)",
    )
    reply_ticks: str = Field(
        default="replies.ticks",
        description="SLA clock ticks for the reply tracker (internal to the streams worker, kept a day)",
    )
    mentions_by_brand: str = Field(
        default="mentions.by_brand",
        description=(
            "enriched mentions keyed by brand, for spike detection (internal to the streams worker, kept a day)"
        ),
    )
    alerts_notified: str = Field(
        default="alerts.notified",
        description="ids of the alerts the webhook notifier posted (compacted)",
    )
    ingest_state: str = Field(
        default="ingest.state",
        description="connector cursors, produce journals and replay checkpoints (compacted)",
    )
    ingest_errors: str = Field(
        default="ingest.errors",
        description="input ingest could not use: broken feeds, refused tokens, bad replay lines (kept 30 days)",
    )
    mentions_dlq: str = Field(
        default="mentions.dlq",
        description="messages the streams worker could not handle, with the reason (kept 30 days)",
    )
    sink_dlq: str = Field(
        default="sink.dlq",
        description="documents Elasticsearch refused and messages the sink or notifier could not read (kept 30 days)",
    )


class Brand(_Section):
    """A brand to listen for: its query decides which mentions are about it, and messages from
    its own accounts are brand replies, not buzz."""

    name: str = Field(
        description="the brand's name in documents, dashboards and alerts; what sources[].brand refers to",
    )
    query: str = Field(
        default="",
        description="brand query: words, \"phrases\", #tags, @handles, caff*, AND, OR, NOT, NEAR/n, parentheses, "
        "author:, site:, lang:, platform: (grammar in streams/enrichment/brand_query.py); empty matches nothing",
    )
    own_accounts: dict[str, list[str]] = Field(
        default_factory=dict,
        description="platform -> the brand's own handles or ids there, as the platform writes them "
        "(mastodon user@instance, bluesky the full domain): their messages are brand replies",
    )
    competitor: bool = Field(
        default=False,
        description="marks a competitor, tracked for share of voice (informational: nothing treats it differently yet)",
    )


class Source(_Section):
    """A place to listen: one connector (kind) with its address, query and options."""

    name: str = Field(
        description="unique name: the key of its cursor in ingest.state, the argument of ingest once and ingest run "
        "--source, the source field of its mentions"
    )
    kind: Platform = Field(description="the connector (ingest/connectors/<kind>.py)")
    url: str | None = Field(
        default=None,
        description="the feed's URL (feed), the blog (wordpress), or the API base; default: the platform's public API",
    )
    query: str | None = Field(
        default=None,
        description=(
            "search query in the platform's own syntax (mastodon, bluesky, reddit, hackernews, x); others ignore it"
        ),
    )
    brand: str | None = Field(
        default=None,
        description=(
            "the configured brand this source listens for: its mentions count for it even when the text does not name "
            "it"
        ),
    )
    interval_s: int = Field(default=300, ge=10, description="seconds between two runs of this source under ingest run")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "connector options (page_id, hashtags, video_ids, max_items, ...): see the docstring of "
            "ingest/connectors/<kind>.py"
        ),
    )


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
    allowed_networks: list[str] = Field(
        default_factory=list,
        description=(
            "private networks (CIDR, e.g. 10.0.0.0/8) that links found in content, pagination links and "
            "redirects to another origin may reach; by default they reach public addresses only "
            "(configured source URLs may point anywhere)"
        ),
    )

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"not a network in CIDR notation: {network!r}") from None
        return value


class EnrichmentSettings(_Section):
    """What the enrichment step knows and keeps."""

    languages: list[str] = Field(
        default_factory=lambda: ["it", "en", "es", "fr", "de", "pt", "nl"],
        description="languages the identifier chooses among; few and relevant beats many",
    )
    aspects_file: UserPath | None = Field(default=None, description="TOML aspect taxonomy replacing the shipped one")
    drop_unmatched: bool = Field(default=True, description="drop mentions no brand query matches (when brands exist)")
    duplicate_window_hours: float = Field(default=168, gt=0, description="how far back a copy's original is looked for")
    duplicate_max_entries: int = Field(default=200_000, gt=0, description="memory bound of the duplicate index")


class BusinessHours(_Section):
    """The hours in which SLAs run and response times are counted."""

    timezone: str = Field(default="Europe/Rome", description="IANA time zone of start and end")
    start: time = Field(default=time(9, 0), description="start of the working day, local time")
    end: time = Field(default=time(18, 0), description="end of the working day, local time")
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="working days, 0 is Monday")


class StreamsSettings(_Section):
    """How the streams worker's agents (enrichment, reply tracking, spike detection) take their events."""

    batch_max: int = Field(
        default=500,
        ge=1,
        description="most events an agent (enrichment, reply tracker, spike detector) handles as one batch",
    )
    batch_wait_s: float = Field(default=0.1, gt=0, description="longest wait for a batch to fill")
    # Faust's consumer fetched as soon as any partition had a message: a quarter of the
    # worker's CPU at 200/s, and at 600/s the worker fell seconds behind (p99 5.6 -> 2.2 s).
    fetch_min_bytes: int = Field(
        default=64 * 1024,
        ge=1,
        description="a fetch waits until this many bytes of messages are ready",
    )
    fetch_max_wait_ms: int = Field(default=100, ge=0, description="or until this long has passed")


class SinkSettings(_Section):
    """How ``sink run`` batches its writes to Elasticsearch (see ``sinks.base.Batching``)."""

    max_records: int = Field(default=1000, ge=1, description="most documents in one bulk request")
    min_records: int = Field(
        default=200,
        ge=1,
        description="an idle lane writes as soon as this many wait (busy lanes gather up to max_records)",
    )
    # At light load this wait was most of the publish-to-searchable time: at 200/s, p50
    # 1.5 s with 1 s, 0.84 s with 0.2 s. Under load the lanes are busy and batches grow anyway.
    max_wait_s: float = Field(
        default=0.2,
        gt=0,
        description="longest a waiting document is held before its batch is written",
    )
    lanes: int = Field(
        default=2,
        ge=1,
        description="bulk requests in flight at once, each lane for its own share of the partitions",
    )
    backoff_initial_s: float = Field(
        default=0.5,
        gt=0,
        description="first pause after Elasticsearch was overloaded or unreachable; doubles each retry, with jitter",
    )
    backoff_max_s: float = Field(default=30.0, gt=0, description="longest pause between retries")


class ReplySettings(_Section):
    """The reply tracker: how soon a brand should answer, per intent, in business hours."""

    sla_hours: dict[str, float] = Field(
        default_factory=lambda: {"complaint": 4, "question": 8, "purchase": 2, "suggestion": 48, "praise": 72, "other": 24},
        description=(
            "intent -> business hours to answer in; an intent without an entry takes other's, and with no other gets no"
            " SLA; a table given replaces this one whole"
        ),
    )
    business_hours: BusinessHours = Field(default_factory=BusinessHours, description="the hours SLAs are counted in")
    tick_s: float = Field(default=30.0, gt=0, description="how often open items are checked against their SLA")
    clock_grace_s: float = Field(
        default=3600.0, ge=0,
        description="the SLA clock is the newest mention time seen, or the wall clock minus this, whichever is later",
    )


class SpikeSettings(_Section):
    """The spike detector's parameters: one set for every brand and window size.

    How each acts, and why the significance and persistence defaults are what they are, is
    told in streams/alerts/spike_detector.py and streams/alerts/baseline.py.
    ``min_peak_ratio`` (2), ``evidence`` (2), ``cooldown`` (1 day) and ``level_half_life``
    (3 days) were picked from a few round values on five labelled real tweet-volume series
    (NAB), hourly windows (pooled precision 0.61, window recall 0.81); ``dispersion_clip_sd``
    (3) keeps the overdispersion estimate sane when a brand spikes often (synthetic tests).
    Durations are ISO 8601 (``"PT10M"``, ``"P1D"``) or seconds.
    """

    p_threshold: float = Field(default=1e-3, gt=0, lt=1, description="a window is evidence below this p-value")
    evidence: float = Field(default=2.0, gt=0, description="decades of p-value beyond p_threshold for an alert")
    persistence: timedelta = Field(
        default=timedelta(minutes=10), description="shorter windows need a run of significant ones this long"
    )
    min_count: int = Field(default=10, ge=1, description="fewest mentions in a window that can be a spike")
    min_negative: int = Field(
        default=5,
        ge=1,
        description="fewest negative mentions in a window for a negative spike or share",
    )
    min_peak_ratio: float = Field(
        default=2.0, ge=0, description="a spike window holds this many times the brand's normal busiest one"
    )
    cooldown: timedelta = Field(
        default=timedelta(days=1),
        description="quiet time per brand, window and kind after an alert, unless the severity rises",
    )
    warmup: timedelta = Field(
        default=timedelta(days=1),
        description="history a detector only learns from, before its first alert",
    )
    max_gap: timedelta = Field(
        default=timedelta(days=1),
        description="longest gap filled with empty windows; a longer one is an outage and resets the evidence",
    )
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
    level_half_life: timedelta = Field(
        default=timedelta(days=3),
        description="memory of the baseline's level: a brand growing or fading is followed within days",
    )
    daily_half_life: timedelta = Field(
        default=timedelta(days=7),
        description="memory of the baseline's hour-of-day profile",
    )
    weekly_half_life: timedelta = Field(
        default=timedelta(weeks=4), description="memory of the baseline's day-of-week and hour-of-week profiles"
    )
    dispersion_half_life: timedelta = Field(
        default=timedelta(days=7),
        description="memory of the overdispersion estimate (how bursty the brand's volume is)",
    )
    clip_sd: float = Field(
        default=4.0,
        gt=0,
        description=(
            "level and profile updates use the count capped at mean + clip_sd * sd: a burst does not raise tomorrow's "
            "expectation"
        ),
    )
    dispersion_clip_sd: float = Field(default=3.0, gt=0, description="the same cap for overdispersion updates")


class AlertSettings(_Section):
    """Spike detection per brand in the streams worker, and the webhook notifier (``alerts notify``)."""

    windows: list[str] = Field(
        default_factory=lambda: ["1m", "5m", "1h"],
        description="tumbling window sizes (a number and s, m, h or d): one detector per brand and size",
    )
    lateness_s: float = Field(
        default=120.0,
        ge=0,
        description="how far behind its partition's newest mention one may arrive",
    )
    idle_s: float = Field(
        default=60.0,
        gt=0,
        description="wall seconds after which a silent partition stops holding windows open",
    )
    future_s: float = Field(
        default=86400.0,
        gt=0,
        description="mentions dated further ahead than this are indexed but not counted in spike windows",
    )
    context_hours: float = Field(
        default=24.0,
        gt=0,
        description="history the alert explanation compares the spike with",
    )
    webhook_min_severity: Literal["warning", "high", "critical"] = Field(
        default="warning",
        description="lowest severity alerts notify posts: warning, high or critical",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="timeout of one webhook post")
    webhook_retries: int = Field(
        default=5,
        ge=0,
        description=(
            "retries of a webhook post that fails (unreachable, 429, 5xx), 0.5 s doubling to 30 s apart (Retry-After "
            "honoured); then the notifier backs off and tries again until it goes through. Only 2xx is delivered; a "
            "redirect is not followed; another 4xx sends the alert to sink.dlq"
        ),
    )
    detector: SpikeSettings = Field(default_factory=SpikeSettings, description="the spike detector's parameters")


class Secrets(_Section):
    """Credentials, from the environment (``PASSAPAROLA_SECRETS__<NAME>``) or from files named
    ``<name>`` in the directory ``PASSAPAROLA_SECRETS_DIR`` names (Docker and Kubernetes
    secrets); never from the TOML file."""

    elasticsearch_password: SecretStr | None = Field(default=None, description="password of elasticsearch.username")
    elasticsearch_api_key: SecretStr | None = Field(
        default=None,
        description="Elasticsearch API key (encoded form); wins over username and password",
    )
    grafana_token: SecretStr | None = Field(
        default=None,
        description="Grafana service-account token for dashboards provision",
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None,
        description="password of kafka.sasl_username (Confluent Cloud: the API secret)",
    )
    alert_webhook_url: SecretStr | None = Field(
        default=None,
        description="the Slack-compatible incoming webhook alerts notify posts to",
    )
    x_bearer_token: SecretStr | None = Field(default=None, description="X API v2 bearer token (kind x)")
    mastodon_token: SecretStr | None = Field(
        default=None,
        description=(
            "Mastodon access token (kind mastodon; search needs read:search, option mentions the token's account)"
        ),
    )
    reddit_client_secret: SecretStr | None = Field(
        default=None,
        description="Reddit app secret, with option client_id; without it, a ready bearer token (kind reddit)",
    )
    facebook_token: SecretStr | None = Field(default=None, description="Facebook page access token (kind facebook)")
    youtube_api_key: SecretStr | None = Field(default=None, description="YouTube Data API v3 key (kind youtube)")
    disqus_api_key: SecretStr | None = Field(default=None, description="Disqus API 3.0 key (kind disqus)")
    bluesky_app_password: SecretStr | None = Field(
        default=None, description="Bluesky app password (never the account password), with option handle (kind bluesky)"
    )
    wordpress_app_password: SecretStr | None = Field(
        default=None,
        description=(
            "WordPress application password, with option user (kind wordpress); without it the public API is read"
        ),
    )


class ConfigError(ValueError):
    """The configuration cannot be used; the text says what to change."""


class _TomlWithoutSecrets(TomlConfigSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], toml_file: Path):
        try:
            super().__init__(settings_cls, toml_file=toml_file)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{toml_file}: not valid TOML ({err})") from None
        except OSError as err:  # a directory, no permission
            raise ConfigError(f"{toml_file}: {err.strerror or err}") from None

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        if "secrets" in data:
            names = ", ".join(sorted(data["secrets"]))
            raise ConfigError(
                f"{self.toml_file_path}: secrets ({names}) may come only from the environment, "
                "e.g. PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD"
            )
        return data


class _SecretFiles(PydanticBaseSettingsSource):
    """``[secrets]`` from one file per secret in ``PASSAPAROLA_SECRETS_DIR`` (``/run/secrets``
    in Docker and Kubernetes): the file ``elasticsearch_password`` holds that secret. Files of
    other names are left alone (the directory may hold other programs' secrets)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # the whole section is read in __call__

    def __call__(self) -> dict[str, Any]:
        named = os.environ.get(SECRETS_DIR_ENV)
        if not named:
            return {}
        folder = Path(named).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"{SECRETS_DIR_ENV} names {named}, which is not a directory")
        found = {}
        for name in Secrets.model_fields:
            path = folder / name
            if path.is_file():
                try:
                    found[name] = path.read_text(encoding="utf-8").strip()  # editors and echo add a newline
                except (OSError, UnicodeError) as err:
                    raise ConfigError(f"{path}: cannot read the secret ({type(err).__name__})") from None
        return {"secrets": found} if found else {}


def config_file() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


class Settings(BaseSettings):
    """Every setting of Passaparola: the top-level keys, then one section per concern."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description=(
            "log level of every command and worker: DEBUG, INFO, WARNING or ERROR (client libraries log from WARNING)"
        ),
    )
    log_json: bool = Field(
        default=True,
        description=(
            "one JSON object per log line on stderr (ts, level, logger, msg, context fields); false: plain lines"
        ),
    )
    dashboards_python: UserPath | None = Field(
        default=None,
        description=(
            "the Python with grafana-client that `dashboards provision` runs, an environment of its own: grafana-client "
            "brings a fork of urllib3 that would replace the real one for the whole product; empty: .venv-grafana "
            "beside the source (`make grafana-client` makes it; the Docker image has its own)"
        ),
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description=(
            "address the workers' /metrics and /healthz listen on; 0.0.0.0 in containers, so Prometheus can scrape"
        ),
    )
    metrics_port: int = Field(
        default=0,
        description="port of each worker's Prometheus /metrics and /healthz (ingest, streams, sink, notifier); 0 picks "
        "a free port (each worker logs the one it serves on at start): set one per worker for Prometheus to scrape",
    )
    health_stall_s: float = Field(
        default=60.0,
        gt=0,
        description="/healthz of an ingest or sink worker or the notifier fails when its loop has not come round for "
        "this long",
    )
    out_of_group_s: float = Field(
        default=60.0,
        gt=0,
        description=(
            "a sink or notifier consumer that had no partitions this long, and is not a member of its group, is "
            "replaced"
        ),
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

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _local_defaults(self) -> Settings:
        # Unset endpoints point at the local stack, so one port setting moves both sides.
        if not self.kafka.bootstrap_servers:
            self.kafka.bootstrap_servers = f"127.0.0.1:{self.stack.kafka_port}"
        if not self.elasticsearch.url:
            self.elasticsearch.url = f"http://127.0.0.1:{self.stack.elasticsearch_port}"
        return self

    @model_validator(mode="after")
    def _kafka_login(self) -> Settings:
        if self.kafka.security_protocol.startswith("SASL"):
            if not self.kafka.sasl_username or self.secrets.kafka_sasl_password is None:
                raise ValueError(f"kafka.security_protocol {self.kafka.security_protocol} needs kafka.sasl_username "
                                 "and PASSAPAROLA_SECRETS__KAFKA_SASL_PASSWORD")
        self.kafka._sasl_password = self.secrets.kafka_sasl_password
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
        # The environment wins over a secret file, and both over the TOML file (which has none).
        return (init_settings, env_settings, _SecretFiles(settings_cls),
                _TomlWithoutSecrets(settings_cls, toml_file=config_file()))

    def brand(self, name: str) -> Brand | None:
        return next((b for b in self.brands if b.name == name), None)


# PASSAPAROLA_* variables that are not settings: read by the code that needs them.
OTHER_VARIABLES = {CONFIG_ENV, SECRETS_DIR_ENV, ENV_PREFIX + "CACHE_DIR", ENV_PREFIX + "PARENT_PID"}
TEST_VARIABLES = ENV_PREFIX + "TEST_"  # the test suite's own switches


def load_settings(**overrides: Any) -> Settings:
    """The settings of a command or worker: like ``Settings()``, and stricter about the
    environment, where a mistake would otherwise pass unnoticed: an unknown ``PASSAPAROLA_*``
    variable (a misspelt setting) and a ``PASSAPAROLA_CONFIG`` naming no file are errors."""
    for variable in sorted(os.environ):
        unknown = unknown_variable(variable)
        if unknown:
            raise ConfigError(unknown)
    named = os.environ.get(CONFIG_ENV)
    if named and not Path(named).expanduser().is_file():
        raise ConfigError(f"{CONFIG_ENV} names {named}, which is not a file")
    return Settings(**overrides)


def unknown_variable(variable: str) -> str | None:
    """Why ``variable`` is not a setting, or None when it is one (or not ours)."""
    name = variable.upper()
    if not name.startswith(ENV_PREFIX) or name in OTHER_VARIABLES or name.startswith(TEST_VARIABLES):
        return None
    model: type[BaseModel] | None = Settings
    path = variable[len(ENV_PREFIX):].lower().split("__")
    for depth, key in enumerate(path):
        if model is None:
            return None  # inside a list or a mapping (brands, sources, sla_hours): pydantic checks it
        fields = model.model_fields
        if key not in fields:
            known = [ENV_PREFIX + "__".join([*path[:depth], field]).upper() for field in fields]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            return f"{variable} is not a setting{hint}; see docs/configuration.md"
        annotation = fields[key].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if model is None and depth < len(path) - 1 and not _is_container(annotation):
            return f"{variable} is not a setting: {'.'.join(path[:depth + 1])} has no parts"
    return None


def _is_container(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (list, dict) or (origin is not None and any(_is_container(a) for a in typing.get_args(annotation)))


def describe_invalid(err: ValidationError) -> str:
    """One line naming each invalid setting, its environment variable and what is wrong,
    never its value: pydantic's own text quotes the input, which may be a secret."""
    problems = []
    for error in err.errors(include_input=False, include_url=False):
        path = [str(part) for part in error["loc"]]
        where = ".".join(path) or "settings"
        env = ENV_PREFIX + "__".join(p.upper() for p in path if not p.isdigit()) if path else ""
        problems.append(f"{where} ({env}): {error['msg']}" if env else f"{where}: {error['msg']}")
    return "; ".join(problems)
