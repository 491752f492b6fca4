import pickle
import re
import unicodedata
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.schema import Author, Mention
from core.settings import Brand
from streams.enrichment import brand_query as bq
from streams.enrichment.brand_query import (
    MAX_DEPTH,
    And,
    BrandMatcher,
    Field,
    Near,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryDoc,
    QuerySyntaxError,
    Term,
    parse,
    words,
)

DEMO_BRANDS = [
    Brand(name="Caffè Aurora", query='"caffè aurora" OR #caffeaurora OR @caffeaurora'),
    Brand(name="Miscela Boreale", query='"miscela boreale" OR #miscelaboreale', competitor=True),
    Brand(name="Spinlane", query="spinlane OR #spinlane OR @spinlane_help"),
]


def hit(query: str, text: str, **doc) -> bool:
    return parse(query).matches(QueryDoc.of(text, **doc))


def canonical(query: str) -> str:
    return str(parse(query))


# -- words ----------------------------------------------------------------------------


def test_words_are_folded_and_keep_hashtag_and_handle_prefixes():
    text = "Caffè AURORA, l'aurora è #CaffèAurora per @Caffe_Aurora: e-mail!"
    assert words(text) == ["caffe", "aurora", "l", "aurora", "e", "#caffeaurora", "per", "@caffe_aurora", "e", "mail"]


def test_an_email_address_is_not_a_handle_and_a_url_is_words():
    assert words("scrivi a info@caffeaurora.it") == ["scrivi", "a", "info", "caffeaurora", "it"]
    assert words("https://caffeaurora.it/promo") == ["https", "caffeaurora", "it", "promo"]


@given(st.text(alphabet=st.sampled_from("aàeèiìoòu AÈß_#@'’.,-!1\n\t\u00a0日本ñç") | st.characters(), max_size=60))
def test_fast_word_split_equals_the_plain_regex(text):
    folded = bq.fold(text)
    assert words(text) == bq._WORDS.findall(folded)


# -- terms, hashtags, handles, case and accents ---------------------------------------


def test_a_plain_term_matches_the_word_and_the_hashtag_not_the_handle():
    assert hit("aurora", "che buono il caffè aurora")
    assert hit("aurora", "buongiorno #Aurora")
    assert not hit("aurora", "grazie @aurora")
    assert not hit("aurora", "#caffeaurora")  # a hashtag is one word: no substring matches
    assert not hit("spinlane", "@spinlane_help answered")


def test_a_hashtag_term_matches_only_the_hashtag():
    assert hit("#caffeaurora", "Colazione perfetta #CaffeAurora")
    assert not hit("#caffeaurora", "colazione con caffeaurora")
    assert not hit("#caffeaurora", "@caffeaurora grazie")


def test_a_handle_term_matches_mentions_in_the_text_and_the_author():
    assert hit("@spinlane_help", "Still waiting for @SpinLane_Help to reply")
    assert not hit("@spinlane_help", "spinlane_help is slow")
    assert hit("@spinlane_help", "We are looking into it, sorry!", author_handle="spinlane_help")
    assert hit("@spinlane_help", "We are looking into it", author_handle="@SpinLane_Help")
    assert hit("@caffeaurora", "nuova miscela", author_handle="caffeaurora@mastodon.social")
    assert hit("@caffeaurora", "nuova miscela", author_handle="caffeaurora.bsky.social")
    assert not hit("@caffeaurora", "nuova miscela", author_handle="other")


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("caffe", "Un CAFFÈ, per favore"),
        ("caffè", "un caffe per favore"),
        ("CAFFÈ", "un Caffè per favore"),
        ("perche", "Perché no?"),
        ("strasse", "Die Straße"),
        ("#caffe", "#Caffè"),
        ("naive", "a naïve question"),
        ("cafe", "ｃａｆｅ"),  # full-width letters fold to ASCII
    ],
)
def test_matching_ignores_case_and_accents(query, text):
    assert hit(query, text)


def test_lowercase_operators_are_ordinary_words():
    assert hit("pane and salame", "pane and salame")
    assert not hit("pane and salame", "pane e salame")
    assert hit("not bad", "not bad at all")
    assert canonical("caffè or aurora") == "(caffe AND or AND aurora)"


def test_punctuation_inside_a_term_makes_it_a_phrase():
    assert parse("e-commerce").ast == Phrase(("e", "commerce"))
    assert hit("e-commerce", "il nostro e commerce")
    assert not hit("e-commerce", "e il commerce")


