"""Pinyin for search and sorting, so that "khzx", "kunhe" and "坤和" all find 坤和中心.

`search_names` builds the text kept in the `search_names` column of nodes and enterprises: the
full spelling of the first name comes first, so ordering by the column orders by pinyin. It runs
for every imported name, so conversions are cached per word and each name is segmented once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from multiprocessing import get_context
from typing import Any

from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, RE_HANS
from pypinyin.converter import DefaultConverter
from pypinyin.core import Pinyin
from pypinyin.seg import mmseg

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
    ahead = _ahead.get()
    if ahead is not None and len(names) == 1:
        found = ahead.get(names[0])
        if found is not None:
            return found
    tokens: list[str] = []
    for name in filter(None, (n.strip() for n in names)):
        full, first = _spell(name)
        for token in (full, first, _compact(name)):
            if token and token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


# --- The fast path of `search_names` ------------------------------------------------------------
# An import computes the search names of 50,000 new enterprises; pypinyin's segmentation walks
# every name character by character. Its segmentation is (1) a split into runs of Chinese and
# other characters, then (2) forward maximum matching on each Chinese run, where the words cut
# from a position on depend only on the text from that position on. So the spelling of a run is
# the spelling of its first word followed by the spelling of the rest, and the rest (科技有限公司,
# 有限公司 …) is shared by thousands of names: it is cached per (short) suffix. Same result as
# `lazy_pinyin` name by name (tested with hypothesis against it).

_HANS_CLASS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
_RUNS = re.compile(f"{_HANS_CLASS}+|[^{_HANS_CLASS[1:]}+")
_PREFIXES: set[str] = mmseg.seg._prefix_set._set
_NO_NON_PHRASES: bool = mmseg.seg._no_non_phrases
_SUFFIX_CACHE_SIZE = 200_000
# Only the tails names share are kept (有限公司, 科技有限公司 …), not whole names: a file
# imported twice in one process is not spelled faster the second time.
_SUFFIX_MAX_LENGTH = 8
_suffixes: dict[str, tuple[str, str]] = {}
_words: dict[str, tuple[str, str]] = {}


def _word(word: str) -> tuple[str, str]:
    """(full spelling, initials) of one segment, without spaces (lower-cased by `_spell`, on
    the whole name: case mapping is not always letter by letter)."""
    found = _words.get(word)
    if found is None:
        found = (
            _SPACES.sub("", _styled([word], Style.NORMAL)),
            _SPACES.sub("", _styled([word], Style.FIRST_LETTER)),
        )
        if len(_words) < _SUFFIX_CACHE_SIZE:
            _words[word] = found
    return found


def _han_run(text: str) -> tuple[str, str]:
    """(full spelling, initials) of a run of Chinese characters, cut as mmseg cuts it."""
    found = _suffixes.get(text)
    if found is not None:
        return found
    # mmseg's first word: the longest run of known prefixes, cut after the last that counts as
    # a word (with `no_non_phrases`, only a phrase of the dictionary does); none: the first
    # character alone, or, when the whole text is a run of prefixes, every character alone.
    size = len(text)
    valid = 0
    end = 1
    while end <= size:
        piece = text[:end]
        if piece not in _PREFIXES:
            break
        if not _NO_NON_PHRASES or piece in PHRASES_DICT:
            valid = end
        end += 1
    if valid:
        full, first = _word(text[:valid])
    elif end > size:
        full = first = ""
        for character in text:
            one_full, one_first = _word(character)
            full, first = full + one_full, first + one_first
        valid = size
    else:
        full, first = _word(text[0])
        valid = 1
    if valid < size:
        rest_full, rest_first = _han_run(text[valid:])
        full, first = full + rest_full, first + rest_first
    if len(text) <= _SUFFIX_MAX_LENGTH:
        if len(_suffixes) >= _SUFFIX_CACHE_SIZE:
            _suffixes.clear()
        _suffixes[text] = (full, first)
    return full, first


def _spell(name: str) -> tuple[str, str]:
    """`spelling(name), initials(name)` in one pass."""
    full, first = [], []
    for run in _RUNS.findall(name):
        if RE_HANS.match(run[0]):
            f, i = _han_run(run)
        else:
            f, i = _word(run)
        full.append(f)
        first.append(i)
    return "".join(full).lower(), "".join(first).lower()


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


# --- Many names, spelled ahead on another core ----------------------------------------------------
# An import of 50,000 new enterprises spells 50,000 names (about half a second of one core) when
# it writes them. Within `spelled_ahead(names)`, a worker process spells them, chunk by chunk in
# file order, from the moment the file has been read, while this process checks the cells and
# reads the database (when the database server's core is idle); `search_names(name)` then takes
# the worker's answer. The worker is started once per process and kept; if it cannot be started
# or dies, names are spelled here as before.

AHEAD_CHUNK = 4000
_pool: ProcessPoolExecutor | None = None


def search_names_each(names: list[str]) -> list[str]:
    """`search_names(name)` of each of `names` (the worker process's task)."""
    return [search_names(name) for name in names]


def _worker() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the caller holds threads and database connections.
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    return _pool


def start_worker() -> None:
    """Start the worker process now, if it is not running: it takes a few tenths of a second
    to start and load pypinyin's dictionaries, which a caller that will soon have many names
    (an import about to read a large file) can overlap with its own work."""
    try:
        _worker().submit(search_names_each, [])
    except Exception:  # noqa: BLE001 - no worker: `spelled_ahead` finds out and does without
        return


class _Ahead:
    def __init__(self, names: list[str]) -> None:
        self.done: dict[str, str] = {}
        self.futures: list[Future[list[str]]] = []
        self.chunks = [names[i : i + AHEAD_CHUNK] for i in range(0, len(names), AHEAD_CHUNK)]
        try:
            pool = _worker()
            self.futures = [pool.submit(search_names_each, chunk) for chunk in self.chunks]
        except Exception:  # noqa: BLE001 - no worker: every name is spelled by the caller
            self._give_up()

    def get(self, name: str) -> str | None:
        """The worker's spelling of `name`, waiting for the chunks before it; None when the
        name was not given or the worker failed."""
        found = self.done.get(name)
        while found is None and self.futures:
            future, chunk = self.futures.pop(0), self.chunks.pop(0)
            try:
                self.done.update(zip(chunk, future.result(), strict=True))
            except Exception:  # noqa: BLE001 - a dead worker: the caller spells the rest
                self._give_up()
                return None
            found = self.done.get(name)
        return found

    def _give_up(self) -> None:
        global _pool
        self.close()
        _pool = None

    def close(self) -> None:
        for future in self.futures:
            future.cancel()
        self.futures, self.chunks = [], []


_ahead: ContextVar[_Ahead | None] = ContextVar("pinyin_ahead", default=None)


@contextmanager
def spelled_ahead(names: Iterable[str]) -> Iterator[None]:
    """Within the block, `search_names(name)` of any of `names` comes from a worker process
    that starts spelling them now (fewer than two chunks: nothing is done ahead)."""
    unique = list(dict.fromkeys(n for n in names if n and n == n.strip()))
    if len(unique) < 2 * AHEAD_CHUNK:
        yield
        return
    ahead = _Ahead(unique)
    token = _ahead.set(ahead)
    try:
        yield
    finally:
        _ahead.reset(token)
        ahead.close()
