"""Message catalogs: zh-CN by default, English with `--lang en`. One catalog object is
built per app or command and passed along; there is no global language setting."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from desk.errors import DeskError, FormErrors
from desk.i18n import en, zh
from desk.store import StoreError

LANGUAGES = {"zh": zh.MESSAGES, "en": en.MESSAGES}
DEFAULT_LANGUAGE = "zh"
# A key's singular: `lookup.visits.one` is used instead of `lookup.visits` when count == 1.
# Only where the language needs one (English does, Chinese never); a catalog without it
# uses the plain key for every count.
ONE = ".one"


@dataclass(frozen=True)
class Catalog:
    lang: str
    messages: dict[str, str]

    def __call__(self, key: str, /, **params: Any) -> str:
        # `key` is positional-only: an error's params are spread in here, and one of them
        # named `key` must fill its placeholder, not clash with the catalog key.
        template = self.messages.get(key)
        if template is None:
            return key  # visible, so a missing entry is noticed (and a test forbids it)
        if params.get("count") == 1:
            template = self.messages.get(key + ONE, template)
        return template.format(**params) if params else template

    def has(self, key: str) -> bool:
        return key in self.messages

    def label(self, prefix: str, code: str) -> str:
        """A code's label (`category.land`), or the code itself for user-made entries."""
        key = f"{prefix}.{code}"
        return self(key) if key in self.messages else code


def catalog(lang: str = DEFAULT_LANGUAGE) -> Catalog:
    if lang not in LANGUAGES:
        raise ValueError(lang)
    return Catalog(lang, LANGUAGES[lang])


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def field_label(t: Catalog, field: str) -> str:
    """`representatives.2.id_number` -> "代表2 身份证号"."""
    parts = field.split(".")
    if len(parts) == 3:
        return t("field.representative_n", n=parts[1]) + " " + t("field." + parts[2])
    return t("field." + parts[0])


def describe(t: Catalog, exc: Exception) -> str:
    """One message a clerk can act on, naming the field where there is one."""
    if isinstance(exc, FormErrors):
        return "; ".join(f"{field_label(t, e.field)}: {t(e.code, **labelled(t, e.params))}" for e in exc.errors)
    if isinstance(exc, DeskError | StoreError):
        return t(exc.code, **translated_detail(t, labelled(t, exc.params)))
    return str(exc)


# Parameters that carry a code, read as its label (`role` "station" as 驻点人员).
LABELLED = ("action", "role", "move", "state", "outcome", "status", "act", "clock", "meeting_kind", "meeting_state")


def labelled(t: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    return {k: t.label(k, v) if k in LABELLED and isinstance(v, str) else v for k, v in params.items()}


def translated_detail(t: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """A `detail` that is itself a catalog key (what is wrong with a damaged file, a
    finding inside a refused backup) is told in the catalog's words, not as the key."""
    detail = params.get("detail")
    if isinstance(detail, str) and t.has(detail):
        inner = {k: v for k, v in params.items() if k != "detail"}
        return {**params, "detail": t(detail, **inner)}
    return params
