"""The one home of people's and organizations' names: folding, slugs, author ids, capitals, author lists."""

from __future__ import annotations

import pytest

from tlnotes import names


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Łukasz Kaiser", "lukasz kaiser"),
        ("Gaël Varoquaux", "gael varoquaux"),
        ("Søren Straße", "soren strasse"),
        ("ÆSIR Œuvre", "aesir oeuvre"),
        ("İstanbul", "istanbul"),
        ("ﬁne", "fine"),
        ("Þór Đorđe", "thor dorde"),
        ("ÞÓRÐUR", "thordur"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert names.fold(text) == folded


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Quoc Le", "quoc-le"),
        ("  Attention -- is all!  ", "attention-is-all"),
        ("Łukasz", "lukasz"),
        ("", "x"),
        ("!!!", "x"),
        ("日本語", "x"),
        ("a_b.c", "a-b-c"),
        ("Þórður Ðiðrik", "thordur-didrik"),
    ],
)
def test_slugify(text, slug):
    assert names.slugify(text) == slug


def test_author_id_is_one_for_every_spelling():
    assert (
        names.author_id("Quoc Le")
        == names.author_id("quoc le")
        == names.author_id("Le, Quoc")
        == names.author_id(" Quoc  Le ")
        == names.author_id("Le,Quoc")
        == "quoc-le"
    )
    assert names.author_id("Łukasz Kaiser") == names.author_id("Kaiser, Lukasz")
    assert names.author_id("Quoc Le") != names.author_id("Le Quoc")


@pytest.mark.parametrize(
    "name, shown, family",
    [
        ("Le, Quoc", "Quoc Le", "Le"),
        ("Quoc Le", "Quoc Le", "Le"),
        ("  Quoc   Le ", "Quoc Le", "Le"),
        ("Plato", "Plato", "Plato"),
        ("Plato,", "Plato,", "Plato,"),
        ("van der Maaten, Laurens", "Laurens van der Maaten", "Maaten"),
    ],
)
def test_display_and_family_name(name, shown, family):
    assert names.display_name(name) == shown
    assert names.family_name(name) == family


@pytest.mark.parametrize(
    "name, org",
    [
        ("Meta AI", True),
        ("BigScience Workshop", True),
        ("Google Research", True),
        ("Allen Institute for AI", True),
        ("OpenAI", False),
        ("Quoc Le", False),
        ("Ai Lee", False),
        ("Google", False),
    ],
)
def test_is_organisation(name, org):
    assert names.is_organization(name) is org


@pytest.mark.parametrize(
    "name, person",
    [
        ("quoc le", "Quoc Le"),
        ("Quoc Le", "Quoc Le"),
        ("jean-baptiste alayrac", "Jean-Baptiste Alayrac"),
        ("ludwig van beethoven", "Ludwig van Beethoven"),
        ("van", "Van"),
        ("de la cruz", "de la Cruz"),
        ("McDonald", "McDonald"),
        ("mcDonald x", "mcDonald X"),
        ("", ""),
    ],
)
def test_person(name, person):
    assert names.person(name) == person


@pytest.mark.parametrize(
    "text, expected",
    [
        ("vaswani et al.", (["Vaswani", "others"], False)),
        ("vaswani et al", (["Vaswani", "others"], False)),
        ("dai & quoc le", (["Dai", "Quoc Le"], False)),
        ("lecun, bengio, & hinton", (["Lecun", "Bengio", "Hinton"], False)),
        ("a and b", (["A", "B"], False)),
        ("nakano, ..., OpenAI", (["Nakano", "others"], True)),
        ("nakano … schulman", (["Nakano", "others"], True)),
        ("openai", (["OpenAI"], False)),
        ("deepmind", (["DeepMind"], False)),
        ("meta", (["Meta AI"], False)),
        ("", ([], False)),
        (" , ; ", ([], False)),
        ("...", ([], True)),
    ],
)
def test_parse_authors(text, expected):
    assert names.parse_authors(text) == expected


def test_organisations_are_written_as_their_names_are_known():
    for key, name in names.ORGANIZATIONS.items():
        assert key == key.lower() and names.parse_authors(key) == ([name], False)
    assert "van" in names.PARTICLES and all(p == p.lower() for p in names.PARTICLES)
