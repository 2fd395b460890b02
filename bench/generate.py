"""Generate a synthetic but realistic knowledge base of N facts, as seed YAML.

    python -m bench.generate --facts N --out DIR [--seed S] [--ndjson PATH]

The output is a seed folder in the project's own format (``sources/*.yaml`` + ``.txt``,
``entities/*.yaml``, ``facts/*.yaml``) that the real loader (``kb build --seeds DIR``)
validates and builds:

- all six fact types, with exactly the fields of ``schema/facts.schema.json``;
- thousands of entities (N/100, at least 200, at most 50,000), referenced with a Zipf-like
  popularity (a few are in very many facts, most in a handful);
- dates over decades with year, month and day precision (and some unknown dates);
  ``stated``/``reported`` facts are never dated after the sources they cite were
  published (later ones are ``predicted``); every citation of a ``reported`` fact has an
  attribution link; a ``denied`` fact is followed by the denial that responds to it; the
  text of a ``quote`` statement is its first citation's quote;
- ~20 sources whose texts are made of sentences; every citation quotes a real sentence or
  clause of its source (the text is line-wrapped, so many quotes differ from the text only
  in whitespace, which the validator allows);
- deterministic for a given ``--seed``, and streamed: facts are written as they are made,
  so memory stays bounded for N = 1,000,000 (at most ``--per-file`` facts per file).

With ``--ndjson PATH`` it also writes, alongside, one JSON line per fact holding exactly
the row that ``kb build`` writes to the ``facts`` table (same columns, same JSON text), so
a plain ``sqlite-utils insert`` of the same rows can serve as a floor.
"""
import argparse
import calendar
import json
import random
import re
import sys
import textwrap
import unicodedata
from bisect import bisect
from collections import deque
from datetime import date
from itertools import accumulate
from pathlib import Path

import orjson

from factmodel import corroboration, vocabulary
from kb.quotes import SourceText
from kb.time_rules import time_of

GENERATOR_VERSION = 2

# the vocabulary comes from schema/facts.schema.json (factmodel); the weights are the generator's own
FACT_TYPES = vocabulary.TYPES
# count (1.10.0) weighs 0 for now: a trailing zero weight leaves rng.choices' picks, and so every
# generated dataset and the benchmarks' baselines, as they were (the branch below is ready for it)
TYPE_WEIGHTS = [{"meeting": 15, "troop_deployment": 10, "lease": 8, "event": 25, "statement": 30,
                 "position": 12, "count": 0}.get(ftype, 10) for ftype in FACT_TYPES]
STATUSES = vocabulary.STATUSES
STATUS_WEIGHTS = [{"stated": 55, "reported": 30, "predicted": 9, "denied": 6}.get(s, 5) for s in STATUSES]
PRECISIONS = ["day", "month", "year"]
PRECISION_WEIGHTS = [55, 30, 15]
EVENT_KINDS = vocabulary.kinds("event")
STATEMENT_KINDS = vocabulary.kinds("statement")
QUALIFIERS = vocabulary.FACT_TYPES["troop_deployment"].field("count_qualifier").enum
# the NDJSON rows must equal the built rows: same fields, order and roles as the loader
ROLES = vocabulary.ROLE_FIELDS
TYPE_FIELDS = vocabulary.TYPE_FIELDS

FIRST = ["Ahmad", "Bashar", "Maher", "Rami", "Hafez", "Walid", "Faisal", "Khaled", "Omar", "Yusuf", "Ali",
         "Hassan", "Hussein", "Ibrahim", "Mahmoud", "Mustafa", "Nabil", "Samir", "Tariq", "Ziad", "Leila",
         "Rania", "Asma", "Bouthaina", "Nour", "Huda", "Salma", "Yasmin", "Fatima", "Mariam", "Vladimir",
         "Sergei", "Dmitry", "Alexander", "Elena", "Maria", "Mikhail", "Yevgeny", "Anatoly", "Recep",
         "Mevlüt", "Hakan", "Ömer", "Ayşe", "Emine", "Çağlar", "Şükrü", "John", "Antony", "Brett", "Hillary",
         "Staffan", "Geir", "Kofi", "Lakhdar", "Abdullah", "Mohammed", "Tamim", "Ayman", "Abu", "Qassem",
         "Javad", "Hossein", "Ebrahim", "Masoud", "Nechirvan", "Mazloum", "Ilham", "Fuad", "Hadi", "Jamil"]
