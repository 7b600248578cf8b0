"""Chinese tokens for classification, search and similarity: jieba with our domain terms.

The package ships a user dictionary of domain terms (全面从严治党, 八项规定, 一岗双责, 三重一大…)
so that they stay one token, and a list of boilerplate words (进一步, 加强, 认真, 切实…) that
are dropped. Other modules add words that must stay one token (kg.classify: the keywords of
the problem-type taxonomy) through ``add_words``; this module depends on nothing else of kg.

The dictionary is built by jieba (the package); the cutting is done by jieba-rs (rjieba), jieba's
Rust port, given exactly that dictionary: the same tokens (tested on every report shipped and every
variant) 10-18x faster. Cutting was 63% of parsing a real report (110 ms of CPU, 70 ms of it
jieba's Python DAG search), so of the parallel half of a build.

Building jieba's dictionary took about 0.4 s and handing it to jieba-rs 0.14 s, in every process:
most of what ``kg search`` spent. So the dictionary is cached (``cache_dir``) as the few hundred
words in which it differs from jieba-rs's own default dictionary (jieba's dict.txt, which rjieba
loads when imported: rjieba 0.2.2's is jieba 0.42.1's word for word, frequencies too, checked by
unpacking it from the binary), in a file named by a hash of every input (the user dictionary, the added
words, the installed jieba and rjieba): a changed input is a new name, so a stale file is never read.
A process that finds the file imports neither jieba nor its dictionary.

Importing rjieba still costs 0.13-0.17 s (it builds its default dictionary), most of a search that
cuts only its query. So beside the cached dictionary the whole of jieba's (349,278 words, 4.2 MB:
``words_file``) is kept sorted, and a process that cuts little text (``PYTHON_CUT_CHARS``: a query,
a seed) cuts it in Python, jieba's own algorithm for search mode without HMM (``_Words``, ``_cut``),
looking words up by bisection in that file (about 1 ms a query, 22 us a character): the same tokens
as jieba-rs (tested on every sentence of the reports and variants shipped). Reading a file marks it used
(its modification time); writing one removes all but the few used last (``KEPT_CACHES``), so that a
changed taxonomy or a new jieba does not leave files behind for ever.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba
    import rjieba

_CONTENT_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_NUMBER_RE = re.compile(r"^[\d.%]+$")
_WORD_SOURCES: list[Callable[[], Iterable[str]]] = []
ADDED_FREQ = 20  # jieba frequency of each added word (a taxonomy keyword)
CACHE_ENV = "KG_CACHE_DIR"  # overrides the cache folder (tests, read-only homes)
_CACHE_FORMAT = "kg.text/2"  # part of the hash: a change of the files' layout is a new name (2: the words file)
PYTHON_CUT_CHARS = 500  # characters a process cuts in Python (_cut, ~11 ms) before it loads jieba-rs (0.15 s, then faster)
_WORDS_HEADER = b"kg.text words\t"  # the words file's first line: this, jieba's total frequency, the lines' length
_ON_DEFAULT, _ON_EMPTY = "default", "empty"  # what a cached dictionary's words are added to
KEPT_CACHES = 4  # cached dictionaries kept in the folder: the one written and those used last
_PARTIAL_AGE = 3600.0  # seconds after which a partial file (a writer that died) is removed


def add_words(source: Callable[[], Iterable[str]]) -> None:
    """Words to keep as one token each, read from ``source`` when the tokenizer is first built
    (kg.classify adds the taxonomy's keywords when it is imported, so every module that cuts text
    imports it first: the index, searches and classification must all cut text the same way)."""
    if segmenter.cache_info().currsize or tokenizer.cache_info().currsize or _words.cache_info().currsize:
        raise RuntimeError("kg.text.add_words after the first cut: the texts cut already would differ")
    if source not in _WORD_SOURCES:
        _WORD_SOURCES.append(source)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from importlib import resources  # 10 ms to import: only when the words are read

    text = resources.files("kg.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with the shipped user dictionary and the words added (``add_words``),
    loaded once per process: the reference the cached dictionary is made from (about 0.5 s)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(io.BytesIO(_user_dictionary()))
    for word in _added_words():
        tok.add_word(word, freq=ADDED_FREQ)
    return tok


def _user_dictionary() -> bytes:
    """The shipped user dictionary (kg/data/userdict.txt: word, frequency, part of speech a line)."""
    from importlib import resources

    return resources.files("kg.data").joinpath("userdict.txt").read_bytes()


def _added_words() -> list[str]:
    return [word for source in _WORD_SOURCES for word in source()]


_UNMATCHABLE = "\ue000\ue001"  # private-use characters: never part of a block jieba cuts


def cache_dir() -> Path:
    """The folder of the cached dictionary: $KG_CACHE_DIR, else the user's cache folder
    (%LOCALAPPDATA% on Windows, ~/Library/Caches on macOS, $XDG_CACHE_HOME or ~/.cache elsewhere)
    /xunshi-kg, as platformdirs would put it."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "xunshi-kg"