# -- phrases --------------------------------------------------------------------------


def test_a_phrase_needs_its_words_consecutive_and_in_order():
    assert hit('"caffè aurora"', "Adoro il Caffè Aurora!")
    assert hit('"caffè aurora"', "caffè, aurora")  # punctuation is not a word
    assert not hit('"caffè aurora"', "aurora caffè")
    assert not hit('"caffè aurora"', "caffè al bar aurora")
    assert hit('"the spinlane app"', "honestly the Spinlane app is great")


def test_phrase_words_match_hashtags_like_plain_terms_do():
    assert hit('"caffè aurora"', "#caffè #aurora")
    assert not hit('"#caffe aurora"', "caffè aurora")
    assert hit('"#caffe aurora"', "#caffe aurora")


def test_title_and_text_are_searched_but_a_phrase_does_not_cross_them():
    assert hit("aurora", "buonissimo", title="Caffè Aurora")
    assert hit('"caffè aurora"', "buonissimo", title="Il caffè aurora")
    assert not hit('"caffè aurora"', "aurora buonissimo", title="Il caffè")


def test_a_one_word_phrase_is_the_term():
    assert parse('"Aurora"').ast == Term("aurora")


# -- wildcards ------------------------------------------------------------------------


def test_a_trailing_wildcard_matches_word_prefixes():
    assert hit("caff*", "un caffè")
    assert hit("caff*", "la caffettiera nuova")
    assert hit("caff*", "#caffeaurora")
    assert not hit("caff*", "@caffeaurora")
    assert not hit("caff*", "un tè")
    assert hit("#caff*", "#CaffèAurora")
    assert not hit("#caff*", "caffè")
    assert hit("@spin*", "ok @spinlane_help")
    assert hit("@spin*", "ok", author_handle="spinlane_help")


def test_a_wildcard_works_near_other_words():
    assert hit("caff* NEAR/1 aurora", "la caffettiera aurora")
    assert not hit("caff* NEAR/1 aurora", "la caffettiera non è aurora")


# -- operators and precedence ---------------------------------------------------------


def test_and_or_not():
    doc = QueryDoc.of("Il caffè Aurora è buono ma la miscela boreale no")
    assert parse("caffè AND miscela").matches(doc)
    assert not parse("caffè AND spinlane").matches(doc)
    assert parse("spinlane OR boreale").matches(doc)
    assert not parse("spinlane OR app").matches(doc)
    assert parse("NOT spinlane").matches(doc)
    assert not parse("NOT caffè").matches(doc)
    assert not parse("caffè NOT boreale").matches(doc)
    assert parse("caffè AND NOT spinlane").matches(doc)


def test_side_by_side_terms_are_an_implicit_and():
    assert parse("caffè aurora").ast == parse("caffè AND aurora").ast == And((Term("caffe"), Term("aurora")))
    assert hit("caffè aurora", "aurora, che caffè!")
    assert not hit("caffè aurora", "un caffè")
    assert parse("caffè NOT aurora").ast == parse("caffè AND NOT aurora").ast
    assert canonical('"caffè aurora"(buono OR ottimo)') == '("caffe aurora" AND (buono OR ottimo))'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a OR b AND c", "(a OR (b AND c))"),
        ("a OR b c", "(a OR (b AND c))"),
        ("a AND b OR c", "((a AND b) OR c)"),
        ("NOT a OR b", "(NOT a OR b)"),
        ("NOT a b", "(NOT a AND b)"),
        ("a NOT b OR c", "((a AND NOT b) OR c)"),
        ("a NEAR/2 b c", "((a NEAR/2 b) AND c)"),
        ("x a NEAR/2 b OR c", "((x AND (a NEAR/2 b)) OR c)"),
        ("a NEAR/2 b OR c NEAR/1 d", "((a NEAR/2 b) OR (c NEAR/1 d))"),
        ("NOT (a OR b)", "NOT (a OR b)"),
        ("NOT NOT a", "NOT NOT a"),
        ("(a OR b) OR (c OR d)", "(a OR b OR c OR d)"),
        ("((a OR (b AND (c OR d))) NOT e)", "((a OR (b AND (c OR d))) AND NOT e)"),
        ("a NEAR/1 b NEAR/2 c", "((a NEAR/1 b) NEAR/2 c)"),
    ],
)
def test_precedence_not_near_and_or(query, expected):
    assert canonical(query) == expected


