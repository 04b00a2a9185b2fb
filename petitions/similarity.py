"""Word-overlap similarity of two Vietnamese texts, as pure functions.

Used to rank likely duplicates on every database, and as the only text
similarity where PostgreSQL's pg_trgm is not available (SQLite).  Texts are
compared as sets of syllables with diacritics removed (so "duong" matches
"đường"), ignoring very common syllables that say nothing about the matter.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")
# Syllables so common in letters that sharing them means nothing.
STOP_WORDS = frozenset(
    "va la cua co cho cac nhung mot nay do duoc trong tai voi ve da de nghi "
    "kien xin ong ba anh chi toi chung em thi ma khi tu den theo viec nhu "
    "khong se dang bi".split()
)


def fold(text: str) -> str:
    """Lower-case ASCII: diacritics removed, đ → d."""
    text = (text or "").lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> frozenset[str]:
    """The meaningful syllables of ``text``."""
    return frozenset(
        word for word in _WORD.findall(fold(text)) if word not in STOP_WORDS
    )


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    """Shared words over all words: 1.0 for the same set, 0.0 for none."""
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def containment(left: frozenset[str], right: frozenset[str]) -> float:
    """Shared words over the smaller set: high when one text restates the
    other with additions (a second letter that repeats the first)."""
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def text_score(
    *, title: str, content: str, other_title: str, other_content: str
) -> float:
    """How alike two petitions read, from 0 to 1: the better of the titles'
    overlap and the contents' containment (a content needs at least five
    shared words to count, so short notes do not match everything)."""
    title_score = jaccard(words(title), words(other_title))
    mine, theirs = words(content), words(other_content)
    shared = len(mine & theirs)
    content_score = containment(mine, theirs) if shared >= 5 else 0.0
    return max(title_score, content_score)
