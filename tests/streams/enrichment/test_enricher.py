"""The composition: every field filled, brand hints, drops, duplicates, brand handles."""

from datetime import datetime, timedelta, timezone

import pytest

from core.schema import Author, Mention
from core.settings import Brand, load_settings
from streams.enrichment.duplicates import DuplicateIndex
from streams.enrichment.enricher import Enricher

T0 = datetime(2026, 5, 4, 9, tzinfo=timezone.utc)
AURORA = Brand(name="aurora", query='"caffè aurora" OR #caffeaurora OR @caffeaurora', own_accounts={"x": ["caffeaurora"]})
BOREALE = Brand(name="boreale", query='"miscela boreale"', competitor=True)


def mention(n: int, text: str, **fields) -> Mention:
    return Mention(platform="x", native_id=str(n), source="t", author=Author(id=f"u{n}", handle=f"user{n}"), text=text,
                   published_at=T0 + timedelta(minutes=n), **fields)


@pytest.fixture
def enricher() -> Enricher:
    return Enricher([AURORA, BOREALE], duplicates=DuplicateIndex())


def test_every_field_is_filled(enricher):
    out = enricher.enrich(mention(1, "Caffè Aurora: l'ordine è arrivato in ritardo e freddo, vergogna. Rimborso?"))
    assert out.language == "it"
    assert out.sentiment.label == "negative" and out.sentiment.score < 0 and out.sentiment.method.startswith("it-")
    assert out.intent == "complaint"
    assert "delivery" in out.topics
    assert out.keywords and all(isinstance(k, str) for k in out.keywords)
    assert out.brands == ["aurora"] and out.brand == "aurora"
    assert out.promo is False and out.duplicate_of is None
    assert Mention.from_json(out.to_json()) == out  # still a valid mention


def test_english_and_competitor(enricher):
    out = enricher.enrich(mention(2, "Tried Miscela Boreale today, absolutely love it, thanks!"))
    assert (out.language, out.brands, out.sentiment.label, out.intent) == ("en", ["boreale"], "positive", "praise")


def test_the_connector_brand_counts_even_when_the_text_names_none(enricher):
    comment = mention(3, "Ancora nessuna risposta dal servizio clienti", brand="aurora")
    out = enricher.enrich(comment)
    assert out.brands == ["aurora"] and enricher.keeps(out)


def test_mentions_of_no_brand_are_dropped_only_when_brands_are_configured(enricher):
    stray = enricher.enrich(mention(4, "Oggi piove a Milano e il traffico è bloccato"))
    assert stray.brands == [] and not enricher.keeps(stray)
    assert Enricher([]).keeps(Enricher([]).enrich(mention(4, "Oggi piove a Milano")))
    assert Enricher([AURORA], drop_unmatched=False).keeps(stray)


def test_copies_point_at_the_original_but_brand_replies_are_not_checked(enricher):
    text = "Caffè Aurora regala una tazza a chi ordina la miscela Alba entro domenica, corri a vedere!"
    first = enricher.enrich(mention(5, text))
    copy = enricher.enrich(mention(6, "RT " + text + " https://t.co/x"))
    assert first.duplicate_of is None and copy.duplicate_of == first.id
    canned = "Ci dispiace molto, scrivici in privato il numero d'ordine e risolviamo subito"
    replies = [enricher.enrich(mention(7 + i, canned, author_is_brand=True, brand="aurora")) for i in range(2)]
    assert [r.duplicate_of for r in replies] == [None, None]


def test_tagging_a_brand_account_makes_a_negative_message_a_complaint(enricher):
    text = "che amarezza, non me lo aspettavo"  # negative, no complaint cue, no second person
    to_brand = enricher.enrich(mention(9, "@caffeaurora " + text, brand="aurora"))
    to_friend = enricher.enrich(mention(10, "@giulia " + text, brand="aurora"))
    assert to_brand.sentiment.label == to_friend.sentiment.label == "negative"
    assert (to_brand.intent, to_friend.intent) == ("complaint", "other")
    assert enricher._tags_a_brand("ciao @CaffeAurora.") is True
    assert enricher._tags_a_brand("ciao @giulia") is None


def test_a_bad_brand_query_fails_at_start_naming_the_brand():
    with pytest.raises(ValueError, match="broken"):
        Enricher([Brand(name="broken", query='"unclosed')])


def test_fields_work_from_a_minimal_line(enricher):
    found = enricher.fields(id="line-1", text="Quanto costa la miscela Alba di Caffè Aurora?")
    assert found.intent == "purchase" and found.brands == ["aurora"]
    assert set(found.as_dict()) == {"language", "sentiment", "intent", "topics", "keywords", "brands", "promo", "duplicate_of"}
    assert set(found.as_dict()["sentiment"]) == {"score", "label", "method"}


def test_settings_build_the_enricher(tmp_path, monkeypatch):
    monkeypatch.setenv("PASSAPAROLA_ENRICHMENT__DUPLICATE_MAX_ENTRIES", "10")
    settings = load_settings(brands=[AURORA])
    built = Enricher.from_settings(settings)
    assert built.brands == [AURORA] and built.duplicates is not None and built.drop_unmatched


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "x" * 2_000_000])
def test_degenerate_texts_are_enriched_without_error(enricher, text):
    out = enricher.enrich(mention(10, text, brand="aurora"))
    assert out.sentiment is not None and out.intent is not None


def test_keywords_leave_out_the_names_of_the_monitored_brands():
    """Names, #tags and @handles of the configured brands would lead every brand's list of
    "top keywords in negative mentions"; the words of what people complain about stay."""
    aurora = Brand(name="Aurora", query='"caffè aurora" OR #caffeaurora OR @aurora_aiuto',
                   own_accounts={"x": ["CaffeAurora"]})
    plain, branded = Enricher([]), Enricher([aurora])
    text = "Caffè Aurora: macchina rotta di nuovo, assistenza assente #CaffeAurora @aurora_aiuto"
    before = plain.fields(id="k1", text=text, published_at=T0).keywords
    after = branded.fields(id="k1", text=text, published_at=T0).keywords
    assert any("aurora" in k for k in before)  # the names lead without the exclusion
    assert after and not [k for k in after if "aurora" in k]
    assert {"macchina rotta", "assistenza assente"} <= set(after)
