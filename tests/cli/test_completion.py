"""Shell completion (Typer's scripts for bash, zsh, fish and PowerShell): group and command names, and the
values that can be known locally — certificate types, statuses, review kinds, payment methods, registration
kinds and statuses, profile names. Each shell calls `shomei` back with its own environment, as here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shomei_cli.cli import completion
from shomei_cli.domain.applications import DEFAULT_FEES, Status

# the program as the shell calls it: completion answers to the name `shomei`
ENTRY = "from shomei_cli.cli.main import app; app(prog_name='shomei')"


def complete(shell: str, words: str, home: Path) -> list[str]:
    """What `shomei` answers the completion script of ``shell`` for the command line ``words``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOMEI_", "_SHOMEI", "COMP_", "_TYPER"))}
    env.update(SHOMEI_HOME=str(home), SHOMEI_LANG="en", _SHOMEI_COMPLETE=f"complete_{shell}")
    if shell == "bash":
        parts = words.split(" ")
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
        if shell == "powershell":
            env["_TYPER_COMPLETE_WORD_TO_COMPLETE"] = words.rsplit(" ", 1)[-1]
    out = subprocess.run(
        [sys.executable, "-c", ENTRY],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if shell == "zsh":  # _arguments '*: :(("a" "b"))'
        return (
            [w.strip('"') for w in out.split("((", 1)[-1].rsplit("))", 1)[0].split()] if "((" in out else []
        )
    if shell == "powershell":  # value:::help per line
        return [line.split(":::", 1)[0] for line in out.splitlines() if line]
    return [line.split("\t", 1)[0] for line in out.splitlines() if line]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("shomei ce", ["cert"]),
        ("shomei cert li", ["list"]),
        ("shomei chamber review a", ["approve"]),
        ("shomei cert list --status i", ["issued"]),
        ("shomei cert apply --type ", ["co", "invoice", "signature"]),
        ("shomei cert pay AP0000001 --method ", ["prepaid", "card"]),
        ("shomei chamber review list --kind s", ["signature_change", "signer_addition"]),
        ("shomei chamber review list --status r", ["returned", "rejected"]),
        ("shomei chamber fees set --type i", ["invoice"]),
        ("shomei admin list --status ", ["active", "suspended", "expired"]),
        ("shomei admin issue --kind ", ["exporter", "agent"]),
        ("shomei --profile ", ["default", "osaka"]),
    ],
)
def test_bash_completes_commands_and_known_values(words: str, expected: list[str], tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        '[profiles.osaka]\nendpoint = "https://x.example"\n', encoding="utf-8"
    )
    assert complete("bash", words, tmp_path) == expected


@pytest.mark.parametrize("shell", ["zsh", "fish", "powershell"])
def test_every_shell_gets_the_same_values(shell: str, tmp_path: Path) -> None:
    assert complete(shell, "shomei cert list --status c", tmp_path) == ["cancelled"]
    assert complete(shell, "shomei cert apply --type ", tmp_path) == ["co", "invoice", "signature"]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _shomei_completion shomei"),
        ("zsh", "#compdef shomei"),
        ("fish", "complete --command shomei --no-files"),
        ("powershell", "Register-ArgumentCompleter -Native -CommandName shomei"),
    ],
)
def test_the_completion_script_of_each_shell_is_printed(shell: str, marker: str, tmp_path: Path) -> None:
    """`--show-completion` prints the script of the shell it runs in (Typer detects it); Typer's test switch
    turns the detection off so that each shell's script can be asked for here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOMEI_", "_SHOMEI"))}
    env.update(SHOMEI_HOME=str(tmp_path), SHOMEI_LANG="en", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    shown = subprocess.run(
        [sys.executable, "-c", ENTRY, "--show-completion", shell],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert marker in shown.stdout


def test_the_known_values_are_the_ones_the_code_accepts() -> None:
    from shomei_cli.services import applications, registrations, review, signers

    del applications, registrations, signers  # imported for the review handlers they register
    assert list(completion.REVIEW_KINDS) == sorted(review.HANDLERS)
    assert completion.application_statuses("") == [s.value for s in Status]
    assert completion.certificate_types("") == ["co", "invoice", "signature"]
    assert list(completion.CERTIFICATE_TYPES) == sorted({kind for kind, _member in DEFAULT_FEES})
    assert completion.review_statuses("") == ["pending", "approved", "returned", "rejected", "all"]


def test_a_broken_config_file_completes_only_the_default_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOMEI_HOME", str(tmp_path))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[profiles\n", encoding="utf-8")
    assert completion.profiles("") == ["default"]
