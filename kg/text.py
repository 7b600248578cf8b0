"""Chinese tokens for classification, search and similarity: jieba with our domain terms.

The package ships a user dictionary of domain terms (全面从严治党, 八项规定, 一岗双责, 三重一大…)
so that they stay one token, and a list of boilerplate words (进一步, 加强, 认真, 切实…) that
are dropped. Other modules add words that must stay one token (kg.classify: the keywords of
the problem-type taxonomy) through ``add_words``; this module depends on nothing else of kg.

The dictionary is built by jieba (the package); the cutting is done by jieba-rs (rjieba), jieba's
Rust port, given exactly that dictionary: the same tokens (tested on every report shipped and every
variant) 10-18x faster. Cutting was 63% of parsing a real report (110 ms of CPU, 70 ms of it
jieba's Python DAG search), so of the parallel half of a build.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources

import jieba
import rjieba

_CONTENT_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_NUMBER_RE = re.compile(r"^[\d.%]+$")
_WORD_SOURCES: list[Callable[[], Iterable[str]]] = []


def add_words(source: Callable[[], Iterable[str]]) -> None:
    """Words to keep as one token each, read from ``source`` when the tokenizer is first built
    (kg.classify adds the taxonomy's keywords when it is imported, so every module that cuts text
    imports it first: the index, searches and classification must all cut text the same way)."""
    if tokenizer.cache_info().currsize:
        raise RuntimeError("kg.text.add_words after the first cut: the texts cut already would differ")
    if source not in _WORD_SOURCES:
        _WORD_SOURCES.append(source)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("kg.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with the shipped user dictionary and the words added (``add_words``),
    loaded once per process."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with resources.as_file(resources.files("kg.data").joinpath("userdict.txt")) as path:
        tok.load_userdict(str(path))
    for source in _WORD_SOURCES:
        for word in source():
            tok.add_word(word, freq=20)
    return tok


_UNMATCHABLE = "\ue000\ue001"  # private-use characters: never part of a block jieba cuts


@lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    """jieba-rs holding the jieba tokenizer's dictionary word for word. jieba adds a user word's
    frequency to its total even when the word was already there, and jieba-rs does not, so the
    difference is held by one word that no text can contain: with the same frequencies and the
    same total every path through a sentence has the same probability in both."""
    jieba_tokenizer = tokenizer()
    fast: rjieba.Jieba = rjieba.Jieba.empty()  # type: ignore[no-untyped-call]  # rjieba leaves it unannotated
    added = 0
    for word, freq in jieba_tokenizer.FREQ.items():
        if freq > 0:  # jieba also keeps every prefix of a word, with frequency 0
            fast.add_word(word, freq, None)
            added += freq
    if jieba_tokenizer.total > added:
        fast.add_word(_UNMATCHABLE, jieba_tokenizer.total - added, None)
    return fast


def cut_for_search(text: str) -> list[str]:
    """jieba's search mode without HMM (long words and the dictionary words inside them)."""
    return segmenter().cut_for_search(text, False)


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """Content tokens of a text (jieba search mode: long words and the words inside them), in order;
    no stop words, punctuation, bare numbers or single characters. Kept for the texts met lately
    (a report classifies and indexes each text, and its headings stand above many items), each
    token interned: a parsing worker held 1.1 million token strings (85 MB) after 800 reports."""
    stop = stopwords()
    out = []
    for token in cut_for_search(text):
        token = token.strip()
        if len(token) < 2 or token in stop or not _CONTENT_RE.search(token) or _NUMBER_RE.match(token):
            continue
        out.append(sys.intern(token))
    return tuple(out)


def query_tokens(query: str) -> list[str]:
    """Tokens of a search query; a short query that tokenises to nothing is kept whole."""
    found = [t for part in query.split() for t in tokens(part)]
    return list(dict.fromkeys(found)) or [part for part in query.split() if part]
