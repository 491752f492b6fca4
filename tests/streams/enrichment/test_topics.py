from pathlib import Path

import pytest

from core.errors import PassaparolaError
from streams.enrichment.topics import AspectTaxonomy, TaxonomyError, keywords, stopwords

# -- keywords ----------------------------------------------------------------------------------


def test_italian_keywords_are_content_words_and_phrases():
    found = keywords("Il cappuccino è arrivato freddo e la miscela Alba sapeva di bruciato. Che delusione", "it")
    assert "miscela alba" in found
    assert "cappuccino" in found
    assert not {"il", "è", "e", "la", "di", "che"} & set(found)


def test_english_keywords_are_content_words_and_phrases():
    found = keywords("The e-bike battery died halfway up the hill and the support chat just sends me FAQ links", "en")
    assert "e-bike battery" in found
    assert not {"the", "and", "up", "just", "me"} & {w for k in found for w in k.split()}


def test_urls_handles_emails_and_numbers_are_never_keywords():
    text = ("@caffeaurora ordine 12345 pagato 12,40 € due volte!!! https://caffeaurora.example/ordini/12345 "
            "scrivete a aiuto@caffeaurora.example o guardate pic.twitter.com/AbCd 2025")
    found = keywords(text, "it", k=20)
    flat = {w for k in found for w in k.split()}
    assert flat and not flat & {"caffeaurora", "12345", "12,40", "https", "aiuto", "example", "ordini", "pic", "twitter", "2025"}
    assert all(not any(ch.isdigit() for ch in k) for k in found)


def test_hashtags_become_keywords_without_the_hash():
    found = keywords("Consegna in 20 minuti, bravi! #CaffeAurora #Milano #2025", "it")
    assert "caffeaurora" in found and "milano" in found
    assert not any(k.startswith("#") or k == "2025" for k in found)


def test_tied_hashtags_keep_their_text_order_in_every_process():
    # Five hashtags of one length score the same: their order must not follow a set's, which
    # changes with each process's hash seed (the peer and the worker would disagree on it).
    tags = ["commute", "weekend", "holiday", "morning", "evening"]
    assert keywords(" ".join(f"#{t}" for t in tags), "en") == tags
    assert keywords(" ".join(f"#{t}" for t in reversed(tags)), "en") == tags[::-1]


def test_output_is_lowercase_with_accents_kept():
    found = keywords("Qualità ECCELLENTE, Caffè Aurora è una città nella città", "it")
    assert all(k == k.lower() for k in found)
    assert "caffè aurora" in found and "qualità eccellente" in found


def test_elided_articles_and_elongations():
    found = keywords("L'applicazione dell'Aurora è lentissimaaa, che schifooo", "it")
    assert "applicazione" in found and "lentissima" in found and "schifo" in found
    assert not any("'" in k for k in found)


def test_a_chosen_phrase_hides_its_words():
    found = keywords("Miscela Alba, miscela alba ovunque: la miscela Alba è la migliore", "it")
    assert found[0] == "miscela alba"
    assert "miscela" not in found and "alba" not in found


def test_k_limits_and_ranks():
    text = "Spinlane e-bikes in Leeds: great battery, comfy saddle, smooth brakes, friendly support, cheap monthly pass"
    assert len(keywords(text, "en", k=3)) == 3
    assert keywords(text, "en", k=3) == keywords(text, "en")[:3]
    assert keywords(text, "en", k=0) == []


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "ok ok ok", "@bob https://x.example", "il la di che e", "!!!???"])
def test_texts_without_content_give_no_keywords(text):
    assert keywords(text, "it") == []


def test_huge_text_is_safe():
    found = keywords("consegna veloce e caffè ottimo " * 100_000, "it")
    assert found and len(found) <= 5


def test_stop_words_cover_social_spellings():
    stop = stopwords()
    assert {"perché", "perche", "perchè", "perche'", "più", "piu", "the", "don't", "raga", "lol"} <= stop
    assert not {"consegna", "prezzo", "delivery", "price"} & stop


# -- aspects -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def taxonomy() -> AspectTaxonomy:
    return AspectTaxonomy.default()


