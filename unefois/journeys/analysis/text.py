"""French text for grouping free-text reasons: a stop list that keeps negations."""

from __future__ import annotations

import re
import unicodedata

#: Negations change the meaning of a reason (« accepté » / « pas accepté »): never removed.
NEGATIONS = frozenset({"ne", "n", "pas", "plus", "jamais", "rien", "aucun", "aucune", "sans"})

_STOP = """
a à ai aie aient aies ait alors as au aucuns aura aurai auraient aurais aurait auras aurez
auriez aurions aurons auront aussi autre aux avaient avais avait avant avec avez aviez avions
avoir avons ayant ayez ayons bon c ça car ce ceci cela celle celles celui ces cet cette ceux
chaque ci comme comment d dans de des du donc dont elle elles en encore es est et étaient
étais était étant été êtes étiez étions être eu eue eues eûmes eurent eus eusse eussent
eusses eussiez eussions eut eût eûtes eux fait faites fois font furent fus fusse fussent
fusses fussiez fussions fut fût fûtes ici il ils j je jusqu l la le les leur leurs lui m ma
mais me même mes moi mon nos notre nous on ont ou où par parce pour pourquoi qu quand que quel
quelle quelles quels qui s sa se sera serai seraient serais serait seras serez seriez serions
serons seront ses si soi soient sois soit sommes son sont soyez soyons suis sur t ta te tes
toi ton tous tout toute toutes très tu un une vos votre vous vu y
bonjour merci svp stp cordialement madame monsieur bonsoir
"""
STOP_WORDS = frozenset(_STOP.split()) - NEGATIONS

_WORD = re.compile(r"[\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents (« Sécu » and « secu » are the same word)."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_STOP_FOLDED = frozenset(fold(w) for w in STOP_WORDS)


def words(text: str) -> list[str]:
    """The meaningful words of a reason, folded; « n' » becomes « ne »."""
    out = []
    for word in _WORD.findall(fold(text)):
        if word == "n":
            word = "ne"
        if word in _STOP_FOLDED or (word.isdigit() and len(word) < 2):
            continue
        out.append(word)
    return out


def clean(text: str) -> str:
    return " ".join(words(text))
