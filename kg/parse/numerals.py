"""Chinese numerals (一, 十一, 二十七, 两) as integers, through cn2an."""

from __future__ import annotations

from functools import lru_cache

CN_DIGITS = "〇零一二三四五六七八九十百两"
CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳


@lru_cache(maxsize=4096)
def to_int(text: str) -> int | None:
    """Arabic or Chinese numeral to int; None when the text is not a numeral."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if len(text) == 1 and text in CIRCLED:
        return CIRCLED.index(text) + 1
    import cn2an  # 0.1-0.2 s to import: loaded by the first Chinese numeral, not by every kg command

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return int(value) if float(value).is_integer() else None
