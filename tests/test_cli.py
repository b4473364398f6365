"""The `lien` command itself: exit codes and messages for mistakes, languages, the person timeline."""
from __future__ import annotations

import json

from conftest import DATA


def test_unknown_option_and_command_are_usage_errors(cli):
    code, out, err = cli("status", "--no-such-option")
    assert code == 2 and "No such option: --no-such-option" in err and "Traceback" not in err
    code, out, err = cli("no-such-command")
    assert code == 2 and "No such command 'no-such-command'" in err


def test_bad_language_is_refused(cli):
    code, out, err = cli("--lang", "de", "status")
    assert code == 2 and "'de' is not one of: en, fr" in err


def test_bad_input_in_french_names_file_and_record(cli):
    code, out, err = cli("--lang", "fr", "import", DATA / "tabular" / "bad_kind.csv")
    assert code == 1
    assert "bad_kind.csv, row 2 (line 3) : attendu" in err
    assert "l'espace de travail est inchangé" in err


def test_person_lists_latest_acts_across_accounts(cli):
    code, out, err = cli("import", DATA / "tabular" / "acts.csv", "--json")
    assert code == 0, err
    code, out, err = cli("person", "paul@exemple.fr", "--timeline", "5", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert [a["kind"] for a in d["timeline"]] == ["like", "comment"]
    assert d["accounts"] == [{"channel": "acts", "key": "paul@exemple.fr", "display_name": "Paul Martin"}]