def installed_stamp(package: str) -> str:
    """Name, size and modification time of every file of an installed package, found without importing
    it: a new version (of jieba's dict.txt, of rjieba's built-in dictionary, of typer for kg.launch's
    help pages) changes them; empty when it is not installed."""
    from importlib.util import find_spec

    spec = find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    stamps = []
    for folder in folders:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file():
                info = entry.stat()
                stamps.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return f"{package}[{','.join(stamps)}]"


def cache_file() -> Path:
    """The cached dictionary for the present inputs; its name is the hash of all of them."""
    digest = hashlib.sha256()
    for part in (_CACHE_FORMAT, str(ADDED_FREQ), installed_stamp("jieba"), installed_stamp("rjieba")):
        digest.update(part.encode() + b"\0")
    digest.update(_user_dictionary() + b"\0")
    digest.update("\n".join(sorted(_added_words())).encode("utf-8"))  # sources may list in any order
    return cache_dir() / f"tokenizer-{digest.hexdigest()[:24]}.tsv"


def dictionary_entries() -> tuple[str, list[tuple[str, int]]]:
    """What jieba-rs must be given to hold the jieba tokenizer's dictionary word for word: the
    dictionary to start from (``default``: jieba-rs's own, which is jieba's dict.txt; ``empty``)
    and the words to add with their frequencies. jieba adds a user word's frequency to its total
    even when the word was already there, and jieba-rs does not, so the difference is held by one
    word that no text can contain: with the same frequencies and the same total every path through
    a sentence has the same probability in both."""
    import rjieba

    tok = tokenizer()
    held = {word: freq for word, freq in tok.FREQ.items() if freq > 0}  # jieba keeps prefixes at 0
    default, _ = tok.gen_pfdict(tok.get_dict_file())
    default = {word: freq for word, freq in default.items() if freq > 0}
    if all(word in held for word in default) and all(map(rjieba.has_word, default)):
        base, entries = _ON_DEFAULT, [(word, freq) for word, freq in held.items() if default.get(word) != freq]
    else:  # a word jieba-rs holds that ours lacks cannot be taken out: start from nothing
        base, entries = _ON_EMPTY, list(held.items())
    added = sum(held.values())
    if tok.total > added:
        entries.append((_UNMATCHABLE, tok.total - added))
    return base, entries


def _read_cache(path: Path) -> tuple[str, list[tuple[str, int]]] | None:
    """The cached dictionary's base and words, None when it is missing, damaged or not ours."""
    text = read_cached(path)
    lines = text.split("\n") if text is not None else []
    if not lines or lines[0] not in (_ON_DEFAULT, _ON_EMPTY) or lines[-1] != "":
        return None  # not ours, or cut short
    entries = []
    for line in lines[1:-1]:
        word, _, freq = line.rpartition("\t")
        if not word or not freq.isdigit():
            return None
        entries.append((word, int(freq)))
    return lines[0], entries


