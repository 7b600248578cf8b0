"""kg.text's cached dictionary: a second process reads it instead of building jieba's, it cuts the
real reports exactly as jieba does, and a change of any input (the user dictionary, the added
words) is a new cache that holds the change."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg.classify  # noqa: F401 - adds the taxonomy's keywords, as every module that cuts text does
from kg import text
from tests.conftest import DATA

NEW_WORD = "巡察整改台账"  # in no dictionary: jieba cuts it 巡察|整改|台账
SENTENCE = f"各单位要建立{NEW_WORD}并逐项销号"


def _fresh() -> None:
    for cached in (text.segmenter, text.tokenizer, text._cut_tokens, text._words):
        cached.cache_clear()
    text._known.clear()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and kg.text's dictionaries made anew in it (and again after the test)."""
    monkeypatch.setenv(text.CACHE_ENV, str(tmp_path))
    _fresh()
    yield tmp_path
    monkeypatch.undo()
    _fresh()


def _sentences() -> list[str]:
    """Every sentence of the reports in data/ (cut after 。；! ?)."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(DATA.glob("*.txt"))]
    return [s.strip() for t in texts for s in re.split(r"(?<=[。；;!?！？\n])", t) if s.strip()]


def test_the_second_segmenter_is_read_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = text.segmenter()
    path = text.cache_file()
    assert path.parent == cache and path.exists()
    assert sorted(p.name for p in cache.iterdir()) == [path.name, text.words_file(path).name]  # no partial file left
    monkeypatch.setattr(text, "dictionary_entries", lambda: pytest.fail("the cache was not read"))
    text.segmenter.cache_clear()
    second = text.segmenter()
    assert second is not first
    assert all(second.cut_for_search(s, False) == first.cut_for_search(s, False) for s in _sentences())


def test_cached_cuts_are_jiebas_on_the_real_reports(cache: Path) -> None:
    text.segmenter()  # writes the cache
    text.segmenter.cache_clear()
    cached = text.segmenter()  # reads it
    jieba = text.tokenizer()
    sentences = _sentences()
    assert len(sentences) > 1000  # 1,075 in the four reports
    assert [s for s in sentences if cached.cut_for_search(s, False) != jieba.lcut_for_search(s, HMM=False)] == []
    assert [s for s in sentences if cached.cut(s, False) != jieba.lcut(s, HMM=False)] == []


def test_a_process_with_the_cache_does_not_load_jieba(cache: Path) -> None:
    script = ("import sys, kg.classify, kg.text; print(kg.text.tokens('全面从严治党主体责任')); "
              "print('jieba' in sys.modules)")
    env = {**os.environ, text.CACHE_ENV: str(cache)}
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert [run.stdout.splitlines()[1] for run in runs] == ["True", "False"]  # built once, then read
    assert runs[0].stdout.splitlines()[0] == runs[1].stdout.splitlines()[0]
    assert "全面从严治党" in runs[1].stdout


def test_a_word_added_to_the_user_dictionary_is_a_new_cache_that_holds_it(cache: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before, before_path = text.cut_for_search(SENTENCE), text.cache_file()
    assert NEW_WORD not in before
    shipped = text._user_dictionary()
    monkeypatch.setattr(text, "_user_dictionary", lambda: shipped + f"\n{NEW_WORD} 50 n\n".encode())
    text.segmenter.cache_clear()
    text.tokenizer.cache_clear()
    after, after_path = text.cut_for_search(SENTENCE), text.cache_file()
    assert after_path != before_path and after_path.exists() and before_path.exists()
    assert NEW_WORD in after
    assert after == text.tokenizer().lcut_for_search(SENTENCE, HMM=False)


def test_a_keyword_added_is_a_new_cache_and_taking_it_out_reads_the_old_one(cache: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    before, before_path = text.cut_for_search(SENTENCE), text.cache_file()
    monkeypatch.setattr(text, "_WORD_SOURCES", [*text._WORD_SOURCES, lambda: [NEW_WORD]])
    _fresh()
    assert text.cache_file() != before_path
    assert NEW_WORD in text.cut_for_search(SENTENCE)
    monkeypatch.setattr(text, "_WORD_SOURCES", text._WORD_SOURCES[:-1])
    _fresh()
    monkeypatch.setattr(text, "dictionary_entries", lambda: pytest.fail("the first cache was not read again"))
    assert text.cache_file() == before_path
    assert text.cut_for_search(SENTENCE) == before


def test_the_order_of_the_added_words_does_not_change_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words = kg.classify._keywords()
    monkeypatch.setattr(text, "_WORD_SOURCES", [lambda: words])
    first = text.cache_file()
    monkeypatch.setattr(text, "_WORD_SOURCES", [lambda: list(reversed(words))])
    assert text.cache_file() == first


def test_a_damaged_cache_is_made_again(cache: Path) -> None:
    expected = text.cut_for_search(SENTENCE)
    path = text.cache_file()
    content = path.read_text(encoding="utf-8")
    path.write_text(content[: len(content) // 2], encoding="utf-8")  # cut short mid-line
    _fresh()
    assert text.segmenter().cut_for_search(SENTENCE, False) == expected
    assert path.read_text(encoding="utf-8") == content


def test_an_unwritable_cache_folder_still_cuts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(text.CACHE_ENV, str(blocker / "cache"))  # a folder under a file cannot be made
    _fresh()
    try:
        assert "全面从严治党" in text.tokens("落实全面从严治党主体责任")
        assert not (blocker / "cache").exists()
    finally:
        monkeypatch.undo()
        _fresh()


def test_writing_a_cache_removes_all_but_those_used_last(cache: Path) -> None:
    """Old dictionaries do not pile up: writing one keeps it and the KEPT_CACHES - 1 used last
    (reading marks a file used), removes a dead writer's old partial file, and touches nothing else."""
    old = [cache / f"tokenizer-{n:024x}.tsv" for n in range(6)]
    for age, path in enumerate(old):
        path.write_text("default\n", encoding="utf-8")
        os.utime(path, (1e9 + age, 1e9 + age))  # old[5] used last
    assert text._read_cache(old[0]) == ("default", [])  # read now: used last of all
    dead, fresh = cache / f".{old[1].name}.4242", cache / f".{old[2].name}.4343"
    for path in (dead, fresh):
        path.write_text("default\n", encoding="utf-8")
    os.utime(dead, (1e9, 1e9))
    foreign = cache / "notes.txt"
    foreign.write_text("mine", encoding="utf-8")
    text.segmenter()  # no cache for these inputs: made and written
    kept = {p.name for p in cache.iterdir()}
    assert kept == {text.cache_file().name, text.words_file(text.cache_file()).name, old[0].name, old[5].name,
                    old[4].name, fresh.name, foreign.name}
    assert text.KEPT_CACHES == 4


