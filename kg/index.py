"""Side database: the text index (jieba tokens of problems, measures and documents in SQLite
FTS5, and their texts, indexed by trigram, with the division codes of each report's region, for
substring lookups narrowed to a region) and each report's tallies of the corpus totals
(kg.totals), beside the graph.

Oxigraph has no full-text index, and keeping one triple per token in the graph made tokens
56% of all quads (build time, store size). So the tokens live in an FTS5 database inside the
store folder (``kg-text-index.sqlite``): one FTS5 table per kind of item, one row per item and
report graph, the item's jieba tokens (with repeats) as its text and, in a second column, the
longer dictionary words inside its compound tokens (compound_parts), ranked by FTS5's BM25. The
texts themselves are indexed by trigram, so that any substring (a stop word, a number, a 文号)
is found exactly (``holding``).

The graph stays the truth. `kg build` writes a report's index rows before its quads, and
``reconcile`` (run at the start and end of every build) drops rows of graphs the store no
longer holds in that version and re-derives missing ones from the stored texts, so a build
killed at any moment leaves an index the next build repairs. A report's tallies are one JSON
value in its row of ``reports``, so they go and come with its index rows; every such change sets
the ``totals-stale`` flag in the same transaction, and the ``totals`` table records what the
totals graph states (kg.totals).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from kg.exceptions import StoreError

INDEX_FILE = "kg-text-index.sqlite"
KINDS = ("Measure", "Problem", "NamedDocument")
SCHEMA_VERSION = "6"  # 2: tallies of the corpus totals; 3: texts and report regions; 4: trigrams of the texts;
#                      5: the parts of compound tokens (a column of their own); 6: texts padded (_PAD)
_PAD = "\ue000\ue000"  # two private-use characters after each text in the trigram index, so that every substring of
#                          one or two characters (整改, 的) starts some trigram: it is looked up by trigram prefix
PREFIX_TERMS_MAX = 2_000  # trigrams a 1-2 character text may expand to; more: read every text
PREFIX_SHARE = 0.35  # a 1-2 character text whose trigrams' texts (summed over the trigrams) outnumber this share of
#                     the texts: read every text (the two ways cost the same near 0.35 at 1,000 reports: _grams)
TOTALS_STALE = "totals-stale"  # meta key set with every change of a report's tallies
TOTALS_KEPT = "totals-kept"  # meta key: the totals table describes the totals graph (unset while it is written)
_CONTENT_RE = re.compile(r"[\w\u4e00-\u9fff]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_DAMAGED = ("malformed", "not a database", "no such table", "no such column", "corrupt")  # SQLite on a damaged file
BM25_K1, BM25_B = 1.2, 0.75  # BM25's usual constants, for ranking texts by the words they contain (``exact``)
_COUNTED = ("reports", "entries", "regions")  # tables whose row counts meta keeps ("rows-<table>")


@dataclass(frozen=True)
class Entry:
    """One indexed item of a report graph: its kind, IRI, tokens (in order, with repeats) and text."""

    kind: str
    item: str
    tokens: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class Tally:
    """One report's share of one corpus total (kg.totals says what each kind counts)."""

    kind: str
    key: tuple[str, ...]
    n: int = 1
    detail: tuple[str, ...] = ()


class Indexed(NamedTuple):
    """What the side database holds of one report graph."""

    graph: str
    sha256: str
    entries: list[Entry]
    tallies: list[Tally] = []
    regions: tuple[str, ...] = ()  # division codes of the report's region and the regions holding it


@dataclass
class Match:
    item: str
    graph: str
    score: float  # BM25, higher is better
    matched: list[str] = field(default_factory=list)  # the query tokens the item holds


def index_path(store_dir: str | Path) -> Path:
    return Path(store_dir) / INDEX_FILE


def _seal_path(path: Path) -> Path:
    return path.with_name(path.name + ".sealed")


def _stamp(path: Path) -> str | None:
    """The identity of the index file as written (device, inode, size, modification time), or None
    while its WAL holds changes not yet in it."""
    try:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            return None
        info = path.stat()
    except OSError:
        return None
    return f"{info.st_dev} {info.st_ino} {info.st_size} {info.st_mtime_ns}"


def _sealed(path: Path) -> bool:
    """The index file is exactly as the last build sealed it."""
    try:
        recorded = _seal_path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    stamp = _stamp(path)
    return stamp is not None and recorded == stamp


