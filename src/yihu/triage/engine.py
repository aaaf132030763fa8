"""The rule engine: a pure function of the text (and an optional age and sex), so the same input gives the same
answer, and every suggestion names the terms that led to it. Nothing here stores or logs the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yihu.triage import rules

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AGE = re.compile(r"(\d{1,3}|[零一二两三四五六七八九十]{1,3})\s*周?岁")
_TERMS: list[tuple[str, rules.Symptom]] = sorted(
    ((t, s) for s in rules.SYMPTOMS for t in s.terms), key=lambda ts: (-len(ts[0]), ts[0]))


@dataclass(frozen=True)
class Match:
    term: str
    start: int
    symptom: rules.Symptom


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: int
    reasons: tuple[str, ...]
    emergency: bool = False


@dataclass(frozen=True)
class Result:
    matches: tuple[Match, ...]
    suggestions: tuple[Suggestion, ...]
    emergency: bool
    hints: tuple[str, ...] = field(default_factory=tuple)

    @property
    def recognised(self) -> bool:
        return bool(self.matches)


def chinese_number(text: str) -> int | None:
    """``3`` / ``三`` / ``十二`` / ``二十`` / ``六十五`` → int; None when it is not a number up to 99."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        o = _CN_DIGITS.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 2):start]
    return any(n in before for n in rules.NEGATIONS)


def find_terms(text: str) -> list[Match]:
    """Longest terms first, never overlapping; a term right after 不/没/无/未/否认 does not count."""
    taken = [False] * len(text)
    found: list[Match] = []
    for term, symptom in _TERMS:
        start = text.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                if not _negated(text, start):
                    found.append(Match(term, start, symptom))
            start = text.find(term, end)
    return sorted(found, key=lambda m: m.start)


def stated_age(text: str) -> int | None:
    m = _AGE.search(text)
    return chinese_number(m.group(1)) if m else None


def is_child(text: str, age: int | None) -> bool:
    if age is not None:
        return age < rules.CHILD_AGE
    said = stated_age(text)
    if said is not None and said < rules.CHILD_AGE:
        return True
    return any(t in text for t in rules.CHILD_TERMS)


def triage(text: str, *, age: int | None = None, sex: str | None = None, limit: int = 3) -> Result:
    """Rank departments for ``text``. ``age``/``sex`` come from the chosen patient's record when there is one."""
    text = "".join(text.split())
    matches = find_terms(text)
    child = is_child(text, age)
    hints: list[str] = []
    if child:
        hints.append("child")
    if any(m.symptom.key == "pregnancy" for m in matches):
        hints.append("pregnancy")
    if sex == "male":
        hints.append("male")
    scores: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    seen: set[str] = set()
    for m in matches:
        first = m.symptom.key not in seen
        seen.add(m.symptom.key)
        for code, weight in m.symptom.departments:
            if child and code in rules.CHILD_DEPARTMENT:
                code = rules.CHILD_DEPARTMENT[code]
            if sex == "male" and code in rules.WOMEN_ONLY:
                continue
            if first:
                scores[code] = scores.get(code, 0) + weight
            if m.term not in reasons.setdefault(code, []):
                reasons[code].append(m.term)
    ranked = [Suggestion(code, scores[code], tuple(reasons[code]))
              for code in sorted(scores, key=lambda c: (-scores[c], c))]
    red = [m.term for m in matches if m.symptom.red_flag]
    if red:
        top = Suggestion(rules.EMERGENCY, max(scores.values(), default=0) + 1, tuple(dict.fromkeys(red)), True)
        ranked = [top] + [s for s in ranked if s.code != rules.EMERGENCY]
    if not ranked:
        ranked = [Suggestion("07" if child else rules.GENERAL_PRACTICE, 0, ())]
    return Result(tuple(matches), tuple(ranked[:limit]), bool(red), tuple(hints))
