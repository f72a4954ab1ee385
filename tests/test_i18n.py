import re
import unicodedata
from pathlib import Path

import pytest

from desk.i18n import LANGUAGES, ONE, catalog, placeholders
from desk.models import Role, Status, Track, VisitKind
from desk.settings import DEFAULT_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
ZH, EN = LANGUAGES["zh"], LANGUAGES["en"]


def plain_keys(messages: dict[str, str]) -> set[str]:
    """Every key but the singulars (`.one`), which only a language that needs them has."""
    return {k for k in messages if not k.endswith(ONE)}


def test_both_catalogs_have_the_same_keys():
    assert sorted(plain_keys(ZH) ^ plain_keys(EN)) == []


@pytest.mark.parametrize("key", sorted(ZH))
def test_placeholders_match(key):
    assert placeholders(ZH[key]) == placeholders(EN[key])


@pytest.mark.parametrize("key", sorted(set(ZH) | set(EN)))
def test_a_singular_belongs_to_a_key_with_a_count_and_the_same_placeholders(key):
    if key.endswith(ONE):
        base = key.removesuffix(ONE)
        for messages in (ZH, EN):
            if key in messages:
                assert base in messages and "count" in placeholders(messages[base])
                assert placeholders(messages[key]) == placeholders(messages[base])


def test_chinese_has_no_singulars():
    assert [k for k in ZH if k.endswith(ONE)] == []


def test_a_count_of_one_takes_the_singular_where_the_catalog_has_one():
    en, zh = catalog("en"), catalog("zh")
    assert [en("lookup.persons", count=n) for n in (0, 1, 2)] == ["0 persons", "1 person", "2 persons"]
    assert en("lookup.visits", count=1) == "1 visit"
    assert en("matters.count", count=1) == "1 matter"
    assert en("register.errors", count=1).startswith("1 problem,")
    assert en("lookup.count", count=1) == "1 found"  # no singular needed: the plain key
    assert zh("lookup.persons", count=1) == "1人"  # Chinese has no plural
    assert en("lookup.persons", count="1") == "1 persons"  # only the number 1 is singular


def test_no_ambiguous_width_glyphs_in_the_chinese_ui():
    bad = {k: [c for c in v if unicodedata.east_asian_width(c) == "A"] for k, v in ZH.items()}
    assert {k: v for k, v in bad.items() if v} == {}


def test_every_literal_key_used_in_the_code_exists():
    pattern = re.compile(r"""["']((?:err|key|cli|field|lookup|register|receipt|detail|matters|close|setup|login|cmd|button|id|operator)\.[a-z_.]+[a-z_])["']""")
    used = set()
    for package in ("desk", "screens"):
        for path in (ROOT / package).rglob("*.py"):
            if path.parent.name != "i18n":
                used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert sorted(k for k in used if k not in ZH) == []


def test_every_code_name_has_a_label():
    codes = [f"category.{c}" for c in DEFAULT_CATEGORIES]
    codes += [f"role.{r.value}" for r in Role] + [f"status.{s.value}" for s in Status]
    codes += [f"track.{k.value}" for k in Track] + [f"track_short.{k.value}" for k in Track]
    codes += [f"status_short.{s.value}" for s in Status] + [f"category_short.{c}" for c in DEFAULT_CATEGORIES]
    codes += [f"visit_kind.{k.value}" for k in VisitKind]
    codes += [f"event.{k}" for k in ("registered", "repeat_visit", "closed")]
    assert [c for c in codes if c not in ZH] == []


def test_missing_key_shows_itself_and_user_categories_show_their_name():
    t = catalog("en")
    assert t("no.such.key") == "no.such.key"
    assert t.label("category", "land") == "land"
    assert t.label("category", "水利") == "水利"
