"""Chinese numerals (一, 十一, 二十七, 两) as integers, through cn2an; circled and Roman ones (①, Ⅳ) too."""

from __future__ import annotations

from functools import lru_cache

CN_DIGITS = "〇零一二三四五六七八九十百两"
CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")  # Ⅰ…Ⅻ after NFKC


def roman(value: int) -> str:
    """The Roman numeral of 1..12, as NFKC writes Ⅰ…Ⅻ."""
    return _ROMAN[value - 1] if 1 <= value <= len(_ROMAN) else str(value)


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
    if text in _ROMAN:
        return _ROMAN.index(text) + 1
    import cn2an  # 0.1-0.2 s to import: loaded by the first Chinese numeral, not by every kg command

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return int(value) if float(value).is_integer() else None
