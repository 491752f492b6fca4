"""Promo detection: mentions driven by discounts, coupons, giveaways and contests.

Dashboards separate this bought buzz from organic buzz. The hard part is precision: a
customer writing "the discount code didn't work" or "qualcuno ha un codice sconto?" talks
*about* a promotion; that is a complaint or a question, not promo noise. So words of
promotions ("sconto", "offerta", "discount", "giveaway") never decide alone: promotional
*framing* does. The rule, with Italian and English cues side by side:

1. **A disclosure decides alone**: #ad, #adv, #sponsored, #sponsorizzato, #pubblicità,
   #gifted, #affiliate, "paid partnership", "post sponsorizzato", and affiliate links
   (amzn.to, Amazon ``tag=``, awin, linksynergy, shareasale, skimlinks). "#advertising"
   and "#sponsor" are topics ("what irony #advertising"), not disclosures.
2. Otherwise cues add up, each counted once:

   * weight 2, promotional framing: a coupon code shown (a code word, then a code in
     capitals with a digit: "codice AURORA20", "code SPIN15"); a call to action ("use
     code", "usa il codice", "tagga un amico", "tag 3 friends", "link in bio", "enter to
     win", "enter the giveaway", "partecipa al concorso", "segui, metti like", "like and
     share", "shop now"); contest framing ("in palio", "Vinci un..." / "Win a..." opening a
     sentence, "partecipa e vinci", "concorso a premi", "winners will be announced"); an
     offer with a number ("-30%", "30% off", "30% di sconto", "sconti fino al 50%", "save
     20%", "2x1", "3x2", "prendi 3 paghi 2", "buy one get one"); "offerta lampo", "flash
     sale"; a hashtag that labels a contest or an offer (#giveaway, #concorso, #contest,
     #promo, #offerta, #sconti, #coupon, #codicesconto, #omaggio...);
   * weight 1, each distinct offer word: sconto, offerta, promo, coupon, omaggio, gratis,
     giveaway, concorso, premio, voucher, discount, deal, free, prize, "in regalo", "metà
     prezzo", "half price", "solo oggi", "today only", "ultime ore", "last chance", and
     hashtags of everyday words (#win after a match, #deal, #saldi in a joke, #sale);

   and the mention is promo when they reach 2, **unless** something frames the offer as a
   complaint or a question: a failure ("non funziona", "non viene accettato", "scaduto",
   "didn't work", "invalid", "expired", "never received"), distrust ("truffa", "scam",
   "fake", "rigged"), asking whether it works ("è ancora valido?", "is it legit?"), or
   offer words alone in a question ("quando arrivano gli sconti? voglio l'offerta"): that
   asks for an offer, it is purchase intent.

So "CODICE SCONTO AURORA20 -20% su tutto" (code, percentage), "Partecipa al concorso e
vinci" (call to action), "Flash deal: ..." and "giveaway! Prize: ..." (two offer words)
are promo; "il codice sconto AURORA20 non viene accettato" (failure), "anyone got a
discount code? 🙏" and "c'è la promo sulle cialde, prendo o non prendo?" (one offer word)
are not. Known limits: a brand's own reply handing out a welcome code counts as promo (it
is promotional content; the author fields tell it apart); an organic post with two offer
words ("free delivery with this deal") counts too; a complaint that never says what went
wrong ("codice AURORA20 e poi? 🙄") does not veto.

``language`` selects nothing yet: both languages' cues always apply, because promo posts
mix them ("GIVEAWAY", "#win" in Italian texts) and neither language's cues are ordinary
words of the other ("sale", Italian for salt, is left out: only "on sale" counts).

Speed: the words are looked up in sets first; the phrase patterns run only when one of
their anchor words is present, so most mentions cost one tokenisation.
"""

from __future__ import annotations

import re

MAX_CHARS = 2000  # promo framing is never buried deep in a long text

# Disclosures of paid or gifted content ("#advertising" and "#sponsor" are topics, not disclosures).
_DISCLOSURE_TAGS = frozenset(
    "#ad #adv #ads #sponsored #sponsoredpost #sponsorizzato #sponsorizzata #pubblicità #pubblicita "
    "#paidpartnership #gifted #affiliate #affiliatelink #affiliato #inserzione #spon #werbung".split()
)
# Hashtags that label a post as a contest or an offer (weight 2).
_PROMO_TAGS = frozenset(
    "#giveaway #giveaways #concorso #concorsi #contest #contests #sweepstakes #instantwin #promo #promozione "
    "#promozioni #offerta #offerte #offertalampo #sconto #sconti #coupon #coupons #codicesconto #discountcode "
    "#promocode #omaggio #freebie #freebies #flashsale #sorteo".split()
)
# Offer words (weight 1 each); hashtags of everyday words ("#win" after a match, "#deal",
# "#saldi" in a joke about queues) count as the word, not as a label.
_OFFER_WORDS = frozenset(
    "sconto sconti scontato scontata scontati scontate offerta offerte promo promozione promozioni coupon "
    "omaggio omaggi gratis gratuito gratuita gratuiti gratuite giveaway concorso premio premi voucher "
    "discount discounts discounted deal deals free prize prizes freebie "
    "#win #vinci #deal #deals #discount #saldi #sale #regalo #blackfriday #cybermonday #free".split()
)
_OFFER_PHRASES = re.compile(
    r"(?<!\w)(?:met[aà] prezzo|half[ -]price|solo oggi|solo per oggi|today only|ultime ore|ultimi giorni|"
    r"last (?:chance|hours|day)|in regalo|on sale|limited time|tempo limitato|fino ad esaurimento)(?!\w)"
)
_OFFER_PHRASE_ANCHORS = frozenset("metà meta half solo today ultime ultimi last regalo sale limited tempo esaurimento".split())

