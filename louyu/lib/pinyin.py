"""Pinyin for search and sorting, so that "khzx", "kunhe" and "坤和" all find 坤和中心.

`search_names` builds the text kept in the `search_names` column of nodes and enterprises: the
full spelling of the first name comes first, so ordering by the column orders by pinyin.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")


def _compact(text: str) -> str:
    return _SPACES.sub("", text).lower()


def spelling(name: str) -> str:
    """The full pinyin of `name`, without tones or spaces: 坤和中心 → kunhezhongxin."""
    return _compact("".join(lazy_pinyin(name)))


def initials(name: str) -> str:
    """The first letters of `name`'s syllables: 坤和中心 → khzx; latin runs stay whole."""
    return _compact("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)))


def search_names(*names: str) -> str:
    """Space-separated search text for `names` (a name, then aliases or former names): each
    name's full pinyin, its initials and the name itself in lower case, without repeats."""
    tokens: list[str] = []
    for name in filter(None, (n.strip() for n in names)):
        for token in (spelling(name), initials(name), _compact(name)):
            if token and token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


def search_terms(query: str) -> list[str]:
    """The lower-case words of a search box's text; every one must occur in `search_names`."""
    return [_compact(word) for word in query.split() if word.strip()]


def pinyin_sort_key(name: str) -> str:
    """A key that sorts Chinese names by their pinyin (as people expect), not by code point."""
    return " ".join(lazy_pinyin(name)).lower()