def test_nested_parentheses():
    query = '(("caffè aurora" OR #caffeaurora) AND (buono OR (ottimo NOT caro))) OR @caffeaurora'
    assert hit(query, "Il caffè Aurora è ottimo")
    assert not hit(query, "Il caffè Aurora è ottimo ma caro")
    assert hit(query, "#CaffeAurora buono")
    assert hit(query, "grazie @caffeaurora")
    assert not hit(query, "caffè buono")


def test_a_query_of_only_nots_matches_everything_else():
    assert hit("NOT spam", "caffè")
    assert not hit("NOT spam", "spam spam")


# -- NEAR -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "distance", "expected"),
    [
        ("caffè aurora", 0, True),
        ("aurora caffè", 0, True),
        ("caffè buono aurora", 0, False),
        ("caffè buono aurora", 1, True),
        ("caffè molto molto buono aurora", 3, True),
        ("caffè molto molto buono aurora", 2, False),
        ("aurora molto molto buono caffè", 3, True),
        ("aurora molto molto buono caffè", 2, False),
        ("caffè", 5, False),
    ],
)
def test_near_counts_the_words_between_in_either_order(text, distance, expected):
    assert hit(f"caffè NEAR/{distance} aurora", text) is expected
    assert hit(f"aurora NEAR/{distance} caffè", text) is expected


def test_near_with_phrases_measures_between_their_ends():
    query = '"miscela boreale" NEAR/2 "troppo amara"'
    assert hit(query, "la miscela boreale è troppo amara")
    assert hit(query, "troppo amara, davvero, la miscela boreale")
    assert not hit(query, "la miscela boreale è davvero molto troppo amara")


def test_near_with_or_groups_on_either_side():
    query = "(aurora OR boreale) NEAR/2 (caffè OR miscela)"
    assert hit(query, "la miscela di ieri boreale")
    assert hit(query, "aurora è il caffè")
    assert not hit(query, "aurora è il mio caffè")
    assert not hit(query, "caffè miscela")


def test_near_chains_measure_from_the_span_already_matched():
    query = "spinlane NEAR/1 app NEAR/2 crash"
    assert hit(query, "the spinlane app keeps crashing crash")
    assert hit(query, "crash, spinlane mobile app")
    assert not hit(query, "spinlane app works but on another phone it did crash")


def test_a_word_is_not_near_itself():
    assert not hit("aurora NEAR/3 aurora", "aurora")
    assert hit("aurora NEAR/3 aurora", "aurora e ancora aurora")
    assert not hit('aurora NEAR/3 "caffè aurora"', "il caffè aurora")


def test_near_across_title_and_text_counts_the_boundary_as_a_word():
    assert not hit("aurora NEAR/0 buonissimo", "buonissimo", title="Caffè Aurora")
    assert hit("aurora NEAR/1 buonissimo", "buonissimo", title="Caffè Aurora")


def test_near_handles_hashtags_and_handles_in_the_text():
    assert hit("@spinlane_help NEAR/3 refund", "@spinlane_help where is my refund")
    assert not hit("@spinlane_help NEAR/2 refund", "@spinlane_help where is my refund")
    assert hit("spinlane NEAR/0 down", "#spinlane down again")
    assert not hit("@spinlane_help NEAR/2 refund", "where is my refund", author_handle="spinlane_help")


# -- fields ---------------------------------------------------------------------------


def test_author_matches_the_handle_or_the_whole_name():
    doc = QueryDoc.of("nuova miscela!", author_handle="@CaffeAurora", author_name="Caffè Aurora S.r.l.")
    assert parse("author:caffeaurora").matches(doc)
    assert parse("author:@CaffeAurora").matches(doc)
    assert parse('author:"caffè aurora s.r.l"').matches(doc)
    assert parse("author:“Caffè Aurora S.r.l.”").matches(doc)
    assert parse("author:caff*").matches(doc)
    assert not parse("author:caffe").matches(doc)
    assert not parse('author:"caffè aurora"').matches(doc)
    assert not parse("author:aurora*").matches(doc)
    assert not parse("author:caffeaurora").matches(QueryDoc.of("caffeaurora"))


