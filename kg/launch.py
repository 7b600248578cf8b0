"""The `kg` command's entry point: a help page (or the version) shown once is shown again from a file, at once.

typer and rich, which render ``kg --help`` and ``kg COMMAND --help`` (panels, colours, the width of
the terminal), take 0.2 s to import, four fifths of the page's time. So the page kg.cli renders is
kept in the cache folder (kg.text.cache_dir) under a hash of everything it is made from: the
arguments and the program's name, kg/cli.py (where every help text is written) and kg's version,
the installed typer, click and rich, the terminal (which streams are terminals, their sizes, the
encoding) and the environment variables rich and typer read. The next call with the same hash
writes the file out without importing either (``python -c pass`` and a few milliseconds); a
change of any of them is a new hash, and a page is rendered and kept again. Every other call, and
any page not kept, goes to kg.cli, the command itself. ``kg --version`` is kept the same way.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

KEPT_PAGES = 64  # help pages kept: a page per command, terminal size and environment used lately
_FORMAT = "kg.launch/1"  # part of the hash: a change of what is kept is a new name
_PAGES = ("--help", "--version")  # the last argument of a call whose output is kept
#: what rich, click and typer read from the environment when they lay out and colour a page
_ENVIRONMENT = ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "PY_COLORS", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS",
                "LINES", "TERMINAL_WIDTH", "JUPYTER_COLUMNS", "JUPYTER_LINES", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
                "GITHUB_ACTIONS", "DATABRICKS_RUNTIME_VERSION", "UNICODE_VERSION", "TYPER_USE_RICH",
                "_TYPER_FORCE_DISABLE_TERMINAL", "_TYPER_STANDARD_TRACEBACK", "LANG", "LANGUAGE", "LC_ALL",
                "LC_CTYPE", "LC_MESSAGES", "PYTHONIOENCODING", "PYTHONUTF8")


def main() -> None:
    """Run `kg`: a help page from the cache when it is there, else kg.cli (which keeps a help page)."""
    try:
        page = help_page(sys.argv)
    except Exception:  # noqa: BLE001 - no home folder, an odd file system: kg.cli renders the page itself
        page = None
    if page is not None and _replay(page):
        return
    from kg.cli import main as run

    if page is None:
        run()
        return
    shown = _Recorder(sys.stdout)
    sys.stdout = shown
    try:
        run()
    except SystemExit as end:
        if end.code in (0, None) and shown.parts and shown.whole:
            from kg.text import write_cached

            write_cached(page, "".join(shown.parts), KEPT_PAGES)
        raise
    finally:
        sys.stdout = shown.stream


def help_page(argv: list[str]) -> Path | None:
    """The file that holds the page these arguments ask for (``kg --help``, ``kg COMMAND --help``,
    ``kg --version``) in this terminal and environment; None for any other call."""
    args = argv[1:]
    if not (args and args[-1] in _PAGES and len(args) <= 2 and all(arg.replace("-", "").isalnum() for arg in args)):
        return None
    from kg.text import cache_dir

    digest = hashlib.sha256()
    for part in _inputs(argv):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return cache_dir() / f"help-{digest.hexdigest()[:24]}.txt"


def _inputs(argv: list[str]) -> list[str]:
    """Everything a help page is made from (see the module's docstring)."""
    from kg import __version__
    from kg.text import installed_stamp

    here = Path(__file__).parent
    parts = [_FORMAT, __version__, hashlib.sha256((here / "cli.py").read_bytes()).hexdigest(), os.path.basename(argv[0]),
             *argv[1:], sys.platform, sys.version, str(getattr(sys.stdout, "encoding", None))]
    parts += [installed_stamp(package) for package in ("typer", "click", "rich")]
    parts += [f"{name}={os.environ.get(name)}" for name in _ENVIRONMENT]
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            number = stream.fileno()
            parts.append(f"{os.isatty(number)} {tuple(os.get_terminal_size(number)) if os.isatty(number) else ''}")
        except (AttributeError, OSError, ValueError):
            parts.append("-")
    return parts


def _replay(page: Path) -> bool:
    """Write a kept page to standard output; False when there is none, or when it could not be
    written (kg.cli then renders it and says why in its one line: a closed pipe, a full disk)."""
    from kg.text import read_cached

    text = read_cached(page)
    if not text:
        return False
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError:
        return False
    return True


class _Recorder:
    """Standard output as kg.cli sees it (a terminal stays a terminal to rich), keeping what is written."""

    def __init__(self, stream: object) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.whole = True  # False when something was written that is not text (not kept then)

    def write(self, text: str | bytes) -> int:
        if isinstance(text, str):
            self.parts.append(text)
        elif text:
            self.whole = False
        written: int = self.stream.write(text)  # type: ignore[attr-defined]
        return written

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


if __name__ == "__main__":
    main()
