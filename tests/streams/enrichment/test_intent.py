"""Intent rules on texts written for these tests; the measured figures on real labelled
texts are in test_intent_labelled.py."""

import pytest

from streams.enrichment.intent import classify_intent, cue_counts


@pytest.mark.parametrize(
    "text, language, sentiment, expected",
    [
        ("Il mio ordine non è ancora arrivato, vergogna @caffeaurora", "it", "negative", "complaint"),
        ("L'app si blocca ogni volta che pago", "it", None, "complaint"),
        ("Quanto costa la spedizione in Svizzera?", "it", None, "purchase"),
        ("Vorrei ordinare due confezioni di miscela", "it", None, "purchase"),
        ("Perché non aggiungete il latte di avena?", "it", None, "suggestion"),
        ("Sarebbe bello avere un programma fedeltà", "it", "positive", "suggestion"),
        ("Come faccio a cambiare la password?", "it", None, "question"),
        ("a che ora aprite domenica", "it", None, "question"),
        ("Grazie mille, caffè buonissimo!", "it", "positive", "praise"),
        ("Oggi piove a Milano", "it", "neutral", "other"),
        ("My order never arrived @spinlane", "en", "negative", "complaint"),
        ("Charged twice for one ride, great job guys", "en", "negative", "complaint"),
        ("How much is the annual pass?", "en", None, "purchase"),
        ("You should add a night plan", "en", None, "suggestion"),
        ("How do I reset my password?", "en", None, "question"),
        ("Love the new bikes, great job!", "en", "positive", "praise"),
        ("Nice weather today", "en", "neutral", "other"),
    ],
)
def test_typical_messages(text, language, sentiment, expected):
    assert classify_intent(text, language, sentiment) == expected


def test_negative_sentiment_addressed_to_a_brand_is_a_complaint_without_cues():
    text = "@caffeaurora tre settimane così, complimenti davvero"
    assert classify_intent(text, "it", "positive", addressed=True) != "complaint"
    assert classify_intent(text, "it", "negative", addressed=True) == "complaint"
    # Tagged after the first word, or in the second person: addressed, judging from the text.
    assert classify_intent("tre settimane così @caffeaurora", "it", "negative") == "complaint"
    assert classify_intent("tre settimane così, voi non cambiate mai", "it", "negative") == "complaint"


def test_a_reply_opening_with_a_handle_is_not_taken_as_addressed_to_a_brand():
    # Usually two people chatting: negative feelings there are not complaints.
    assert classify_intent("@giulia mi manchi tantissimo", "it", "negative") == "other"
    assert classify_intent("@giulia mi manchi tantissimo", "it", "negative", addressed=True) == "complaint"


def test_negative_opinion_not_addressed_to_anyone_is_not_a_complaint():
    assert classify_intent("Che giornata grigia e triste", "it", "negative") == "other"


def test_whole_words_unless_the_cue_is_a_stem():
    assert cue_counts("the latest costume party", "en")["complaint"] == 0  # not "late"
    assert cue_counts("I am so late", "en")["complaint"] == 1
    assert cue_counts("sono deluso e delusa", "it")["complaint"] == 2  # delus* is a stem


def test_accents_and_apostrophes_are_folded():
    assert cue_counts("Perché non lo fate?", "it")["suggestion"] == 1
    assert cue_counts("Perche non lo fate?", "it")["suggestion"] == 1
    assert cue_counts("It doesn't work", "en")["complaint"] == 1
    assert cue_counts("It doesn’t work", "en")["complaint"] == 1


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "🙂"])
def test_empty_and_emoji_only_texts(text):
    assert classify_intent(text, "it", None) == "other"


def test_emoji_only_with_negative_sentiment_addressed_is_a_complaint():
    assert classify_intent("@spinlane 😡😡😡", "en", "negative", addressed=True) == "complaint"


def test_huge_text_is_cut_not_choked_on():
    assert classify_intent("non funziona niente " + "bla " * 500_000, "it", None) == "complaint"


def test_other_languages_fall_back_to_english_cues():
    assert classify_intent("refund please", "de", None) == "complaint"
