from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import ConfigError, Settings, load_settings, unknown_variable
from sinks.base import Batching

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in [n for n in __import__("os").environ if n.startswith("PASSAPAROLA_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray ./passaparola.toml


def test_defaults_point_at_the_local_stack():
    s = load_settings()
    assert s.kafka.bootstrap_servers == "127.0.0.1:9092"
    assert s.elasticsearch.url == "http://127.0.0.1:9200"


def test_one_port_setting_moves_the_service_and_its_clients(monkeypatch):
    monkeypatch.setenv("PASSAPAROLA_STACK__KAFKA_PORT", "19092")
    monkeypatch.setenv("PASSAPAROLA_STACK__ELASTICSEARCH_PORT", "19200")
    s = load_settings()
    assert s.stack.kafka_port == 19092 and s.kafka.bootstrap_servers == "127.0.0.1:19092"
    assert s.elasticsearch.url == "http://127.0.0.1:19200"


def test_explicit_endpoints_win_over_the_local_stack(monkeypatch):
    monkeypatch.setenv("PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS", "kafka:9092")
    assert load_settings().kafka.bootstrap_servers == "kafka:9092"


def test_cache_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("PASSAPAROLA_CACHE_DIR", str(tmp_path / "c"))
    assert load_settings().stack.cache_dir == tmp_path / "c"


def test_annotated_example_loads_with_brands_sources_and_slas(monkeypatch):
    monkeypatch.setenv("PASSAPAROLA_CONFIG", str(REPO / "passaparola.example.toml"))
    s = load_settings()
    assert [b.name for b in s.brands] == ["aurora", "boreale", "spinlane"]
    assert s.brand("aurora").own_accounts["x"] == ["caffeaurora", "aurora_aiuto"]
    assert s.brand("boreale").competitor and not s.brand("aurora").competitor
    assert {src.kind for src in s.sources} == {"feed", "mastodon"}
    assert s.replies.sla_hours["complaint"] == 4
    assert s.replies.business_hours.timezone == "Europe/Rome"


def test_environment_wins_over_the_file(monkeypatch, tmp_path):
    (tmp_path / "passaparola.toml").write_text('[elasticsearch]\nindex_prefix = "from-file"\n')
    assert load_settings().elasticsearch.index_prefix == "from-file"
    monkeypatch.setenv("PASSAPAROLA_ELASTICSEARCH__INDEX_PREFIX", "from-env")
    assert load_settings().elasticsearch.index_prefix == "from-env"


def test_secrets_in_the_file_are_refused(tmp_path):
    (tmp_path / "passaparola.toml").write_text('[secrets]\nelasticsearch_password = "hunter2"\n')
    with pytest.raises(ConfigError, match="only from the environment") as err:
        load_settings()
    assert "hunter2" not in str(err.value)


def test_secrets_from_the_environment_never_show(monkeypatch):
    monkeypatch.setenv("PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD", "hunter2")
    s = load_settings()
    assert s.secrets.elasticsearch_password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(s) and "hunter2" not in s.model_dump_json()


def test_typos_are_errors_not_silence(tmp_path):
    (tmp_path / "passaparola.toml").write_text("[kafka]\nbootstrap_server = 'oops'\n")
    with pytest.raises(ValueError, match="bootstrap_server"):
        load_settings()


def test_the_sink_section_sets_the_sink_batching(tmp_path):
    (tmp_path / "passaparola.toml").write_text("[sink]\nmax_wait_s = 0.05\nlanes = 3\n")
    batching = Batching(**load_settings().sink.model_dump())
    assert (batching.max_wait_s, batching.lanes, batching.max_records) == (0.05, 3, 1000)


def test_sink_batching_defaults_agree_with_the_settings():
    """``Batching`` is also built without settings (tests, the notifier): one default each."""
    assert Batching(**Settings().sink.model_dump()) == Batching()


@pytest.mark.parametrize(("variable", "says"), [
    ("PASSAPAROLA_LOG_LEVL", "PASSAPAROLA_LOG_LEVL is not a setting (did you mean PASSAPAROLA_LOG_LEVEL?)"),
    ("PASSAPAROLA_KAFKA__PARTITONS", "(did you mean PASSAPAROLA_KAFKA__PARTITIONS?)"),
    ("PASSAPAROLA_LOG_JSON__X", "log_json has no parts"),
])
def test_a_misspelt_variable_is_an_error_naming_it(monkeypatch, variable, says):
    monkeypatch.setenv(variable, "secret-value")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert says in str(err.value) and "secret-value" not in str(err.value)


@pytest.mark.parametrize("variable", ["PASSAPAROLA_KAFKA__PARTITIONS", "PASSAPAROLA_BRANDS", "PASSAPAROLA_CONFIG",
                                      "PASSAPAROLA_REPLIES__SLA_HOURS__COMPLAINT", "PASSAPAROLA_SECRETS__X_BEARER_TOKEN",
                                      "PASSAPAROLA_CACHE_DIR", "PASSAPAROLA_PARENT_PID", "PASSAPAROLA_TEST_ANYTHING"])
def test_known_variables_pass(variable):
    assert unknown_variable(variable) is None


def test_a_config_variable_naming_no_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PASSAPAROLA_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="PASSAPAROLA_CONFIG names .*missing.toml, which is not a file"):
        load_settings()


def test_paths_expand_the_home_directory_and_log_levels_are_known():
    settings = Settings(stack={"state_dir": "~/pp-state"}, enrichment={"aspects_file": "~/aspects.toml"}, log_level="debug")
    assert settings.stack.state_dir == Path.home() / "pp-state"
    assert settings.enrichment.aspects_file == Path.home() / "aspects.toml"
    assert settings.log_level == "DEBUG"
    with pytest.raises(ValidationError, match="log_level"):
        Settings(log_level="loud")


def test_secrets_come_from_files_in_the_secrets_dir(monkeypatch, tmp_path):
    (tmp_path / "elasticsearch_password").write_text("from-a-file\n")  # as `echo` writes it
    (tmp_path / "kafka_sasl_password").write_text("kafka-pw")
    (tmp_path / "someone_elses_secret").write_text("not ours")
    monkeypatch.setenv("PASSAPAROLA_SECRETS_DIR", str(tmp_path))
    secrets = load_settings().secrets
    assert secrets.elasticsearch_password.get_secret_value() == "from-a-file"
    assert secrets.kafka_sasl_password.get_secret_value() == "kafka-pw"
    # The environment wins over a file.
    monkeypatch.setenv("PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD", "from-the-environment")
    assert load_settings().secrets.elasticsearch_password.get_secret_value() == "from-the-environment"


def test_a_secrets_dir_that_is_not_one_is_a_configuration_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PASSAPAROLA_SECRETS_DIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="PASSAPAROLA_SECRETS_DIR names .*missing, which is not a directory"):
        load_settings()
