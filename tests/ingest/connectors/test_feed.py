"""Feed connector against the replay server, with feeds in WordPress's RSS 2.0 / Atom shapes."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest

from core.schema import Mention, mention_id
from core.settings import Brand, IngestSettings, Source
from ingest.connectors.base import Problem, SourceContext
from ingest.connectors.feed import FeedConnector
from ingest.http import BadBody, HttpClient, HttpProblem

BRAND = "Caffè Aurora"
SITE = "https://blog.caffe-aurora.example"  # the fixtures' site; tests serve it from the replay server
RSS = {"Content-Type": "application/rss+xml; charset=UTF-8"}
ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
ORO = "/2024/05/21/miscela-aurora-oro/feed/"
ORARI = "/2024/05/22/orari-estivi/feed/atom/"
INVENTARIO = "/2024/05/20/chiusura-inventario/feed/"
BRANDS = [Brand(name=BRAND, own_accounts={"feed": [BRAND, "Redazione Caffè Aurora"]})]


def _body(replay, name: str) -> bytes:
    return replay.load_bytes("feed", name).replace(SITE.encode(), replay.url.encode())


def _source(replay, **options) -> Source:
    return Source(name="aurora-blog", kind="feed", url=f"{replay.url}/feed/", brand=BRAND, options=options)


def _serve_blog(replay, feed: str = "blog_rss2.xml", oro: str = "comments_oro_rss2.xml", headers=None) -> None:
    replay.route("/feed/", replay.Reply(200, _body(replay, feed), {**RSS, **(headers or {})}))
    replay.route(ORO, replay.Reply(200, _body(replay, oro), RSS))
    replay.route(ORARI, replay.Reply(200, _body(replay, "comments_orari_atom.xml"), ATOM))


def _post(replay, number: int) -> str:
    return mention_id("feed", f"{replay.url}/?p={number}")


def _by_native(found) -> dict[str, Mention]:
    return {m.native_id.rsplit("/", 1)[-1]: m for m in found.mentions}


def _parse(body: bytes | str, url: str | None = "https://feeds.example/feed", **options) -> list:
    async def go():
        source = Source(name="cli", kind="feed", url=url, brand=BRAND, options=options)
        async with HttpClient("cli", IngestSettings()) as http:
            return FeedConnector(SourceContext(source, BRANDS), http).parse(
                body.encode() if isinstance(body, str) else body, url=url)

    return asyncio.run(go())


def test_posts_become_mentions(replay, harvest):
    _serve_blog(replay)
    found = harvest(FeedConnector, _source(replay), brands=BRANDS)
    assert found.error is None and found.problems == []
    posts = [m for m in found.mentions if m.parent_id is None]
    assert [m.native_id for m in posts] == [f"{replay.url}/?p={n}" for n in (201, 209, 214)]  # oldest first
    oro = posts[1]
    assert oro.id == _post(replay, 209) and oro.thread_id == oro.id and oro.platform == "feed"
    assert oro.source == "aurora-blog" and oro.brand == BRAND and not oro.author_is_brand
    assert oro.title == "Arriva la miscela Aurora Oro"
    # content:encoded wins over the description; script dropped, entities decoded.
    assert oro.text == "Una miscela nuova: 80% arabica, tostatura media.\n\nIn vendita da lunedì & online."
    assert oro.url == f"{replay.url}/2024/05/21/miscela-aurora-oro/"
    assert oro.author.name == "Marta Bellini" and oro.language == "it"
    assert oro.published_at == datetime(2024, 5, 21, 9, 30, tzinfo=timezone.utc)
    assert oro.engagement.replies == 3
    assert posts[0].text == "Il 27 maggio il negozio di via Roma resta chiuso."  # description only


def test_comment_feeds_are_threads_with_the_brand_reply(replay, harvest):
    _serve_blog(replay)
    found = harvest(FeedConnector, _source(replay), brands=BRANDS)
    got = _by_native(found)
    oro, orari = _post(replay, 209), _post(replay, 214)
    gianni, sara, answer = got["?p=209#comment-1201"], got["?p=209#comment-1202"], got["?p=209#comment-1203"]
    # RSS comment feeds say nothing of nesting: every comment answers the post.
    for comment in (gianni, sara, answer):
        assert comment.thread_id == oro and comment.parent_id == oro
    assert answer.author_is_brand and answer.brand == BRAND and answer.author.name == BRAND
    assert not sara.author_is_brand and sara.brand == BRAND
    assert sara.text == "Ci sarà anche in capsule? Quella vecchia era troppo amara per me."
    assert sara.language == "it"  # the comment feed has none: the post's
    # Atom comments with thr:in-reply-to: the brand answers Paolo, not the post.
    paolo = got["#comment-1210"]
    reply = got["#comment-1211"]
    assert paolo.thread_id == orari and paolo.parent_id == orari
    assert reply.thread_id == orari and reply.parent_id == paolo.id
    assert reply.author_is_brand and reply.brand == BRAND and reply.author.id == "https://www.caffe-aurora.example"
    assert reply.published_at == datetime(2024, 5, 22, 18, 40, tzinfo=timezone.utc)
    # A post is emitted before its comments; the post without comments was not followed.
    ids = [m.id for m in found.mentions]
    assert ids.index(oro) < ids.index(gianni.id)
    assert replay.requests(INVENTARIO) == []
    assert len(found.mentions) == 3 + 3 + 2


def test_atom_feed_finds_its_comment_feed_by_replies_link(replay, harvest):
    replay.route("/feed/atom/", replay.Reply(200, _body(replay, "blog_atom.xml"), ATOM))
    replay.route(ORARI, replay.Reply(200, _body(replay, "comments_orari_atom.xml"), ATOM))
    source = Source(name="aurora-atom", kind="feed", url=f"{replay.url}/feed/atom/", brand=BRAND)
    found = harvest(FeedConnector, source, brands=BRANDS)
    assert found.problems == []
    post, paolo, reply = found.mentions
    assert post.id == _post(replay, 214) and post.engagement.replies == 2 and post.language == "it"
    assert post.text == "Da giugno i nostri negozi aprono un’ora prima, alle 7:00."
    assert paolo.parent_id == post.id and reply.parent_id == paolo.id and reply.thread_id == post.id
    assert reply.author_is_brand and not paolo.author_is_brand


def test_site_wide_comment_feed_threads_each_comment_under_what_it_answers(fixtures):
    items = _parse((fixtures / "feed" / "comments_orari_atom.xml").read_bytes())
    post = mention_id("feed", f"{SITE}/?p=214")
    reply, paolo = items
    assert paolo.parent_id == post and paolo.thread_id == post
    assert reply.parent_id == paolo.id and reply.thread_id == post  # Paolo's comment is in the document


def test_conditional_get_and_304(replay, harvest):
    validators = {"ETag": '"w/aurora-1"', "Last-Modified": "Wed, 22 May 2024 16:05:00 GMT"}
    _serve_blog(replay, headers=validators)
    first = harvest(FeedConnector, _source(replay), brands=BRANDS)
    box = first.cursor["feed"]
    assert box["url"] == f"{replay.url}/feed/" and len(box["seen"]) == 3
    assert (box["etag"], box["last_modified"]) == ('"w/aurora-1"', validators["Last-Modified"])
    assert "if-none-match" not in replay.requests("/feed/")[0].headers
    replay.route("/feed/", replay.Reply(304, b"", validators))
    second = harvest(FeedConnector, _source(replay), cursor=first.cursor, brands=BRANDS)
    asked = replay.requests("/feed/")[-1].headers
    assert asked["if-none-match"] == '"w/aurora-1"' and asked["if-modified-since"] == validators["Last-Modified"]
    assert second.mentions == [] and second.problems == [] and second.error is None
    assert second.cursor == first.cursor and len(second.checkpoints) == 1
    # The cursor stays small: short ids, one thread per post still in the feed.
    assert len(json.dumps(first.cursor)) < 2000
    assert set(first.cursor["threads"]) == {_post(replay, n)[:16] for n in (201, 209, 214)}
    assert len(replay.requests(ORO)) == 1  # comment feeds not asked again


def test_resume_without_validators_emits_only_what_is_new(replay, harvest):
    _serve_blog(replay)
    first = harvest(FeedConnector, _source(replay), brands=BRANDS)
    again = harvest(FeedConnector, _source(replay), cursor=first.cursor, brands=BRANDS)
    assert again.mentions == [] and again.problems == []
    assert len(replay.requests(ORO)) == 1 and len(replay.requests(ORARI)) == 1  # counts unchanged
    # Later: a new post, and a fourth comment under Aurora Oro (slash:comments 3 -> 4).
    _serve_blog(replay, "blog_rss2_later.xml", "comments_oro_rss2_later.xml")
    later = harvest(FeedConnector, _source(replay), cursor=again.cursor, brands=BRANDS)
    assert [m.native_id.rsplit("/", 1)[-1] for m in later.mentions] == ["?p=220", "?p=209#comment-1207"]
    elena = later.mentions[1]
    assert elena.parent_id == _post(replay, 209) and elena.text.startswith("Presa ieri")
    assert len(replay.requests(ORO)) == 2 and len(replay.requests(ORARI)) == 1
    assert replay.requests("/2024/05/23/degustazione/feed/") == []  # new, but no comments yet


def test_max_items_and_max_comment_feeds_leave_the_rest_for_the_next_run(replay, harvest):
    _serve_blog(replay, headers={"ETag": '"w/aurora-1"'})
    source = _source(replay, max_items=2, max_comment_feeds=1)
    runs, seen = [], []
    cursor: dict = {}
    for _ in range(6):
        found = harvest(FeedConnector, source, cursor=cursor, brands=BRANDS)
        runs.append(len(found.mentions))
        seen += [m.id for m in found.mentions]
        cursor = found.cursor
        if cursor["feed"].get("etag"):
            break
    assert len(seen) == len(set(seen)) == 8  # everything, once
    assert max(runs) <= 2
    # Validators were kept back until nothing was left, so no run got a 304 early.
    assert all("if-none-match" not in r.headers for r in replay.requests("/feed/"))


def test_rate_limited_then_served(replay, harvest):
    replay.route("/feed/", replay.Reply(429, b"", {"Retry-After": "7"}),
                 replay.Reply(200, _body(replay, "blog_rss2.xml"), {**RSS, "ETag": '"w/aurora-1"'}))
    found = harvest(FeedConnector, _source(replay, max_comment_feeds=0))
    assert found.error is None and 7.0 in found.waits
    assert len(found.mentions) == 3 and len(replay.requests("/feed/")) == 2
    # Comments disabled: nothing is left for later, so the validators are kept.
    assert found.cursor["feed"]["etag"] == '"w/aurora-1"' and replay.requests(ORO) == []


def test_a_broken_comment_feed_is_a_problem_and_the_others_still_come(replay, harvest):
    _serve_blog(replay)
    replay.route(ORO, replay.Reply(404, b"not found", {"Content-Type": "text/plain"}))
    found = harvest(FeedConnector, _source(replay), brands=BRANDS)
    assert found.error is None
    assert [p.url for p in found.problems] == [f"{replay.url}{ORO}"] and "HTTP 404" in found.problems[0].reason
    assert "#comment-1211" in _by_native(found)
    # Retried next run (its thread was not marked as read).
    _serve_blog(replay)
    again = harvest(FeedConnector, _source(replay), cursor=found.cursor, brands=BRANDS)
    assert sorted(_by_native(again)) == ["?p=209#comment-1201", "?p=209#comment-1202", "?p=209#comment-1203"]


def test_malformed_feed_is_a_problem(replay, harvest):
    body = replay.load_bytes("feed", "truncated.xml")
    replay.route("/feed/", replay.Reply(200, body, RSS))
    found = harvest(FeedConnector, _source(replay))
    assert found.error is None and found.mentions == []
    [problem] = found.problems
    assert problem.reason.startswith("malformed feed, no entries recovered: not well-formed XML")
    assert "at line 6" in problem.reason and "\n" not in problem.reason
    assert problem.sample == body.decode()[:500] and problem.url == f"{replay.url}/feed/"
    # An HTML error page served with 200 at the feed's address.
    page = replay.load_bytes("feed", "error_page.html")
    replay.route("/feed/", replay.Reply(200, page, {"Content-Type": "text/html"}))
    found = harvest(FeedConnector, _source(replay))
    assert found.mentions == [] and found.problems[0].reason.startswith("not a feed")


def test_runs_that_end_with_an_error(replay, harvest):
    replay.route("/feed/", replay.Reply(403, b"<html>Forbidden</html>", {"Content-Type": "text/html"}))
    refused = harvest(FeedConnector, _source(replay))
    assert isinstance(refused.error, HttpProblem) and "HTTP 403" in str(refused.error)
    assert refused.mentions == [] and refused.checkpoints == []
    _serve_blog(replay)
    too_big = harvest(FeedConnector, _source(replay), max_body_bytes=1000)
    assert isinstance(too_big.error, BadBody) and "max_body_bytes" in str(too_big.error)
    assert too_big.mentions == [] and too_big.checkpoints == []


def test_recovered_entries_come_with_a_problem(replay, harvest):
    replay.route("/feed/", replay.Reply(200, replay.load_bytes("feed", "html_entities.xml"), RSS))
    found = harvest(FeedConnector, _source(replay))
    assert [m.title for m in found.mentions] == ["Torrefazioni italiane, chi cresce nel 2024",
                                                 "Aurora Oro alla prova del barista"]
    [problem] = found.problems
    assert "2 entries recovered" in problem.reason and "undefined entity" in problem.reason
    # Polled again (no validators): neither the entries nor the known fault come twice.
    again = harvest(FeedConnector, _source(replay), cursor=found.cursor)
    assert again.mentions == [] and again.problems == []


def test_own_authors_option_marks_posts_as_the_brand(fixtures):
    items = _parse((fixtures / "feed" / "blog_rss2.xml").read_bytes(), own_authors=["marta bellini"])
    assert {m.author.name: m.author_is_brand for m in items} == {"Marta Bellini": True, "Luca Ferri": False}
    assert all(m.brand == BRAND for m in items)


def test_parse_reads_a_document_without_http():
    items = _parse(
        """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
        <title>t</title><id>urn:feed</id><updated>2024-05-01T10:00:00Z</updated>
        <entry><id>urn:one</id><title type="text">Use &lt;b&gt; sparingly</title>
          <updated>2024-05-01T10:00:00+02:00</updated><link href="/posts/1"/>
          <summary type="html">&lt;p&gt;Bold &lt;b&gt;claims&lt;/b&gt;&lt;/p&gt;</summary></entry>
        <entry><title type="html">Aurora &amp;lt;3</title><link rel="alternate" href="https://feeds.example/2"/>
          <content type="xhtml" xml:lang="it">
            <div xmlns="http://www.w3.org/1999/xhtml">Ciao <i>a tutti</i></div></content></entry>
        </feed>""")
    one, two = items
    assert one.title == "Use <b> sparingly"  # plain text keeps its angle brackets
    assert one.text == "Bold claims" and one.language == "en"
    assert one.url == "https://feeds.example/posts/1"  # relative link resolved against the feed URL
    assert one.published_at == datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    assert two.native_id == "https://feeds.example/2" and two.title == "Aurora <3"
    assert two.text == "Ciao a tutti" and two.language == "it"
    assert two.published_at == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)  # the feed's date


@pytest.mark.parametrize("body, reason", [
    (b"", "empty body"),
    (b"<html><body><p>Ops</p></body></html>", "not a feed"),
    (b'{"error": "rate limited"}', "not a feed: JSON"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "not a feed: JSON-like"),
])
def test_what_is_not_a_feed_is_a_problem(body, reason):
    [problem] = _parse(body)
    assert isinstance(problem, Problem) and problem.reason.startswith(reason)


def test_bad_entries_become_problems_and_the_rest_flows():
    items = _parse("""<rss version="2.0"><channel><title>r</title><language>it</language>
        <pubDate>Sat, 25 May 2024 12:00:00 GMT</pubDate>
        <item><category>vuoto</category></item>
        <item><title>Data strana</title><guid isPermaLink="false">g-2</guid><pubDate>l'altro ieri</pubDate></item>
        <item><title>Senza id</title><description>Solo testo.</description>
          <pubDate>Fri, 24 May 2024 08:00:00 GMT</pubDate></item>
        </channel></rss>""")
    empty, odd, odd_date, hashed = items
    assert isinstance(empty, Problem) and empty.reason.startswith("entry #1 (no id, link or title)")
    assert odd.native_id == "g-2" and odd.published_at == datetime(2024, 5, 25, 12, tzinfo=timezone.utc)
    assert isinstance(odd_date, Problem) and "entry #2 (g-2)" in odd_date.reason
    assert "used the feed date" in odd_date.reason
    assert hashed.native_id.startswith("sha256:") and hashed.text == "Solo testo."
    assert hashed.author.name == "r"  # no author: the site (its title) speaks
    assert _parse(_feed_with_one_item())[0].native_id == hashed.native_id  # stable across reads


def test_any_cut_of_a_feed_gives_mentions_or_a_problem(fixtures):
    # A connection dropped anywhere in the document: never an exception, never nothing.
    body = (fixtures / "feed" / "comments_orari_atom.xml").read_bytes()
    for end in range(0, len(body), max(1, len(body) // 60)):
        items = _parse(body[:end])
        assert items and all(isinstance(i, (Mention, Problem)) for i in items), end


def _feed_with_one_item() -> str:
    return """<rss version="2.0"><channel><title>other</title><item><title>Senza id</title>
        <description>Altro testo.</description>
        <pubDate>Fri, 24 May 2024 08:00:00 GMT</pubDate></item></channel></rss>"""


def test_json_feed(replay, harvest):
    body = replay.load_bytes("feed", "jsonfeed.json")
    replay.route("/feed.json", replay.Reply(200, body, {"Content-Type": "application/feed+json"}))
    source = Source(name="moka", kind="feed", url=f"{replay.url}/feed.json")
    found = harvest(FeedConnector, source)
    assert found.problems == []
    first, note = found.mentions
    assert first.title == "Aurora Oro nella moka" and first.text == "Macinata media, fuoco basso: dolce e corposa."
    assert first.published_at == datetime(2024, 5, 25, 7, tzinfo=timezone.utc) and first.language == "it"
    assert first.author.name == "Chiara" and first.author.id == "https://moka.example/chi-sono"
    assert note.native_id == "note-12" and note.url is None and note.author.name == "Ospite"
    assert note.text == "Nota veloce: la confezione nuova si richiude male."


def test_a_comment_feed_on_another_origin_is_not_fetched_from_a_private_address(replay, elsewhere, harvest):
    # A feed's content names its comment feeds: a hostile one points at an internal service.
    _serve_blog(replay)
    elsewhere.route(ORO, b"internal: do not leak")
    feed = _body(replay, "blog_rss2.xml").replace(f"{replay.url}{ORO}".encode(), f"{elsewhere.url}{ORO}".encode())
    replay.route("/feed/", replay.Reply(200, feed, RSS))
    found = harvest(FeedConnector, _source(replay), brands=BRANDS)
    assert elsewhere.requests() == []
    assert len([m for m in found.mentions if m.parent_id is None]) == 3  # the posts still come
    [problem] = found.problems
    assert "not fetched" in problem.reason and "private or reserved address" in problem.reason
    assert "internal" not in problem.sample
