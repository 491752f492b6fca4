import csv
from pathlib import Path

import pytest

from streams.enrichment.language import UNDETERMINED, detect_language


def test_italian_and_english_social_texts():
    assert detect_language("Il servizio clienti non risponde da tre giorni, vergogna") == "it"
    assert detect_language("The app keeps crashing every time I open it @spinlane") == "en"
    assert detect_language("#CaffeAurora buonissimo stamattina") == "it"
    assert detect_language("Muy buen café, gracias por todo") == "es"


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "ok", "https://x.example/a/b @bob #", "123 456 !!!"])
def test_texts_without_language_are_undetermined_or_take_the_hint(text):
    assert detect_language(text) == UNDETERMINED
    assert detect_language(text, hint="it") == "it"


def test_handles_and_urls_do_not_decide():
    # English words only inside a handle and a URL: the Italian sentence decides.
    assert detect_language("@the_best_coffee_shop_ever grazie mille per la colazione https://example.com/the-best") == "it"


def test_huge_text_is_cut_not_choked_on():
    assert detect_language("questa è una frase italiana " * 200_000) == "it"


def _sample(path: Path, column: int | str, n: int) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        if isinstance(column, str):
            rows = [row[column] for row in csv.DictReader(fh)]
        else:
            rows = [line.split("\t")[column] for line in fh if line.count("\t") >= column]
    return rows[:: max(1, len(rows) // n)][:n]


def test_accuracy_on_real_tweets(shared: Path):
    italian = _sample(shared / "data/sentiment/it/sentipolc16_train.csv", "text", 600)
    english = _sample(shared / "data/sentiment/en/semeval2015_task11_train.tsv", 2, 600)
    it_acc = sum(detect_language(t) == "it" for t in italian) / len(italian)
    en_acc = sum(detect_language(t) == "en" for t in english) / len(english)
    assert it_acc >= 0.97, it_acc
    assert en_acc >= 0.97, en_acc