LAST = ["Assad", "Makhlouf", "Shaaban", "Muallem", "Mekdad", "Khaddam", "Tlass", "Shawkat", "Mamlouk",
        "Hamsho", "Qaterji", "Jouejati", "Arnous", "Khamis", "Hijab", "Sabbagh", "Haddad", "Khoury", "Nasser",
        "Saleh", "Hariri", "Jumblatt", "Berri", "Aoun", "Putin", "Lavrov", "Shoigu", "Peskov", "Suponina",
        "Shumilin", "Lavrentiev", "Bogdanov", "Prigozhin", "Dvornikov", "Erdoğan", "Çavuşoğlu", "Fidan",
        "Kalın", "Akar", "Davutoğlu", "Şahin", "Özdemir", "Yılmaz", "Kerry", "Blinken", "McGurk", "Jeffrey",
        "de Mistura", "Pedersen", "Annan", "Brahimi", "Zarif", "Soleimani", "Raisi", "Amir-Abdollahian",
        "Barzani", "Abdi", "Salih", "Jolani", "Baghdadi", "Nasrallah", "bin Salman", "Al Thani", "Safadi"]
LAST_PREFIXES = ["", "", "", "", "al-", "el-", "Abu "]
SYLLABLES = ["al", "ba", "bir", "da", "der", "dun", "fa", "ha", "hom", "ja", "ka", "kef", "kha", "la", "lab",
             "ma", "mis", "mur", "na", "qa", "qar", "ra", "rif", "sa", "sha", "sur", "ta", "tal", "yar", "za",
             "zor", "ib", "aat", "ain", "ash", "ma", "ni", "ri", "ya", "ku", "bab"]
PLACE_PREFIXES = ["", "", "", "Tal ", "Deir ", "Ain ", "Khan ", "Jisr ", "Ras ", "Bab ", "Kafr ", "Maarat ",
                  "Qasr ", "Port of ", "Mount "]
PLACE_SUFFIXES = ["", "", "", "", " Airbase", " Province", " Crossing", " Dam", " Governorate", " Valley"]
COUNTRIES = ["Syria", "Russia", "Turkey", "Türkiye", "Iran", "Iraq", "Israel", "Lebanon", "Jordan",
             "Saudi Arabia", "Qatar", "United Arab Emirates", "Egypt", "United States", "United Kingdom",
             "France", "Germany", "China", "Kuwait", "Oman", "Bahrain", "Yemen", "Libya", "Algeria", "Tunisia",
             "Morocco", "Sudan", "Cyprus", "Greece", "Armenia", "Azerbaijan", "Georgia", "Ukraine", "Belarus",
             "Kazakhstan", "Pakistan", "Afghanistan", "India", "Italy", "Spain", "Netherlands", "Sweden",
             "Norway", "Switzerland", "Austria", "Belgium", "Canada", "Japan", "Brazil", "South Africa"]
ORG_ADJ = ["National", "Syrian", "Arab", "Eastern", "Northern", "Southern", "Western", "Central", "Higher",
           "United", "Independent", "Joint", "Interim", "Supreme", "General", "Free", "Democratic", "Popular"]
ORG_NOUN = ["Reconstruction", "Energy", "Oil", "Gas", "Phosphate", "Ports", "Security", "Defence", "Trade",
            "Investment", "Relief", "Development", "Media", "Transport", "Water", "Electricity", "Customs"]
ORG_KIND = ["Council", "Company", "Authority", "Commission", "Committee", "Agency", "Fund", "Bank",
            "Corporation", "Directorate", "Ministry", "Office", "Institute", "Centre"]
GROUP_PATTERNS = ["{w} Brigade", "Army of {W}", "{a} Front", "{w} Martyrs Battalion", "{a} Forces of {W}",
                  "{w} Defence Units", "{a} Movement", "Sons of {W}", "{w} Liwa", "{a} Coalition"]
PUBLISHERS = ["Bloomberg", "Reuters", "Associated Press", "Agence France-Presse", "The New Arab",
              "Al-Monitor", "Middle East Eye", "Asharq Al-Awsat", "The National", "Kommersant", "TASS",
              "Daily Sabah", "Hürriyet Daily News", "Enab Baladi", "SANA", "Al Jazeera", "The Guardian",
              "Financial Times", "Le Monde", "Der Spiegel", "L’Orient-Le Jour", "Syria Direct"]
TITLES = ["President", "Prime Minister", "Foreign Minister", "Defence Minister", "Interior Minister",
          "Minister of Economy", "Governor", "Spokesman", "Spokeswoman", "Commander", "Chief of Staff",
          "Special Envoy", "Ambassador", "Head of Intelligence", "Secretary-General", "Chairman",
          "Deputy Prime Minister", "Speaker of Parliament", "Mufti", "Central Bank Governor"]
