#!/usr/bin/env python3
"""Derive crates/names/data/org_legal_forms.txt from rigour's org_types.json.

Standard library only (Python 3.11). Usage (from the repository root):

    python3 scripts/derive_org_forms.py \
        ../shared/data/names/rigour/org_types.json crates/names/data/org_legal_forms.txt

Writes one legal-form alias per line (lower case, NFKC, whitespace collapsed, sorted, unique).
vigil-names normalizes each line with its own token normalization when it first needs the
list, so this script does not have to reproduce that normalization exactly.

Left out: the NGO, REL (religious) and MIL (military) generic types, whose words ("charity",
"foundation", "association", "stiftung") are part of the identity of many listed organizations;
and one- and two-letter aliases that are also common name tokens or Arabic articles.
"""

import hashlib
import json
import sys
import unicodedata

SKIP_GENERIC = {"NGO", "REL", "MIL"}
SKIP_ALIASES = {"al", "el", "as", "an", "ad", "at", "ar", "az", "de", "da", "do", "di", "la", "le",
                "pr", "нп", "пр", "ип", "ab", "ek", "kk", "tov", "ok"}


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    raw = open(src, "rb").read()
    aliases = set()
    for entry in json.loads(raw):
        if entry.get("generic") in SKIP_GENERIC:
            continue
        for alias in entry.get("aliases", []) + [entry.get("display") or "", entry.get("compare") or ""]:
            a = " ".join(unicodedata.normalize("NFKC", alias).lower().split())
            if len(a.replace(".", "").replace(" ", "")) < 2 or a in SKIP_ALIASES:
                continue
            aliases.add(a)
    with open(dst, "w", encoding="utf-8") as f:
        f.write("# Organization legal forms, derived from rigour org_types.json (MIT, see LICENSE-rigour).\n")
        f.write(f"# source sha256 {hashlib.sha256(raw).hexdigest()}; regenerate with scripts/derive_org_forms.py\n")
        for a in sorted(aliases):
            f.write(a + "\n")
    print(f"source {src} sha256 {hashlib.sha256(raw).hexdigest()}; {len(aliases)} aliases")


if __name__ == "__main__":
    main()
