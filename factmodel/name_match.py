"""How close a label is to an entity's names (issue 32): reconciliation's score
(api/resources/reconcile.py), by tokens, with rapidfuzz, over the project's one fold
(:func:`factmodel.folding.fold`: ``Erdoğan`` is ``erdogan``).

A label and a name are compared word by word. Each word of the label is paired with at most one
word of the name, the closest first (``fuzz.ratio`` of the folded words, counted from 80 up:
``Dmitri``/``Dmitry``, ``Tartous``/``Tartus``). Then

* **coverage of the label** (0–1): how much of the label the name explains. A word that
  describes a person rather than names one is explained by any person: a title or role
  (:data:`PERSON_WORDS`: "spokesman", "president"…) wholly, a leader's "regime", "government",
  "administration" (:data:`LEADER_WORDS`) by half; a score so helped is at most
  :data:`DESCRIBED_MAX`;
* **coverage of the name** (0–1): how much of the name the label has (a middle name left out
  costs less than a word the label has and the name lacks);
* particles (``al``, ``bin``, ``the``…) weigh half a word;

``score = 100 × (0.65 × label coverage + 0.35 × name coverage)``, rounded to one decimal. Only
the same words in the same order (after folding; ``Bashar al Assad`` is ``Bashar al-Assad``)
score 100; anything else scores at most 99. An entity scores its best name or alias.
"""
import re
import unicodedata

from rapidfuzz import fuzz

from .folding import fold

WORD_SIMILARITY = 80  # fuzz.ratio from which two words count as the same (scaled by their ratio)
LABEL_WEIGHT = 0.65
PARTICLES = frozenset(["al", "el", "ad", "as", "ash", "bin", "ibn", "bint", "abu", "the", "of", "de", "la", "le",
                       "van", "von", "der", "di", "da", "du"])
# Words that describe a person (a title, a role; a leader's regime or government) rather than name one
PERSON_WORDS = frozenset("""
president vice prime minister foreign defence defense interior spokesman spokeswoman spokesperson press secretary
deputy leader chief head commander general gen colonel col envoy ambassador senator king queen prince emir
sheikh shaykh sultan ayatollah imam mr mrs ms dr sir lord chairman chairwoman premier chancellor
""".split())
LEADER_WORDS = frozenset(["regime", "government", "administration"])
DESCRIBED_MAX = 90.0
_WORD = re.compile(r"\w+")


def words(text):
    """The folded words of ``text`` (hyphens, apostrophes and dots separate words). After the fold,
    the combining marks it leaves in other scripts go too (``الأسد`` is ``الاسد``)."""
    folded = unicodedata.normalize("NFKD", fold(text))
    return _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))


def _weight(word):
    return 0.5 if word in PARTICLES else 1.0


def score(label_words, name_words, person=False):
    """0–100: how well the words of a label (:func:`words`) name the entity with the words
    ``name_words`` (``person``: the entity is a person)."""
    if not label_words or not name_words:
        return 0.0
    if label_words == name_words:
        return 100.0
    pairs = sorted(((fuzz.ratio(a, b), i, j) for i, a in enumerate(label_words) for j, b in enumerate(name_words)),
                   reverse=True)
    used_label, used_name, label_hit, name_hit = set(), set(), 0.0, 0.0
    for ratio, i, j in pairs:
        if ratio < WORD_SIMILARITY:
            break
        if i in used_label or j in used_name:
            continue
        used_label.add(i)
        used_name.add(j)
        label_hit += _weight(label_words[i]) * ratio / 100
        name_hit += _weight(name_words[j]) * ratio / 100
    if not used_label:
        return 0.0
    ceiling = 99.0
    if person:
        rest = [w for i, w in enumerate(label_words) if i not in used_label]
        described = sum(1.0 for w in rest if w in PERSON_WORDS) + sum(0.5 for w in rest if w in LEADER_WORDS)
        if described:
            label_hit, ceiling = label_hit + described, DESCRIBED_MAX
    label_cover = label_hit / sum(map(_weight, label_words))
    name_cover = name_hit / sum(map(_weight, name_words))
    return min(ceiling, round(100 * (LABEL_WEIGHT * label_cover + (1 - LABEL_WEIGHT) * name_cover), 1))


def best_score(label, names, person=False):
    """The best :func:`score` of ``label`` (text) over ``names`` (an entity's name and aliases)."""
    label_words = words(label)
    return max((score(label_words, words(name), person) for name in names), default=0.0)