def test_author_matches_the_user_part_of_federated_handles():
    assert hit("author:caffeaurora", "x", author_handle="caffeaurora@mastodon.social")
    assert hit("author:caffeaurora@mastodon.social", "x", author_handle="caffeaurora@mastodon.social")
    assert hit("author:caffeaurora", "x", author_handle="caffeaurora.bsky.social")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/post/1", True),
        ("https://www.example.com/post/1", True),
        ("http://blog.EXAMPLE.com.", True),
        ("https://example.com:8443/x", True),
        ("https://badexample.com/post", False),
        ("https://example.com.evil.org/post", False),
        ("https://other.org/?ref=example.com", False),
        ("http://[::1", False),
        (None, False),
    ],
)
def test_site_matches_the_host_and_its_subdomains(url, expected):
    assert hit("site:example.com", "testo", url=url) is expected
    assert hit('site:"Example.com"', "testo", url=url) is expected


def test_lang_matches_the_language_and_its_regional_variants():
    assert hit("aurora lang:it", "aurora", language="it")
    assert hit("lang:pt", "x", language="pt-BR")
    assert hit("lang:pt-br", "x", language="pt_BR")
    assert not hit("lang:pt-br", "x", language="pt")
    assert not hit("lang:it", "x", language="en")
    assert not hit("lang:it", "x")
    assert not hit("lang:it", "x", language="ita")


def test_platform_matches_the_platform():
    assert hit("spinlane platform:x", "spinlane down", platform="x")
    assert not hit("spinlane platform:x", "spinlane down", platform="mastodon")
    assert hit("spinlane NOT platform:reddit", "spinlane down", platform="x")
    assert hit("PLATFORM:Mastodon", "x", platform="mastodon")


def test_fields_combine_with_text():
    query = '("caffè aurora" OR #caffeaurora) NOT (author:caffeaurora OR site:caffeaurora.it)'
    assert hit(query, "il caffè aurora è ottimo", author_handle="mario")
    assert not hit(query, "il caffè aurora è ottimo", author_handle="caffeaurora")
    assert not hit(query, "il caffè aurora è ottimo", url="https://shop.caffeaurora.it/p/1")


# -- syntax errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "reason"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ('"caffè aurora" AND', 15, "expected a term after AND"),
        ("caffè OR OR aurora", 6, "expected a term after OR"),
        ("aurora OR NOT", 10, "expected a term after NOT"),
        ("(caffè AND )", 7, "expected a term after AND"),
        ("AND aurora", 0, "AND needs a term before it"),
        ("  OR aurora", 2, "OR needs a term before it"),
        ("caffè (OR aurora)", 7, "OR needs a term before it"),
        ("()", 0, "empty parentheses"),
        ("aurora ( )", 7, "empty parentheses"),
        ("caffè (", 6, "unclosed parenthesis"),
        ("(", 0, "unclosed parenthesis"),
        ("(caffè OR aurora", 0, "unclosed parenthesis"),
        ("((caffè) OR (aurora)", 0, "unclosed parenthesis"),
        ("caffè OR aurora)", 15, "unmatched ')'"),
        (")", 0, "unmatched ')'"),
        ('caffè "aurora', 6, "unclosed quote"),
        ('caffè author:"Caffè Aurora', 13, "unclosed quote"),
        ('caffè ""', 6, "empty phrase"),
        ("caffè NEAR aurora", 6, "NEAR needs a distance"),
        ("caffè NEAR/ aurora", 6, "NEAR needs a distance"),
        ("caffè NEAR/x aurora", 6, "NEAR needs a distance"),
        ("spinlane brand:aurora", 9, "unknown field brand:"),
        ("https://caffeaurora.it", 0, "unknown field https:"),
        ("caffè AND author:", 10, "expected a value after author:"),
        ("site: example.com", 0, "expected a value after site:"),
        ("ca*ffè", 2, "may only end a term"),
        ("caffè *", 6, "one word before the *"),
        ("e-comm*", 0, "one word before the *"),
        ('"caff* aurora"', 5, "inside quotes"),
        ("NOT caffè NEAR/2 aurora", 0, "left side of NEAR/2 is a NOT"),
        ("caffè NEAR/2 (aurora AND boreale)", 13, "right side of NEAR/2 is an AND"),
        ("caffè NEAR/2 (aurora OR NOT boreale)", 13, "right side of NEAR/2 is an OR"),
        ("aurora NEAR/2 lang:it", 14, "right side of NEAR/2 is a field"),
        ("platform:twitter", 0, "platform: is one of"),
        ("site:https://example.com", 0, "site: takes a host name"),
        ("site:example.com/blog", 0, "site: takes a host name"),
        ("site:exa*", 0, "does not work in site:"),
        ("lang:italiano", 0, "lang: takes a language code"),
        ("author:\"\"", 0, "author: needs a handle or a name"),
        ("-spam aurora", 0, "use NOT"),
        ("aurora !!!", 7, "no letters or digits"),
        ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, "nested more than"),
        ("NOT " * (MAX_DEPTH + 1) + "a", 4 * MAX_DEPTH, "nested more than"),
    ],
)
def test_syntax_errors_name_the_position(query, position, reason):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    err = caught.value
    assert isinstance(err, ValueError)
    assert reason in err.reason
    assert err.position == position
    first, shown, caret = str(err).split("\n")
    assert first.endswith(f"at position {position}")
    assert shown == "  " + query
    assert caret == "  " + " " * position + "^"


