import pytest

from streams.enrichment.promo import is_promo, promo_cues, promo_reason

PROMO_IT = [
    ("🎁 CONCORSO 🎁 Vinci una macchina espresso! Segui, metti like e tagga 3 amici 👉 https://x.example/c", "call_to_action"),
    ("Partecipa al concorso di @caffeaurora e vinci un anno di caffè! Basta condividere questo post", "call_to_action"),
    ("CODICE SCONTO MOKA25 -25% su tutto lo shop 🔥 solo oggi", "code"),
    ("Con il codice ALBA10 il primo ordine costa meno 😉", "code"),
    ("Offerta lampo: capsule compostabili a metà prezzo 😱 https://deals.example/x", "discount"),
    ("Sconti fino al 50% su tutta la linea biologica, corri in negozio!", "discount"),
    ("Prendi 3 paghi 2 sulle cialde Gran Crema, fino ad esaurimento scorte", "discount"),
    ("In palio un cesto di prodotti per chi commenta con la sua colazione preferita ☕", "contest"),
    ("Io partecipo! 🍀 @giulia_r @marco88 #concorso #giveaway", "promo_hashtag"),
    ("La mia routine del mattino con la nuova miscela ☕ #adv #sponsorizzato", "disclosure"),
    ("Il macinacaffè che uso ogni giorno: https://amzn.to/3xYz12 😍", "disclosure"),
    ("Trovate tutto al link in bio, spedizione gratuita per i primi 100 ordini", "call_to_action"),
    ("Ultime ore per partecipare al giveaway! In palio una moka d'autore 🎉", "call_to_action"),
    ("Omaggio per tutti: una tazza gratis con ogni box degustazione 🎁", "offer_words"),
]
PROMO_EN = [
    ("🎁 GIVEAWAY 🎁 Win a year of free rides! Follow, like and tag 3 friends 👉 https://x.example/g #giveaway",
     "call_to_action"),
    ("Use code SPIN15 for 15% off your first monthly pass 🔥 today only", "code"),
    ("Flash deal: the e-bikes at half price this weekend 😱", "discount"),
    ("Last hours to enter the Spinlane giveaway! Prize: a free annual membership 🎉", "call_to_action"),
    ("RT to win a cargo bike for a month! Winners will be announced Friday", "call_to_action"),
    ("Enter to win a tasting box, link in bio ✨", "call_to_action"),
    ("25% off all orders this weekend, no code needed", "discount"),
    ("Buy one, get one free on every cold brew until Sunday", "discount"),
    ("My favourite commute gear, honestly 🚲 #ad", "disclosure"),
    ("Loving this new grinder https://www.amazon.co.uk/dp/B0ABC?tag=mycoffee-21", "disclosure"),
    ("Entering this! 🍀 @ollie @sam_k #giveaway", "promo_hashtag"),
]
ORGANIC_IT = [
    "il codice sconto non viene accettato, e l'ordine l'ho pagato pieno 😡",
    "Il codice AURORA20 non funziona, mi dice che è scaduto. Assistenza?",
    "Pronto a fare scorta di cialde, qualcuno ha un codice sconto Miscela Boreale? 🙏",
    "Aspetto gli sconti di Boreale per fare scorta di cialde in offerta. Quando arrivano?",
    "Al supermercato c'è la promo Miscela Boreale sulle cialde, prendo o non prendo? 🤔",
    "Il codice MOKA25 è ancora valido?",
    "Ho partecipato al concorso ma il premio non l'ho mai ricevuto, che truffa",
    "Ciao Federica, ti abbiamo mandato in DM il link diretto e un piccolo sconto di benvenuto.",
    "Ho visto che Caffè Aurora sponsorizza la mezza maratona di Verona",
    "Abbiamo vinto 3 a 1! Che partita ragazzi #forzaparma",
    "Il sale nel caffè? Mia nonna lo faceva sempre, il prezzo sale ma la qualità no",
    "Promossi @caffeaurora, consegna in 20 minuti e cappuccino ancora caldo",
    "Guarda quello in fila per i #saldi, era lo stesso che si lamentava della crisi",
    "",
]
ORGANIC_EN = [
    "the discount code didn't work and support just sent me an FAQ link",
    "Used code RIDE10 at checkout and it says invalid. Great start @spinlane",
    "Is code SPIN15 still valid?",
    "About to buy the monthly pass, anyone got a Spinlane discount code? 🙏",
    "Waiting for the Spinlane sale to switch to the student plan. When is it?",
    "This giveaway is fake, nobody ever wins anything",
    "Commute tip: off-peak rides before 7am are free for members all month 🌅",
    "Phone at 7% and it goes up to 6% while charging. Amazing",
    "Down 3-1 at half time but we still win a game now and then #win",
    "Feel free to reach out, we're happy to help with your order",
    "I listen to that podcast so much I never have time for anything else #sponsor #irony",
]


@pytest.mark.parametrize(("text", "reason"), PROMO_IT + PROMO_EN)
def test_promotions_are_promo_with_their_strongest_cue(text, reason):
    assert is_promo(text, None)
    assert promo_reason(text) == reason


@pytest.mark.parametrize("text", ORGANIC_IT + ORGANIC_EN)
def test_talk_about_promotions_and_ordinary_posts_are_not_promo(text):
    assert not is_promo(text, None), promo_cues(text)
    assert promo_reason(text) is None


def test_a_complaint_about_a_code_has_the_cue_but_the_framing_vetoes_it():
    text = "Il codice AURORA20 non funziona"
    assert promo_cues(text) == {"code": 2}
    assert not is_promo(text, "it")
    assert is_promo("Il codice AURORA20 funziona su tutto lo shop fino a domenica", "it")


def test_code_needs_capitals_and_a_digit():
    assert not is_promo("the unlock QR code won't scan in daylight", "en")
    assert not is_promo("il codice fiscale di mia madre, codice 1234 del pacco", "it")
    assert is_promo("codice BENVENUTO10 per il tuo primo ordine", "it")


def test_disclosure_wins_even_over_complaint_framing():
    assert is_promo("Questa crema non funziona solo sul viso, provatela ovunque #adv", "it")


def test_one_offer_word_is_not_enough():
    assert not is_promo("Consegna gratis sopra i 20 euro", "it")
    assert is_promo("Consegna gratis e sconto sul primo ordine per tutti!", "it")


def test_language_does_not_change_the_verdict():
    for text, _ in PROMO_IT + PROMO_EN:
        assert is_promo(text, "it") == is_promo(text, "en") == is_promo(text, None) == is_promo(text, "es")


def test_huge_text_is_cut_not_choked_on():
    assert is_promo("Use code SPIN15 for 15% off! " + "blah " * 200_000, "en")
    assert not is_promo("blah " * 200_000 + "#giveaway", "en")  # cues past MAX_CHARS are not read


def test_demo_stream_promo_is_found():
    """Recall over the demo's promo posts; precision over posts by users (a brand's own reply
    handing out a welcome code is promo by our rule but not in the demo's truth)."""
    from datetime import datetime, timezone

    from passaparola.demo.generator import generate_with_truth

    mentions, truth = generate_with_truth(anchor=datetime(2025, 1, 10, tzinfo=timezone.utc))
    flagged = {m.id for m in mentions if is_promo(m.text, None)}
    assert len(flagged & truth.promo) >= 0.95 * len(truth.promo)
    by_users = {m.id for m in mentions if not m.author_is_brand} & flagged
    assert len(by_users & truth.promo) >= 0.95 * len(by_users)
