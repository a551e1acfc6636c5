#!/usr/bin/env python3
"""Derive crates/names/data/hanja_readings.tsv (Sino-Korean readings of Han characters) from the
hanja→hangul table of the PyPI package `hanja` (Sumin Byeon, WTFPL version 2).

Standard library only (Python 3.11). Usage (from the repository root):

    pip download hanja==0.15.1 --no-deps -d /tmp/hanja
    python3 scripts/derive_korean_readings.py \
        /tmp/hanja/hanja-0.15.1-py3-none-any.whl crates/names/data/hanja_readings.tsv

Input: the wheel (a zip) holding `hanja/table.yml`, one `"\\uXXXX": "\\uYYYY"` line per
character: a Han character and its (first) Sino-Korean reading as one hangul syllable, written
without the initial-sound law (李 → 리, 林 → 림, 柳 → 류), which is how North Korean names are
read; vigil-names applies the law itself for the South Korean spellings.

Selection: characters of the CJK Unified Ideographs block (U+4E00–U+9FFF, which holds both
simplified and traditional forms; NFKC folds the compatibility ideographs into it, and names
hardly use the extension blocks) whose reading is a single precomposed hangul syllable.

Correction: the source reads some simplified characters as the older, unrelated character of
the same shape (胜 as 성, 荣 as 송, 达 as 체); those listed in SIMPLIFIED_AS_TRADITIONAL (a
hand-written list of simplified → traditional pairs, from general knowledge, of characters used
in names) take the reading of their traditional form instead (胜 = 勝 = 승).

Output: UTF-8 text, `#` comment lines first, then one line per reading sorted by reading:
`hangul<TAB>characters` (characters sorted by code point). Deterministic.
"""

import hashlib
import re
import sys
import zipfile

SIMPLIFIED_AS_TRADITIONAL = {
    "胜": "勝", "荣": "榮", "达": "達", "莹": "瑩", "园": "園", "圣": "聖", "宁": "寧",
    "怀": "懷", "挥": "揮", "环": "環", "种": "種", "证": "證", "价": "價", "儿": "兒",
    "关": "關", "听": "聽", "洁": "潔", "叶": "葉", "奋": "奮", "币": "幣", "敌": "敵",
    "昙": "曇", "术": "術", "极": "極", "柜": "櫃", "汇": "匯", "础": "礎", "纲": "綱",
    "芦": "蘆", "苹": "蘋", "诺": "諾", "适": "適", "亏": "虧", "仅": "僅", "伙": "夥",
    "划": "劃", "叹": "嘆", "吓": "嚇", "厂": "廠", "广": "廣", "丰": "豐", "几": "幾",
}

LINE = re.compile(r'^"\\u([0-9A-Fa-f]{4,5})":\s*"\\u([0-9A-Fa-f]{4})"\s*$')


def main() -> None:
    wheel, out_path = sys.argv[1], sys.argv[2]
    digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
    with zipfile.ZipFile(wheel) as z:
        table = z.read("hanja/table.yml").decode("utf-8")
    readings: dict[str, str] = {}
    for line in table.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        han, hangul = int(m.group(1), 16), int(m.group(2), 16)
        if not (0x4E00 <= han <= 0x9FFF and 0xAC00 <= hangul <= 0xD7A3):
            continue
        readings[chr(han)] = chr(hangul)
    for simplified, traditional in SIMPLIFIED_AS_TRADITIONAL.items():
        if simplified in readings and traditional in readings:
            readings[simplified] = readings[traditional]
    by_reading: dict[str, list[str]] = {}
    for han_char, hangul_char in readings.items():
        by_reading.setdefault(hangul_char, []).append(han_char)
    n_chars = sum(len(v) for v in by_reading.values())
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        out.write("# Sino-Korean readings of Han characters: hangul TAB characters.\n")
        out.write("# Derived by scripts/derive_korean_readings.py from hanja/table.yml of the PyPI\n")
        out.write(f"# package hanja 0.15.1 (wheel SHA-256 {digest}),\n")
        out.write("# WTFPL version 2 (LICENSE-hanja). Do not edit by hand.\n")
        for reading in sorted(by_reading):
            out.write(f"{reading}\t{''.join(sorted(by_reading[reading]))}\n")
    print(f"{len(by_reading)} readings, {n_chars} characters", file=sys.stderr)


if __name__ == "__main__":
    main()