def test_the_caret_stays_aligned_under_tabs_and_newlines():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("caffè\tAND\n")
    _, shown, caret = str(caught.value).split("\n")
    assert shown.index("AND") == caret.index("^")


def test_a_syntax_error_survives_pickling():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("caffè AND")
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.reason, again.position, str(again)) == (caught.value.reason, 6, str(caught.value))


# -- BrandMatcher ---------------------------------------------------------------------


def _mention(text: str, **fields) -> Mention:
    author = Author(id="1", handle=fields.pop("handle", "mario_rossi"), name=fields.pop("name", "Mario Rossi"))
    return Mention(
        platform=fields.pop("platform", "x"),
        native_id="1",
        source="test",
        author=author,
        text=text,
        published_at=datetime(2025, 5, 1, tzinfo=timezone.utc),
        **fields,
    )


def test_brand_matcher_names_every_matching_brand_in_configuration_order():
    matcher = BrandMatcher(DEMO_BRANDS)
    both = QueryDoc.of("Meglio la #MiscelaBoreale del Caffè Aurora? Mah.")
    assert matcher.match(both) == ["Caffè Aurora", "Miscela Boreale"]
    assert matcher.match(QueryDoc.of("@spinlane_help the app crashed again")) == ["Spinlane"]
    assert matcher.match(QueryDoc.of("Aurora boreale stanotte in Norvegia!")) == []
    assert matcher.match(QueryDoc.of("grazie!", author_handle="caffeaurora")) == ["Caffè Aurora"]


def test_brand_matcher_reads_mentions():
    matcher = BrandMatcher(DEMO_BRANDS)
    mention = _mention("spinlane keeps crashing", title="Caffè Aurora news", url="https://news.example.com/a")
    assert matcher.match(QueryDoc.from_mention(mention)) == ["Caffè Aurora", "Spinlane"]
    doc = QueryDoc.from_mention(_mention("ciao", handle="CaffeAurora", language="it", platform="mastodon"))
    assert (doc.language, doc.platform, "@caffeaurora" in doc.keys) == ("it", "mastodon", True)


def test_brand_matcher_skips_brands_without_a_query():
    matcher = BrandMatcher([Brand(name="Vuoto"), Brand(name="Spazi", query="   "), *DEMO_BRANDS])
    assert matcher.match(QueryDoc.of("spinlane")) == ["Spinlane"]
    assert matcher.match(QueryDoc.of("")) == []


def test_brand_matcher_names_the_brand_with_a_bad_query():
    brands = [*DEMO_BRANDS, Brand(name="Rotta", query="caffè AND (aurora OR boreale")]
    with pytest.raises(QuerySyntaxError) as caught:
        BrandMatcher(brands)
    assert caught.value.brand == "Rotta"
    assert caught.value.position == 10
    assert str(caught.value).startswith("brand 'Rotta': unclosed parenthesis at position 10")


def test_query_keeps_its_source_and_canonical_form():
    query = parse('"caffè aurora" OR #caffeaurora OR @caffeaurora')
    assert query.source == '"caffè aurora" OR #caffeaurora OR @caffeaurora'
    assert str(query) == '("caffe aurora" OR #caffeaurora OR @caffeaurora)'
    assert query.ast == Or((Phrase(("caffe", "aurora")), Term("#caffeaurora"), Term("@caffeaurora")))