def test_a_short_text_is_cut_in_python_as_jieba_rs_cuts_it(cache: Path) -> None:
    """The words file written beside the cached dictionary gives kg.text's Python cut (used while a
    process cuts little: a query, a seed) jieba-rs's tokens for every sentence of the reports and
    variants shipped, and a query is cut that way without loading jieba-rs."""
    text.segmenter()  # writes the cache and the words file
    words = text._words()
    assert words is not None and text.words_file(text.cache_file()).exists()
    variants = sorted((Path(__file__).parent / "variants").glob("*.txt"))
    sentences = _sentences() + [s.strip() for path in variants for s in
                                re.split(r"(?<=[。；;!?！？\n])", path.read_text(encoding="utf-8")) if s.strip()]
    fast = text.segmenter()
    assert len(sentences) > 1700
    assert [s for s in sentences if text._cut(words, s) != fast.cut_for_search(s, False)] == []
    assert [s for s in sentences if text._cut_blocks(words, s) != fast.cut(s, False)] == []
    script = ("import sys, kg.classify, kg.text; print(kg.text.tokens('公车私用 违规发放津贴补贴 a1.5%b')); "
              "print('rjieba' in sys.modules, 'jieba' in sys.modules)")
    env = {**os.environ, text.CACHE_ENV: str(cache)}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == [repr(text.tokens("公车私用 违规发放津贴补贴 a1.5%b")), "False False"]


def test_a_damaged_words_file_is_not_read_and_is_made_again(cache: Path) -> None:
    expected = text.cut_for_search(SENTENCE)
    path = text.words_file(text.cache_file())
    content = path.read_bytes()
    for damaged in (content[: len(content) // 2], content[: content.rindex(b"\n", 0, len(content) // 2) + 1]):
        path.write_bytes(damaged)  # cut short mid-line, and after a whole line
        _fresh()
        assert text._words() is None
        assert text.cut_for_search(SENTENCE) == expected  # by jieba-rs, which makes the file again
        assert path.read_bytes() == content and text._words() is not None


def test_a_words_file_that_cannot_be_written_is_tried_once(cache: Path) -> None:
    """A path taken by a folder: the first process that finds no words file tries to make it (and leaves a
    mark), the next ones do not build jieba's tokenizer again for it; queries are still cut the same."""
    expected = text.cut_for_search(SENTENCE)
    path = text.words_file(text.cache_file())
    path.unlink()
    path.mkdir()  # the words file cannot be written there
    _fresh()
    assert text.cut_for_search(SENTENCE) == expected
    assert text.tokenizer.cache_info().currsize == 1  # the one try built jieba's tokenizer
    _fresh()
    assert text.cut_for_search(SENTENCE) == expected
    text.segmenter()
    assert text.tokenizer.cache_info().currsize == 0  # no second try


def test_the_classifiers_name_tables_are_read_from_their_cache_as_made(cache: Path) -> None:
    """kg.classify's place-name tables are kept in the cache folder: read back, they are what making them gives,
    a damaged file is made again, and other taxonomy keywords have a file of their own."""
    from kg import classify

    classify._place_names.cache_clear()
    try:
        made = classify._place_names()
        path = classify._names_cache()
        assert path.parent == cache and path.exists()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(classify, "_division_names", lambda: pytest.fail("the cache was not read"))
            classify._place_names.cache_clear()
            read = classify._place_names()
        assert read[:3] == made[:3] and read[3].pattern == made[3].pattern
        assert classify.strip_names("秦皇岛市推进平安建设") == " 推进平安建设"  # 平安 is inside a keyword
        path.write_text("[1, 2", encoding="utf-8")  # cut short
        classify._place_names.cache_clear()
        assert classify._place_names()[:3] == made[:3]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(classify, "_keywords", lambda: ["另一个关键词"])
            assert classify._names_cache() != path
    finally:
        classify._place_names.cache_clear()
