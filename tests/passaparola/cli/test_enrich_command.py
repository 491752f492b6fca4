"""``passaparola enrich``: JSONL in, JSONL out, bad lines reported and skipped."""

import json
import subprocess
import sys
from datetime import datetime, timezone

from core.schema import Author, Mention

FIELDS = {"language", "sentiment", "intent", "topics", "keywords", "brands", "promo", "duplicate_of"}


def run(args: list[str], stdin: str = "", env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PASSAPAROLA_LOG_JSON": "false", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "passaparola", "enrich", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_minimal_lines_keep_their_fields_and_gain_the_enrichment():
    lines = [
        {"id": "a", "text": "Il servizio clienti non risponde da giorni, vergogna", "customer": 42},
        {"id": "b", "text": "Love the new bikes, thanks!"},
    ]
    done = run([], "\n".join(json.dumps(x) for x in lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"] and out[0]["customer"] == 42
    assert all(FIELDS <= set(o) for o in out)
    assert (out[0]["language"], out[0]["sentiment"]["label"], out[0]["intent"]) == ("it", "negative", "complaint")
    assert (out[1]["language"], out[1]["sentiment"]["label"], out[1]["intent"]) == ("en", "positive", "praise")
    assert "enriched 2 line(s), skipped 0" in done.stderr


def test_bad_lines_are_reported_with_their_number_and_the_rest_flows():
    stdin = "\n".join([
        json.dumps({"id": "ok1", "text": "Quanto costa la spedizione?"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "bad-date", "text": "ciao", "published_at": "ieri"}),
        "",
        json.dumps({"id": "ok2", "text": "Grazie mille!"}),
    ]) + "\n"
    done = run([], stdin)
    assert done.returncode == 1
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["ok1", "ok2"]
    errors = done.stderr
    assert "line 2:" in errors and "line 3: expected a JSON object" in errors
    assert 'line 4: no "text" string' in errors and "line 5: published_at is not an ISO date" in errors
    assert "enriched 2 line(s), skipped 4 bad line(s)" in errors
    assert "Traceback" not in errors


def test_whole_mentions_from_files_use_their_metadata(tmp_path):
    m = Mention(platform="x", native_id="1", source="t", author=Author(id="u", handle="caffeaurora"), brand="aurora",
                text="Nuovo orario: apriamo alle 7", published_at=datetime(2026, 1, 5, tzinfo=timezone.utc))
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(m.to_json().decode() + "\n")
    brands = json.dumps([{"name": "aurora", "query": "#caffeaurora"}])
    done = run(["--in", str(src), "--out", str(dst)], env_extra={"PASSAPAROLA_BRANDS": brands})
    assert done.returncode == 0, done.stderr
    (out,) = [json.loads(line) for line in dst.read_text().splitlines()]
    assert out["id"] == m.id and out["brands"] == ["aurora"]  # the mention's own brand counts
    Mention.model_validate(out)  # still a valid mention


def test_wrong_types_lone_surrogates_and_deep_nesting_are_bad_lines_not_a_crash():
    stdin = "\n".join([
        json.dumps({"id": "title", "text": "ciao", "title": 5}),
        json.dumps({"id": "handle", "text": "ciao", "author": {"handle": 7}}),
        '{"id": "surrogate", "text": "ciao \\ud800 mondo"}',
        '{"id": "elsewhere", "text": "ciao", "note": "\\udfff"}',
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"id": "ok", "text": "Grazie mille!"}),
    ]) + "\n"
    done = run([], stdin)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["ok"]
    assert done.stderr.splitlines() == [
        "line 1: title is not a string (a int)",
        "line 2: author.handle is not a string (a int)",
        "line 3: not valid Unicode: it holds a lone surrogate",
        "line 4: not valid Unicode: it holds a lone surrogate",
        "line 5: nested too deeply",
        "enriched 1 line(s), skipped 5 bad line(s)",
    ]


def test_a_missing_input_file_is_one_line():
    done = run(["--in", "/nonexistent/mentions.jsonl"])
    assert done.returncode == 1 and done.stderr.strip() == "error: /nonexistent/mentions.jsonl: No such file or directory"