# -- properties -----------------------------------------------------------------------

VOCABULARY = [
    "caffè", "Caffe", "AURORA", "aurora", "#CaffeAurora", "#caffè", "@caffeaurora", "caffettiera",
    "miscela", "Boreale", "#miscelaboreale", "spinlane", "#SpinLane", "@spinlane_help", "@spin",
    "app", "spinner", "buono", "il", "the", "è",
]  # fmt: skip
SEPARATORS = [" ", ", ", "! ", " - ", "'", "\n", "... "]
LEAVES = [
    "caffè", "caffe", "aurora", "#caffeaurora", "@caffeaurora", "miscela", "boreale", "spinlane",
    "#spinlane", "@spinlane_help", "app", "buono", "caff*", "#caff*", "spin*", "@spin*",
    '"caffè aurora"', '"aurora caffè"', '"miscela boreale"', '"spinlane app"', '"il caffè"',
]  # fmt: skip

FIELD_LEAVES = [
    "author:caffeaurora", "author:@mario", "author:caff*", 'author:"Mario Rossi"', "site:example.com", "lang:it",
    "platform:x",
]  # fmt: skip

texts = st.lists(st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(SEPARATORS)), max_size=12).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)
metadata = st.fixed_dictionaries(
    {
        "title": st.none() | texts,
        "author_handle": st.sampled_from([None, "caffeaurora", "mario", "spinlane_help"]),
        "author_name": st.sampled_from([None, "Mario Rossi", "Caffè Aurora"]),
        "url": st.sampled_from([None, "https://www.example.com/a", "https://badexample.com/b", "https://example.com"]),
        "language": st.sampled_from([None, "it", "it-IT", "en"]),
        "platform": st.sampled_from([None, "x", "mastodon"]),
    }
)
docs_with_metadata = st.tuples(texts, metadata).map(lambda tm: (QueryDoc.of(tm[0], **tm[1]), tm[1]))
docs = docs_with_metadata.map(lambda dm: dm[0])


def _combine(children):
    # Each query comes with whether NEAR may take it as a side.
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: (f"({p[0][0]} OR {p[1][0]})", p[0][1] and p[1][1])),
        pair.map(lambda p: (f"({p[0][0]} AND {p[1][0]})", False)),
        pair.map(lambda p: (f"({p[0][0]} {p[1][0]})", False)),
        children.map(lambda c: (f"NOT {c[0]}", False)),
        st.tuples(children, children, st.integers(0, 3)).map(
            lambda p: (f"({p[0][0]} NEAR/{p[2]} {p[1][0]})", True)
            if p[0][1] and p[1][1]
            else (f"({p[0][0]} AND {p[1][0]})", False)
        ),
    )


leaves = st.sampled_from(LEAVES).map(lambda leaf: (leaf, True)) | st.sampled_from(FIELD_LEAVES).map(
    lambda leaf: (leaf, False)
)
queries = st.recursive(leaves, _combine, max_leaves=6).map(lambda q: q[0])


def _occurrences(node, toks: tuple[str, ...]) -> set[tuple[int, int]]:
    """Brute force: the (first, last) word spans where a positional node matches."""

    def word_at(i: int, word: str) -> bool:
        return toks[i] == word or (word[0] not in "#@" and toks[i] == "#" + word)

    if isinstance(node, Term):
        return {(i, i) for i in range(len(toks)) if word_at(i, node.word)}
    if isinstance(node, Prefix):
        p = node.prefix
        return {
            (i, i)
            for i, t in enumerate(toks)
            if t.startswith(p) or (p[0] not in "#@" and t.startswith("#" + p))
        }
    if isinstance(node, Phrase):
        n = len(node.words)
        return {
            (i, i + n - 1)
            for i in range(len(toks) - n + 1)
            if all(word_at(i + k, w) for k, w in enumerate(node.words))
        }
    if isinstance(node, Or):
        return set().union(*(_occurrences(item, toks) for item in node.items))
    assert isinstance(node, Near)
    found = set()
    for a0, a1 in _occurrences(node.left, toks):
        for b0, b1 in _occurrences(node.right, toks):
            gap = b0 - a1 - 1 if b0 > a1 else a0 - b1 - 1 if a0 > b1 else None
            if gap is not None and gap <= node.distance:
                found.add((min(a0, b0), max(a1, b1)))
    return found


