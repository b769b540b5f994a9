"""Pinyin for search and sorting, so that "khzx", "kunhe" and "坤和" all find 坤和中心.

`search_names` builds the text kept in the `search_names` column of nodes and enterprises: the
full spelling of the first name comes first, so ordering by the column orders by pinyin. It runs
for every imported name, so conversions are cached per word and each name is segmented once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pypinyin import Style
from pypinyin.converter import DefaultConverter
from pypinyin.core import Pinyin

_SPACES = re.compile(r"\s+")


class _CachedConverter(DefaultConverter):
    """pypinyin's converter with its per-word result cached: company names repeat their words
    (杭州, 科技, 有限公司 …), and the conversion, not the segmentation, is most of the cost."""

    @lru_cache(maxsize=200_000)  # noqa: B019 - one module-level instance, lives for the process
    def _convert(self, words: str, style: Any, heteronym: bool, errors: Any, strict: bool) -> Any:
        return super().convert(words, style, heteronym, errors, strict)

    def convert(self, words, style, heteronym, errors, strict, **kwargs):  # type: ignore[no-untyped-def,override]
        return self._convert(words, style, heteronym, errors, strict)


_CONVERTER = _CachedConverter()
_PINYIN = Pinyin(_CONVERTER)


def _compact(text: str) -> str:
    return _SPACES.sub("", text).lower()


def _styled(segments: list[str], style: Style) -> str:
    """What pypinyin's lazy_pinyin(name, style) joins, from an existing segmentation."""
    return "".join(
        syllable
        for words in segments
        for item in _CONVERTER.convert(words, style, False, "default", True)
        for syllable in item
    )


def spelling(name: str) -> str:
    """The full pinyin of `name`, without tones or spaces: 坤和中心 → kunhezhongxin."""
    return _compact(_styled(list(_PINYIN.seg(name)), Style.NORMAL))


def initials(name: str) -> str:
    """The first letters of `name`'s syllables: 坤和中心 → khzx; latin runs stay whole."""
    return _compact(_styled(list(_PINYIN.seg(name)), Style.FIRST_LETTER))


def search_names(*names: str) -> str:
    """Space-separated search text for `names` (a name, then aliases or former names): each
    name's full pinyin, its initials and the name itself in lower case, without repeats."""
    tokens: list[str] = []
    for name in filter(None, (n.strip() for n in names)):
        segments = list(_PINYIN.seg(name))
        for token in (
            _compact(_styled(segments, Style.NORMAL)),
            _compact(_styled(segments, Style.FIRST_LETTER)),
            _compact(name),
        ):
            if token and token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


def search_terms(query: str) -> list[str]:
    """The lower-case words of a search box's text; every one must occur in `search_names`."""
    return [_compact(word) for word in query.split() if word.strip()]


def pinyin_sort_key(name: str) -> str:
    """A key that sorts Chinese names by their pinyin (as people expect), not by code point."""
    syllables = (
        syllable
        for words in _PINYIN.seg(name)
        for item in _CONVERTER.convert(words, Style.NORMAL, False, "default", True)
        for syllable in item
    )
    return " ".join(syllables).lower()