def _write_cache(path: Path, base: str, entries: list[tuple[str, int]]) -> None:
    write_cached(path, base + "\n" + "".join(f"{word}\t{freq}\n" for word, freq in entries), KEPT_CACHES)


def read_cached(path: Path) -> str | None:
    """A cache file's text (kg's cache files are named KIND-HASH.SUFFIX, HASH the hash of every
    input), None when it is missing or unreadable; a file read is marked used (its modification
    time), so that ``write_cached`` keeps it."""
    try:
        text = path.read_bytes().decode("utf-8")  # as written: no line ends translated
    except (OSError, UnicodeDecodeError):
        return None
    try:
        os.utime(path)
    except OSError:  # a read-only cache folder: read, not marked
        pass
    return text


def write_cached(path: Path, text: str | bytes, keep: int) -> None:
    """Write a cache file beside and rename it into place, so a reader sees the whole file or none;
    then remove the files of its kind (same KIND- and suffix) but the ``keep`` - 1 used last (two
    installations sharing a home, a taxonomy changed and changed back, keep theirs), and partial files
    of its kind that a writer left when it died. A folder that cannot be written leaves the process
    without the cache, not without its answer; other files of the folder are never touched."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)  # "\n" on every system
        os.replace(partial, path)
    except OSError:
        return
    kind, _, rest = path.name.partition("-")
    name = re.escape(kind) + "-[0-9a-f]+" + re.escape(rest[rest.index("."):] if "." in rest else "")
    cached, partials = re.compile(name), re.compile(r"\." + name + r"\.\d+")
    now = time.time()
    used: list[tuple[float, str]] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        try:
            if cached.fullmatch(entry.name) and entry.name != path.name:
                used.append((entry.stat().st_mtime, entry.path))
            elif partials.fullmatch(entry.name) and now - entry.stat().st_mtime > _PARTIAL_AGE:
                os.remove(entry.path)
        except OSError:  # gone meanwhile (another process pruning), or not ours to remove
            continue
    used.sort(reverse=True)
    for _, stale in used[max(keep - 1, 0):]:
        try:
            os.remove(stale)
        except OSError:
            continue


_default_taken = False


def _jieba_rs(base: str) -> rjieba.Jieba:
    """A jieba-rs holding ``base``. rjieba loads its default dictionary when imported (0.1 s) as
    ``rjieba._DEFAULT_JIEBA``, which kg never uses otherwise: the first tokenizer takes that one
    instead of loading the same dictionary a second time."""
    global _default_taken
    import rjieba

    if base == _ON_EMPTY:
        empty: rjieba.Jieba = rjieba.Jieba.empty()  # type: ignore[no-untyped-call]  # rjieba leaves it unannotated
        return empty
    if not _default_taken:
        _default_taken = True
        return rjieba._DEFAULT_JIEBA
    return rjieba.Jieba()


@lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    """jieba-rs holding the jieba tokenizer's dictionary word for word (``dictionary_entries``),
    read from the cache (``cache_file``) when it is there, made and cached otherwise (with the
    words file, ``words_file``, which is made again when it is damaged or gone)."""
    path = cache_file()
    cached = _read_cache(path)
    if cached is None:
        cached = dictionary_entries()
        _write_cache(path, *cached)
    if _words() is None and (tokenizer.cache_info().currsize or _claim_remake(words_file(path))):
        _write_words(words_file(path), tokenizer())  # made with the dictionary; remade when damaged or gone
        _words.cache_clear()
        if words_file(path).is_file():  # made (written whole, by a rename): a later damage may be remade again
            _remake_mark(words_file(path)).unlink(missing_ok=True)
    base, entries = cached
    fast = _jieba_rs(base)
    for word, freq in entries:
        fast.add_word(word, freq, None)
    return fast


def _remake_mark(words: Path) -> Path:
    return words.with_name(f".{words.name}.remaking")


def _claim_remake(words: Path) -> bool:
    """Whether this process should remake a damaged or missing words file (1.4 s: jieba's tokenizer): once,
    by the process that leaves the mark; where the mark cannot be left (a read-only folder), or a remake left
    it and still found no file (a path taken, a full disk), no process tries again, and queries are cut by
    jieba-rs as before."""
    try:
        _remake_mark(words).touch(exist_ok=False)
    except OSError:
        return False
    return True


def is_word(text: str) -> bool:
    """Whether the text is a word of the dictionary (jieba's FREQ above 0)."""
    return text != _UNMATCHABLE and segmenter().has_word(text)


def cut_for_search(text: str) -> list[str]:
    """jieba's search mode without HMM (long words and the dictionary words inside them): in Python
    while the process has cut little (``PYTHON_CUT_CHARS``) and the words file is there, else by jieba-rs."""
    global _python_cut
    if not segmenter.cache_info().currsize and _python_cut + len(text) <= PYTHON_CUT_CHARS:
        words = _words()
        if words is not None:
            _python_cut += len(text)
            return _cut(words, text)
    return segmenter().cut_for_search(text, False)


_python_cut = 0  # characters cut in Python so far in this process


def words_file(cache: Path) -> Path:
    """The words file beside a cached dictionary (the same inputs, the same hash)."""
    return cache.with_name(cache.name.replace("tokenizer-", "words-", 1))


def _write_words(path: Path, tok: jieba.Tokenizer) -> None:
    """Every word of the jieba tokenizer with a frequency above 0, a ``word TAB frequency`` line each,
    sorted by their UTF-8 bytes (the order of code points) after a header holding the total and the
    length of the lines (a file cut short is not read). Not
    written when a word holds a tab or a line break (no file: jieba-rs cuts)."""
    held = sorted((word.encode("utf-8"), freq) for word, freq in tok.FREQ.items() if freq > 0)
    if any(b"\t" in word or b"\n" in word for word, _ in held):
        return
    lines = b"".join(word + b"\t%d\n" % freq for word, freq in held)
    write_cached(path, _WORDS_HEADER + b"%d\t%d\n" % (tok.total, len(lines)) + lines, KEPT_CACHES)


@lru_cache(maxsize=1)
def _words() -> _Words | None:
    """The words file of the present inputs, None when it is not there or not whole."""
    path = words_file(cache_file())
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = data.find(b"\n")
    total, _, length = data[len(_WORDS_HEADER):head].partition(b"\t")
    if not (data.startswith(_WORDS_HEADER) and total.isdigit() and length.isdigit() and
            len(data) == head + 1 + int(length) and data.endswith(b"\n")):
        return None
    try:
        os.utime(path)
    except OSError:
        pass
    return _Words(data, head + 1, int(total))


class _Words:
    """jieba's dictionary as its FREQ answers: a word's frequency, and whether a text begins some word
    (FREQ holds every prefix of a word, at 0), each found by bisection in the sorted lines and kept."""

    def __init__(self, data: bytes, first: int, total: int) -> None:
        self.data, self.first, self.total = data, first, total
        self.log_total = math.log(total)
        self._freqs: dict[str, int] = {}
        self._prefixes: dict[str, bool] = {}

    def _lower(self, key: bytes) -> int:
        """Where the first line whose word is ``key`` or after it starts (the end of data when none)."""
        data, low, high = self.data, self.first, len(self.data)
        while low < high:  # low and high are line starts (or the end)
            start = data.rfind(b"\n", low - 1, (low + high) // 2) + 1
            end = data.index(b"\n", start)
            if data[start:data.index(b"\t", start, end)] < key:
                low = end + 1
            else:
                high = start
        return low

    def freq(self, word: str) -> int:
        found = self._freqs.get(word)
        if found is None:
            key, data = word.encode("utf-8"), self.data
            at, found = self._lower(key), 0
            if data.startswith(key + b"\t", at):
                found = int(data[at + len(key) + 1:data.index(b"\n", at)])
            self._freqs[word] = found
        return found

    def begins(self, text: str) -> bool:
        found = self._prefixes.get(text)
        if found is None:
            key = text.encode("utf-8")
            found = self._prefixes[text] = self.data.startswith(key, self._lower(key))
        return found


# jieba 0.42.1's patterns (jieba/__init__.py): the blocks cut by the dictionary, what separates them,
# and the single letters and digits joined into one token
_HAN_RE = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
_SKIP_RE = re.compile(r"(\r\n|\s)")
_ENGLISH_RE = re.compile(r"[a-zA-Z0-9]")


def _cut(words: _Words, text: str) -> list[str]:
    """jieba's Tokenizer.cut_for_search(text, HMM=False), step for step."""
    out: list[str] = []
    for word in _cut_blocks(words, text):
        if len(word) > 2:
            out += [word[i:i + 2] for i in range(len(word) - 1) if words.freq(word[i:i + 2])]
        if len(word) > 3:
            out += [word[i:i + 3] for i in range(len(word) - 2) if words.freq(word[i:i + 3])]
        out.append(word)
    return out


def _cut_blocks(words: _Words, text: str) -> list[str]:
    """jieba's Tokenizer.cut(text, HMM=False): blocks of Chinese, letters and digits by the
    dictionary; whitespace as it is; anything else a character at a time."""
    out: list[str] = []
    for block in _HAN_RE.split(text):
        if not block:
            continue
        if _HAN_RE.match(block):
            out += _cut_dag(words, block)
            continue
        for part in _SKIP_RE.split(block):
            if _SKIP_RE.match(part):
                out.append(part)
            else:
                out.extend(part)
    return out


def _cut_dag(words: _Words, block: str) -> list[str]:
    """jieba's __cut_DAG_NO_HMM: the most probable path through the words found at each place (the
    later end on a tie), single letters and digits in a row joined."""
    n = len(block)
    dag: list[list[int]] = []
    for k in range(n):
        ends, i, frag = [], k, block[k]
        while i < n and words.begins(frag):
            if words.freq(frag):
                ends.append(i)
            i += 1
            frag = block[k:i + 1]
        dag.append(ends or [k])
    route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
    for k in range(n - 1, -1, -1):
        route[k] = max((math.log(words.freq(block[k:x + 1]) or 1) - words.log_total + route[x + 1][0], x)
                       for x in dag[k])
    out: list[str] = []
    x, letters = 0, ""
    while x < n:
        y = route[x][1] + 1
        word = block[x:y]
        if len(word) == 1 and _ENGLISH_RE.match(word):
            letters += word
        else:
            if letters:
                out.append(letters)
                letters = ""
            out.append(word)
        x = y
    if letters:
        out.append(letters)
    return out


def tokens(text: str) -> tuple[str, ...]:
    """Content tokens of a text (jieba search mode: long words and the words inside them), in order;
    no stop words, punctuation, bare numbers or single characters: those the build cut, when they were
    read back from the text index (remember_tokens), else cut now."""
    known = _known.get(text)
    return known if known is not None else _cut_tokens(text)


_known: dict[str, tuple[str, ...]] = {}
MEMO_TEXTS = 20_000  # texts whose tokens from the index a process keeps (about 12 MB)


def remember_tokens(known: dict[str, tuple[str, ...]]) -> None:
    """Take the tokens of texts from the text index, where the build put what ``tokens`` gave then: `kg
    related` reads its candidates' tokens there instead of cutting their texts again (0.15 s with
    jieba-rs's import, which it then never needs). They are the index's own tokens, which its ranking
    already counts (after a jieba or rjieba upgrade kg:builtWith differs, and `kg build` cuts them anew)."""
    if len(_known) + len(known) > MEMO_TEXTS:  # a long-lived process (kg serve) keeps the latest only
        _known.clear()
    _known.update(known)


@lru_cache(maxsize=8192)
def _cut_tokens(text: str) -> tuple[str, ...]:
    """``tokens``, cut. Kept for the texts met lately (a report classifies and indexes each text, and its
    headings stand above many items), each token interned: a parsing worker held 1.1 million token
    strings (85 MB) after 800 reports."""
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
