"""French text normalisation for search: accents and case folded, elisions split, light stemming.

Pure Python, no Django import. The same function turns a document's text into its `search_text`
and a customer's query into terms, so both sides always agree.

Why a small stemmer of our own rather than Snowball: Snowball's French rules are written for
accented input (« -ité », « -ée »), so « securite » typed without accents and « sécurité » stemmed
with them can end up different; stripping accents first then disables half of its rules. A vault
search needs the light, predictable conflation customers expect — plural and feminine endings,
« eaux »/« eau », « journaux »/« journal », « dégâts »/« dégât »/« degat » — applied identically to
accent-free words. The rules below follow the minimal French stemmers of Savoy (2005) and
Lucene's FrenchMinimalStemmer, adapted to accent-free input.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_WORD_LENGTH = 40

# Articles, prepositions, pronouns and conjunctions that carry no meaning for a search.
STOP_WORDS = frozenset(
    """
    a au aux avec c ce ces cet cette d dans de des du elle en et eux il ils j je l la le les leur leurs
    lui m ma mais me mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son sur
    t ta te tes toi ton tu un une vos votre vous y
    """.split()
)

# Operators of FTS engines, typed by habit: they mean nothing here and must not become terms.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, without accents or ligatures: « Dégâts des Eaux » → « degats des eaux »."""
    if text.isascii():
        return text.lower()
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def stem(word: str) -> str:
    """Light French stem of one folded word (plural, feminine, -er endings; doubled last letter)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("eaux"):  # bureaux, eaux → bureau, eau
        word = word[:-1]
    elif word.endswith("aux") and len(word) > 5:  # journaux, locaux → journal, local
        word = word[:-3] + "al"
    elif word[-1] in "sx" and not word.endswith("ss"):  # dégâts → degat; but « stress » stays
        word = word[:-1]
    # Feminine and past participles: assurée/assuré/assure → assur.
    for _ in range(2):
        if len(word) > 4 and word.endswith("e"):
            word = word[:-1]
    # Infinitives and -ier/-ière pairs: déclarer → declar, particulier/particulière → particuli.
    if len(word) > 5 and word.endswith("er"):
        word = word[:-2]
    # Doubled final consonant: électricienne → electricien, nouvelle → nouvel.
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouy":
        word = word[:-1]
    return word


@lru_cache(maxsize=100_000)
def normalise_word(word: str) -> str:
    """Folded and stemmed form of one word, or "" when it is a stop word or too long."""
    folded = fold(word)
    if not folded or folded in STOP_WORDS or len(folded) > MAX_WORD_LENGTH:
        return ""
    return stem(folded)


@lru_cache(maxsize=100_000)
def _term(folded_word: str) -> str:
    if folded_word in STOP_WORDS or len(folded_word) > MAX_WORD_LENGTH:
        return ""
    return stem(folded_word)


def terms(text: str) -> list[str]:
    """The normalised terms of a text, in order (stop words dropped)."""
    # Words repeat a lot in a vault: stemming is memoised per folded word.
    return [t for t in map(_term, _ASCII_WORD.findall(fold(text))) if t]


def search_text(*parts: str) -> str:
    """The `search_text` column: the normalised terms of every part, space-separated."""
    return " ".join(t for part in parts if part for t in terms(part))


def iter_words(text: str):
    """(start, end, normalised) for each word of the original text, for highlighting."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), normalise_word(match.group())
