"""Cue phrases for intent, Italian and English: written by us, matched on folded text.

Folded means lower case, accents removed, apostrophes as spaces (so "perché" is written
"perche" and "l'ordine" is "l ordine"). A cue matches whole words; a cue ending in ``*``
is a word start and also matches its inflections ("delus*": delusione, deluso). Keep
cues specific: a cue that fires on ordinary chatter costs precision on every dashboard.
"""

LANGUAGES = ("it", "en")

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "complaint": {
        "it": (
            "non funzion*", "non va", "non si apre", "non carica", "bloccat*", "si blocca", "in ritardo", "ritardo",
            "ritardi", "mai arrivat*", "non e arrivat*", "non sono arrivat*", "non e ancora arrivat*",
            "ancora niente", "ancora nessun*", "nessuno risponde", "nessuna risposta", "non rispond*", "rimborso",
            "rimborsat*", "vergogna", "vergognatevi", "pessim*", "schifo", "disservizi*", "delus*", "reclamo",
            "truffa", "truffat*", "addebit*", "inaccettabil*", "vergognoso", "scandalos*", "rott*", "guast*",
            "difettos*", "problema", "problemi", "lamentel*", "stufo", "stufa", "basta con", "assurdo", "assurda",
            "ridicol*", "mai piu", "peggior*", "orribil*", "insopportabil*", "incompetent*", "sbagliat*", "errore",
            "disastro", "indecente", "furto", "ladri", "ennesim*", "sempre peggio", "non ne posso piu",
            "da evitare", "scortes*", "maleducat*", "scadut*", "annullat*", "cancellat*", "disdett*",
            "attesa infinita", "come e possibile", "quando si decideranno", "mai cosi male", "non ci posso credere",
            "non e normale", "sempre la stessa storia",
        ),
        "en": (
            "doesn t work", "does not work", "not working", "isn t working", "stopped working", "won t load",
            "won t open", "broken", "crash*", "late", "delay*", "never arrived", "hasn t arrived", "still waiting",
            "still no", "no response", "no reply", "not responding", "refund", "worst", "terrible", "awful",
            "horrible", "disappoint*", "scam", "rip off", "ripoff", "charged twice", "double charged",
            "overcharged", "unacceptable", "ridiculous", "complain*", "fed up", "sick of", "never again",
            "useless", "rude", "incompetent", "error", "problem", "problems", "issue with", "issues with",
            "fix this", "fix your", "wtf", "shame on", "pathetic", "disgust*", "cancelled", "canceled", "lost my",
            "wrong order", "defective", "faulty", "poor service", "waste of", "why is my", "why does my",
            "why can t i", "can t log", "can t access", "unable to", "down again", "outage", "not happy", "annoy*",
            "frustrat*", "please help", "tried everything", "drains", "freez*", "stops working", "stop working",
            "keeps crashing", "no picture", "no signal", "flaw", "nonresponsive", "unresponsive", "not good",
            "wrong information", "get it together",
        ),
    },
    "suggestion": {
        "it": (
            "dovreste", "potreste", "sarebbe bello", "sarebbe utile", "sarebbe carino", "sarebbe ora",
            "sarebbe meglio", "perche non", "suggerisco", "suggeriment*", "propongo", "proposta", "un idea",
            "vi consiglio di", "mi piacerebbe se", "mi piacerebbe che", "servirebbe", "aggiungete", "mettete",
            "introducete", "pensateci", "vi chiedo di", "magari potreste", "che ne dite", "mi auguro che", "dovresti",
            "dovrebbe", "dovrebbero", "si potrebbe", "vorrei che", "ci starebbe bene", "metteteci", "ascoltateci",
            "ci ascolti", "venite a", "venite in",
        ),
        "en": (
            "you should", "you guys should", "you could", "it would be nice", "it would be great",
            "would be nice", "would be great", "would love if", "would love to see", "would be cool",
            "why don t you", "why not add", "suggest*", "feature request", "please add", "add an option",
            "i wish you", "i wish there", "consider adding", "how about", "what about adding", "bring back", "i wish",
            "would have appreciated", "need to add", "come to",
        ),
    },
    "purchase": {
        "it": (
            "comprare", "comprarlo", "comprarla", "acquistare", "ordinare", "prenotare", "quanto costa",
            "quanto costano", "quanto viene", "prezzo", "prezzi", "disponibil*", "dove lo trovo", "dove la trovo",
            "dove si compra", "dove posso comprare", "dove posso trovare", "vorrei prendere", "vorrei ordinare",
            "vorrei comprare", "voglio comprare", "voglio prenderlo", "lo prendo", "la prendo", "ne prendo",
            "preordin*", "spedite in", "spedizione", "abbonamento", "abbonarmi", "iscrivermi", "in vendita",
            "fate sconti", "quando esce",
        ),
        "en": (
            "buy", "buying", "purchase", "order one", "pre order", "preorder", "how much", "price", "pricing",
            "in stock", "available in", "availability", "where can i get", "where can i find", "where to get",
            "want to get one", "want one", "need one", "take my money", "subscri*", "sign up", "ship to",
            "shipping to", "do you deliver", "do you ship", "for sale", "when will it be available",
            "when does it come out",
        ),
    },
    "praise": {
        "it": (
            "grazie", "bravi", "brava", "bravo", "ottim*", "fantastic*", "buonissim*", "adoro", "perfett*",
            "complimenti", "il migliore", "la migliore", "i migliori", "eccezional*", "stupend*", "meraviglios*",
            "amo", "che bello", "bellissim*", "consigliatissim*", "lo consiglio", "la consiglio", "favolos*",
            "eccellent*", "impeccabil*", "gentilissim*", "velocissim*", "soddisfatt*", "spettacolo", "da 10",
            "il top",
        ),
        "en": (
            "thank*", "thx", "love", "loved", "great", "awesome", "amazing", "best", "excellent", "recommend*",
            "perfect", "kudos", "well done", "fantastic", "brilliant", "wonderful", "outstanding", "impressed",
            "superb", "delicious", "5 stars", "five stars", "props to", "shout out", "shoutout", "you rock",
            "happy with", "so good",
        ),
    },
}

# An interrogative opening makes a question even without "?" (social text drops it).
QUESTION_OPENINGS: dict[str, tuple[str, ...]] = {
    "it": (
        "come", "dove", "quando", "perche", "quanto", "quanti", "quale", "quali", "chi", "cosa", "che cosa", "posso",
        "si puo", "e possibile", "sapete", "sapreste", "qualcuno sa", "mi sapete dire", "avete", "c e modo", "a che ora",
        "come mai", "per caso",
    ),
    "en": (
        "how", "where", "when", "why", "what", "which", "who", "can i", "can you", "could you", "is it possible",
        "does anyone know", "anyone know", "do you", "is there", "are you", "any idea", "will you",
    ),
}

# Addressing someone: a complaint or praise is a speech act towards the brand.
SECOND_PERSON: dict[str, tuple[str, ...]] = {
    "it": ("voi", "vostr*", "vi", "ti", "tu", "tuo", "tua", "avete", "siete", "fate", "dovete", "potete"),
    "en": ("you", "your", "you re", "you ve", "u", "ur"),
}