def test_default_aspects_in_order(taxonomy):
    assert taxonomy.names == ("product", "price", "service", "delivery", "staff", "app")


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Le consegne sono sempre in ritardo", "it", ["delivery"]),
    ("Ordine consegnato al vicino, il corriere non ha nemmeno suonato", "it", ["delivery"]),
    ("Two deliveries this week and both arrived cold", "en", ["delivery"]),
    ("It was delivered to the wrong flat", "en", ["delivery"]),
    ("Il prezzo è salito di nuovo, costa troppo", "it", ["price"]),
    ("Caffè buono ma caro, i prezzi sono aumentati", "it", ["price"]),
    ("Way too expensive for what it is, the price doubled", "en", ["price"]),
    ("Il personale è gentile ma il servizio è lentissimo", "it", ["service", "staff"]),
    ("The barista was rude and the staff ignored us", "en", ["staff"]),
    ("L'app si blocca al pagamento", "it", ["price", "app"]),
    ("The app keeps crashing at checkout", "en", ["app"]),
    ("La qualità del prodotto è calata, il gusto non è più quello", "it", ["product"]),
    ("Il rider era gentilissimo e la consegna puntuale", "it", ["delivery"]),
    ("Ho pagato due volte e l'ordine non è mai arrivato", "it", ["price", "delivery"]),
    ("Paid twice and my order never arrived", "en", ["price", "delivery"]),
])
def test_inflected_forms_in_both_languages(taxonomy, text, language, expected):
    assert taxonomy.aspects(text, language) == expected


@pytest.mark.parametrize(("text", "language"), [
    ("Pasta con il prezzemolo fresco dell'orto", "it"),
    ("I filled in the application form for the job", "en"),
    ("The view from the coast was priceless", "en"),
    ("Spedale di Santa Maria, visita guidata", "it"),
    ("Che bella giornata oggi", "it"),
    ("", "en"),
])
def test_unrelated_words_are_not_aspects(taxonomy, text, language):
    aspects = taxonomy.aspects(text, language)
    assert "price" not in aspects and "app" not in aspects and "delivery" not in aspects


def test_accents_and_case_do_not_matter(taxonomy):
    assert taxonomy.aspects("QUALITA pessima", "it") == taxonomy.aspects("qualità pessima", "it") == ["product"]


def test_italian_texts_also_match_english_loanwords_but_not_the_reverse(taxonomy):
    assert taxonomy.aspects("Lo staff del delivery è stato top", "it") == ["delivery", "staff"]
    assert taxonomy.aspects("We drove along the costa to the hotel", "en") == []
    assert taxonomy.aspects("We drove along the costa to the hotel", None) == ["price"]  # unknown language: all terms


def test_custom_taxonomy_from_toml(tmp_path: Path):
    path = tmp_path / "aspects.toml"
    path.write_text(
        """
        [coffee]
        it = ["caffè", "espress*", "!espressione"]
        en = ["coffee", "espresso*"]

        [bike]
        it = ["bici*", "pedal assist*"]
        en = ["bike", "bikes", "e-bike*"]
        """,
        encoding="utf-8",
    )
    taxonomy = AspectTaxonomy.from_toml(path)
    assert taxonomy.names == ("coffee", "bike")
    assert taxonomy.aspects("Due espressi e una bicicletta", "it") == ["coffee", "bike"]
    assert taxonomy.aspects("Che espressione!", "it") == []
    assert taxonomy.aspects("Great e-bikes, better coffee", "en") == ["coffee", "bike"]
    assert taxonomy.aspects("Con la pedal assistance attiva", "it") == ["bike"]


@pytest.mark.parametrize(("content", "message"), [
    ("[price\nit = [", "not valid TOML"),
    ("title = 'aspects'", "aspect 'title'"),
    ("[price]\nit = 'prezzo'", "expected a list of strings"),
    ("[price]\nit = ['pre*zzo']", "bad term"),
    ("[price]\nit = ['']", "bad term"),
    ("", "at least one aspect"),
])
def test_bad_taxonomy_files_give_clear_errors(tmp_path: Path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message) as raised:
        AspectTaxonomy.from_toml(path)
    assert str(path) in str(raised.value)
    assert isinstance(raised.value, PassaparolaError) and isinstance(raised.value, ValueError)


def test_missing_taxonomy_file(tmp_path: Path):
    with pytest.raises(TaxonomyError, match="does not exist"):
        AspectTaxonomy.from_toml(tmp_path / "nope.toml")


def test_huge_text_aspects_are_safe(taxonomy):
    assert taxonomy.aspects("la consegna " * 200_000, "it") == ["delivery"]
