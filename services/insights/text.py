"""Text analysis for lesson search: Norwegian and English words reduced to comparable terms.

Lessons are written in Norwegian (bokmål) or English, often mixed, and nobody tags the
language. Each word is therefore stemmed with both Snowball stemmers and indexed under
both stems: "alarmene", "alarmer" and "alarms" all meet at "alarm", and a query in either
language finds a lesson in either.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from services.insights.glossary import translations

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NORWEGIAN = snowballstemmer.stemmer("norwegian")
_ENGLISH = snowballstemmer.stemmer("english")

# Words so common in either language that they only add noise to the ranking.
_STOPWORDS_TEXT = """
og i på av til for med som er det en et den de at å har var vi ble om fra ikke kan
men så seg eller skal the a an and or of to in on for with is are was were be by it
as at this that from we our not
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@lru_cache(maxsize=65_536)
def terms_of_word(word: str) -> tuple[str, ...]:
    """The index terms of one lower-cased word (one or two stems)."""
    stems = {_NORWEGIAN.stemWord(word), _ENGLISH.stemWord(word)}
    return tuple(sorted(stems))


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, without stopwords."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def terms(text: str) -> list[str]:
    """Every index term of ``text``, repeated as often as it occurs (term frequency)."""
    return [term for word in words(text) for term in terms_of_word(word)]


def query_terms(text: str) -> list[tuple[str, ...]]:
    """A query as groups of terms, one group per distinct word, widened by its translations.

    A lesson matches a group when it contains any of the group's terms.
    """
    table = translations()
    groups = []
    for word in dict.fromkeys(words(text)):
        group = set(terms_of_word(word))
        for translation in table.get(word, ()):
            group.update(terms_of_word(translation))
        groups.append(tuple(sorted(group)))
    return groups
