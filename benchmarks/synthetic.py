"""SYNTHETIC corpus generator for benchmarks (never test truth).

Makes N reports by varying the real reports in data/: each synthetic report takes one real
report, moves it to another real county (every mention of the original city and county is
replaced), shifts its dates by whole years and drops a random fifth of its 二是…八是 measure
paragraphs. Every file starts with a line saying it is synthetic.

Run: python -m benchmarks.synthetic N OUT_DIR [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from kg.parse import parse_file
from kg.parse.region import _divisions

ROOT = Path(__file__).resolve().parent.parent
MARK = "【合成数据 SYNTHETIC — benchmark only, not a real report】"


def _counties(rng: random.Random) -> list[tuple[str, str]]:
    """(city, county) pairs of real counties, shuffled."""
    _, _, counties = _divisions()
    pairs = [(c.city, c.county) for c in counties if c.city and c.county and c.county.endswith(("区", "县", "市"))]
    rng.shuffle(pairs)
    return pairs


def _places(text: str, path: Path) -> list[str]:
    report = parse_file(path)
    region = report.committee.region
    names = [n for n in (region.city, region.county) if n]
    short = [n[:-1] for n in names if len(n) > 2]
    return sorted(set(names + short), key=len, reverse=True)


def generate(n: int, out: Path, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    sources = sorted((ROOT / "data" / "reports").glob("*.txt"))
    texts = {p: p.read_text(encoding="utf-8") for p in sources}
    places = {p: _places(texts[p], p) for p in sources}
    counties = _counties(rng)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        base = sources[i % len(sources)]
        city, county = counties[i % len(counties)]
        text = texts[base]
        for name in places[base]:
            replacement = county if name.endswith(("区", "县")) or name == places[base][-1] else city
            text = text.replace(name, replacement)
        shift = rng.randint(-3, 2)
        text = re.sub(r"(20\d\d)年", lambda m: f"{int(m.group(1)) + shift}年", text)
        text = re.sub(r"(20\d\d)-", lambda m: f"{int(m.group(1)) + shift}-", text)
        lines = [line for line in text.split("\n")
                 if not (re.match(r"\s*[二三四五六七八]是", line) and rng.random() < 0.2)]
        path = out / f"synthetic-{i:05d}.txt"
        path.write_text(MARK + "\n" + "\n".join(lines), encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = generate(args.n, args.out, args.seed)
    print(f"{len(files)} synthetic reports in {args.out}")


if __name__ == "__main__":
    main()