def _table(kind: str) -> str:
    if kind not in KINDS:
        raise StoreError(f"未知检索范围 (unknown index kind {kind!r})")
    return f"tokens_{kind}"


def encode_key(parts: tuple[str, ...]) -> str:
    """A key as a JSON array (json.dumps takes 5x as long: a build encodes one a tally)."""
    return "[" + ",".join(map(encode_basestring, parts)) + "]"


def decode_key(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _encode_tallies(tallies: list[Tally]) -> str:
    return json.dumps([[t.kind, t.key, t.n, t.detail] for t in tallies], ensure_ascii=False)


def _decode_tallies(text: str) -> Iterator[Tally]:
    for kind, key, n, detail in json.loads(text):
        yield Tally(kind, tuple(key), n, tuple(detail))


def compound_parts(tokens: Iterable[str]) -> tuple[str, ...]:
    """The dictionary words of four characters or more inside a longer token that the tokens lack
    (区属国有企业 → 国有企业, 全面从严治党 → 从严治党): jieba's search mode gives only the two- and
    three-character words inside a word, so a search for 国有企业 missed 区属国有企业. Indexed in
    a column of their own, so the tokens (what kg.graph and kg.related compare) stay jieba's."""
    tokens = tuple(tokens)
    long = [token for token in tokens if len(token) >= 5]
    if not long:
        return ()
    held = set(tokens)
    found: dict[str, None] = {}
    for token in long:
        for part in _word_parts(token):
            if part not in held:
                found[part] = None
    return tuple(found)


@lru_cache(maxsize=65536)
def _word_parts(token: str) -> tuple[str, ...]:
    """The dictionary words (not stop words) of four characters or more inside a token, in order: the
    same long tokens come back in report after report, so each is looked at once a process."""
    import kg.classify  # noqa: F401 - the taxonomy's keywords are words of the dictionary read here (kg.text)
    from kg.text import is_word, stopwords

    stop = stopwords()
    return tuple(part for start in range(len(token) - 3)
                 for end in range(start + 4, len(token) + (start > 0))  # never the token itself
                 if (part := token[start:end]) not in stop and is_word(part))


def _string(text: str) -> str:
    """A text as an FTS5 string, every character as it is (the caller keeps NUL out: it ends the string)."""
    return '"' + text.replace('"', '""') + '"'


def _phrase(token: str) -> str:
    """A token as an FTS5 string: quoted, so no user text is read as query syntax (control
    characters become spaces: a NUL would end the string, and no indexed token holds one)."""
    return '"' + _CONTROL_RE.sub(" ", token).replace('"', '""') + '"'


class TextIndex:
    """The FTS5 token index of one store."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.db = connection
        self.path = path
        self.repaired: str | None = None  # why a damaged index was made afresh when opened
        self._df: dict[tuple[str, str], int] = {}
        self._totals: dict[str, int] = {}

    @classmethod
    def open(cls, store_dir: str | Path, *, read_only: bool = False) -> TextIndex:
        """The index of the store in store_dir (created when writing, required when reading).

        Opened for writing (by `kg build`), a damaged index (``damage``) is deleted and made
        afresh: it is derived data, which reconcile fills again from the stored graphs;
        ``repaired`` then holds the reason."""
        if read_only:
            return cls._open(store_dir, read_only=True)
        sealed = _sealed(index_path(store_dir))  # as the last build left it: no need to read it all
        try:
            index = cls._open(store_dir, read_only=False)
            reason = None if sealed else index.damage()
        except StoreError as exc:
            if "damaged" not in exc.reason:
                raise
            reason, index = exc.reason, None
        if reason is None:
            assert index is not None
            return index
        if index is not None:
            index.close()
        path = index_path(store_dir)
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                      path.with_name(path.name + "-journal"), _seal_path(path)):
            stale.unlink(missing_ok=True)
        index = cls._open(store_dir, read_only=False)
        index.repaired = reason
        return index

    @classmethod
    def checked(cls, store_dir: str | Path) -> tuple[TextIndex | None, str | None]:
        """(the index opened read-only, None), or (None, why it is damaged): what `kg validate`
        reports. A missing index is an error, as for every reader."""
        try:
            index = cls._open(store_dir, read_only=True)
        except StoreError as exc:
            if "damaged" not in exc.reason:
                raise
            return None, exc.reason
        reason = index.damage()
        if reason is not None:
            index.close()
            try:  # the next build must read the whole file again, and so find the damage
                _seal_path(index_path(store_dir)).unlink(missing_ok=True)
            except OSError:
                pass
            return None, reason
        return index, None

    def seal(self) -> None:
        """Record the file as this build leaves it (its WAL checkpointed into it): the next
        writable open of an index still exactly so skips ``damage``'s full read. Any later change
        of the file (a write, truncation, another file put in its place) breaks the seal, and so
        does `kg validate` finding damage."""
        if self.path == ":memory:":
            return
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(self.path)
        stamp = _stamp(path)
        if stamp is not None:
            seal = _seal_path(path)
            partial = seal.with_name(seal.name + ".tmp")
            partial.write_text(stamp, encoding="ascii")
            partial.replace(seal)

    @classmethod
    def _open(cls, store_dir: str | Path, *, read_only: bool = False) -> TextIndex:
        path = index_path(store_dir)
        if read_only and not path.exists():
            raise StoreError("文本索引不存在, 请运行 kg build (no text index: run kg build)", path)
        try:
            if read_only:
                connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(path, check_same_thread=False)
            index = cls(connection, str(path))
            if not read_only:
                index._create()
            index._check_version()
        except sqlite3.DatabaseError as exc:
            if "fts5" in str(exc):
                raise StoreError("此 Python 的 SQLite 不含 FTS5 (this Python's SQLite lacks FTS5, which the text "
                                 "index needs)", path) from None
            if any(word in str(exc) for word in _DAMAGED):
                raise StoreError(f"文本索引已损坏 (text index damaged: {exc})", path) from None
            raise StoreError(f"文本索引无法打开 (cannot open text index: {exc})", path) from None
        return index

    @classmethod
    def in_memory(cls) -> TextIndex:
        """An index for an in-memory store (tests, one-off work)."""
        index = cls(sqlite3.connect(":memory:", check_same_thread=False), ":memory:")
        index._create()
        return index

    def _create(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")  # 64 MB, not 2: a build's inserts stop re-reading b-tree pages (-25% CPU)
        self._drop_if_outdated()
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            self.db.execute("CREATE TABLE IF NOT EXISTS reports (graph TEXT PRIMARY KEY, sha256 TEXT NOT NULL, "
                            "tallies TEXT NOT NULL DEFAULT '[]')")
            self.db.execute("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, graph TEXT NOT NULL, "
                            "kind TEXT NOT NULL, item TEXT NOT NULL, text TEXT NOT NULL DEFAULT '')")
            self.db.execute("CREATE TABLE IF NOT EXISTS regions (code TEXT NOT NULL, graph TEXT NOT NULL, "
                            "PRIMARY KEY (code, graph)) WITHOUT ROWID")
            self.db.execute("CREATE INDEX IF NOT EXISTS entries_graph_kind ON entries (graph, kind)")  # contains lookups
            self.db.execute("DROP INDEX IF EXISTS entries_item")  # no lookup by item: it only cost inserts
            if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'texts'").fetchone():
                self._create_trigrams()
            for kind in KINDS:
                self.db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_table(kind)} USING fts5(tokens, parts)")
                self.db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS vocab_{kind} USING fts5vocab({_table(kind)}, 'col')")
            self.db.execute("CREATE TABLE IF NOT EXISTS totals (kind TEXT NOT NULL, key TEXT NOT NULL, "
                            "value TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID")
            for table in _COUNTED:  # an index written before the counts were kept starts counting now
                if self.meta(f"rows-{table}") is None:
                    self.db.execute("INSERT INTO meta VALUES (?, (SELECT COUNT(*) FROM " + table + "))",
                                    (f"rows-{table}",))

    def _create_trigrams(self) -> None:
        """The trigrams of every entry's text, for contains lookups: an external-content FTS5 table
        (the texts stay in entries; it reads them padded, through a view), with exact case as SPARQL's CONTAINS (and 10% cheaper to write
        than folded) and no positions (instr checks each candidate's text). Writing them costs about
        10 s of CPU a 1,000 reports (0.9 us a character), in the building process."""
        pad = ", ".join(str(ord(c)) for c in _PAD)  # the index reads padded texts, so its own check agrees
        self.db.execute(f"CREATE VIEW IF NOT EXISTS padded AS SELECT id, text || char({pad}) AS text FROM entries")
        self.db.execute("CREATE VIRTUAL TABLE texts USING fts5(text, content='padded', content_rowid='id', "
                        "tokenize='trigram case_sensitive 1', detail=none, columnsize=0)")
        self.db.execute("CREATE VIRTUAL TABLE vocab_texts USING fts5vocab(texts, 'row')")

    def _drop_if_outdated(self) -> None:
        """An index of an older schema is emptied, in one transaction: it is derived data, and
        reconcile (run by every build) fills it again from the store's graphs. One of a newer
        schema is left for _check_version to refuse."""
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            return
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        version = row[0] if row is not None else "0"
        if version == SCHEMA_VERSION or (version.isdigit() and int(version) > int(SCHEMA_VERSION)):
            return
        shadows = tuple(f"{_table(kind)}_" for kind in KINDS) + ("texts_",)  # FTS5's own tables go with theirs
        order = sorted(tables, key=lambda n: (not n.startswith("vocab_"), n == "meta", n))  # fts5vocab first, meta last
        self.db.execute("BEGIN")  # DDL opens no transaction of its own in sqlite3: a kill would leave half
        try:
            self.db.execute("DROP VIEW IF EXISTS padded")  # made again as this version reads the texts
            for name in order:
                if not name.startswith(("sqlite_", *shadows)):
                    self.db.execute(f'DROP TABLE IF EXISTS "{name}"')
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            raise StoreError("文本索引版本不符, 请删除后运行 kg build (text index of another version: delete it "
                             "and run kg build)", self.path)

    def close(self) -> None:
        self.db.close()

    def damage(self) -> str | None:
        """Why the index cannot be trusted (one line), or None: SQLite's page-level check
        (PRAGMA quick_check: truncation, a corrupt page), rows missing from a table (each table's
        row count is kept in ``meta`` with every change), items without their tokens or without
        their report. Reads the whole file: at data/ scale a few ms (see README for larger stores)."""
        try:
            rows = [row[0] for row in self.db.execute("PRAGMA quick_check(5)")]
            if rows != ["ok"]:
                return f"文本索引已损坏 (text index damaged: {'; '.join(map(str, rows))[:200]})"
            for table in _COUNTED:
                kept = self.meta(f"rows-{table}")
                found = self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                if kept is not None and int(kept) != found:
                    return (f"文本索引缺行 (text index damaged: table {table} holds {found} rows, "
                            f"{kept} were written)")
            for kind in KINDS:
                table = _table(kind)
                items, tokens, joined = self.db.execute(  # FTS5's docsize table: a row per row, read fast
                    f"SELECT (SELECT COUNT(*) FROM entries WHERE kind = ?), (SELECT COUNT(*) FROM {table}_docsize), "
                    f"(SELECT COUNT(*) FROM {table}_docsize AS t JOIN entries AS e ON e.id = t.id AND e.kind = ?)",
                    (kind, kind)).fetchone()
                if not items == tokens == joined:
                    return (f"文本索引缺行 (text index damaged: {items} {kind} items, {tokens} token rows, "
                            f"{joined} matching)")
            orphans = self.db.execute("SELECT COUNT(*) FROM entries WHERE graph NOT IN (SELECT graph FROM reports)"
                                      ).fetchone()[0]
            if orphans:
                return f"文本索引缺行 (text index damaged: {orphans} items of reports it does not list)"
        except sqlite3.DatabaseError as exc:
            return f"文本索引已损坏 (text index damaged: {exc})"
        return None

    def _count_rows(self, table: str, change: int) -> None:
        """Keep a table's row count in meta (inside the caller's transaction)."""
        if change:
            self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                            "value = CAST(value AS INTEGER) + ?", (f"rows-{table}", str(change), change))

    # --- writing ------------------------------------------------------------------------

    def put(self, reports: Iterable[Indexed | tuple[Any, ...]]) -> None:
        """(Re)index report graphs, each an ``Indexed`` (graph, source sha256, entries, tallies),
        in one transaction that also marks the corpus totals stale; one insert statement a table."""
        with self.db:
            next_id = self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM entries").fetchone()[0]
            rows: list[tuple[str, str, str]] = []
            items: list[tuple[int, str, str, str, str]] = []
            regions: list[tuple[str, str]] = []
            tokens: dict[str, list[tuple[int, str, str]]] = {kind: [] for kind in KINDS}
            latest = {report[0]: Indexed(*report) for report in reports}  # a graph given twice: the last
            for graph, sha256, entries, tallies, codes in latest.values():
                if self.db.execute("SELECT 1 FROM reports WHERE graph = ?", (graph,)).fetchone():
                    self._delete(graph)  # a new graph (most of a build) has nothing to delete
                rows.append((graph, sha256, _encode_tallies(tallies)))
                regions += [(code, graph) for code in dict.fromkeys(codes)]
                for entry in entries:
                    items.append((next_id, graph, entry.kind, entry.item, entry.text))
                    if entry.kind in tokens:
                        tokens[entry.kind].append((next_id, " ".join(entry.tokens), " ".join(compound_parts(entry.tokens))))
                    next_id += 1
            self.db.executemany("INSERT INTO reports VALUES (?, ?, ?)", rows)
            self.db.executemany("INSERT INTO entries (id, graph, kind, item, text) VALUES (?, ?, ?, ?, ?)", items)
            if items:  # as the view pads them: the padding has one home
                self.db.execute("INSERT INTO texts (rowid, text) SELECT id, text FROM padded WHERE id >= ?", (items[0][0],))
            self.db.executemany("INSERT INTO regions VALUES (?, ?)", regions)
            for table, added in (("reports", rows), ("entries", items), ("regions", regions)):
                self._count_rows(table, len(added))
            for kind in KINDS:
                self.db.executemany(f"INSERT INTO {_table(kind)} (rowid, tokens, parts) VALUES (?, ?, ?)", tokens[kind])
            if rows:
                self._mark_totals_stale()
        self._df.clear()
        self._totals.clear()

    def remove(self, graphs: Iterable[str]) -> None:
        with self.db:
            for graph in graphs:
                self._delete(graph)
        self._df.clear()
        self._totals.clear()

    def _delete(self, graph: str) -> None:
        for kind in KINDS:
            self.db.execute(f"DELETE FROM {_table(kind)} WHERE rowid IN "
                            "(SELECT id FROM entries WHERE graph = ? AND kind = ?)", (graph, kind))
        self.db.execute("INSERT INTO texts (texts, rowid, text) SELECT 'delete', p.id, p.text FROM padded AS p "
                        "JOIN entries AS e ON e.id = p.id WHERE e.graph = ?",
                        (graph,))  # an external-content index forgets exactly what it was given
        for table in ("entries", "regions", "reports"):
            self._count_rows(table, -self.db.execute(f"DELETE FROM {table} WHERE graph = ?", (graph,)).rowcount)
        self._mark_totals_stale()

    def graphs(self) -> dict[str, str]:
        """{report graph: sha256 of the source it was indexed from}."""
        return dict(self.db.execute("SELECT graph, sha256 FROM reports"))

    # --- tallies of the corpus totals -----------------------------------------------------

    def _mark_totals_stale(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (TOTALS_STALE,))

    def all_tallies(self) -> Iterator[Tally]:
        """Every tally of every indexed report graph."""
        for (tallies,) in self.db.execute("SELECT tallies FROM reports"):
            yield from _decode_tallies(tallies)

    def tallies(self, graph: str) -> list[Tally]:
        """The tallies of one report graph."""
        row = self.db.execute("SELECT tallies FROM reports WHERE graph = ?", (graph,)).fetchone()
        return list(_decode_tallies(row[0])) if row else []

    def stated_totals(self) -> dict[tuple[str, str], str]:
        """{(kind, encoded key): value} of every total the totals graph states, as last recorded."""
        return {(kind, key): value for kind, key, value in self.db.execute("SELECT kind, key, value FROM totals")}

    def record_totals(self, written: dict[tuple[str, str], str], removed: Iterable[tuple[str, str]]) -> None:
        """Record totals written to (or removed from) the totals graph; they are no longer stale."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO totals VALUES (?, ?, ?)",
                                ((kind, key, value) for (kind, key), value in written.items()))
            self.db.executemany("DELETE FROM totals WHERE kind = ? AND key = ?", removed)
            self.db.execute("DELETE FROM meta WHERE key = ?", (TOTALS_STALE,))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (TOTALS_KEPT,))

    def forget_totals(self) -> None:
        """The totals graph was cleared: nothing is recorded as stated, everything is stale."""
        with self.db:
            self.db.execute("DELETE FROM totals")
            self._mark_totals_stale()

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self.db:
            if value is None:
                self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- reading ------------------------------------------------------------------------

    def total(self, kind: str) -> int:
        """How many items of a kind are indexed (one per item and report graph)."""
        if kind not in self._totals:
            # FTS5's docsize table has a row per row: counted in ~1 ms where COUNT(*) on the FTS5 table
            # reads its whole content (33-65 ms at 75,000 measures)
            self._totals[kind] = self.db.execute(f"SELECT COUNT(*) FROM {_table(kind)}_docsize").fetchone()[0]
        return self._totals[kind]

    def df(self, kind: str, token: str) -> int:
        """How many items of a kind hold the token."""
        key = (kind, token)
        if key not in self._df:
            _table(kind)
            row = self.db.execute(f"SELECT doc FROM vocab_{kind} WHERE term = ? AND col = 'tokens'",
                                  (token.lower(),)).fetchone()
            self._df[key] = row[0] if row else 0
        return self._df[key]

    def idf(self, kind: str, token: str) -> float:
        total, df = self.total(kind), self.df(kind, token)
        return math.log(1 + (total - df + 0.5) / (df + 0.5))

    def rank(self, kind: str, words: list[str], *, every: bool = False, limit: int | None = 50,
             exclude_graph: str | None = None, held: list[str] | None = None) -> list[Match]:
        """Items of a kind holding any (or, with every, all) of the words, best BM25 first; a
        word is held as a token or as a part of one (compound_parts). ``matched`` lists the words
        (or, when given, the ``held`` words) each item holds.

        An item indexed under several report graphs (a document cited by many reports)
        comes once, under its best-scoring graph."""
        words = [w for w in dict.fromkeys(words) if _CONTENT_RE.search(w)]
        if not words:
            return []
        expression = (" AND " if every else " OR ").join(map(_phrase, words))
        reported = words if held is None else list(dict.fromkeys(held))
        if limit is None:
            return self._ranked(kind, expression, reported, None, exclude_graph, None)
        cap = limit * 4  # room for items indexed under several graphs, and for the excluded graph
        found = self._ranked(kind, expression, reported, cap, exclude_graph, limit)
        if len(found) < limit and self._matches(kind, expression) > cap:
            found = self._ranked(kind, expression, reported, None, exclude_graph, limit)
        return found

    def _ranked(self, kind: str, expression: str, words: list[str], cap: int | None,
                exclude_graph: str | None, limit: int | None) -> list[Match]:
        """The best matches by FTS5's own rank (BM25), cut to ``cap`` before entries and tokens are
        read: at 10,000 reports, 22 ms instead of 55 for the best 100 of 8,496 measures."""
        table = _table(kind)
        best = f"SELECT rowid, rank FROM {table} WHERE {table} MATCH ? ORDER BY rank" + (" LIMIT ?" if cap else "")
        sql = (f"SELECT e.item, e.graph, r.rank, t.tokens || ' ' || t.parts FROM ({best}) AS r "
               f"JOIN entries AS e ON e.id = r.rowid "
               f"JOIN {table} AS t ON t.rowid = r.rowid")
        params: list[object] = [expression, *([cap] if cap else [])]
        if exclude_graph:
            sql += " WHERE e.graph != ?"
            params.append(exclude_graph)
        found: dict[str, Match] = {}
        wanted = set(words)
        for item, graph, score, tokens in self.db.execute(sql + " ORDER BY r.rank", params):
            if item in found:
                continue
            held = wanted.intersection(tokens.split())
            found[item] = Match(item, graph, round(-score, 4), [w for w in words if w in held])
            if limit is not None and len(found) >= limit:
                break
        return list(found.values())

    def _matches(self, kind: str, expression: str) -> int:
        table = _table(kind)
        return int(self.db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (expression,)).fetchone()[0])

    def containing(self, text: str, kinds: Iterable[str] = KINDS, region: str | None = None) -> list[tuple[str, str]]:
        """(item, report graph) of every item of the kinds whose text contains ``text`` exactly (as
        SPARQL's CONTAINS does), in the reports of ``region`` (a division code: the report's region
        or one holding it) when given, in index order."""
        return [(item, graph) for item, graph, _ in self.holding([text], kinds, region)]

    def holding(self, texts: list[str], kinds: Iterable[str] = KINDS,
                region: str | None = None) -> list[tuple[str, str, str]]:
        """(item, report graph, text) of every item of the kinds whose text contains each of
        ``texts`` exactly, in the reports of ``region`` when given, in index order."""
        where, params = self._holding(texts, kinds, region)
        return [(item, graph, text) for item, graph, text in self._read(
            f"SELECT e.item, e.graph, e.text {where} ORDER BY e.id", params)]

    def exact(self, kind: str, parts: list[str], limit: int | None = None) -> tuple[list[Match], int]:
        """The items of a kind whose text contains each part, best first by BM25 over the parts
        (each counted in the text, idf from the token index, a part no item holds as a token
        counting as the rarest), at most ``limit`` of them; and how many there are. Scored inside
        SQLite: a common word (整改, 的) is in thousands of texts, of which only the best few leave it."""
        parts = list(dict.fromkeys(parts)) or [""]
        where, params = self._holding(parts, [kind], None)
        total = self.total(kind)
        weights = [self.idf(kind, part) if self.df(kind, part) else math.log(1 + (total + 0.5) / 0.5) for part in parts]
        counts = "".join(f", (length(e.text) - length(replace(e.text, ?, ''))) / max(length(?), 1) AS tf{i}"
                         for i in range(len(parts)))
        score = " + ".join(f"{weight!r} * tf{i} * {BM25_K1 + 1!r} / (tf{i} + {BM25_K1!r} * "
                           f"(1 - {BM25_B!r} + {BM25_B!r} * n / average))" for i, weight in enumerate(weights))
        tfs = "".join(f", tf{i}" for i in range(len(parts)))
        once = kind == "NamedDocument"  # a document cited by several reports: once, from its first report
        grouped = " GROUP BY e.item" if once else ""
        best = (f"SELECT id, {score} AS score, found FROM (SELECT id, n{tfs}, avg(n) OVER () AS average, "
                f"count(*) OVER () AS found FROM (SELECT {'min(e.id)' if once else 'e.id'} AS id, "
                f"length(e.text) AS n{counts} {where}{grouped})) ORDER BY score DESC, id"
                + (" LIMIT ?" if limit is not None else ""))
        # the items' IRIs and graphs read for the best only (10,668 measures hold 整改: 70 -> 50 ms)
        sql = f"SELECT e.item, e.graph, b.score, b.found FROM ({best}) AS b JOIN entries AS e ON e.id = b.id " \
              "ORDER BY b.score DESC, b.id"
        rows = self._read(sql, [*(value for part in parts for value in (part, part)), *params,
                                *([limit] if limit is not None else [])])
        return [Match(item, graph, round(score, 4), parts) for item, graph, score, _ in rows], rows[0][3] if rows else 0

    def _holding(self, texts: list[str], kinds: Iterable[str], region: str | None) -> tuple[str, list[object]]:
        """FROM and WHERE of the items of the kinds whose text contains each of ``texts``, and its
        parameters.

        Oxigraph reads a text in about 9 us, so CONTAINS over a province's 33,000 measures took
        340 ms of a 700 ms query at 10,000 reports. So the items holding every trigram of each text
        are looked up in the trigram index, then checked with ``instr``; in a region, a text of one or
        two characters is sought with ``instr`` over the region's texts (a county's: 0.1 ms), and
        elsewhere as any trigram it starts (_grams). At 10,000 reports, a province and 公务用车: 93 ms
        by instr alone, 19 ms through the trigrams."""
        kinds = [kind for kind in kinds if _table(kind)]  # an unknown kind is an error
        texts = list(dict.fromkeys(texts)) or [""]
        groups = [None if region is not None and len(text) < 3 else self._grams(text) for text in texts]
        expression = " AND ".join(group for group in groups if group)
        found = "JOIN texts ON texts.rowid = e.id AND texts MATCH ? " if expression else ""
        narrowed = "JOIN regions AS r ON r.graph = e.graph AND r.code = ? " if region is not None else ""
        checks = " AND ".join(["instr(e.text, ?) > 0" for _ in texts] + ["0" for group in groups if group == ""])
        where = f"FROM entries AS e {found}{narrowed}WHERE e.kind IN ({','.join('?' * len(kinds))}) AND {checks}"
        return where, [*([expression] if expression else []), *([region] if region is not None else []), *kinds, *texts]

    def _grams(self, text: str) -> str | None:
        """The trigram-index expression an item's text matches when it contains ``text``: all its
        trigrams, or for a text of one or two characters any trigram starting with it (the index
        pads every text, _PAD, so even a text's last character starts one); "" when no text can
        contain it (no such trigram); None when the index cannot narrow it: an empty text, a NUL
        (which ends an FTS5 string), U+FFFE, U+FFFF or U+FFFD (SQLite writes the first two as the
        third in the vocabulary), or a prefix whose trigrams are in so many texts that reading every
        text is quicker (PREFIX_SHARE: at 1,000 reports, of 148,833 texts, 的's trigrams are in 108,744,
        and 的 takes 260 ms this way, 165 ms by reading them all; 整改's in 32,351: 49 ms instead of 92)."""
        if not text or any(c in text for c in "\x00\ufffd\ufffe\uffff"):
            return None
        if len(text) >= 3:
            return " AND ".join(_string(gram) for gram in dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2)))
        bounds = (text, text + "\U0010ffff" * (3 - len(text)))  # every trigram starting with the text
        count, held = self.db.execute("SELECT count(*), coalesce(sum(doc), 0) FROM vocab_texts "
                                      "WHERE term >= ? AND term <= ?", bounds).fetchone()
        if count > PREFIX_TERMS_MAX or held > PREFIX_SHARE * int(self.meta("rows-entries") or 0):
            return None
        grams = [gram for (gram,) in self.db.execute(
            "SELECT term FROM vocab_texts WHERE term >= ? AND term <= ?", bounds)]
        return "(" + " OR ".join(map(_string, grams)) + ")" if grams else ""

    def _read(self, sql: str, params: list[object]) -> list[Any]:
        """The rows of a read of the texts; a damaged trigram table is a StoreError."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            if not any(word in str(exc) for word in (*_DAMAGED, "vtable constructor")):  # its pages unreadable
                raise
            raise StoreError(f"文本索引已损坏, 请运行 kg build (text index damaged: {exc}; run kg build)",
                             self.path) from None

    def tokens_of(self, kind: str) -> dict[str, tuple[str, ...]]:
        """{item: its tokens} of every indexed item of a kind."""
        table = _table(kind)
        rows = self.db.execute(f"SELECT e.item, {table}.tokens FROM {table} JOIN entries AS e ON e.id = {table}.rowid")
        return {item: tuple(tokens.split()) for item, tokens in rows}

    def known_tokens(self, graphs: Iterable[str], texts: Iterable[str], kinds: Iterable[str] = ("Measure", "Problem")
                     ) -> dict[str, tuple[str, ...]]:
        """{text: its tokens} of the texts held by items of the kinds in the report graphs (found by the
        graph index): `kg related` takes its candidates' tokens from here rather than cutting their texts
        again (kg.text.remember_tokens). Tokens interned, as kg.text's are."""
        graphs, wanted = list(dict.fromkeys(graphs)), list(dict.fromkeys(texts))
        found: dict[str, tuple[str, ...]] = {}
        step = 400  # graphs and texts bound a query at a time: SQLite's limit of values is 32,766
        for kind in kinds:
            table = _table(kind)
            for g in range(0, len(graphs), step):
                for t in range(0, len(wanted), step):
                    some, these = graphs[g:g + step], wanted[t:t + step]
                    found.update((text, tuple(map(sys.intern, tokens.split()))) for text, tokens in self.db.execute(
                        f"SELECT e.text, t.tokens FROM entries AS e JOIN {table} AS t ON t.rowid = e.id "
                        f"WHERE e.graph IN ({','.join('?' * len(some))}) AND e.kind = ? "
                        f"AND e.text IN ({','.join('?' * len(these))})", (*some, kind, *these)))
        return found

    def counts(self) -> dict[tuple[str, str], int]:
        """{(report graph, kind): number of indexed items}."""
        rows = self.db.execute("SELECT graph, kind, COUNT(DISTINCT item) FROM entries GROUP BY graph, kind")
        return {(graph, kind): n for graph, kind, n in rows}

    def entries(self, graph: str) -> Iterator[Entry]:
        """The entries of one report graph (for checks and tests)."""
        for kind in KINDS:
            table = _table(kind)
            rows = self.db.execute(f"SELECT e.item, {table}.tokens, e.text FROM {table} JOIN entries AS e "
                                   f"ON e.id = {table}.rowid WHERE e.graph = ? ORDER BY e.id", (graph,))
            for item, tokens, text in rows:
                yield Entry(kind, item, tuple(tokens.split()), text)

    def regions(self, graph: str) -> list[str]:
        """The division codes a report graph is indexed under."""
        return [code for (code,) in self.db.execute("SELECT code FROM regions WHERE graph = ? ORDER BY code", (graph,))]
