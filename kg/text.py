"""Chinese tokens for classification, search and similarity: jieba with our domain terms.

The package ships a user dictionary of domain terms (全面从严治党, 八项规定, 一岗双责, 三重一大…)
so that they stay one token, and a list of boilerplate words (进一步, 加强, 认真, 切实…) that
are dropped. Keywords of the problem-type taxonomy are added to the dictionary too.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

import jieba

_CONTENT_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_NUMBER_RE = re.compile(r"^[\d.%]+$")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("kg.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with the shipped user dictionary and the taxonomy's keywords (loaded once
    per process: the index, searches and classification must all cut text the same way)."""
    from kg.classify import taxonomy  # the taxonomy is read with pyoxigraph, not through this module

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with resources.as_file(resources.files("kg.data").joinpath("userdict.txt")) as path:
        tok.load_userdict(str(path))
    for concept in taxonomy().concepts.values():
        for keyword in concept.keywords:
            tok.add_word(keyword, freq=20)
    return tok


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Content tokens of a text (jieba search mode: long words and the words inside them), in order;
    no stop words, punctuation, bare numbers or single characters."""
    stop = stopwords()
    out = []
    for token in tokenizer().lcut_for_search(text, HMM=False):
        token = token.strip()
        if len(token) < 2 or token in stop or not _CONTENT_RE.search(token) or _NUMBER_RE.match(token):
            continue
        out.append(token)
    return tuple(out)


def query_tokens(query: str) -> list[str]:
    """Tokens of a search query; a short query that tokenises to nothing is kept whole."""
    found = [t for part in query.split() for t in tokens(part)]
    return list(dict.fromkeys(found)) or [part for part in query.split() if part]