_W = r"(?<![\w#@])"  # a word starts here (not inside a word, hashtag or handle)
_E = r"(?!\w)"  # a word ends here
_NUM = r"(?:a|an|one|un|una|uno|due|tre|two|three|the|il|la|i|le|\d+)"


def _words(*alternatives: str) -> str:
    """Alternatives that each start at a word boundary and end at one."""
    return "|".join(f"{_W}(?:{a}){_E}" for a in alternatives)


# (name, weight, anchor words, pattern): the pattern runs on the lowercased text only when
# one of the anchor words is among its words. Weight 3 is a disclosure: it decides alone.
_PHRASES: tuple[tuple[str, int, str, str], ...] = (
    ("disclosure", 3, "paid sponsorizzato sponsored",
     _words(r"paid partnership", r"(?:post|contenuto) sponsorizzato", r"sponsored (?:post|content)")),
    ("call_to_action", 2, "use enter apply redeem usa usate inserisci inserite utilizza utilizzate",
     _words(r"(?:use|enter|apply|redeem) (?:the |my |our )?(?:promo |discount |coupon )?code",
            r"(?:usa|usate|inserisci|inserite|utilizza|utilizzate) (?:il |l')?(?:codice|coupon)")),
    ("call_to_action", 2, "tagga taggate tag",
     _words(r"(?:tagga|taggate) (?:un |una |i tuoi |le tue |tutti |\d+ |due |tre )?(?:amic|persone)\w*",
            r"tag (?:a |your |some |\d+ |two |three )?(?:friend|bestie|mate|buddy|buddies)\w*")),
    ("call_to_action", 2, "link", _words(r"link (?:in|nella|in the) bio")),
    ("call_to_action", 2, "enter entering retweet rt follow like share comment chance",
     _words(r"(?:enter|entering|retweet|rt|follow|like|share|comment)(?: (?:and|&) \w+)? (?:to|for a chance to) win",
            r"(?:a|for a|your) chance to win",
            r"(?:enter|entering) (?:the |our |my |this )?(?:[\w']+ ){0,3}(?:giveaway|contest|competition|draw|sweepstakes)")),
    ("call_to_action", 2, "partecipa partecipate partecipare partecipo",
     _words(r"partecip(?:a|ate|are|o) (?:subito |anche tu |ora )?(?:al |alla |ai |all'|il )?(?:nostro |nostra |grande )?"
            r"(?:[\w']+ ){0,2}(?:concorso|giveaway|contest|estrazione)")),
    ("call_to_action", 2, "like follow segui metti",
     _words(r"(?:like|follow|segui|metti (?:like|mi piace))(?:,? (?:&|and|e) |, ?)"
            r"(?:share|rt|retweet|condividi|tagga|tag|like|metti like|metti mi piace|follow|segui|comment|commenta)")),
    ("call_to_action", 2, "shop order buy acquista compra ordina",
     _words(r"(?:shop|order|buy|acquista|acquistate|compra|comprate|ordina|ordinate) (?:now|ora|subito|qui|here)")),
    ("contest", 2, "palio vinci win winner winners vincitore vincitori vincitrice premi",
     r"(?:^|[.!?:;\n]|[^\w\s#@,'’])\s*(?:vinci|win) " + _NUM + _E + "|"  # "Vinci un...", "🎁 Win a..."
     + _words(r"in palio", r"(?:e|and|&) (?:vinci|win) " + _NUM, r"concorso a premi",
              r"winners? (?:will be|is|are) (?:announced|picked|chosen|drawn)",
              r"(?:vincitor[ei]|vincitrice) (?:sar[aà]|verr[aà]|saranno|verranno) (?:estratt|annunciat|scelt|comunicat)\w*")),
    ("discount", 2, "% x 2x1 3x2 3x1 4x3 2x 3x prendi buy bogo lampo speciale esclusiva flash lightning",
     r"(?:^|[\s(])-\d{1,2}\s?%|\d{1,2}\s?% (?:off|di sconto|in meno)" + _E + "|"  # "-30%", "30% off"
     + _words(r"(?:sconto|sconti|saldi|risparmi|risparmia|risparmiate) (?:del |dell'|fino al |fino all'|fino a |di )?"
              r"\d{1,2}\s?%",
              r"(?:save|extra) \d{1,2}\s?%",
              r"[2-4] ?x ?[1-3]|prendi [2-4] paghi [1-3]|buy one,? get one|bogo",
              r"(?:offerta|offerte|promo) (?:lampo|speciale|esclusiva)",
              r"(?:flash|lightning) (?:sale|deal)s?")),
)