ATTRIBUTIONS = ["officials said", "the ministry said", "according to people familiar with the matter",
                "state media reported", "a statement said", "diplomats said", "the report said",
                "according to the agency", "witnesses said", "the spokesman said"]
UTTERANCES = ["We will not withdraw until the job is done", "There is no military solution to this conflict",
              "The sanctions are hurting ordinary people, not the government",
              "Our forces are there at the invitation of the legitimate government",
              "Unfortunately, there is a tendency toward escalation, we can see that",
              "We are ready to talk to anyone who wants peace", "These reports are completely untrue",
              "The agreement will be signed before the end of the year",
              "Nobody can decide the future of this country except its people",
              "We have never supplied weapons to any armed group", "The border will stay closed",
              "Reconstruction cannot begin without security", "We expect elections next spring",
              "This is a violation of international law", "The talks were very important"]
CLAIMS = ["the ceasefire had collapsed", "troops were being withdrawn from the north", "the lease had been extended",
          "talks had stalled over the constitution", "the currency had lost half its value",
          "the convoy had been attacked", "a new militia was being formed", "the embassy would reopen",
          "fuel shipments had been halted", "prisoners would be exchanged"]
FILLER = ["The talks could take months, analysts said.", "The ministry did not respond to a request for comment.",
          "The war has killed hundreds of thousands of people and displaced millions.",
          "Prices of bread and fuel rose again last week.", "The statement gave no further details.",
          "Neither side commented on the report.", "The meeting was not announced in advance.",
          "Observers said the move was largely symbolic.", "The figures could not be independently verified.",
          "Electricity is available for only a few hours a day in many areas."]
NOTES = ["The article gives no exact day; the month is the curator's reading.",
         "Relative wording resolved against the article's publication date.",
         "The source attributes this to unnamed officials.", "As-of date is the article's.",
         "The figure is the source's estimate.", "Place not given; location left null."]

