"""Hand-written text material for the demo stream (see :mod:`passaparola.demo.generator`).

Everything here was written for Passaparola: no real posts, no third-party text, no real
brands or people. Brands, products, publications and accounts are invented; cities are
real places only because a buzz monitor without places would look odd.

Templates are ``str.format`` strings. ``{slot}`` is filled from the slot tables below (per
language, then per brand and language); a digit after a name (``{issue2}``) draws a second,
different value from the same table; ``_cap`` capitalises the value (``{aspect_cap}``).
Italian products are written ``article|noun`` so the generator can build "del", "al", ...
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------
# Slots shared by every brand, per language.
# ---------------------------------------------------------------------------------------

COMMON: dict[str, dict[str, list[str]]] = {
    "it": {
        "emoji_pos": ["😍", "❤️", "🙌", "😊", "👏", "🔥", "✨", "😋", "💯", "🥰"],
        "emoji_neg": ["😡", "😤", "🙄", "😒", "👎", "😩", "🤬", "😞", "🤦‍♀️", "🤦‍♂️"],
        "emoji_meh": ["🤔", "👀", "😅", "🤷", "🙃"],
        "wow": ["spettacolo", "top", "una bomba", "che meraviglia", "favolosi", "bellissimo", "grandi", "che goduria"],
        "ugh": ["che schifo", "assurdo", "ridicolo", "che pazienza", "roba da matti", "incredibile", "che tristezza"],
        "close_neg": [
            "Inaccettabile.", "Mai più.", "Che delusione.", "Ma scherziamo?", "Basta, cambio.",
            "Siete peggiorati tantissimo.", "Vergogna.", "Non ci siamo proprio.", "Pessimo servizio.", "Ridicolo.",
        ],
        "intens": ["davvero", "veramente", "proprio", "parecchio", "super"],
        "non": ["non", "non", "non", "NON"],
        "since": ["stamattina", "ieri sera", "due giorni", "ieri", "un'ora", "lunedì", "venerdì"],
        "wait": ["un'ora", "45 minuti", "due ore", "tre giorni", "una settimana", "venti minuti", "cinque giorni"],
        "time": ["stamattina", "ieri sera", "oggi a pranzo", "sabato mattina", "alle 8", "ieri", "poco fa", "domenica"],
        "tags_neg": ["#disservizio", "#maipiù", "#servizioclienti", "#delusione"],
        "tags_any": ["#lunedì", "#vitadapendolare", "#milano", "#roma", "#torino", "#bologna"],
    },
    "en": {
        "emoji_pos": ["😍", "❤️", "🙌", "😊", "👏", "🔥", "✨", "😋", "💯", "🥳"],
        "emoji_neg": ["😡", "😤", "🙄", "😒", "👎", "😩", "🤬", "😞", "🤦‍♀️", "🤦‍♂️"],
        "emoji_meh": ["🤔", "👀", "😅", "🤷", "🙃"],
        "wow": ["amazing", "brilliant", "legends", "superb", "top notch", "so good", "sooo good", "class", "amaaazing"],
        "ugh": ["unbelievable", "ridiculous", "absolute joke", "what a mess", "so annoying", "honestly unreal"],
        "close_neg": [
            "Unacceptable.", "Never again.", "So disappointed.", "Are you kidding me?", "Done. Switching.",
            "You've gone downhill.", "Shameful.", "Not good enough.", "Terrible service.", "Ridiculous.",
        ],
        "intens": ["really", "seriously", "genuinely", "properly", "super"],
        "non": ["not", "not", "not", "NOT"],
        "since": ["this morning", "last night", "yesterday", "lunchtime", "Monday", "Friday"],
        "wait": ["an hour", "45 minutes", "two hours", "three days", "a week", "20 minutes", "five days"],
        "time": ["this morning", "last night", "at lunch", "on Saturday", "at 8am", "yesterday", "just now", "on Sunday"],
        "tags_neg": ["#fail", "#customerservice", "#fixit", "#notimpressed"],
        "tags_any": ["#monday", "#commute", "#citylife", "#weekend"],
    },
}

# Interjections that open a post now and then ("Raga, ..."), by intent.
OPENERS: dict[str, dict[str, list[str]]] = {
    "it": {
        "complaint": ["Vabbè", "Niente", "Raga", "Ma dai", "Allora", "Mamma mia", "Ok basta"],
        "praise": ["Raga", "Allora", "Ok", "Ragazzi", "Niente da dire"],
        "_": ["Raga", "Allora", "Ok", "Boh", "Ragazzi"],
    },
    "en": {
        "complaint": ["Ugh", "Honestly", "Right", "Ok so", "Seriously", "Great"],
        "praise": ["Ok", "Honestly", "Not gonna lie", "Wow", "Shoutout"],
        "_": ["So", "Ok", "PSA", "Lol", "Random thought"],
    },
}

# ---------------------------------------------------------------------------------------
# Generic templates per language and intent; brand flavour comes through the slots.
# ---------------------------------------------------------------------------------------

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "it": {
        "complaint": [
            "{brand} {issue}. {close_neg}",
            "Ma è possibile che {issue}?? {brand} svegliatevi",
            "Terza volta questo mese che {issue}. Complimenti {brand} 👏",
            "Io a {brand} voglio anche bene, ma {issue} {emoji_neg}",
            "Assistenza {brand} inesistente: ho scritto {wait} fa e nessuno mi ha risposto. {close_neg}",
            "Rimborso chiesto {wait} fa e ancora niente. {brand}, che fine fanno i soldi dei clienti?",
            "Ok, ufficialmente deluso da {brand}. {issue_cap} e nessuno risponde.",
            "{issue_cap}. Ma perché {brand}? PERCHÉ {emoji_neg}",
            "Recensione onesta su {brand}: {issue}. Una stella ⭐",
            "Gentile {brand}, {issue}. Non è così che si trattano i clienti.",
            "{brand} ma che vi succede? Prima {issue}, poi {issue2}... {ugh}",
            "Niente da fare, anche oggi {issue}. Grazie eh {brand} 🙃",
            "Che rabbia: {issue}. {brand} fatevi sentire",
            "Scusate ma solo a me {brand} fa questi scherzi? {issue_cap}, di nuovo.",
            "Bellissimo iniziare la giornata così: {issue}. Bravi {brand}, bravissimi 👏👏",
            "{brand} {issue} e la chat dell'assistenza mi propone le FAQ. {ugh_cap}",
            "Cliente fedele da anni e {issue}. Mi state perdendo, {brand}.",
            "Segnalo a {brand} che {issue}. Sistemate per favore, è {intens} fastidioso",
            "{ugh_cap}. {brand} {issue}.",
            "{brand} da {since} {issue}. Qualcuno mi sa dire qualcosa? {emoji_neg}",
        ],
        "question": [
            "{brand} {ask}",
            "Domanda per {brand}: {ask}",
            "Ciao {brand}, {ask} Grazie mille!",
            "Scusate {brand}, {ask}",
            "Qualcuno sa darmi qualche info? Tema: {ask_about}. Sul sito di {brand_plain} non trovo niente",
            "Ragazzi, qualcuno ha provato {product_art} di {brand}? Come vi trovate?",
            "Info: {brand} {ask}",
            "Qualcuno mi spiega {ask_about}? {brand} help 🤔",
            "Prima di iscrivermi: {brand} {ask}",
            "{brand} una domanda veloce: {ask}",
            "Domanda forse stupida ma {brand} {ask}",
            "Aiuto! {brand} {ask}",
            "Domanda su {brand} ({ask_about}): qualcuno ne sa qualcosa? Chiedo per un amico 😅",
            "Chi usa {brand} da tanto: {ask}",
        ],
        "suggestion": [
            "{brand} avete mai pensato di {idea}? Lo userei ogni giorno",
            "Secondo me {brand} dovrebbe {idea}. Chi è d'accordo? 🙋",
            "Proposta per {brand}: {idea}. Vi costa poco e ci fate felici",
            "Sogno il giorno in cui {brand} deciderà di {idea} {emoji_pos}",
            "Consiglio non richiesto a {brand}: {idea}. Prego 😉",
            "{brand} l'idea è semplice: {idea}. Fatelo e vi adoro",
            "Ma perché {brand} non decide di {idea}? Io ci sto",
            "{brand}, vi prego di {idea} 🙏",
            "Lancio un'idea a {brand}: {idea}. Che ne dite?",
            "Unica cosa che manca a {brand}: {idea_noun_cap}",
        ],
        "purchase": [
            "Sto pensando di {want}. {brand} ne vale la pena?",
            "Voglio {want}: {brand} c'è qualche offerta in corso?",
            "Pronto a {want}, qualcuno ha un codice sconto {brand_plain}? 🙏",
            "Consigli? Indeciso tra {product_art} e {product_art2} di {brand}",
            "Qualcuno sa i prezzi {product_del} di {brand}? Sul sito non li trovo",
            "Mi convincete a {want}? Dai {brand}, fatemi un'offerta 😄",
            "Aspetto gli sconti di {brand} per {want}. Quando arrivano?",
            "Deciso: oggi provo a {want}. {brand} non deludetemi {emoji_pos}",
            "Ultima domanda prima di {want}: {brand} {ask}",
            "{brand} si può pagare con la carta prepagata? Vorrei {want} oggi",
            "Chi mi consiglia come {want_how}? {brand} o aspetto?",
        ],
        "praise": [
            "{product_cap} di {brand}? Una favola {emoji_pos}",
            "Non pensavo di dirlo ma {aspect}. Promossi {brand}!",
            "{wow_cap}! {aspect_cap} {emoji_pos} {brand}",
            "Devo ammetterlo: {aspect}. Bravi {brand} 👏",
            "Da quando ho scoperto {brand} non torno più indietro. {aspect_cap}.",
            "Assistenza {brand} top: {support}",
            "{brand} sempre una garanzia {emoji_pos}",
            "Ok {brand}, mi avete conquistato: {aspect}",
            "10 e lode a {brand}, {aspect} {emoji_pos}",
            "Giornata storta salvata da {brand}. {aspect_cap} ❤️",
            "Consiglio {brand} a tutti, {aspect} {emoji_pos}",
            "Chi mi segue lo sa, sono difficile. Ma {aspect}. Chapeau {brand}",
            "{aspect_cap}. Che dire, grazie {brand}!",
            "Recensione a cinque stelle per {brand}: {aspect} ⭐⭐⭐⭐⭐",
            "Che bello quando le cose funzionano: {aspect}. {brand} {wow}!",
        ],
        "other": [
            "Ho visto che {brand} {news}",
            "{brand} {news}, vediamo come va",
            "Sentito oggi alla radio che {brand} {news}. Curioso di vedere",
            "In ufficio il dibattito del giorno: {brand} o {rival}? 😂",
            "Mia madre ha scoperto {brand}. Ora mi manda foto ogni giorno 😂",
            "Curiosità: {brand} {news}. Non lo sapevo",
            "{brand} {news}. Ne parlavamo proprio ieri a cena",
            "Lunedì, sveglia alle 6, {brand}. Routine.",
            "Non so voi, ma io con {brand} ho un rapporto complicato 😅",
            "Lo spot nuovo di {brand} me l'hanno girato in tre oggi 😄",
            "Notizia del giorno: {brand} {news}",
            "A quanto pare {brand} {news}. Staremo a vedere 👀",
        ],
    },
    "en": {
        "complaint": [
            "{brand} {issue}. {close_neg}",
            "How is it possible that {issue}?? Sort it out {brand}",
            "Third time this month {issue}. Great job {brand} 👏",
            "I really want to like {brand} but {issue} {emoji_neg}",
            "Emailed {brand} support {wait} ago. Nothing. {close_neg}",
            "Still waiting on a refund from {brand} after {wait}. Where does the money go?",
            "Officially done with {brand}. {issue_cap} and nobody answers.",
            "{issue_cap}. Why {brand}? WHY {emoji_neg}",
            "Honest review of {brand}: {issue}. One star ⭐",
            "Dear {brand}, {issue}. This is not how you treat customers.",
            "What is going on {brand}? First {issue}, then {issue2}. {ugh_cap}",
            "Love starting my day like this: {issue}. Cheers {brand} 🙃",
            "{brand} {issue} and the support chat just sends me FAQ links. {ugh_cap}",
            "Loyal customer for years and {issue}. You're losing me, {brand}.",
            "Reporting to {brand} that {issue}. Please fix it, it's {intens} annoying",
            "Is it just me or {issue}? {brand} I'm {non} impressed",
            "{ugh_cap}. {brand} {issue}.",
            "Not gonna lie, {brand} {issue} and I'm {intens} fed up",
            "Since {since} {issue}. Anyone from {brand} reading this? {emoji_neg}",
        ],
        "question": [
            "{brand} {ask}",
            "Question for {brand}: {ask}",
            "Hi {brand}, {ask} Thanks!",
            "Quick one {brand}: {ask}",
            "Anyone know anything about {ask_about}? Can't find it on the {brand_plain} website",
            "Has anyone tried {product} from {brand}? Worth it?",
            "Dumb question but {brand} {ask}",
            "Help! {brand} {ask}",
            "Before I sign up: {brand} {ask}",
            "Can someone explain {ask_about} to me? {brand} 🤔",
            "Asking for a friend 😅 {brand} {ask}",
            "{brand} genuine question: {ask}",
            "Long-time {brand} users: {ask}",
        ],
        "suggestion": [
            "{brand} you should really {idea}",
            "Idea for {brand}: {idea}. You're welcome 😉",
            "Dear {brand}, please {idea} 🙏",
            "Would love it if {brand} could {idea}",
            "Why doesn't {brand} {idea}? Seems obvious",
            "Feature request for {brand}: {idea}",
            "Hot take: {brand} should {idea}. Who's with me? 🙋",
            "{brand} one small thing: {idea} and I'd never complain again",
            "Unsolicited advice for {brand}: {idea}",
            "Dreaming of the day {brand} decides to {idea} {emoji_pos}",
        ],
        "purchase": [
            "Thinking about {want}. {brand} worth it?",
            "Want to {want_inf}. {brand} any deals on right now?",
            "About to {want_inf}, anyone got a {brand_plain} discount code? 🙏",
            "Torn between {product} and {product2} from {brand}, advice?",
            "What's the price of {product} at {brand} these days? Can't find it on the site",
            "Convince me to {want_inf}. Go on {brand}, make me an offer 😄",
            "Waiting for the {brand_plain} sale to {want_inf}. When is it?",
            "Right, I'm going to {want_inf} today. {brand} don't let me down {emoji_pos}",
            "Last question before I {want_inf}: {brand} {ask}",
            "Can I pay with a prepaid card? {brand} I want to {want_inf} tonight",
        ],
        "praise": [
            "{product_cap} from {brand}? A dream {emoji_pos}",
            "Didn't think I'd say this but {aspect}. Well done {brand}!",
            "{wow_cap}! {aspect_cap} {emoji_pos} {brand}",
            "Have to admit it: {aspect}. Nice one {brand} 👏",
            "Since I found {brand} there's no going back. {aspect_cap}.",
            "{brand} support is top: {support}",
            "{brand} never lets me down {emoji_pos}",
            "Ok {brand}, you won me over: {aspect}",
            "10/10 to {brand}, {aspect} {emoji_pos}",
            "Bad day rescued by {brand}. {aspect_cap} ❤️",
            "Recommend {brand} to everyone, {aspect} {emoji_pos}",
            "Anyone who follows me knows I'm hard to please. But {aspect}. Hats off {brand}",
            "{aspect_cap}. What can I say, thanks {brand}!",
            "Five star review for {brand}: {aspect} ⭐⭐⭐⭐⭐",
            "Love it when things just work: {aspect}. {brand} {wow}!",
        ],
        "other": [
            "Saw that {brand} {news}",
            "{brand} {news}, let's see how it goes",
            "Heard on the radio that {brand} {news}. Curious",
            "Office debate of the day: {brand} or {rival}? 😂",
            "My mum discovered {brand}. Now she sends me photos every day 😂",
            "TIL {brand} {news}",
            "{brand} {news}. We were literally talking about this at dinner",
            "Monday, 6am alarm, {brand}. Routine.",
            "Not sure how I feel about {brand} tbh 😅",
            "Three people sent me the new {brand_plain} ad today 😄",
            "News of the day: {brand} {news}",
            "Apparently {brand} {news}. We'll see 👀",
        ],
    },
}

# Short texts in the "few other" languages, by brand category (coffee, bike) and intent.
SHORT_TEMPLATES: dict[str, dict[str, dict[str, list[str]]]] = {
    "es": {
        "coffee": {
            "praise": ["¡El cappuccino de {brand} está buenísimo! ☕", "Probé {brand} en {city} y me encantó 😍", "El mejor café de todo el viaje: {brand} en {city}"],
            "complaint": ["Mi pedido de {brand} llegó frío y tarde 😤", "La app de {brand} no acepta mi tarjeta, qué desastre", "Pagué el envío y el café de {brand} llegó derramado", "En {city} el servicio de {brand} deja mucho que desear", "Cuarenta minutos esperando un café de {brand} en {city}. Nunca más"],
            "question": ["¿{brand} envía a España?", "¿Alguien sabe si {brand} abre los domingos en {city}?", "¿{brand} tiene la app en español?"],
            "purchase": ["Quiero llevarme café de {brand} a casa, ¿dónde lo venden en {city}?", "Voy a pedir la caja de degustación de {brand} para regalar", "Antes de irme de {city} compro un kilo de café de {brand}"],
            "other": ["Desayuno italiano con {brand} en {city} ☕", "Primer día en {city} y primera parada: {brand}"],
        },
        "bike": {
            "praise": ["Recorrer {city} con las bicis de {brand} fue genial 🚲", "Las bicis eléctricas de {brand} son comodísimas"],
            "complaint": ["La bici de {brand} no se desbloquea y la app me cobra igual", "Ninguna estación libre en {city}, {brand} así no 😤"],
            "question": ["¿Cuánto cuesta el pase de un día de {brand}?", "¿{brand} acepta tarjetas extranjeras?"],
            "purchase": ["Voy a sacar el pase semanal de {brand} para las vacaciones", "¿Vale la pena el pase mensual de {brand} para tres semanas en {city}?"],
            "other": ["Primera vez en bici por {city} con {brand}", "Hoy toca paseo en bici por {city} 🚲 {brand}"],
        },
    },
    "fr": {
        "coffee": {
            "praise": ["Le meilleur cappuccino de mon séjour, merci {brand} ☕", "Franchement {brand}, c'est délicieux 😍", "Petite découverte à {city} : {brand}. Excellent."],
            "complaint": ["Commande {brand} arrivée froide, très déçu", "L'appli {brand} ne marche pas avec ma carte 😤", "Une heure d'attente pour un café {brand}, sérieusement ?", "Livraison {brand} à {city} : café renversé et froid. Bof."],
            "question": ["{brand} vous livrez en France ?", "Quelqu'un sait si {brand} est ouvert le dimanche à {city} ?", "L'appli {brand} existe en français ?"],
            "purchase": ["Je vais commander la box dégustation {brand} pour offrir", "Où acheter le café {brand} à {city} ?", "Avant de quitter {city}, je ramène un paquet de café {brand}"],
            "other": ["Petit café chez {brand} à {city} avant le train", "Pause café italienne à {city} avec {brand} ☕"],
        },
        "bike": {
            "praise": ["Super expérience avec les vélos {brand} à {city} 🚲", "Les vélos électriques {brand}, un vrai bonheur"],
            "complaint": ["Le vélo {brand} s'est bloqué en pleine rue, impossible de le rendre", "Aucune borne libre à {city}, {brand} c'est pénible 😤"],
            "question": ["Est-ce que {brand} accepte les cartes étrangères ?", "Combien coûte le pass journée {brand} à {city} ?"],
            "purchase": ["Je prends le pass journée {brand} demain", "Le pass mensuel {brand} vaut le coup pour un stage à {city} ?"],
            "other": ["Balade à vélo à {city} avec {brand}", "Premier trajet {brand} à {city} 🚲"],
        },
    },
    "de": {
        "coffee": {
            "praise": ["Bester Cappuccino in {city}, danke {brand}! ☕", "{brand} ist eine echte Entdeckung 😍", "Der Espresso von {brand} ist einfach perfekt"],
            "complaint": ["Bestellung bei {brand} kam kalt an. Schade.", "Die App von {brand} nimmt meine Karte nicht 😤", "Eine Stunde auf den Kaffee von {brand} gewartet. Ärgerlich."],
            "question": ["Liefert {brand} auch nach Deutschland?", "Hat {brand} in {city} sonntags geöffnet?", "Gibt es die App von {brand} auch auf Deutsch?"],
            "purchase": ["Ich will die Alba-Mischung von {brand} kaufen, gibt es die online?", "Bestelle gleich die Probierbox von {brand} als Geschenk"],
            "other": ["Kaffeepause mit {brand} in {city}", "Urlaubsmorgen in {city}: erst mal {brand} ☕"],
        },
        "bike": {
            "praise": ["Mit {brand} durch {city} – super entspannt 🚲", "Die E-Bikes von {brand} sind richtig gut"],
            "complaint": ["Das E-Bike von {brand} war nach zehn Minuten leer. Ärgerlich.", "Keine freie Station in {city}, {brand} so nicht 😤"],
            "question": ["Gibt es bei {brand} einen Tagespass für Touristen?", "Nimmt {brand} ausländische Karten?", "Wie viel kostet der Tagespass von {brand} in {city}?"],
            "purchase": ["Ich überlege, das Monatsabo von {brand} zu holen", "Morgen kaufe ich den Tagespass von {brand}"],
            "other": ["Heute mit {brand} durch {city} geradelt", "Erste Fahrt mit {brand} in {city} 🚲"],
        },
    },
}

# Titles of reddit submissions and blog posts (the roots of discussions), by intent.
TITLES: dict[str, dict[str, list[str]]] = {
    "it": {
        "complaint": ["Esperienza pessima con {brand_plain}", "{brand_plain}: capita solo a me?", "Sfogo su {brand_plain}", "Attenzione con {brand_plain}", "Perché ho smesso di usare {brand_plain}"],
        "question": ["Domanda su {brand_plain}", "Info: {ask_about}", "{brand_plain}: qualcuno sa?", "Dubbio: {product_art} di {brand_plain}"],
        "suggestion": ["Idea per {brand_plain}", "Cosa cambierei di {brand_plain}", "{brand_plain}, una proposta"],
        "purchase": ["Vale la pena {want}?", "Consigli prima di {want}", "{brand_plain}: conviene?"],
        "praise": ["Apprezzamento per {brand_plain}", "Recensione: {product_bare} di {brand_plain}", "{brand_plain} mi ha sorpreso", "Ho provato {product_art} di {brand_plain}: la mia recensione"],
        "other": ["{brand_plain} {news}", "Discussione: {brand_plain} o {rival}?", "Cosa ne pensate di {brand_plain}?"],
    },
    "en": {
        "complaint": ["Awful experience with {brand_plain}", "{brand_plain}: is it just me?", "Rant about {brand_plain}", "Be careful with {brand_plain}", "Why I stopped using {brand_plain}"],
        "question": ["Question about {brand_plain}", "Info on {ask_about}?", "{brand_plain}: does anyone know?", "Confused about {brand_plain}"],
        "suggestion": ["An idea for {brand_plain}", "What I'd change about {brand_plain}", "{brand_plain}, a proposal"],
        "purchase": ["Is it worth {want}?", "Advice before {want}", "{brand_plain}: worth the money?"],
        "praise": ["Appreciation post for {brand_plain}", "Review: {product} from {brand_plain}", "{brand_plain} surprised me", "I tried {product} from {brand_plain}: my review"],
        "other": ["{brand_plain} {news}", "Discussion: {brand_plain} or {rival}?", "What do you think of {brand_plain}?"],
    },
}

# Short answers of one user to another in a thread ("anche a me!").
AGREE: dict[str, dict[str, list[str]]] = {
    "it": {
        "complaint": ["Anche a me!! Stessa cosa {time}", "Confermo, successo uguale a {city}", "Idem. Pensavo fosse un problema mio", "Uguale, e nessuno risponde {emoji_neg}", "Pure io, {ugh}", "Stessa identica storia {time}"],
        "praise": ["Verissimo! {emoji_pos}", "Confermo tutto {emoji_pos}", "Concordo al 100%", "Esatto, anche per me", "Parole sante"],
    },
    "en": {
        "complaint": ["Same here, happened {time}", "Can confirm, same thing in {city}", "Thought it was just me", "+1, and no reply from support either", "Same. {ugh_cap}", "Exact same story {time}"],
        "praise": ["This! {emoji_pos}", "Totally agree", "Can confirm, same experience {emoji_pos}", "100% this", "Couldn't agree more"],
    },
}

# Promo and contest noise; the generator copies some of these across accounts.
PROMO: dict[str, list[str]] = {
    "it": [
        "🎁 CONCORSO 🎁 Vinci {prize} con {brand}! Segui, metti like e tagga 3 amici 👉 {promo_url} #concorso #giveaway",
        "Partecipa al concorso {brand} e vinci {prize}! Basta condividere questo post 🔁 {promo_url}",
        "CODICE SCONTO {code} -{pct}% su tutto {brand} 🔥 solo oggi {promo_url} #offerte #sconti",
        "Offerta lampo: {product_bare} {brand} a metà prezzo 😱 {promo_url} #promo",
        "Ultime ore per partecipare al giveaway di {brand}! In palio {prize} 🎉 {promo_url}",
        "Io partecipo! 🍀 {friend} {friend2} #concorso #giveaway {brand}",
    ],
    "en": [
        "🎁 GIVEAWAY 🎁 Win {prize} from {brand}! Follow, like and tag 3 friends 👉 {promo_url} #giveaway #win",
        "Use code {code} for {pct}% off at {brand} 🔥 today only {promo_url} #deal #ad",
        "Flash deal: {product} from {brand} at half price 😱 {promo_url}",
        "Last hours to enter the {brand_plain} giveaway! Prize: {prize} 🎉 {promo_url}",
        "Entering this! 🍀 {friend} {friend2} #giveaway {brand}",
    ],
}

# ---------------------------------------------------------------------------------------
# Brand slots: what people talk about, per brand and language.
# ---------------------------------------------------------------------------------------

ITALIAN_CITIES = ["Milano", "Torino", "Bologna", "Roma", "Napoli", "Firenze", "Bari", "Verona", "Padova", "Genova", "Palermo", "Trieste", "Parma", "Lecce"]
UK_CITIES = ["Bristol", "Leeds", "Manchester", "Glasgow", "Cardiff", "Sheffield", "Edinburgh", "Brighton", "Nottingham", "Liverpool"]

BRAND_SLOTS: dict[str, dict[str, dict[str, list[str]]]] = {
    "aurora": {
        "it": {
            "city": ITALIAN_CITIES,
            "product": [
                "la|miscela Alba", "la|miscela Notturna", "le|capsule compostabili", "il|cappuccino d'avena", "il|cold brew",
                "il|caffè in grani", "l'|abbonamento mensile", "il|box degustazione", "il|cornetto al pistacchio", "il|decaffeinato",
            ],
            "issue": [
                "l'ordine è arrivato con {wait} di ritardo", "il cappuccino è arrivato freddo e mezzo rovesciato",
                "l'app si blocca proprio al momento del pagamento", "il rider ha lasciato il sacchetto al piano sbagliato",
                "mi avete consegnato il decaffeinato al posto della miscela Alba", "il codice sconto non viene accettato",
                "le capsule compostabili si inceppano nella macchina", "l'abbonamento si è rinnovato senza nessun avviso",
                "il pacco di caffè in grani è arrivato aperto", "l'app dice consegnato ma qui non è arrivato niente",
                "il cornetto era secco come un sasso", "avete alzato i prezzi di nuovo senza dire niente",
                "la chat dell'assistenza si chiude da sola", "la miscela Notturna non sa più di niente",
                "il tracciamento dell'ordine è fermo da {wait}", "l'ordine è stato annullato senza motivo",
            ],
            "ask": [
                "consegnate anche a {city}?", "fino a che ora si può ordinare la domenica?",
                "le capsule compostabili vanno bene per tutte le macchine?", "si può mettere in pausa l'abbonamento mensile?",
                "il decaffeinato è fatto con metodo ad acqua?", "come faccio a cambiare l'indirizzo dopo aver ordinato?",
                "fate anche la macinatura per moka o solo in grani?", "il box degustazione si può spedire come regalo?",
                "c'è un numero di telefono per l'assistenza o solo la chat?", "accettate i buoni pasto sull'app?",
                "il bar di {city} è aperto anche ad agosto?", "quanto dura in media una consegna in centro?",
            ],
            "ask_about": [
                "i tempi di consegna a {city}", "le capsule compostabili", "la disdetta dell'abbonamento",
                "i punti fedeltà dell'app", "gli orari del bar di {city}", "il programma Aurora Club",
            ],
            "idea": [
                "aggiungere il tracciamento del rider in tempo reale", "fare una versione in capsule della miscela Notturna",
                "mettere un'opzione per lasciare l'ordine in portineria", "fare confezioni più piccole per chi vive da solo",
                "introdurre il vuoto a rendere per i barattoli", "aprire un bar anche a {city}",
                "fare un abbonamento condiviso per gli uffici", "far scegliere la fascia oraria di consegna",
                "dare punti fedeltà anche per gli ordini al bar", "mettere il latte d'avena senza sovrapprezzo",
            ],
            "idea_noun": [
                "il tracciamento del rider in tempo reale", "la Notturna in capsule", "un abbonamento per gli uffici",
                "le confezioni piccole", "il vuoto a rendere per i barattoli", "la consegna su fascia oraria",
            ],
            "want": [
                "prendere l'abbonamento mensile", "ordinare il box degustazione", "comprare un chilo di caffè in grani",
                "provare le capsule compostabili", "regalare una gift card a mio padre", "fare scorta di miscela Alba",
                "passare all'abbonamento annuale", "ordinare la colazione per tutto l'ufficio",
            ],
            "want_how": ["regalare un caffè speciale", "fare scorta per l'inverno", "passare alle capsule compostabili"],
            "aspect": [
                "il rider è stato gentilissimo", "la miscela Alba è cremosa e per niente amara", "l'app è velocissima",
                "il cappuccino d'avena è arrivato ancora caldo", "il packaging è tutto compostabile",
                "il box degustazione è un regalo perfetto", "la Notturna con la moka è spettacolare",
                "il cornetto al pistacchio merita da solo il viaggio", "la consegna è arrivata in {n} minuti",
                "il bar di {city} è un angolo di pace",
            ],
            "support": [
                "problema risolto in cinque minuti", "mi hanno rimborsato subito", "gentilissimi e velocissimi in chat",
                "ordine sbagliato sostituito in mezz'ora",
            ],
            "news": [
                "apre un nuovo bar a {city}", "cerca rider a {city}", "ha rifatto la grafica dell'app",
                "sponsorizza la mezza maratona di {city}", "ha presentato la miscela invernale",
                "organizza corsi di latte art a {city}", "consegna anche in bici cargo a {city}",
                "ha aperto un laboratorio di tostatura a {city}",
            ],
            "rival": ["Miscela Boreale", "la moka della nonna", "il bar sotto casa"],
            "prize": ["un anno di caffè", "una macchina espresso", "un box degustazione", "una moka d'autore"],
            "n": ["12", "15", "18", "20", "22"],
        },
        "en": {
            "city": ITALIAN_CITIES,
            "product": [
                "the Alba blend", "the oat cappuccino", "the cold brew", "the compostable pods", "the tasting box",
                "the monthly subscription", "the whole-bean Notturna", "the pistachio croissant",
            ],
            "issue": [
                "my delivery turned up cold", "the app is only in Italian and I ordered decaf by mistake",
                "the rider left my order at the wrong door", "I got charged a card fee nobody mentioned",
                "my order was cancelled with no explanation", "the pods keep jamming my machine",
                "the order tracking has been stuck for {wait}", "the café in {city} was out of oat milk again",
            ],
            "ask": [
                "do you ship the Alba blend to the UK?", "is the café in {city} open on Sundays?",
                "does the app take foreign cards?", "can I get a delivery to my hotel?",
                "is there an English version of the app?", "how long does a delivery in the centre usually take?",
            ],
            "ask_about": ["shipping abroad", "the monthly subscription", "opening hours in {city}", "the loyalty points"],
            "idea": [
                "add an English version of the app", "ship the Alba blend to the rest of Europe",
                "sell the pods in smaller packs", "let us pick a delivery slot", "open a café near the station in {city}",
            ],
            "want": [
                "shipping a kilo of the Alba blend home", "buying the tasting box as a gift",
                "getting the monthly subscription", "stocking up on the Notturna before flying home",
            ],
            "want_inf": [
                "ship a kilo of the Alba blend home", "buy the tasting box as a gift",
                "get the monthly subscription", "stock up on the Notturna before flying home",
            ],
            "aspect": [
                "it was the best cappuccino of my whole trip", "the oat cappuccino is unreal",
                "the café in {city} is gorgeous", "delivery took {n} minutes and the coffee was still hot",
                "the Alba blend makes my moka taste like Italy",
            ],
            "support": ["they sorted a wrong order in five minutes", "the refund came through the same day"],
            "news": ["opened a new café in {city}", "is hiring baristas in {city}", "launched a winter blend", "redesigned its app"],
            "rival": ["Miscela Boreale", "a proper moka"],
            "prize": ["a year of coffee", "an espresso machine", "a tasting box"],
            "n": ["12", "15", "18", "20"],
        },
    },
    "boreale": {
        "it": {
            "city": ITALIAN_CITIES,
            "product": [
                "la|Gran Crema", "le|cialde", "il|caffè macinato", "la|linea biologica", "la|macchinetta in comodato",
                "l'|abbonamento Boreale", "il|decaffeinato Boreale",
            ],
            "issue": [
                "le cialde si rompono nella macchina", "la Gran Crema non si trova più al supermercato",
                "il caffè macinato sa di polvere", "la macchinetta in comodato si è rotta dopo un mese",
                "il servizio clienti non risponde mai al telefono", "le cialde costano sempre di più e sono sempre meno",
                "la confezione nuova non si richiude", "il pacco dallo shop online è arrivato ammaccato",
            ],
            "ask": [
                "le cialde sono compatibili con le macchine vecchie?", "la Gran Crema è tornata nei supermercati?",
                "la linea biologica esiste anche decaffeinata?", "come si restituisce la macchinetta in comodato?",
                "fate spedizioni a {city}?", "si trovano le cialde anche nei supermercati di {city}?",
            ],
            "ask_about": ["la macchinetta in comodato", "la linea biologica", "il riciclo delle cialde", "le spedizioni dello shop online"],
            "idea": [
                "fare cialde compostabili", "vendere formati da mezzo chilo", "riportare la vecchia Gran Crema",
                "fare un abbonamento con consegna a casa", "stampare le istruzioni per il riciclo sulle confezioni",
            ],
            "idea_noun": ["le cialde compostabili", "il formato da mezzo chilo", "la vecchia Gran Crema", "la consegna a casa"],
            "want": [
                "prendere la macchinetta in comodato", "fare scorta di cialde in offerta", "provare la linea biologica",
                "ordinare due chili di Gran Crema",
            ],
            "want_how": ["risparmiare sulle cialde", "scegliere la macchinetta giusta"],
            "aspect": [
                "la Gran Crema è sempre buonissima", "le cialde nuove fanno una crema pazzesca",
                "la linea biologica è una bella sorpresa", "a casa dei miei si beve Boreale da trent'anni e un motivo c'è",
                "il corriere è arrivato in un giorno",
            ],
            "support": ["mi hanno sostituito la macchinetta in due giorni", "risposta gentile e veloce al telefono"],
            "news": [
                "sponsorizza la squadra di pallavolo di {city}", "ha lanciato una linea biologica", "ha cambiato le confezioni",
                "apre uno spaccio aziendale a {city}", "ha alzato i prezzi delle cialde",
            ],
            "rival": ["Caffè Aurora", "la moka della nonna"],
            "prize": ["una macchinetta espresso", "un anno di cialde", "un cesto di Gran Crema"],
            "n": ["10", "15"],
        },
        "en": {
            "city": ITALIAN_CITIES,
            "product": ["the Gran Crema", "the pods", "the organic range"],
            "issue": ["the pods keep breaking in my machine", "the Gran Crema has vanished from the shops", "the online shop order arrived crushed"],
            "ask": ["do you ship the Gran Crema abroad?", "are the pods compatible with older machines?"],
            "ask_about": ["the pods", "the organic range"],
            "idea": ["make compostable pods", "sell smaller bags"],
            "want": ["buying a big bag of Gran Crema", "getting the pod machine"],
            "want_inf": ["buy a big bag of Gran Crema", "get the pod machine"],
            "aspect": ["the Gran Crema is a classic", "the new pods make a lovely crema"],
            "support": ["they replaced my machine in two days", "a real person answered the phone"],
            "news": ["launched an organic range", "changed its packaging"],
            "rival": ["Caffè Aurora"],
            "prize": ["a pod machine", "a year of pods"],
            "n": ["10"],
        },
    },
    "spinlane": {
        "en": {
            "city": UK_CITIES,
            "product": [
                "the e-bikes", "the monthly pass", "the day pass", "the app", "the cargo bikes", "the student plan",
                "the annual membership",
            ],
            "issue": [
                "the dock wouldn't release my bike for 20 minutes", "the e-bike battery died halfway up the hill",
                "the app charged me for a ride I never took", "every dock near the station in {city} is full again",
                "my monthly pass vanished after the update", "the brakes on my bike were basically decorative",
                "the app logged me out mid-ride", "I got a £25 fine for a bike I docked properly",
                "support closed my ticket without reading it", "there hasn't been a single bike at my station for {wait}",
                "the seat clamp is broken on half the bikes in {city}", "the unlock QR code won't scan in daylight",
            ],
            "ask": [
                "do you have docks near the station in {city}?", "can I pause my annual membership over the winter?",
                "are the e-bikes allowed in the parks?", "how do refunds work if a ride gets stuck open?",
                "is there a student discount?", "can two people ride on one account?",
                "what's the max ride time on the day pass?", "are you expanding to {city} any time soon?",
                "do the cargo bikes need any training?", "does the app work without mobile data?",
            ],
            "ask_about": [
                "the day pass pricing", "the student plan", "the new docks in {city}", "parking fines",
                "the corporate plan", "battery swaps",
            ],
            "idea": [
                "add a way to reserve a bike for ten minutes", "show battery levels before unlocking",
                "put a dock outside the station in {city}", "offer a cheaper off-peak pass", "add child seats to some bikes",
                "let us report a broken bike from the map", "put baskets on the e-bikes",
            ],
            "want": [
                "getting the annual membership", "trying the e-bikes this weekend", "buying day passes for visiting friends",
                "switching to the student plan", "signing the whole office up for the corporate plan",
                "gifting a monthly pass to my brother",
            ],
            "want_inf": [
                "get the annual membership", "try the e-bikes this weekend", "buy day passes for visiting friends",
                "switch to the student plan", "sign the whole office up for the corporate plan",
                "gift a monthly pass to my brother",
            ],
            "aspect": [
                "the new e-bikes are ridiculously smooth", "there's always a bike at my stop now",
                "the app update fixed the unlock lag", "commuting is cheaper than the bus",
                "the cargo bike made moving flat actually fun", "I beat the bus by 15 minutes",
                "the docks in {city} are everywhere now",
            ],
            "support": ["refunded me in ten minutes", "a real human answered within the hour", "they fixed my pass before I finished my tea"],
            "news": [
                "is adding 300 e-bikes in {city}", "just raised the price of the monthly pass",
                "published its ride data for {city}", "is testing cargo bikes in {city}",
                "is hiring mechanics in {city}", "teamed up with the council on new cycle lanes in {city}",
            ],
            "rival": ["the bus", "my old bike", "the tram"],
            "prize": ["a free annual membership", "a year of free rides", "a month of e-bike rides"],
            "n": ["8", "10", "12"],
        },
        "it": {
            "city": UK_CITIES,
            "product": ["il|pass giornaliero", "l'|abbonamento mensile", "la|bici elettrica", "le|bici cargo", "il|pass settimanale"],
            "issue": [
                "la bici elettrica si è scaricata a metà salita", "l'app mi ha addebitato una corsa mai fatta",
                "la stazione era piena e non riuscivo a lasciare la bici", "il QR code non si legge col sole",
                "la bici non si sbloccava e il tempo correva",
            ],
            "ask": [
                "si può usare con una carta italiana?", "quanto costa il pass giornaliero?",
                "le bici elettriche si possono portare nei parchi?", "c'è un abbonamento settimanale per turisti?",
            ],
            "ask_about": ["il pass giornaliero", "le multe per parcheggio fuori stazione", "le tariffe per turisti"],
            "idea": ["mettere l'app anche in italiano", "fare un pass da tre giorni per turisti", "aggiungere un cestino alle bici"],
            "idea_noun": ["l'app in italiano", "un pass da tre giorni", "un cestino sulle bici"],
            "want": ["fare il pass giornaliero domani", "prendere l'abbonamento mensile per l'Erasmus", "provare la bici cargo"],
            "want_how": ["muovermi in bici per una settimana"],
            "aspect": ["girare {city} in bici è stato bellissimo", "la bici elettrica in salita è una goduria", "l'app è semplicissima"],
            "support": ["mi hanno rimborsato la corsa in dieci minuti", "risposta in chat in due minuti"],
            "news": ["arriva anche a {city}", "ha aggiunto 300 bici elettriche a {city}"],
            "rival": ["la metro", "l'autobus"],
            "prize": ["un anno di corse gratis"],
            "n": ["10"],
        },
    },
}

# Brand-specific whole templates, mixed in with the generic ones.
BRAND_LINES: dict[str, dict[str, dict[str, list[str]]]] = {
    "aurora": {
        "it": {
            "complaint": [
                "{non} ordinate da {brand}: {issue}. Uomo avvisato...",
                "Bello pagare la consegna per ricevere un cappuccino tiepido. Grazie {brand} 🙃",
                "Aspetto la colazione da {wait}. {brand} ma il rider è andato a raccogliere il caffè in Brasile?",
            ],
            "praise": [
                "Buongiorno con {product_art} di {brand} ☕ {wow}!",
                "Consegna in {n} minuti e cappuccino ancora caldo. {brand} vi amo ❤️",
                "Il profumo della miscela Alba appena macinata la mattina. Grazie {brand} ☕",
            ],
            "other": [
                "Pausa. {brand}, pioggia fuori e una playlist anni 90. Si sopravvive.",
                "Terzo caffè della giornata, tutti di {brand}. Non giudicatemi ☕",
            ],
            "purchase": ["{brand} quando rimettete in vendita {product_art}? Sono pronto a ordinarne due"],
        },
        "en": {
            "praise": ["Breakfast with {product} from {brand} ☕ {wow}!"],
            "other": ["Last morning in {city}, last coffee at {brand}. Arrivederci ☕"],
        },
    },
    "boreale": {
        "it": {
            "other": ["Al supermercato c'è la promo {brand} sulle cialde, prendo o non prendo? 🤔"],
            "praise": ["Moka, {brand} e il rumore della caffettiera. La domenica perfetta ☕"],
        },
    },
    "spinlane": {
        "en": {
            "complaint": [
                "Got to the dock: 12 bikes, all with flat tyres. Classic {brand}",
                "{brand} the app says 5 bikes available. There are zero. It's raining.",
            ],
            "praise": [
                "Beat the bus by 15 minutes on a {brand_plain} e-bike. Smug all day 😎",
                "Sunny evening, empty cycle lane, {brand} e-bike. Perfect commute 🚲",
            ],
            "other": ["Counted 14 {brand_plain} bikes outside the office today. Everyone's converting 🚲"],
        },
    },
}

# Hacker News: English tech talk, no emoji. Story titles and comments by intent.
HACKERNEWS: dict[str, dict[str, list[str]]] = {
    "spinlane": {
        "titles": [
            "Spinlane publishes a real-time dock availability API",
            "How Spinlane rebalances bikes overnight in {city}",
            "Ask HN: Has anyone reverse-engineered the Spinlane unlock flow?",
            "Show HN: A map of empty Spinlane docks in {city}",
            "Spinlane's e-bike battery swaps, explained by a former mechanic",
            "Spinlane open-sources its bike rebalancing model",
            "Bike-share ride data after Spinlane's {city} expansion",
            "The economics of Spinlane's cargo bike pilot in {city}",
        ],
        "complaint": [
            "The app is a thin wrapper around a very slow API. Unlocking takes 15 seconds on a good day.",
            "Their dock firmware has had the same bug for two years: if the lock times out you get charged anyway.",
            "I emailed {brand_plain} about their API terms and got a marketing newsletter back.",
            "Half the docks in {city} report bikes that physically aren't there. The data is only as good as the sensors.",
        ],
        "question": [
            "Does anyone know if the {brand_plain} API has rate limits?",
            "Is the rebalancing done by people with vans or is there anything smarter behind it?",
            "Genuine question: how do they handle battery degradation at this scale?",
            "Is there an official open data feed or only the private app API?",
        ],
        "suggestion": [
            "They should publish a standard open feed like most other operators.",
            "A short reservation window would fix most of the empty-dock frustration.",
            "If they exposed battery levels in the API, third-party apps would do the rest.",
        ],
        "praise": [
            "Credit where due: {brand_plain} open-sourced the rebalancing model and it's well documented.",
            "I commute on these daily in {city}. Reliability went way up after the e-bike refresh.",
            "Their engineering post on dock telemetry is one of the better IoT write-ups I've read.",
        ],
        "purchase": [
            "I'm close to buying an annual {brand_plain} membership instead of a second-hand bike. Anyone done the maths?",
            "For anyone considering the {brand_plain} corporate plan: we signed up 40 people, happy to share numbers.",
        ],
        "other": [
            "I used to work near one of their depots. Most failures are seat clamps, not electronics.",
            "Bike-share economics are brutal everywhere; the interesting part is the pricing data.",
            "The bike-share market in {city} looks very different from {city2}'s.",
            "Related: the council in {city} published its own cycling counts last month.",
        ],
    },
    "aurora": {
        "titles": [
            "Caffè Aurora's delivery app ships 40 MB of JavaScript to order an espresso",
            "Ask HN: How do small roasters like Caffè Aurora handle delivery logistics?",
            "The unit economics of 15-minute coffee delivery, a look at Caffè Aurora",
        ],
        "complaint": ["Ordering a coffee in the Caffè Aurora app takes nine network requests and a spinner. It's coffee."],
        "question": ["Anyone know what stack the Caffè Aurora app is built on?"],
        "suggestion": ["Caffè Aurora should just ship a web app, the native one adds nothing."],
        "praise": ["The Caffè Aurora order tracking is genuinely good for a company that size."],
        "purchase": ["I ordered the Caffè Aurora tasting box after this thread. Report in a week."],
        "other": ["Delivery coffee margins must be razor thin; for Caffè Aurora the roastery is the real business."],
    },
}

# ---------------------------------------------------------------------------------------
# What the brands themselves post, and how they answer.
# ---------------------------------------------------------------------------------------

BRAND_POSTS: dict[str, dict[str, list]] = {
    "aurora": {
        "posts": [
            "Buongiorno! ☕ Oggi in tutti i nostri bar il cappuccino d'avena costa meno. Voi come lo prendete?",
            "È arrivata la miscela Notturna: note di cacao e nocciola tostata. La trovate da oggi sull'app 🌙",
            "Consegne attive fino alle 22 a {city}! Chi ordina stasera? 🛵",
            "Sondaggio: moka o espresso? Diteci la vostra nei commenti 👇",
            "Il nostro nuovo bar di {city} apre sabato mattina. Vi aspettiamo per il primo caffè, offriamo noi ☕",
            "Domenica lenta, caffè lungo. Buona domenica a tutti! ☀️",
            "Le capsule compostabili ora sono anche decaffeinate. E si buttano nell'umido 🌱",
            "Questo mese vi presentiamo la cooperativa che coltiva il caffè della miscela Alba 🌍",
            "Nuovo aggiornamento dell'app: ora potete scegliere la fascia oraria di consegna ⏰",
            "Pioggia a {city}? I nostri rider sono coperti, e il vostro cappuccino arriva caldo ☔",
            "Corso di latte art a {city} giovedì sera: ultimi posti disponibili! 🎨",
            "Con i vostri ordini di questo mese abbiamo piantato 500 alberi. Grazie a tutti 🌳",
            "Nuovo cornetto al pistacchio in tutti i bar: l'avete già provato? 🥐",
            "Il box degustazione è tornato: sei miscele, sei storie ☕",
            "Colazione in ufficio? Con l'abbonamento aziendale il caffè arriva ogni mattina alle 9 💼",
            "Quanto caffè bevete al giorno? Rispondete con le tazzine ☕☕☕",
        ],
        "videos": [
            ("Come tostiamo la miscela Alba | Dietro le quinte", "Vi portiamo nel nostro laboratorio di tostatura: tempi, temperature e tutti i segreti della miscela Alba."),
            ("Latte art per principianti con il nostro barista", "Cuori, tulipani e rosette: tre figure facili da provare a casa."),
            ("La moka perfetta in 3 minuti", "Acqua, dosi, fiamma: i consigli dei nostri tostatori per una moka senza errori."),
            ("Una mattina con i nostri rider a {city}", "Dalle 7 alle 11, in giro con chi vi porta il caffè a casa."),
            ("Dalla pianta alla tazzina: il viaggio del nostro caffè", "Abbiamo seguito un sacco di caffè verde dalla cooperativa fino al vostro bar."),
            ("Cold brew fatto in casa: la ricetta facile", "Serve solo tempo: dodici ore in frigo e una buona miscela."),
        ],
        "blog": [
            ("Perché le nostre capsule sono compostabili", "Abbiamo impiegato due anni per trovare un materiale che proteggesse l'aroma e finisse nell'umido. Ecco com'è andata."),
            ("Cinque errori da evitare con la moka", "Dal caffè pressato alla fiamma troppo alta: piccoli gesti che cambiano il sapore della tazzina."),
            ("Come scegliamo i nostri fornitori", "Visitiamo ogni cooperativa almeno una volta l'anno. Vi raccontiamo cosa guardiamo e perché."),
        ],
    },
    "boreale": {
        "posts": [
            "La Gran Crema è tornata sugli scaffali! Correte a prenderla ☕",
            "Nuove cialde della linea biologica: le avete già provate? 🌿",
            "Buongiorno da Miscela Boreale! Il caffè giusto per cominciare la settimana ☕",
            "Siamo orgogliosi sponsor della pallavolo di {city}. Forza ragazze! 🏐",
            "Trent'anni di Gran Crema. Grazie a chi ci sceglie ogni mattina ❤️",
            "Con la macchinetta in comodato il primo mese di cialde è in regalo ☕",
            "Sapevate che le nostre confezioni ora si riciclano nella carta? ♻️",
            "Colazione della domenica: moka e Gran Crema. Voi come la fate?",
            "Nuovo spaccio aziendale a {city}: vi aspettiamo da lunedì!",
        ],
        "videos": [
            ("Gran Crema: la storia di un classico", "Trent'anni di miscela raccontati da chi la prepara ogni giorno."),
            ("Come pulire la macchinetta in 5 minuti", "Piccola manutenzione per un caffè sempre cremoso."),
        ],
    },
    "spinlane": {
        "posts": [
            "300 new e-bikes hit the streets of {city} this week 🚲⚡",
            "Heads up: the Harbour Street dock in {city} is closed for maintenance until Friday.",
            "Rain today? Our bikes have mudguards 😉 Ride safe!",
            "New in the app: see battery levels before you unlock 🔋",
            "The student plan is back: half-price monthly pass with a valid student ID 🎓",
            "Poll: what should we add next? Child seats, baskets or phone mounts? 👇",
            "Thanks to everyone who rode with us this weekend: 48,000 trips! 🎉",
            "Commute tip: off-peak rides before 7am are free for members all month 🌅",
            "Our mechanics in {city} fixed 1,200 bikes last month. Say hi if you see them 🔧",
            "Cargo bikes are now available at 20 docks in {city} 📦",
            "Cycling to work saves the average member £40 a month. What do you spend yours on?",
            "Monday motivation: the cycle lane is faster than the traffic jam 🚲",
        ],
        "videos": [
            ("How we rebalance 4,000 bikes overnight", "Vans, data and a lot of coffee: a night with our rebalancing team in {city}."),
            ("First ride on the new e-bikes", "Unlock, ride, dock: a two-minute guide for new members."),
            ("Inside the {city} workshop", "Where broken bikes go, and how they come back."),
        ],
    },
}

BRAND_ACCOUNTS: dict[str, dict[str, str]] = {
    # handle -> display name; the brands' own accounts (see DEMO_BRANDS in the generator).
    "aurora": {"_": "Caffè Aurora", "aurora_aiuto": "Caffè Aurora Assistenza"},
    "boreale": {"_": "Miscela Boreale"},
    "spinlane": {"_": "Spinlane", "spinlane_help": "Spinlane Help"},
}

REPLY_SLOTS: dict[str, dict[str, dict[str, list[str]]]] = {
    "aurora": {
        "it": {"sign": ["Buon caffè! ☕", "A presto al bar! ☕", "☕"], "help_email": ["aiuto@caffeaurora.example"], "code": ["BENVENUTO10", "ALBA10"]},
        "en": {"sign": ["Enjoy your coffee ☕", "See you at the café! ☕"], "help_email": ["help@caffeaurora.example"], "code": ["WELCOME10"]},
    },
    "boreale": {
        "it": {"sign": ["Buona giornata! ☕", "Un saluto da Miscela Boreale"], "help_email": ["clienti@miscelaboreale.example"], "code": ["CREMA10"]},
        "en": {"sign": ["Have a good day! ☕"], "help_email": ["customers@miscelaboreale.example"], "code": ["CREMA10"]},
    },
    "spinlane": {
        "en": {"sign": ["Happy riding 🚲", "See you on the road 🚲", "🚲"], "help_email": ["help@spinlane.example"], "code": ["RIDE10", "FIRSTSPIN"]},
        "it": {"sign": ["Buone pedalate! 🚲"], "help_email": ["help@spinlane.example"], "code": ["RIDE10"]},
    },
}

REPLIES: dict[str, dict[str, list[str]]] = {
    "it": {
        "complaint": [
            "Ciao {first}, ci dispiace tantissimo 😔 Ci scrivi in privato il numero d'ordine? Controlliamo subito.",
            "{first}, hai ragione e ci scusiamo. Abbiamo girato la segnalazione al team: ti scriviamo in DM per sistemare tutto.",
            "Ciao {first}, non è il servizio che vogliamo darti. Ci mandi i dettagli a {help_email}? Ti rispondiamo in giornata.",
            "Ciao {first}, scusaci per l'attesa. Ti abbiamo appena scritto in privato per risolvere.",
            "{first} ci dispiace davvero. Abbiamo già avviato il rimborso, lo vedrai entro pochi giorni.",
        ],
        "question": [
            "Ciao {first}! Trovi tutte le info nella sezione Aiuto dell'app, ma se vuoi ti rispondiamo anche in DM 😊",
            "Ciao {first}, sì! Ti abbiamo scritto in privato con tutti i dettagli.",
            "Bella domanda {first}! La risposta breve è sì, quella lunga te la mandiamo in DM.",
            "Ciao {first}, per questo ti conviene scriverci a {help_email}: ti rispondiamo in giornata.",
        ],
        "purchase": [
            "Ciao {first}! Trovi tutto sull'app e sul sito, e con il codice {code} il primo ordine costa meno 😉",
            "{first}, ottima scelta! In questo momento la consegna è gratuita sopra i 20 €. {sign}",
            "Ciao {first}, ti abbiamo mandato in DM il link diretto e un piccolo sconto di benvenuto.",
            "Ciao {first}! È disponibile proprio ora, ti scriviamo in privato per aiutarti con l'ordine.",
        ],
        "praise": [
            "Grazie mille {first}! ❤️ Ci hai fatto la giornata. {sign}",
            "Che bello leggerti {first}! {sign}",
            "{first} grazie! Lo diciamo subito a tutto il team 🙌",
            "Grazie di cuore {first}, messaggi così ci danno la carica! {sign}",
        ],
        "suggestion": [
            "Idea interessante {first}, la giriamo al team prodotto! 💡",
            "Grazie del suggerimento {first}, ci stiamo già ragionando 😉",
            "{first} segnato! Non promettiamo nulla, ma ne parliamo alla prossima riunione.",
        ],
        "other": ["Ciao {first}! 👋 {sign}", "😊 {sign}"],
        "incident": [
            "Ciao {first}, stiamo risolvendo il problema dei doppi addebiti: l'importo in più ti verrà restituito in automatico entro 5 giorni lavorativi. Scusaci.",
            "{first}, confermiamo: un errore del sistema di pagamento ha addebitato alcuni ordini due volte. Il rimborso è automatico, non devi fare nulla. Ci scusiamo 🙏",
            "Ciao {first}, ci dispiace moltissimo. Il doppio addebito verrà stornato in automatico; se l'ordine non è arrivato ti rimborsiamo anche quello, scrivici in DM.",
        ],
    },
    "en": {
        "complaint": [
            "Hi {first}, we're really sorry about this 😔 Can you DM us your order or account details? We'll look into it right away.",
            "{first}, you're right and we apologise. We've passed this to the team and will message you to sort it out.",
            "Hi {first}, that's not the service we want to give. Could you email {help_email} with the details? We'll reply today.",
            "Sorry for the wait {first}. We've just sent you a DM to fix this.",
            "{first} we're sorry. The refund is on its way and should show up in a few days.",
        ],
        "question": [
            "Hi {first}! Everything's in the Help section of the app, but happy to answer by DM too 😊",
            "Hi {first}, yes! We've sent you the details by DM.",
            "Good question {first}! Short answer: yes. Long answer in your DMs.",
            "Hi {first}, best to email {help_email} for this one and we'll get back to you today.",
        ],
        "purchase": [
            "Hi {first}! It's all in the app, and code {code} gets you a discount on your first order 😉",
            "Great choice {first}! We've DMed you a direct link and a small welcome discount.",
            "Hi {first}, it's available right now. Sending you the details by DM. {sign}",
        ],
        "praise": [
            "Thank you {first}! ❤️ You made our day. {sign}",
            "Love this, {first}! {sign}",
            "{first} thanks! Passing this on to the whole team 🙌",
        ],
        "suggestion": [
            "Nice idea {first}, we'll pass it to the product team! 💡",
            "Thanks for the suggestion {first}, it's on our list 😉",
        ],
        "other": ["Hi {first}! 👋 {sign}", "😊 {sign}"],
        "incident": [
            "Hi {first}, sorry: a payment error charged some orders twice. The extra amount will be refunded automatically within 5 working days.",
            "{first}, we're fixing the double charges right now. Refunds are automatic, no action needed. Apologies 🙏",
        ],
    },
    "es": {
        "_": ["¡Hola {first}! Gracias por escribirnos, te respondemos por mensaje privado 😊", "Hola {first}, lo sentimos mucho. Te escribimos por privado para ayudarte."],
        "praise": ["¡Muchas gracias {first}! ❤️", "¡Gracias {first}! {sign}"],
    },
    "fr": {
        "_": ["Bonjour {first}, merci pour votre message ! Nous vous répondons en privé.", "Bonjour {first}, désolés pour ce souci. Nous vous écrivons en message privé."],
        "praise": ["Merci beaucoup {first} ! ❤️", "Merci {first}, à bientôt ! {sign}"],
    },
    "de": {
        "_": ["Hallo {first}, danke für deine Nachricht! Wir melden uns per DM.", "Hallo {first}, das tut uns leid. Wir schreiben dir gleich privat."],
        "praise": ["Vielen Dank {first}! ❤️", "Danke {first}, bis bald! {sign}"],
    },
}

# ---------------------------------------------------------------------------------------
# The incident: Caffè Aurora's app charges orders twice and deliveries go missing.
# ---------------------------------------------------------------------------------------

INCIDENT: dict[str, dict[str, list[str]]] = {
    "it": {
        "complaint": [
            "{brand} mi avete addebitato DUE volte lo stesso ordine. {amount} € per un cappuccino e un cornetto?? {emoji_neg}",
            "Doppio addebito anche a me. {brand} ridatemi i soldi {emoji_neg}",
            "Ma che succede con l'app di {brand}? Pagamento preso due volte e l'ordine non arriva",
            "Ordine pagato due volte e mai consegnato. {brand} complimenti 👏👏",
            "{brand} l'app dice pagamento fallito, la banca dice addebitato due volte. Chi ha ragione?",
            "È da {wait} che aspetto un ordine che ho pagato DUE volte. {brand} {ugh}",
            "Estratto conto: {brand_plain} {amount} €, {brand_plain} {amount} €. Stesso ordine. Bella fregatura",
            "Chiamato il numero di {brand}: occupato. Chat: non risponde. Soldi: presi due volte. {close_neg}",
            "Non ordinate da {brand} adesso, l'app addebita due volte! Passate parola",
            "{brand} rimborsatemi il doppio addebito, non sono una banca",
            "Raga occhio: {brand} sta addebitando gli ordini due volte. Controllate la carta",
            "{brand} terzo tentativo di ordine, tre addebiti, zero caffè. {ugh_cap}",
            "Ho bloccato la carta per colpa di {brand}: due addebiti uguali in un minuto. Assurdo",
            "Vergognoso {brand}. Doppio addebito e ordine annullato. Voglio indietro i miei {amount} €",
            "{brand} l'ordine risulta consegnato ma qui non è arrivato nessuno, e in più mi avete preso i soldi due volte",
            "Sì, ma i soldi quando tornano? {brand} almeno una data",
            "Almeno avvisate prima di far ordinare la gente. {brand} {close_neg}",
        ],
        "issue": [
            "l'app mi ha addebitato due volte lo stesso ordine", "ho pagato due volte e l'ordine non è mai arrivato",
            "l'ordine risulta consegnato ma non è arrivato niente", "mi avete preso i soldi due volte",
            "il pagamento è passato due volte e la chat non risponde", "mi è arrivata la notifica di due pagamenti da {amount} €",
        ],
        "question": [
            "Anche a voi {brand} ha addebitato due volte l'ordine?",
            "Qualcuno sa se {brand} rimborsa il doppio addebito in automatico o devo scrivere io?",
            "{brand} quando arrivano i rimborsi per i doppi addebiti?",
            "Ma {brand} è giù? Non riesco a ordinare e la carta risulta addebitata",
            "{brand} devo annullare l'ordine o aspetto? Mi risulta pagato due volte",
            "Scusate, ma il rimborso di {brand} arriva sulla carta o come credito nell'app? Mi hanno preso {amount} € due volte",
            "Domanda per chi ha avuto il doppio addebito da {brand}: avete già ricevuto qualcosa?",
            "{brand} ho ordinato {wait} fa, mi risulta pagato due volte: arriva o no questo ordine?",
            "C'è un modo per parlare con una persona vera da {brand}? Doppio addebito e l'ordine è sparito",
        ],
        "tags": ["#doppioaddebito", "#AuroraRimborsaci", "#disservizio", "#caffeaurora"],
        "wait": ["mezz'ora", "un'ora", "40 minuti", "venti minuti", "un'ora e mezza"],
        "amount": ["4,50", "6,80", "12,40", "9,90", "15,20", "7,30", "23,60", "5,10"],
    },
    "en": {
        "complaint": [
            "{brand} just charged me twice for the same order. Twice. For one coffee {emoji_neg}",
            "Heads up if you're in Italy: the {brand_plain} app is double-charging cards right now",
            "Double charged by {brand} and the order never showed up. Great.",
            "{brand} my bank shows two payments for one order, please sort this out",
            "Paid twice, got nothing. {brand} {ugh}",
        ],
        "issue": ["the app charged me twice for one order", "I paid twice and the order never arrived"],
        "question": ["Anyone else getting double charged by {brand}?", "{brand} when do the refunds for double charges arrive?"],
        "tags": ["#doublecharged", "#caffeaurora"],
        "wait": ["half an hour", "an hour", "40 minutes"],
        "amount": ["4.50", "6.80", "12.40", "9.90"],
    },
}

INCIDENT_POSTS: dict[str, str] = {
    "x_statement": "⚠️ Stiamo riscontrando un problema con i pagamenti sull'app: alcuni ordini risultano addebitati due volte. Il team è già al lavoro e tutti gli importi in eccesso verranno rimborsati. Aggiornamenti a breve.",
    "facebook_statement": "Avviso importante: da poco alcuni clienti vedono un doppio addebito per lo stesso ordine e alcune consegne sono in ritardo. Ci scusiamo: stiamo risolvendo e rimborseremo in automatico ogni importo in eccesso. Non serve contattare l'assistenza.",
    "x_resolution": "✅ Aggiornamento: il problema dei doppi addebiti è risolto. I rimborsi automatici sono partiti e arriveranno entro 5 giorni lavorativi. Grazie per la pazienza e scusateci ancora 🙏",
    "facebook_resolution": "Il problema dei pagamenti è risolto. Chi ha ricevuto un doppio addebito riceverà il rimborso in automatico entro 5 giorni lavorativi; chi non ha ricevuto l'ordine può scriverci in privato. Grazie per la pazienza.",
}

INCIDENT_ARTICLES: list[tuple[str, str, str]] = [
    (
        "it",
        "Doppi addebiti sull'app di Caffè Aurora, l'azienda promette rimborsi automatici",
        "Decine di segnalazioni sui social per ordini pagati due volte e consegne in ritardo. L'azienda parla di un errore del sistema di pagamento e assicura rimborsi entro cinque giorni lavorativi.",
    ),
    (
        "it",
        "Caffè Aurora, disservizio sull'app: cosa fare se vi hanno addebitato due volte",
        "Il rimborso dovrebbe arrivare in automatico. Le associazioni dei consumatori consigliano di conservare le ricevute e di controllare l'estratto conto nei prossimi giorni.",
    ),
    (
        "en",
        "Italian coffee chain Caffè Aurora hit by double-charging glitch",
        "Customers of the roaster's delivery app reported being charged twice for single orders. The company says the extra payments will be refunded automatically within five working days.",
    ),
]

# ---------------------------------------------------------------------------------------
# News and blogs (feed), people and places.
# ---------------------------------------------------------------------------------------

PUBLICATIONS: dict[str, list[str]] = {
    "it": ["Tazzina Quotidiana", "Cronache di Provincia", "Gusto & Mercati", "Bottega Digitale", "Il Pendolare Urbano"],
    "en": ["City Cycling Weekly", "The Commuter Ledger", "Urban Mobility Digest", "Morning Grind Review"],
}

ARTICLE_BODY: dict[str, dict[str, list[str]]] = {
    "it": {
        "lead": [
            "L'annuncio è arrivato con una nota dell'azienda, che parla di «una crescita costante negli ultimi mesi».",
            "Secondo fonti vicine alla società, l'operazione partirà entro fine mese.",
            "La notizia ha subito acceso il dibattito sui social tra clienti affezionati e scettici.",
            "Non sono stati resi noti i dettagli economici dell'operazione.",
            "Si tratta del terzo annuncio dall'inizio dell'anno per il marchio.",
            "L'azienda ha presentato il progetto ieri, davanti a clienti e fornitori.",
        ],
        "close": [
            "«Vogliamo crescere senza perdere la qualità», spiega la responsabile marketing.",
            "Le associazioni dei consumatori chiedono più trasparenza sui prezzi.",
            "L'azienda promette nuove assunzioni nei prossimi mesi.",
            "Gli analisti del settore parlano di una mossa prevedibile.",
            "Resta da capire come reagiranno i concorrenti.",
        ],
    },
    "en": {
        "lead": [
            "The company confirmed the move in a short statement, citing \"steady growth over the past months\".",
            "According to people familiar with the plans, the rollout starts later this month.",
            "The news quickly split opinion online between loyal customers and sceptics.",
            "Financial details were not disclosed.",
            "It is the brand's third announcement since the start of the year.",
        ],
        "close": [
            "\"We want to grow without cutting corners,\" a spokesperson said.",
            "Consumer groups are asking for clearer pricing.",
            "The company says it will hire in the coming months.",
            "Industry watchers call it a predictable step.",
            "How competitors respond remains to be seen.",
        ],
    },
}

BLOG_NAMES: dict[str, list[str]] = {
    "it": ["lamiacolazione", "caffeinomane", "pendolarefelice", "tazzaepensieri", "diariodiunbarista", "ciclistainquieta"],
    "en": ["twowheeldiaries", "commutenotes", "flatwhitefiles", "urbanpedaller", "slowmorningblog"],
}

NEWS_SITES: list[str] = ["notizie-oggi", "gusto-news", "citta-in-bici", "daily-commute", "la-voce-locale", "metro-reader"]

SUBREDDITS: dict[str, list[str]] = {
    "aurora": ["caffe_italia", "ItaliaQuotidiana", "baristi"],
    "boreale": ["caffe_italia", "ItaliaQuotidiana"],
    "spinlane": ["urbancycling", "ukcommuters", "bikeshare"],
}

NAMES: dict[str, tuple[list[str], list[str]]] = {
    "it": (
        ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena", "Davide", "Martina",
         "Simone", "Federica", "Andrea", "Valentina", "Lorenzo", "Silvia", "Giorgio", "Alessia", "Paolo", "Roberta",
         "Stefano", "Ilaria", "Tommaso", "Beatrice", "Riccardo", "Noemi", "Emanuele", "Camilla", "Filippo", "Serena",
         "Gabriele", "Marta", "Nicola", "Arianna", "Pietro", "Irene", "Fabio", "Claudia", "Daniele"],
        ["Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo",
         "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana",
         "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile",
         "Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi", "Fabbri"],
    ),
    "en": (
        ["Olivia", "Jack", "Amelia", "Harry", "Isla", "Oliver", "Emily", "George", "Ava", "Noah", "Sophie", "Charlie",
         "Grace", "Leo", "Chloe", "James", "Ella", "Thomas", "Lucy", "Oscar", "Mia", "Alfie", "Freya", "Henry", "Ruby",
         "Archie", "Hannah", "Joshua", "Megan", "Daniel", "Priya", "Aisha", "Kwame", "Tom", "Liam", "Niamh", "Sean",
         "Fiona", "Callum", "Rhys"],
        ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Johnson", "Roberts", "Walker",
         "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis",
         "Martin", "Jackson", "Clarke", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward", "Moore", "King",
         "Watson", "Baker", "Patel", "Khan", "Murphy", "O'Brien", "Campbell"],
    ),
    "es": (["Lucía", "Javier", "Carmen", "Diego", "Paula", "Sergio", "Marta", "Álvaro"], ["García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Ruiz", "Torres"]),
    "fr": (["Camille", "Julien", "Manon", "Hugo", "Léa", "Nicolas", "Chloé", "Théo"], ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Roux"]),
    "de": (["Anna", "Lukas", "Lena", "Jonas", "Laura", "Felix", "Mia", "Paul"], ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"]),
}

# Words people put in their handles ("caffeinomane_giulia", "pedalhead88").
HANDLE_WORDS: dict[str, list[str]] = {
    "it": ["caffeinomane", "pendolare", "gattara", "viaggiatore", "ninja", "sognatrice", "milanese", "terrone", "moka", "bici"],
    "en": ["coffeefiend", "pedalhead", "commuter", "nightowl", "wanderer", "northerner", "tealover", "cyclist", "bookworm", "runner"],
    "es": ["viajera", "cafetero", "ciclista"],
    "fr": ["voyageur", "cafe", "velo"],
    "de": ["reisende", "kaffee", "radler"],
}

MASTODON_INSTANCES = ["social.example", "toot.example.org", "mastodon.example.net", "sociale.example.it"]