def _reference(node, doc: QueryDoc, meta: dict) -> bool:
    """The meaning of a query, spelt out the slow way from the doc's words and raw metadata."""
    if isinstance(node, Not):
        return not _reference(node.item, doc, meta)
    if isinstance(node, And):
        return all(_reference(item, doc, meta) for item in node.items)
    if isinstance(node, Or):
        return any(_reference(item, doc, meta) for item in node.items)
    handle = "@" + meta["author_handle"] if meta["author_handle"] else None
    if isinstance(node, Field):
        host = (meta["url"] or "").split("/")[2:3]
        names = [" ".join(words(name)) for name in (meta["author_handle"], meta["author_name"]) if name]
        return {
            "author": lambda v: any(n.startswith(v) if node.prefix else n == v for n in names),
            "site": lambda v: bool(host) and (host[0] == v or host[0].endswith("." + v)),
            "lang": lambda v: v in ((meta["language"] or "").lower(), (meta["language"] or "").lower().split("-")[0]),
            "platform": lambda v: meta["platform"] == v,
        }[node.name](node.value)
    if isinstance(node, Term) and node.word == handle:
        return True
    if isinstance(node, Prefix) and handle and handle.startswith(node.prefix):
        return True
    return bool(_occurrences(node, doc.words))


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(queries, docs_with_metadata)
def test_compiled_queries_agree_with_a_brute_force_evaluator(query, doc_and_metadata):
    doc, meta = doc_and_metadata
    parsed = parse(query)
    assert parsed.matches(doc) == _reference(parsed.ast, doc, meta)


@given(queries, queries, docs)
def test_or_and_not_follow_boolean_logic(a, b, doc):
    qa, qb = parse(a).matches(doc), parse(b).matches(doc)
    assert parse(f"({a}) OR ({b})").matches(doc) == (qa or qb)
    assert parse(f"({a}) AND ({b})").matches(doc) == (qa and qb)
    assert parse(f"({a}) ({b})").matches(doc) == (qa and qb)
    assert parse(f"NOT ({a})").matches(doc) == (not qa)


@given(queries, queries, docs)
def test_de_morgan(a, b, doc):
    assert parse(f"NOT (({a}) OR ({b}))").matches(doc) == parse(f"NOT ({a}) AND NOT ({b})").matches(doc)
    assert parse(f"NOT (({a}) AND ({b}))").matches(doc) == parse(f"NOT ({a}) OR NOT ({b})").matches(doc)


@given(st.sampled_from(LEAVES), st.sampled_from(LEAVES), st.integers(0, 4), docs)
def test_near_is_symmetric_and_grows_with_the_distance(a, b, n, doc):
    near = parse(f"{a} NEAR/{n} {b}").matches(doc)
    assert near == parse(f"{b} NEAR/{n} {a}").matches(doc)
    if near:
        assert parse(f"{a} NEAR/{n + 1} {b}").matches(doc)
        assert parse(f"{a} AND {b}").matches(doc)


@given(queries, docs)
def test_the_canonical_form_parses_back_to_the_same_query(query, doc):
    parsed = parse(query)
    again = parse(str(parsed))
    assert again.ast == parsed.ast
    assert str(again) == str(parsed)
    assert again.matches(doc) == parsed.matches(doc)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@given(queries, texts)
def test_case_and_accents_never_change_a_match(query, text):
    parsed = parse(query)
    expected = parsed.matches(QueryDoc.of(text))
    assert parsed.matches(QueryDoc.of(text.upper())) == expected
    assert parsed.matches(QueryDoc.of(_strip_accents(text))) == expected


SYNTAX = [
    "AND", "OR", "NOT", "NEAR", "NEAR/2", "NEAR/", "(", ")", '"', "“", "caffè", "#caffe", "@aurora", "*", "caff*",
    "-", "-x", "author:", "author:x*", "site:x.com", "lang:it", "platform:x", "foo:bar", ":", "10:30", "\t", "ß",
]  # fmt: skip


@settings(max_examples=500)
@given(st.text(max_size=40) | st.lists(st.sampled_from(SYNTAX), max_size=12).map(" ".join)
       | st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join))
def test_parse_raises_only_query_syntax_errors(query):
    try:
        parsed = parse(query)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(query)
        assert re.search(r" at position \d+\n", str(err))
    else:
        parsed.matches(QueryDoc.of(query))  # and whatever parses, runs