ORD_MIN = date(1960, 1, 1).toordinal()
PUB_MIN = date(1995, 1, 1).toordinal()
PUB_MAX = date(2025, 6, 30).toordinal()
_PLAIN = re.compile(r"(?:[^\W\d_]|[“‘])[\w .,;'’“”‘()–—/-]*[\w.)’”]")
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def slugify(text, limit=50):
    text = unicodedata.normalize("NFKD", text.replace("ı", "i")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


def ascii_fold(text):
    return unicodedata.normalize("NFKD", text.replace("ı", "i")).encode("ascii", "ignore").decode()


def scalar(value):
    """A YAML scalar: plain when that is unambiguous, double-quoted otherwise."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


class Zipf:
    """Pick items with probability ∝ 1 / rank**s (ranks assigned in a shuffled order)."""

    def __init__(self, rng, items, s=1.1):
        self.rng = rng
        self.items = list(items)
        rng.shuffle(self.items)
        self.cum = list(accumulate(1.0 / (rank + 1) ** s for rank in range(len(self.items))))
        self.total = self.cum[-1]

    def pick(self):
        return self.items[min(bisect(self.cum, self.rng.random() * self.total), len(self.items) - 1)]

    def distinct(self, k):
        k = min(k, len(self.items))
        out = []
        while len(out) < k:
            item = self.pick()
            if item not in out:
                out.append(item)
        return out


class Generator:
    def __init__(self, facts, seed=1, sources=20, entities=None, per_file=10_000):
        self.n = facts
        self.seed = seed
        self.rng = random.Random(seed)
        self._deny = None  # id of the denied fact the next fact must deny
        self.n_sources = sources
        self.n_entities = entities or min(50_000, max(200, facts // 100))
        self.per_file = per_file

    # -- entities ----------------------------------------------------------------------------
    def _word(self, syllables=None):
        rng = self.rng
        return "".join(rng.choice(SYLLABLES) for _ in range(syllables or rng.choice((2, 2, 3)))).capitalize()

    def _entity(self, etype, index):
        rng = self.rng
        if etype == "person":
            first, last = rng.choice(FIRST), rng.choice(LAST)
            prefix = rng.choice(LAST_PREFIXES) if last[0].isupper() and " " not in last else ""
            middle = f" {rng.choice(FIRST)}" if rng.random() < 0.5 else ""
            name = f"{first}{middle} {prefix}{last}"
            aliases = [f"{prefix}{last}", f"{first} {prefix}{last}" if middle else f"{first[0]}. {prefix}{last}"]
            title = rng.choice(TITLES)
            description = f"{title}, {rng.choice(['formerly', 'currently', 'since the 2010s', 'until 2012'])} in office."
        elif etype == "country":
            base = COUNTRIES[index] if index < len(COUNTRIES) else f"{rng.choice(['Republic', 'Kingdom', 'Emirate', 'Federation'])} of {self._word(3)}"
            name = base
            aliases = [f"the {name}" if " of " in name or name.startswith("United") else f"{name} government"]
            description = f"A state involved in the region's politics ({rng.choice(['neighbour', 'ally', 'mediator', 'rival'])})."
        elif etype == "place":
            name = f"{rng.choice(PLACE_PREFIXES)}{self._word()}{rng.choice(PLACE_SUFFIXES)}"
            aliases = [name.split(" ")[-1] if " " in name else f"{name} area"]
            description = f"A {rng.choice(['town', 'city', 'district', 'port', 'airbase', 'border crossing', 'oil field'])} in {rng.choice(COUNTRIES[:12])}."
        elif etype == "organization":
            if rng.random() < 0.3:
                name = f"Ministry of {rng.choice(ORG_NOUN)}"
            else:
                name = f"{rng.choice(ORG_ADJ)} {rng.choice(ORG_NOUN)} {rng.choice(ORG_KIND)}"
            aliases = ["".join(w[0] for w in name.split() if w[0].isupper())]
            description = f"A {rng.choice(['state', 'private', 'international', 'regional'])} body."
        else:  # group
            w = self._word()
            name = rng.choice(GROUP_PATTERNS).format(w=w, W=w, a=rng.choice(ORG_ADJ))
            aliases = [w]
            description = f"An armed group {rng.choice(['backed by', 'opposed to', 'allied with'])} {rng.choice(COUNTRIES[:12])}."
        folded = ascii_fold(name)
        if folded != name:
            aliases.append(folded)
        aliases = [a for i, a in enumerate(aliases) if a and a != name and a not in aliases[:i]]
        return name, aliases, description

    def make_entities(self):
        shares = [("person", 0.46), ("place", 0.22), ("organization", 0.14), ("group", 0.10), ("country", 0.08)]
        self.entities = {}  # type -> list of (id, name, aliases, description)
        self.names = {}  # id -> name
        for etype, share in shares:
            rows = []
            for index in range(max(10, round(self.n_entities * share))):
                name, aliases, description = self._entity(etype, index)
                base = slugify(name) or etype
                eid, k = base, 1
                while eid in self.names:
                    k += 1
                    eid = f"{base}-{k}"
                self.names[eid] = name
                rows.append((eid, name, aliases, description))
            self.entities[etype] = rows
        ids = {etype: [row[0] for row in rows] for etype, rows in self.entities.items()}
        rng = self.rng
        self.pool = {etype: Zipf(rng, ids[etype]) for etype in ids}
        self.pool["actor"] = Zipf(rng, ids["country"] + ids["group"] + ids["organization"] + ids["person"])
        self.pool["any"] = Zipf(rng, [eid for etype in ids for eid in ids[etype]])
        self.pool["lessee"] = Zipf(rng, ids["country"] + ids["organization"])
        self.pool["body"] = Zipf(rng, ids["organization"] + ids["country"])

    def write_entities(self, out):
        folder = out / "entities"
        folder.mkdir(parents=True, exist_ok=True)
        for etype, rows in self.entities.items():
            for part in range(0, len(rows), self.per_file):
                lines = [f"# Synthetic {etype} entities (bench/generate.py, seed {self.seed})", "entities:"]
                for eid, name, aliases, description in rows[part:part + self.per_file]:
                    lines += [f"  - id: {eid}", f"    type: {etype}", f"    name: {scalar(name)}",
                              f"    aliases: [{', '.join(json.dumps(a, ensure_ascii=False) for a in aliases)}]",
                              f"    description: {scalar(description)}"]
                name = f"{etype}-{part // self.per_file:03d}.yaml"
                (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -- sources -----------------------------------------------------------------------------
    def _sentence(self, ftype):
        rng, used = self.rng, set()

        def n(pool):  # a name not used yet in this sentence
            for _ in range(20):
                eid = self.pool[pool].pick()
                if eid not in used:
                    break
            used.add(eid)
            return self.names[eid]

        day = date.fromordinal(rng.randint(ORD_MIN, PUB_MAX))
        when = rng.choice([f" on {day:%d %B %Y}", f" in {day:%B %Y}", f" in {day.year}", "", " last week"])
        att = rng.choice(ATTRIBUTIONS)
        if ftype == "meeting":
            return rng.choice([
                f"{n('person')} met {n('person')} in {n('place')}{when}, {att}.",
                f"{n('person')} and {n('person')} held talks{when}, the first such meeting in years.",
                f"{n('person')} last met {n('person')} in {day:%B %Y}.",
                f"A three-way summit with {n('person')}, {n('person')} and {n('person')} could take place{when}, {att}.",
            ])
        if ftype == "troop_deployment":
            count = rng.choice([50, 100, 200, 300, 500, 900, 1000, 1500, 2000, 3000, 5000, 10000])
            return rng.choice([
                f"{n('country')} has about {count:,} troops in {n('place')}, {att}.",
                f"Some {count} soldiers from {n('country')} were deployed to {n('place')} in support of the {n('group')}.",
                f"{n('country')} keeps at least {count} troops at {n('place')}{when}.",
            ])
        if ftype == "lease":
            years = rng.choice([5, 10, 25, 49, 50, 99])
            return rng.choice([
                f"{n('lessee')} signed a {years}-year lease on {n('place')} with {n('country')}{when}.",
                f"Under the agreement, {n('lessee')} will run {n('place')} for {years} years, {att}.",
            ])
        if ftype == "event":
            return rng.choice([
                f"{n('actor')} announced new sanctions against {n('actor')}{when}.",
                f"A ceasefire between the {n('group')} and {n('actor')} took effect in {n('place')}{when}.",
                f"Fighting broke out in {n('place')}{when}, breaking a truce brokered by {n('country')}.",
                f"{n('country')} restored its membership of the {n('organization')}{when}, {att}.",
                f"The {n('group')} was formed in {n('place')}{when} with backing from {n('country')}.",
                f"{n('country')} broke off relations with {n('country')}{when}.",
            ])
        if ftype == "statement":
            return rng.choice([
                f"“{rng.choice(UTTERANCES)},” {n('person')} said{when}.",
                f"{n('person')} denied that {rng.choice(CLAIMS)}, {att}.",
                f"{n('person')} said {rng.choice(CLAIMS)}, calling it “{rng.choice(['very important', 'unacceptable', 'a step forward', 'a provocation'])}”.",
                f"According to {n('person')}, {rng.choice(CLAIMS)}.",
            ])
        return rng.choice([  # position
            f"{n('person')}, the {rng.choice(TITLES).lower()} of the {n('body')}, said the talks would continue.",
            f"{n('person')} was appointed {rng.choice(TITLES).lower()} of {n('body')}{when}.",
            f"{n('person')}, who now runs the {n('organization')}, said {rng.choice(CLAIMS)}.",
        ])

    def make_sources(self):
        rng = self.rng
        self.sources = []  # dicts: id, published, ordinal, quotes {type: [(quote, start, end)]}
        used = set()
        for index in range(self.n_sources):
            publisher = PUBLISHERS[index % len(PUBLISHERS)]
            ordinal = rng.randint(PUB_MIN, PUB_MAX)
            published = date.fromordinal(ordinal).isoformat()
            sid = f"{slugify(publisher, 40)}-{published}"
            while sid in used:
                ordinal += 1
                published = date.fromordinal(ordinal).isoformat()
                sid = f"{slugify(publisher, 40)}-{published}"
            used.add(sid)
            target = rng.randint(60_000, 190_000)  # characters of text
            sentences, seen, size = [], set(), 0
            while size < target:
                if rng.random() < 0.2:
                    sentence, ftype = rng.choice(FILLER), None
                else:
                    ftype = rng.choices(FACT_TYPES, TYPE_WEIGHTS)[0]
                    sentence = self._sentence(ftype)
                    if sentence in seen:
                        continue
                    seen.add(sentence)
                sentences.append((sentence, ftype))
                size += len(sentence) + 1
            title = sentences[0][0].rstrip(".")[:200] if sentences[0][1] else f"{publisher} report"
            paragraphs, i = [], 0
            while i < len(sentences):
                k = rng.randint(2, 6)
                paragraph = " ".join(s for s, _ in sentences[i:i + k])
                paragraphs.append(textwrap.fill(paragraph, width=rng.choice([72, 80, 100, 10_000]),
                                                break_on_hyphens=False, break_long_words=False))
                i += k
            text = f"{published} ({publisher}) --\n\n" + "\n\n".join(paragraphs) + "\n"
            finder = SourceText(text)
            quotes = {ftype: [] for ftype in FACT_TYPES}
            for sentence, ftype in sentences:
                if ftype is None:
                    continue
                candidates = [sentence]
                head = sentence.split(", ")[0]
                if head != sentence and len(head) >= 20:
                    candidates.append(head)  # a clause, as curators often quote
                for quote in candidates:
                    found = finder.find(quote)
                    assert found is not None, quote
                    quotes[ftype].append((quote, found[0], found[1]))
            self.sources.append({
                "id": sid, "publisher": publisher, "published": published, "ordinal": ordinal, "title": title,
                "url": None if rng.random() < 0.3 else f"https://example.org/{slugify(publisher, 40)}/{published}/{index}",
                "language": rng.choice(["en", "en", "en", "en-GB"]), "text": text, "quotes": quotes,
            })
        self.source_pool = Zipf(rng, range(len(self.sources)), s=0.8)

    def write_sources(self, out):
        folder = out / "sources"
        folder.mkdir(parents=True, exist_ok=True)
        for src in self.sources:
            lines = [f"# Synthetic source (bench/generate.py, seed {self.seed})", f"id: {src['id']}",
                     f"title: {scalar(src['title'])}", f"publisher: {scalar(src['publisher'])}",
                     f'published: "{src["published"]}"', f"url: {scalar(src['url'])}", f"language: {src['language']}"]
            if src["url"] is None:
                lines.append("note: Synthetic text generated for benchmarks; no canonical address.")
            (folder / f"{src['id']}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            (folder / f"{src['id']}.txt").write_text(src["text"], encoding="utf-8")

    # -- facts -------------------------------------------------------------------------------
    def _date(self, status, min_pub):
        """Return (yaml text, normalised date, precision, start, end)."""
        rng = self.rng
        if rng.random() < 0.05:
            return "null", None, None, None, None
        if status == "predicted":
            day = date.fromordinal(rng.randint(min_pub + 1, min_pub + 3650))
        else:  # not after the earliest cited source (truncation only moves the start earlier)
            day = date.fromordinal(rng.randint(ORD_MIN, min_pub))
        return self._partial(day)

    def _partial(self, day):
        precision = self.rng.choices(PRECISIONS, PRECISION_WEIGHTS)[0]
        y, m = day.year, day.month
        if precision == "day":
            value = day.isoformat()
            text = value if self.rng.random() < 0.3 else f'"{value}"'  # an unquoted YAML date stays a string
            return text, value, "day", value, value
        if precision == "month":
            value = f"{y:04d}-{m:02d}"
            return f'"{value}"', value, "month", f"{value}-01", f"{value}-{calendar.monthrange(y, m)[1]:02d}"
        value = f"{y:04d}"
        text = str(y) if self.rng.random() < 0.5 else f'"{value}"'  # a bare YAML year is an int
        return text, value, "year", f"{value}-01-01", f"{value}-12-31"

    def _fact(self, number, recent):
        """Return (yaml lines, facts-table row) for fact number ``number``."""
        rng, pool, names = self.rng, self.pool, self.names
        ftype = rng.choices(FACT_TYPES, TYPE_WEIGHTS)[0]
        cites = []
        for _ in range(rng.choices((1, 2, 3), (75, 17, 8))[0]):
            src = self.sources[self.source_pool.pick()]
            quote, start, end = rng.choice(src["quotes"][ftype])
            cites.append((src, quote, start, end))
        min_pub = min(src["ordinal"] for src, *_ in cites)
        first_published = min(src["published"] for src, *_ in cites)
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        denies = self._deny
        self._deny = None
        if denies is not None:  # the denial of the denied fact just written
            ftype, status = "statement", rng.choice(("stated", "reported"))
        elif status == "denied" and number == self.n - 1:
            status = "stated"  # no fact follows to deny it
        date_text, date_value, precision, start, end = self._date(status, min_pub)
        when = f" ({date_value})" if date_value else ""

        def maybe(p, pool_name):
            return pool[pool_name].pick() if rng.random() < p else None

        if ftype == "meeting":
            people = pool["person"].distinct(rng.choices((2, 3, 4), (80, 15, 5))[0])
            fields = {"participants": people, "location": maybe(0.6, "place")}
            where = f" in {names[fields['location']]}" if fields["location"] else ""
            summary = f"{' and '.join(names[p] for p in people)} met{where}{when}."
            head = people[0]
        elif ftype == "troop_deployment":
            fields = {"country": pool["country"].pick(), "count": rng.choice([0, 20, 50, 100, 200, 500, 900, 1200, 2000, 5000]),
                      "count_qualifier": rng.choice(QUALIFIERS), "location": pool["place"].pick(),
                      "supporting": maybe(0.5, "group")}
            summary = (f"{names[fields['country']]} has {fields['count_qualifier'].replace('_', ' ')} {fields['count']} troops "
                       f"in {names[fields['location']]}{when}.")
            head = fields["country"]
        elif ftype == "lease":
            start_date = None
            if rng.random() < 0.7:
                start_date = self._partial(date.fromordinal(rng.randint(ORD_MIN, PUB_MAX)))
            fields = {"lessee": pool["lessee"].pick(), "lessor": maybe(0.8, "country"), "asset": pool["place"].pick(),
                      "term_years": rng.choice([5, 10, 25, 49, 50, 99]), "start_date": start_date}
            summary = f"{names[fields['lessee']]} leases {names[fields['asset']]} for {fields['term_years']} years{when}."
            head = fields["lessee"]
        elif ftype == "event":
            kind = rng.choice(EVENT_KINDS)
            actors = pool["actor"].distinct(rng.choices((0, 1, 2, 3), (5, 50, 35, 10))[0])
            fields = {"kind": kind, "actors": actors, "targets": [], "location": maybe(0.5, "place")}
            who = f" involving {', '.join(names[a] for a in actors)}" if actors else ""
            summary = f"Event of kind {kind.replace('_', ' ')}{who}{when}."
            head = actors[0] if actors else kind.replace("_", "-")
        elif ftype == "statement":
            kind = "denial" if denies is not None else rng.choice(STATEMENT_KINDS)
            if kind == "denial" and denies is None and not recent:
                kind = "claim"  # a denial needs a fact to respond to
            speaker = pool["person"].pick() if rng.random() < 0.9 else pool["body"].pick()
            responds_to = denies if denies is not None else (
                recent[rng.randrange(len(recent))] if recent and (kind == "denial" or rng.random() < 0.05) else None)
            text = rng.choice(UTTERANCES) if kind == "stance" else cites[0][1] if kind == "quote" else rng.choice(CLAIMS)
            fields = {"speaker": speaker, "kind": kind, "text": text, "about": pool["any"].distinct(rng.choice((1, 1, 2, 3))),
                      "responds_to": responds_to}
            summary = f"{names[speaker]} made a {kind} statement{when}, saying that {text[0].lower()}{text[1:]}."
            head = speaker
        elif ftype == "count":  # issue 31: counts of anything
            counted = rng.choice(["naval vessels", "aircraft", "checkpoints", "displaced families", "deaths"])
            fields = {"counted": counted, "of": maybe(0.7, "country"), "location": maybe(0.8, "place"),
                      "value": rng.choice([3, 12, 19, 40, 150, 2000]), "count_qualifier": rng.choice(QUALIFIERS),
                      "misstated_value": None}
            where = f" in {names[fields['location']]}" if fields["location"] else ""
            summary = f"There were {fields['count_qualifier'].replace('_', ' ')} {fields['value']} {counted}{where}{when}."
            head = fields["of"] or counted.replace(" ", "-")
        else:  # position
            title = rng.choice(TITLES)
            fields = {"holder": pool["person"].pick(), "title": title, "organization": maybe(0.8, "body")}
            of = f" of {names[fields['organization']]}" if fields["organization"] else ""
            summary = f"{names[fields['holder']]} is {title}{of}{when}."
            head = fields["holder"]
        fid = f"{slugify(head, 40)}-{ftype.replace('_', '-')}-{number:07d}"
        note = rng.choice(NOTES) if rng.random() < 0.1 else None

        lines = [f"  - id: {fid}", f"    type: {ftype}", f"    summary: {scalar(summary[:500])}", f"    date: {date_text}",
                 f"    date_precision: {scalar(precision)}", f"    status: {status}"]
        attributes = {}
        for field in TYPE_FIELDS[ftype]:
            value = fields[field]
            if field == "start_date":
                lines.append(f"    start_date: {value[0] if value else 'null'}")
                value = value[1] if value else None
            elif isinstance(value, list):
                lines.append(f"    {field}: [{', '.join(value)}]")
            else:
                lines.append(f"    {field}: {scalar(value)}")
            attributes[field] = value
        lines.append("    citations:")
        citations = []
        for src, quote, q_start, q_end in cites:
            lines += [f"      - source: {src['id']}", f"        quote: {scalar(quote)}"]
            attribution = []
            if status == "reported":
                attribution = ([{"relation": "unattributed", "entity": None, "fact": None}] if rng.random() < 0.3 else
                               [{"relation": "reported_by", "entity": pool["body"].pick(), "fact": None}])
                link = attribution[0]
                lines.append(f"        attribution: [{{relation: {link['relation']}"
                             f"{', entity: ' + link['entity'] if link['entity'] else ''}}}]")
            citations.append({"source": src["id"], "publisher": src["publisher"], "title": src["title"],
                              "published": src["published"], "quote": quote, "start": q_start, "end": q_end,
                              "attribution": attribution})
        speaker = fields.get("speaker") if ftype == "statement" else None
        for citation, found in zip(citations, corroboration.origins(citations)):  # as kb/rules.py adds them
            citation["origin"], citation["voice"] = found, corroboration.citation_voice(citation, speaker)
        if note:
            lines.append(f"    note: {scalar(note)}")
        entities = []
        for field, role in ROLES[ftype]:
            value = fields[field]
            for ref in value if isinstance(value, list) else ([] if value is None else [value]):
                ref_row = {"id": ref, "role": role}
                if ref_row not in entities:
                    entities.append(ref_row)
        if status == "denied":
            self._deny = fid
        time_kind, time, span, certain = time_of({"type": ftype, "status": status, "kind": fields.get("kind")}, date_value,
                                        precision, start, end, [src["published"] for src, *_ in cites], None)
        relations = [{"type": "responds_to", "fact": fields["responds_to"], "direction": "outgoing"}] if fields.get(
            "responds_to") else []  # the incoming ones are known only once every fact is
        row = {
            "id": fid, "type": ftype, "summary": summary[:500], "date": date_value, "date_precision": precision,
            "date_start": start, "date_end": end, "sort_date": span[0], "status": status,
            "first_published": first_published, "note": note,
            "attributes": orjson.dumps(attributes).decode(), "entities": orjson.dumps(entities).decode(),
            "citations": orjson.dumps(citations).decode(), "time_kind": time_kind, "time": orjson.dumps(time).decode(),
            "span_start": span[0], "span_end": span[1], "relations": orjson.dumps(relations).decode(),
            **dict(zip(("whole_start", "whole_end", "held_start", "held_end"), certain)),
            "voice": corroboration.voice(citations),
        }
        return lines, row

    def write_facts(self, out, ndjson=None):
        folder = out / "facts"
        folder.mkdir(parents=True, exist_ok=True)
        recent = deque(maxlen=2000)  # earlier fact ids, for responds_to (bounded memory)
        nd = open(ndjson, "wb") if ndjson else None
        handle = None
        try:
            for number in range(self.n):
                if number % self.per_file == 0:
                    if handle:
                        handle.close()
                    handle = open(folder / f"part-{number // self.per_file:05d}.yaml", "w", encoding="utf-8")
                    handle.write(f"# Synthetic facts {number}..{min(self.n, number + self.per_file) - 1} "
                                 f"(bench/generate.py, seed {self.seed})\nfacts:\n")
                lines, row = self._fact(number, recent)
                handle.write("\n".join(lines) + "\n\n")
                recent.append(row["id"])
                if nd:
                    nd.write(orjson.dumps(row) + b"\n")
        finally:
            if handle:
                handle.close()
            if nd:
                nd.close()

    def run(self, out, ndjson=None):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        self.make_entities()
        self.write_entities(out)
        self.make_sources()
        self.write_sources(out)
        self.write_facts(out, ndjson)
        manifest = {"generator_version": GENERATOR_VERSION, "facts": self.n, "seed": self.seed,
                    "entities": len(self.names), "sources": len(self.sources), "per_file": self.per_file}
        (out / "generated.json").write_text(json.dumps(manifest, indent=1) + "\n")
        return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, required=True, help="number of facts N")
    parser.add_argument("--out", required=True, help="seed folder to write (sources/, entities/, facts/)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--entities", type=int, default=None, help="default: N/100, at least 200, at most 50,000")
    parser.add_argument("--per-file", type=int, default=10_000, help="facts per file (default 10,000)")
    parser.add_argument("--ndjson", default=None, help="also write the facts-table rows as NDJSON here")
    args = parser.parse_args(argv)
    if args.facts < 1:
        parser.error("--facts must be at least 1")
    manifest = Generator(args.facts, args.seed, args.sources, args.entities, args.per_file).run(args.out, args.ndjson)
    print(f"wrote {args.out}: {manifest['facts']} facts, {manifest['entities']} entities, {manifest['sources']} sources",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