# A coupon code shown: a code word, then a code in capitals with a digit ("codice AURORA20").
# Run on the original text, since the capitals are the point.
_CODE_ANCHORS = frozenset("code codice coupon voucher promocode".split())
_CODE = re.compile(
    r"(?i:(?<![\w#@])(?:promo ?code|discount code|coupon code|codice (?:sconto|promo)|buono sconto|code|codice|coupon|voucher))"
    r"\s*[:=]?\s*[\"'«“]?(?=[A-Z]*\d)[A-Z][A-Z0-9]{3,15}(?!\w)"
)
_AFFILIATE = re.compile(
    r"(?:amzn\.(?:to|eu)|awin1\.com|click\.linksynergy\.com|shareasale\.com|go\.skimresources\.com|rstyle\.me|tidd\.ly)/"
    r"|amazon\.[a-z.]+/\S*[?&]tag=|[?&](?:aff_id|affid|affiliate_id|campid)=|utm_medium=affiliate"
)

_FRAMING = re.compile(
    # a complaint: the offer failed, or is not trusted
    r"(?<!\w)(?:non (?:funziona|funzionava|va|andava|vale|valeva|accetta|applica|me l[oa] (?:accetta|applica)|"
    r"viene (?:accettat|applicat|riconosciut)|[eè] (?:stat[oa] )?(?:accettat|applicat|valid|riconosciut)|[eè] pi[uù] valid)|"
    r"scadut|rifiutat|mai (?:arrivat|ricevut)|non (?:ho|abbiamo) (?:mai )?ricevut|truffa|fregatura|truccat|"
    r"doesn'?t work|didn'?t work|does not work|did not work|(?:isn|wasn)'?t (?:working|accepted|applied|valid)|not working|"
    r"won'?t (?:work|apply)|invalid|expired|rejected|declined|not (?:accepted|applied|valid)|never (?:got|received|arrived|came)|"
    r"scam|fake|rigged|ripoff|rip-off)"
    # a question: whether it works, is valid or is real
    r"|(?:funziona|funzionano|valid[oa]?|vale|work|works|apply|applies|legit|real)\s?\?",
)

_TOKEN = re.compile(r"#?\w+|%")
_PRIORITY = ("code", "call_to_action", "contest", "discount", "promo_hashtag", "offer_words")
_COMPILED = tuple((name, weight, frozenset(anchors.split()), re.compile(pattern))
                  for name, weight, anchors, pattern in _PHRASES)
_ANCHORS = frozenset().union(*(anchors for _, _, anchors, _ in _COMPILED), _CODE_ANCHORS, _OFFER_PHRASE_ANCHORS)
_URL_HINTS = ("amzn.", "tag=", "aff", "campid=", "awin1", "linksynergy", "shareasale", "skimresources", "rstyle.me", "tidd.ly")


def _tokens(folded: str) -> set[str]:
    # apostrophes split words: "dell'offerta" gives "dell" and "offerta"
    return set(_TOKEN.findall(folded))


def promo_cues(text: str) -> dict[str, int]:
    """The cues found in ``text``, name -> weight (offer words add up), for explanations and tests."""
    head = (text or "")[:MAX_CHARS]
    folded = head.lower()
    words = _tokens(folded)
    cues: dict[str, int] = {}
    if not words.isdisjoint(_DISCLOSURE_TAGS) or ("/" in folded and any(h in folded for h in _URL_HINTS)
                                                    and _AFFILIATE.search(folded)):
        cues["disclosure"] = 3
    if not words.isdisjoint(_PROMO_TAGS):
        cues["promo_hashtag"] = 2
    offers = len(words & _OFFER_WORDS)
    if not words.isdisjoint(_ANCHORS):
        if not words.isdisjoint(_OFFER_PHRASE_ANCHORS):
            offers += len(set(_OFFER_PHRASES.findall(folded)))
        for name, weight, anchors, pattern in _COMPILED:
            if name not in cues and not words.isdisjoint(anchors) and pattern.search(folded):
                cues[name] = weight
        if not words.isdisjoint(_CODE_ANCHORS) and _CODE.search(head):
            cues["code"] = 2
    if offers:
        cues["offer_words"] = offers
    return cues


def promo_reason(text: str, language: str | None = None) -> str | None:
    """Why ``text`` is promo (its strongest cue: "disclosure", "code", "call_to_action",
    "contest", "discount", "promo_hashtag" or "offer_words"), or None when it is not."""
    text = text or ""
    cues = promo_cues(text)
    if "disclosure" in cues:
        return "disclosure"
    if sum(cues.values()) < 2 or _FRAMING.search(text[:MAX_CHARS].lower()):
        return None
    if len(cues) == 1 and "offer_words" in cues and "?" in text:
        return None  # offer words in a question ask for an offer: purchase intent, not promo
    return next(name for name in _PRIORITY if name in cues)


def is_promo(text: str, language: str | None = None) -> bool:
    """Whether ``text`` is driven by a discount, coupon, giveaway or contest (see the module rule)."""
    return promo_reason(text, language) is not None
