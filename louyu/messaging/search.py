"""Chinese full-text search over messages.

At write time `index_tokens` stores, space-separated, the jieba search-mode words of a message
plus every CJK character and every pair of adjacent CJK characters. A query is turned into the
characters or pairs of each of its terms (`query_terms`), so a one- or two-character query
finds its messages through the same index as a long one, and any substring of a message is
found whatever jieba made of it. PostgreSQL matches with `to_tsvector('simple', tokens)` (GIN
index, migration 0002); other databases fall back to `instr` on the text. Both then check the
terms as substrings, which drops pairs that only occur apart.
"""

from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9A-Za-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _grams(run: str) -> list[str]:
    """Characters and adjacent pairs of one CJK run."""
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> str:
    """The search column of a message: jieba words, CJK characters and pairs, Latin words."""
    lowered = text.lower()
    tokens: dict[str, None] = {}
    for word in jieba.cut_for_search(lowered):
        word = word.strip()
        if word and _WORD.fullmatch(word):
            tokens[word] = None
    for match in _WORD.finditer(lowered):
        chunk = match.group()
        if _CJK.fullmatch(chunk):
            for gram in _grams(chunk):
                tokens[gram] = None
        else:
            tokens[chunk] = None
    return " ".join(tokens)


def query_terms(query: str) -> list[str]:
    """The whitespace-separated terms of a query, lower-cased, each kept whole."""
    return [term for term in query.lower().split() if term][:8]


def query_tokens(query: str) -> list[str]:
    """Index tokens every matching message must have: for each CJK run of a term its single
    character (one-character run) or its adjacent pairs; Latin words as they are."""
    tokens: dict[str, None] = {}
    for term in query_terms(query):
        for match in _WORD.finditer(term):
            chunk = match.group()
            if _CJK.fullmatch(chunk) and len(chunk) > 1:
                for i in range(len(chunk) - 1):
                    tokens[chunk[i : i + 2]] = None
            else:
                tokens[chunk] = None
    return list(tokens)
