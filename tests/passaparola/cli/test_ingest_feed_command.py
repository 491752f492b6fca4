"""``passaparola ingest feed PATH --dry-run`` over every real feed file in ../shared:
mentions as JSONL with exit 0, or one line on stderr with exit 1; never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from core.schema import Mention
from passaparola.cli import app


def _feeds(shared):
    root = shared / "data" / "feeds" / "feedparser"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".xml", ".rdf", ".json", ".cdf", ".atom"})


def _outcome(runner: CliRunner, path) -> int:
    """The command's exit code on ``path``, once its output is checked: mentions, or one line."""
    result = runner.invoke(app, ["ingest", "feed", str(path), "--dry-run"], env={"PASSAPAROLA_LOG_JSON": "false"})
    assert result.exit_code in (0, 1), f"{path}: exit {result.exit_code}\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{path}: {result.exception!r}"
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        lines = result.stdout.splitlines()
        assert lines and all(Mention.model_validate_json(line).platform == "feed" for line in lines), path
    else:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and result.stdout == "", f"{path}: {result.stderr}"
    return result.exit_code


@pytest.mark.slow  # about 1,900 files: a few minutes on 2 cores
def test_every_shared_feed_file_gives_mentions_or_one_clear_line(shared):
    runner = CliRunner()
    files = _feeds(shared)
    assert len(files) > 1500
    outcomes = {0: 0, 1: 0}
    for path in files:
        outcomes[_outcome(runner, path)] += 1
    assert outcomes[0] > 500 and outcomes[1] > 500  # both kinds are really exercised


def test_a_sample_of_the_shared_feed_files_gives_mentions_or_one_clear_line(shared):
    """Every 40th file, for the quick tier (`make check`); the sweep above takes them all."""
    runner = CliRunner()
    outcomes = {0: 0, 1: 0}
    for path in _feeds(shared)[::40]:
        outcomes[_outcome(runner, path)] += 1
    assert outcomes[0] > 10 and outcomes[1] > 10  # both kinds are really exercised


@pytest.mark.parametrize("name", ["wellformed/rss/item_title.xml", "illformed/aaa_illformed.xml"])
def test_the_installed_command_behaves_the_same(shared, name):
    path = shared / "data" / "feeds" / "feedparser" / name
    if not path.exists():
        pytest.skip(f"{name} is not in this copy of the corpus")
    done = subprocess.run([sys.executable, "-m", "passaparola", "ingest", "feed", str(path), "--dry-run"],
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        assert all(json.loads(line)["platform"] == "feed" for line in done.stdout.splitlines())
    else:
        assert done.returncode == 1 and done.stderr.startswith("error: ")


def _one_line_failure(location: str, **env: str) -> str:
    result = CliRunner().invoke(app, ["ingest", "feed", location, "--dry-run"],
                                env={"PASSAPAROLA_LOG_JSON": "false", "PASSAPAROLA_INGEST__RETRIES": "0", **env})
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    [line] = result.stderr.splitlines()
    return line


def test_an_endless_file_is_refused_after_max_body_bytes():
    assert _one_line_failure("/dev/zero", PASSAPAROLA_INGEST__MAX_BODY_BYTES="1000") == \
        "error: /dev/zero: the file exceeds max_body_bytes (1,000 bytes)"


@pytest.fixture
def hostile_feed_server():
    """A server whose /loop redirects to itself and whose /gzip is not gzip."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                body = b"this is not gzip"
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("path", "says"), [("/loop", "more than 10 redirects"),
                                            ("/gzip", "does not decode as its Content-Encoding says")])
def test_a_hostile_server_gives_one_line(hostile_feed_server, path, says):
    assert _one_line_failure(hostile_feed_server + path).endswith(says)


@pytest.mark.parametrize(("url", "says"), [("http://127.0.0.1:99999/feed", "not a usable URL"),
                                           ("http://[::1/feed", "not a usable URL")])
def test_a_malformed_url_gives_one_line(url, says):
    assert says in _one_line_failure(url)
