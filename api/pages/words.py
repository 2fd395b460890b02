"""A fact's status, time and chain of attribution in words, for people reading its page.

Every phrase is made from the served fact (the JSON item's fields) and the names of the
entities it names; nothing here knows more than the JSON does.
"""
from datetime import date

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

# How the text attributes a claim (schema/facts.schema.json, attribution_link.relation)
RELATIONS = {
    "reported_by": "relaying {name}'s report",
    "according_to": "according to {name}",
    "said_to": "as told to {name}",
    "citing": "citing {name}",
    "released_by": "in material released by {name}",
    "unattributed": "attributing it to nobody named",
}
# How a role reads in a list of an entity's facts ("as participant", "as attributed to")
ROLE_NAMES = {"attributed": "attributed to (a source names it)"}
STATUS = {"stated": "stated", "reported": "reported", "predicted": "predicted", "denied": "denied"}
BASES = {
    "observation": "the day it was observed",
    "publication": "the article's publication",
    "curator": "the curator's reading of the text",
    "prediction": "the day of the prediction",
}


def day(value, part=None):
    """``2024-07-25`` as ``25 July 2024``, ``2024-07`` as ``July 2024`` (with ``part`` ``early``:
    ``early July 2024``), ``2024`` as ``2024``."""
    if not value:
        return "an unknown date"
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return f"{date(*parts).day} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{part + ' ' if part else ''}{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def on(value, part=None):
    """``on 25 July 2024``, ``in July 2024``, ``in early July 2024``, ``in 2024``."""
    return ("on " if value and value.count("-") == 2 else "in ") + day(value, part)


def _bound(time, key):
    basis = time.get(f"{key}_basis")
    return day(time[key], time.get(f"{key}_part")) + (f" ({BASES.get(basis, basis)})" if basis and basis != "curator" else
                             " (the curator's reading of the text)" if basis == "curator" else "")


def first_citation(fact):
    """The citation of the earliest article (then by source id): who first published the fact."""
    return min(fact["citations"], key=lambda c: (c["published"], c["source"]))


def status_words(fact):
    """"stated by Bloomberg on 25 July 2024": the status, who first published it, when."""
    first = first_citation(fact)
    return f"{STATUS.get(fact['status'], fact['status'])} by {first['publisher']} {on(first['published'])}"


def time_words(fact):
    """What the time of the fact is, in words; "not given" wherever a bound is unknown."""
    time = fact["time"]
    first_published = first_citation(fact)["published"]
    kind = time["kind"]
    inferred = " (a date the curator inferred; the note says how)" if time.get("date_inferred") else ""
    if kind == "state":
        if time.get("ended_before"):
            return (f"a former state of affairs, over before {_bound(time, 'ended_before')}; "
                    "since when, not given")
        seen = "that day" if time.get("date") == first_published else on(time.get("date"), time.get("date_part"))
        out = [f"a state of affairs observed {seen}{inferred}"]
        later = sorted({o["date"] for o in time.get("observations") or []} - {time.get("date")})
        if later:  # observed again: it held between the observations (methodology)
            out[0] += ", and again " + " and ".join(on(d) for d in later)
        start, end = time.get("valid_from"), time.get("valid_until")
        out.append("since when, not given" if not start or time.get("valid_from_basis") == "observation"
                   else f"since {_bound(time, 'valid_from')}")
        if later:
            out.append(f"known to hold until {day(later[-1])}, its latest observation; after that, not given")
        elif end and time.get("valid_until_basis") != "observation":
            out.append(f"until {_bound(time, 'valid_until')}")
        else:
            out.append("until when, not given")
        return "; ".join(out)
    if kind == "prediction":
        made = f"a prediction made {on(time['date'], time.get('date_part'))}" if time.get("date") else "a prediction"
        out = [made + inferred]
        expected = [f"not before {_bound(time, 'expected_not_before')}" if time.get("expected_not_before") else "",
                    f"not after {_bound(time, 'expected_not_after')}" if time.get("expected_not_after") else ""]
        expected = [e for e in expected if e]
        out.append("expected " + " and ".join(expected) if expected else "when expected, not given")
        return "; ".join(out)
    if time.get("date"):
        return f"an act {on(time['date'], time.get('date_part'))}{inferred}"
    bounds = [f"not before {_bound(time, 'not_before')}" if time.get("not_before") else "since when, not given",
              f"not after {_bound(time, 'not_after')}" if time.get("not_after") else "until when, not given"]
    return "an act whose date is not given: " + ", ".join(bounds)


def chain_words(citation, names):
    """"The New Arab, relaying Bloomberg's report, citing former Russian officials": who said it
    and through whom, as the citation's attribution chain says (``names``: entity id -> name)."""
    links = citation["attribution"]
    if not links:
        return f"{citation['publisher']}, in its own voice"
    phrases, i = [], 0
    while i < len(links):
        link = links[i]
        same = [link]
        while i + len(same) < len(links) and links[i + len(same)]["relation"] == link["relation"]:
            same.append(links[i + len(same)])
        who = " and ".join(names.get(x["entity"], x["entity"]) for x in same if x["entity"]) or "an unnamed source"
        phrases.append(RELATIONS.get(link["relation"], link["relation"] + " {name}").format(name=who))
        i += len(same)
    return ", ".join([citation["publisher"], *phrases])


# A relation between facts (schema/facts.schema.json, relation.type), read from this fact's side
RELATION_WORDS = {
    ("responds_to", "outgoing"): "Responds to", ("responds_to", "incoming"): "Responded to by",
    ("revises", "outgoing"): "Revises", ("revises", "incoming"): "Revised by",
    ("supersedes", "outgoing"): "Supersedes", ("supersedes", "incoming"): "Superseded by",
    ("same_claim", "outgoing"): "The same claim as", ("same_claim", "incoming"): "The same claim as",
    ("conflicts_with", "outgoing"): "Conflicts with", ("conflicts_with", "incoming"): "Conflicts with",
    ("derived_from", "outgoing"): "Derived from", ("derived_from", "incoming"): "The source of",
    ("corrects", "outgoing"): "Corrects", ("corrects", "incoming"): "Corrected by",
}


def relation_words(relation):
    """"Superseded by", "Derived from"…: a relation type that has no phrase yet is spelled out."""
    key = (relation["type"], relation.get("direction", "outgoing"))
    if key in RELATION_WORDS:
        return RELATION_WORDS[key]
    phrase = relation["type"].replace("_", " ")
    return phrase.capitalize() if key[1] == "outgoing" else f"The other side of “{phrase}”:"


def citation_string(fact, base, dataset):
    """What a reader pastes into a footnote: the summary, the first source, the fact's address,
    the dataset version it was read in."""
    first = first_citation(fact)
    return (f"“{fact['summary']}” {STATUS.get(fact['status'], fact['status']).capitalize()} by "
            f"{first['publisher']}, “{first['title']}”, {day(first['published'])}. "
            f"Syria KB, fact {fact['id']}, dataset version {dataset.version[:12]} "
            f"(built {day(dataset.built_at[:10])}), {base}/facts/{fact['id']}.")
