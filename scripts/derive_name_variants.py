#!/usr/bin/env python3
"""Derive crates/names/data/name_variants.tsv.gz from rigour's person_names.txt.

Standard library only (Python 3.11). Usage (from the repository root):

    python3 scripts/derive_name_variants.py \
        ../shared/data/names/rigour/person_names.txt \
        crates/names/data/name_variants.tsv.gz

Input: one equivalence group per line, `form1, form2, ... => Qid` (Wikidata-derived, MIT,
OpenSanctions). Output: gzip'd text, one kept group per line, its forms separated by TABs; the
group id used by vigil-names is the 0-based line number. Forms are normalized the way
vigil-names normalizes a token before looking it up (see `variant_key` in src/variants.rs):
NFKC, lower case, Latin diacritics stripped, Arabic harakat and tatweel removed, apostrophes
removed. Only single-token forms are kept, because the table is looked up token by token.

Selection, chosen to stay well under the 2 MB per-file limit while keeping what screening needs:
- forms in Latin, Arabic, Cyrillic, Han or Devanagari script only;
- a group is kept when it has a Latin form and either a form in another kept script or at least
  two distinct Latin forms;
- Han forms of groups that also hold kana (Japanese names) are dropped;
- a form that occurs in more than MAX_GROUPS_PER_FORM groups is dropped as too ambiguous;
- a group left with fewer than two forms is dropped.
The output is deterministic (groups in input order, forms sorted; gzip mtime 0).
"""

import gzip
import hashlib
import sys
import unicodedata
from collections import Counter

MAX_GROUPS_PER_FORM = 20
MIN_LATIN_LEN = 2

APOSTROPHES = "'’ʼʻ`´‘ʿʾ"
HARAKAT = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670", "\u0640"}


def script_of(ch: str) -> str:
    o = ord(ch)
    if ch.isascii():
        return "latin" if ch.isalpha() else "other"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        return "arabic"
    if 0x0900 <= o <= 0x097F:
        return "devanagari"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF:
        return "han"
    return "other"


def strip_latin_marks(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn" and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


LATIN_SPECIAL = {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "þ": "th",
                 "ð": "d", "œ": "oe", "ŀ": "l", "ħ": "h", "ŧ": "t", "ŋ": "ng", "ƒ": "f"}


def normalize_form(form: str) -> str:
    text = unicodedata.normalize("NFKC", form).lower()
    text = "".join(LATIN_SPECIAL.get(c, c) for c in text)
    text = strip_latin_marks(text)
    text = "".join(c for c in text if c not in HARAKAT and c not in APOSTROPHES
                   and unicodedata.category(c) != "Cf")
    text = "".join(c if (c.isalnum() or unicodedata.category(c) in ("Mn", "Mc")) else " " for c in text)
    return " ".join(text.split())


def form_script(form: str) -> str | None:
    scripts = {script_of(c) for c in form if unicodedata.category(c)[0] == "L"}
    if len(scripts) != 1:
        return None
    s = scripts.pop()
    if s == "other":
        return None
    if s == "latin" and not form.isascii():
        return None
    return s


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    raw = open(src, "rb").read()
    groups: list[tuple[str, list[str]]] = []
    for line in raw.decode("utf-8").splitlines():
        if "=>" not in line:
            continue
        left, qid = line.rsplit("=>", 1)
        kept = set()
        # Kanji forms of Japanese names would be read as Chinese (pinyin) by vigil-names and
        # cost a third of the table, so a group that has kana keeps no Han form.
        japanese = any(0x3040 <= ord(c) <= 0x30FF for c in left)
        for form in left.split(","):
            n = normalize_form(form)
            if not n or " " in n:
                continue
            s = form_script(n)
            if s is None or (s == "latin" and len(n) < MIN_LATIN_LEN):
                continue
            if s == "han" and japanese:
                continue
            kept.add(n)
        groups.append((qid.strip(), sorted(kept)))

    counts = Counter(f for _, forms in groups for f in forms)
    out_lines = []
    for _, forms in groups:
        forms = [f for f in forms if counts[f] <= MAX_GROUPS_PER_FORM]
        latin = [f for f in forms if form_script(f) == "latin"]
        other = [f for f in forms if form_script(f) != "latin"]
        if not latin or (not other and len(latin) < 2):
            continue
        if len(forms) < 2:
            continue
        out_lines.append("\t".join(forms))

    data = ("\n".join(out_lines) + "\n").encode("utf-8")
    with open(dst, "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"source {src} sha256 {hashlib.sha256(raw).hexdigest()}")
    print(f"groups in {len(groups)}, kept {len(out_lines)}, forms {sum(l.count(chr(9)) + 1 for l in out_lines)}")
    print(f"uncompressed {len(data)} bytes")


if __name__ == "__main__":
    main()
