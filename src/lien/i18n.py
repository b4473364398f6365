"""French and English messages. ``t(key, **fields)`` in the current language.

The language comes from ``--lang``, else ``LIEN_LANG``, else ``LC_ALL``/``LC_MESSAGES``/``LANG``
(``fr*`` gives French), else English.
"""
from __future__ import annotations

import os

LANGS = ("en", "fr")
_current: str | None = None

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"en": "Error", "fr": "Erreur"},
    "error_line": {"en": "Error: {msg}", "fr": "Erreur : {msg}"},
    "bad_input": {"en": "{file}, {record}: expected {expected}, found {found}",
                  "fr": "{file}, {record} : attendu {expected}, trouvé {found}"},
    "workspace_unchanged": {"en": "Nothing was imported: the workspace is unchanged.",
                            "fr": "Rien n'a été importé : l'espace de travail est inchangé."},
    "init_done": {"en": "Workspace ready: {path}", "fr": "Espace de travail prêt : {path}"},
    "config_written": {"en": "Configuration template written: {path}", "fr": "Modèle de configuration écrit : {path}"},
    "config_kept": {"en": "Configuration kept as it is: {path}", "fr": "Configuration conservée telle quelle : {path}"},
    "import_title": {"en": "Import", "fr": "Import"},
    "not_modified": {"en": "not modified since the last fetch", "fr": "pas modifié depuis la dernière récupération"},
    "skipped_bad": {"en": "{n} bad records skipped:", "fr": "{n} enregistrements invalides ignorés :"},
    "warning": {"en": "Warning", "fr": "Attention"},
    "no_url_sources": {"en": "No source was imported from a URL: nothing to sync.",
                       "fr": "Aucune source importée depuis une URL : rien à synchroniser."},
    "exported": {"en": "{table}: {rows} rows → {path}", "fr": "{table} : {rows} lignes → {path}"},
    "empty": {"en": "Nothing yet. Import something first: lien import FILE",
              "fr": "Rien pour l'instant. Importez d'abord quelque chose : lien import FICHIER"},
    # column headings
    "col.format": {"en": "format", "fr": "format"},
    "col.source": {"en": "source", "fr": "source"},
    "col.read": {"en": "read", "fr": "lus"},
    "col.added": {"en": "added", "fr": "ajoutés"},
    "col.updated": {"en": "updated", "fr": "mis à jour"},
    "col.unchanged": {"en": "unchanged", "fr": "inchangés"},
    "col.skipped": {"en": "skipped", "fr": "ignorés"},
    "col.kind": {"en": "kind", "fr": "type"},
    "col.channel": {"en": "channel", "fr": "canal"},
    "col.acts": {"en": "acts", "fr": "actes"},
    "col.people": {"en": "people", "fr": "personnes"},
    "col.first": {"en": "first", "fr": "premier"},
    "col.last": {"en": "last", "fr": "dernier"},
    "col.name": {"en": "name", "fr": "nom"},
    "col.identities": {"en": "identities", "fr": "identités"},
    "col.events": {"en": "events", "fr": "événements"},
    "col.new_people": {"en": "new identities", "fr": "nouvelles identités"},
    "col.role": {"en": "role", "fr": "rôle"},
    "col.imported": {"en": "imported", "fr": "importé"},
    "col.records": {"en": "records", "fr": "enregistrements"},
    "status.title": {"en": "Workspace {path}", "fr": "Espace de travail {path}"},
    "status.totals": {"en": "{people} people, {identities} identities, {acts} acts, {events} events",
                      "fr": "{people} personnes, {identities} identités, {acts} actes, {events} événements"},
}


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add a module's own messages (keys should be prefixed with the module's name)."""
    MESSAGES.update(messages)


def get_lang() -> str:
    if _current:
        return _current
    for var in ("LIEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        v = os.environ.get(var, "")
        if v:
            return "fr" if v.lower().startswith("fr") else "en"
    return "en"


def set_lang(lang: str | None) -> None:
    global _current
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    _current = lang


def t(key: str, lang: str | None = None, **fields: object) -> str:
    msgs = MESSAGES.get(key)
    if msgs is None:
        return key.format(**fields) if fields else key
    text = msgs.get(lang or get_lang()) or msgs["en"]
    return text.format(**fields) if fields else text


def num(v: float, digits: int = 1, lang: str | None = None) -> str:
    """A decimal number as written in the language: 3.26 in English, 3,26 in French."""
    s = f"{v:.{digits}f}"
    return s.replace(".", ",") if (lang or get_lang()) == "fr" else s


def tn(key: str, n: float, lang: str | None = None, **fields: object) -> str:
    """``t`` for a message with a count ``n`` written "singular|plural": French takes the
    singular below 2 (0 and 1), English for 1 only."""
    lang = lang or get_lang()
    text = t(key, lang, n=n, **fields)
    one, _, many = text.partition("|")
    if not many:
        return one
    return one if (n < 2 if lang == "fr" else n == 1) else many
