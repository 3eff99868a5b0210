"""The French normaliser: accents, case, elisions, stop words and light stemming, the same on both sides."""

import pytest

from abri.documents import normalise


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("dégâts", "dégât"),
        ("dégâts", "degat"),
        ("DÉGÂTS", "degats"),
        ("eaux", "eau"),
        ("bureaux", "bureau"),
        ("journaux", "journal"),
        ("assurée", "assuré"),
        ("assurées", "assurer"),
        ("particulières", "particulier"),
        ("électricienne", "électricien"),
        ("incendies", "Incendie"),
        ("sinistres", "sinistre"),
        ("Événements", "evenement"),
        ("cœur", "coeur"),
    ],
)
def test_inflected_forms_share_one_term(left, right):
    assert normalise.terms(left) == normalise.terms(right)
    assert normalise.terms(left)


@pytest.mark.parametrize(("a", "b"), [("vol", "volet"), ("eau", "euro"), ("garantie", "garage")])
def test_different_words_stay_different(a, b):
    assert normalise.terms(a) != normalise.terms(b)


def test_fold_removes_accents_ligatures_and_case():
    assert normalise.fold("Œuvre À Noël ÇA") == "oeuvre a noel ca"


def test_elisions_and_stop_words_are_dropped():
    assert normalise.terms("l'attestation d'assurance de l’habitation") == ["attestation", "assuranc", "habitation"]


def test_numbers_and_references_are_kept_as_terms():
    assert normalise.terms("Contrat MRH-2024-000123") == ["contrat", "mrh", "2024", "000123"]


def test_search_text_joins_terms_with_single_spaces():
    assert normalise.search_text("Dégâts des eaux", "", "Lyon 3e") == "degat eau lyon 3e"


def test_overlong_words_are_ignored():
    assert normalise.terms("a" * 41 + " toit") == ["toit"]


def test_iter_words_gives_positions_in_the_original_text():
    text = "Les Dégâts, vus à Lyon"
    words = [(text[s:e], n) for s, e, n in normalise.iter_words(text)]
    assert words == [("Les", ""), ("Dégâts", "degat"), ("vus", "vus"), ("à", ""), ("Lyon", "lyon")]


def test_short_words_are_not_stemmed():
    assert normalise.stem("vis") == "vis"
    assert normalise.stem("bris") == "bri"
