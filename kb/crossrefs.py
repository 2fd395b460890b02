"""What facts say about other facts, checked once every fact is known: ``responds_to``,
relations and attribution name another existing fact (not the fact itself); a denied fact has
a denial responding to it; a former id (of a fact or an entity) is given once and is no
current id. :class:`kb.seeds.Seeds` collects what each fact says (a :class:`kb.rules.Cross`)
here, file by file, and adds the problems returned to its own.
"""
import difflib

from . import hints
from .problems import Problem


class CrossRefs:
    """What facts and entities say about other facts and former ids, and the checks of it.
    ``positions`` (a :class:`~kb.problems.Positions`) places the problems in their files."""

    def __init__(self, positions):
        self._positions = positions
        self.refs = []  # (fact id named, what names it, fact id, file number, where) checked once all facts are known
        self.denied = []  # (fact id, file number, index) of facts with status denied
        self.denials = set()  # fact ids a denial responds to
        self.former = {}  # former id -> (kind, current id, path, where) of facts and entities

    def _problem(self, path, where, message, cause=None):
        return Problem(path, *self._positions.of(path, where), message, cause)

    def add_former(self, former, kind, current, path, where):
        """Record a former id; return the problem (in a list) when another fact or entity already has it."""
        first = self.former.get(former)
        if first is None:
            self.former[former] = (kind, current, path, where)
            return []
        return [self._problem(path, where,
                              f"{kind} {current!r}: former id {former!r} is already a former id of "
                              f"{first[0]} {first[1]!r} ({first[2]}:{self._positions.of(first[2], first[3])[0]})")]

    def add(self, path, number, crosses):
        """Record the ``(fact id, index, Cross)`` of the facts of file ``number`` (``path``);
        return the problems of their former ids."""
        problems = []
        for fid, index, cross in crosses:
            self.refs += [(target, what, fid, number, ("facts", index, *where)) for target, what, where in cross.refs]
            self.denials.update(cross.denies)
            if cross.denied:
                self.denied.append((fid, number, index))
            for former, where in cross.former:
                problems += self.add_former(former, "fact", fid, str(path), ("facts", index, *where))
        return problems

    def entity_clashes(self, entities):
        """Problems of the entity former ids that are the id of an existing entity."""
        return [self._problem(path, where, f"entity {eid!r}: former id {former!r} is the id of an existing entity")
                for former, (kind, eid, path, where) in self.former.items() if former in entities]

    def check(self, fact_ids, files, unparsed=()):
        """The problems found once every fact is known (``fact_ids``: the
        :class:`~kb.ids.IdRegistry` of every fact; ``files``: file number -> path). ``unparsed``:
        the problems of the fact files that did not parse; an id not found may be in one of
        them, so what names it is reported once, after the first of them, as not checked."""
        problems = []
        cause = unparsed[0] if unparsed else None
        unknown = fact_ids.unknown({target for target, _, _, _, _ in self.refs})
        meant = set()  # facts a misspelled reference probably meant: no second error about them
        for target, what, fid, number, where in self.refs:
            if target == fid:
                message = f"fact {fid!r}: {what} cannot point at the fact itself"
            elif target in unknown and unparsed:
                message = f"fact {fid!r}: {what} {target!r}{hints.not_checked(unparsed)}"
            elif target in unknown:
                close = difflib.get_close_matches(target, fact_ids.similar(target), n=1, cutoff=0.6)
                meant.update(close)
                message = (f"fact {fid!r}: {what} refers to unknown fact {target!r}"
                           f"{hints.did_you_mean(target, close)}")
            else:
                continue
            problems.append(self._problem(files[number], where, message, cause if target in unknown else None))
        for fid, number, index in self.denied:
            if fid not in self.denials and fid not in meant:
                message = (f"fact {fid!r}: status 'denied' (a statement of kind 'denial' responding to it)"
                           f"{hints.not_checked(unparsed)}" if unparsed else
                           f"fact {fid!r}: status is 'denied' but no statement of kind 'denial' responds to it")
                problems.append(self._problem(files[number], ("facts", index, "status"), message, cause))
        facts_former = {former: value for former, value in self.former.items() if value[0] == "fact"}
        current = set(facts_former) - fact_ids.unknown(set(facts_former))
        for former in sorted(current):
            _, fid, path, where = facts_former[former]
            problems.append(self._problem(path, where, f"fact {fid!r}: former id {former!r} is the id of an existing fact"))
        return problems

    def redirects(self):
        """``(former id, kind, current id)`` of every former id of a fact or an entity."""
        return [(former, kind, current) for former, (kind, current, _, _) in self.former.items()]
