"""The command line's help and usage errors: Russian by default, English with ``--lang en``."""

from __future__ import annotations

import argparse
import gettext
import re

import pytest

from flows.cli import main
from flows.cli_text import requested_language

ENGLISH_ARGPARSE = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help message and exit",
    "the following arguments are required",
    "invalid choice",
    "error:",
    "unrecognized arguments",
    "expected one argument",
)
CYRILLIC = re.compile("[А-Яа-яЁё]")
HELP = [
    pytest.param([], id="sverka"),
    pytest.param(["run"], id="run"),
    pytest.param(["serve"], id="serve"),
    pytest.param(["waive"], id="waive"),
]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the command until argparse exits; return its status and everything it printed."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, captured.out + captured.err


@pytest.mark.parametrize("command", HELP)
def test_help_is_russian_throughout(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Every ``--help`` is in Russian, argparse's own words included, and exits 0."""
    code, text = run_cli([*command, "--help"], capsys)
    assert code == 0
    assert text.startswith("использование: sverka")
    assert "показать эту справку и выйти" in text
    assert "параметры:" in text
    for english in ENGLISH_ARGPARSE:
        assert english not in text


@pytest.mark.parametrize("command", HELP)
def test_help_in_english_has_no_russian(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--lang en`` every help text is English: each of the command's texts is translated."""
    code, text = run_cli([*command, "--help", "--lang", "en"], capsys)
    assert code == 0
    assert text.startswith("usage: sverka")
    assert "show this help message and exit" in text
    assert CYRILLIC.findall(text) == []


@pytest.mark.parametrize(
    ("argv", "russian", "english"),
    [
        pytest.param(
            ["waive", "0123456789abcdef"],
            "sverka waive: ошибка: не указаны обязательные аргументы: --reason, --by",
            "sverka waive: error: the following arguments are required: --reason, --by",
            id="required",
        ),
        pytest.param(
            ["run", "--lang", "fr"],
            "аргумент --lang: недопустимое значение 'fr' (можно: 'ru', 'en')",
            "argument --lang: invalid choice: 'fr' (choose from 'ru', 'en')",
            id="choice",
        ),
        pytest.param(
            ["run", "--inbox"],
            "аргумент --inbox: нужно значение",
            "argument --inbox: expected one argument",
            id="value",
        ),
        pytest.param(
            ["run", "--bogus"],
            "sverka: ошибка: непонятные аргументы: --bogus",
            "sverka: error: unrecognized arguments: --bogus",
            id="unrecognized",
        ),
        pytest.param(
            ["bogus"],
            "аргумент КОМАНДА: недопустимое значение 'bogus' (можно: 'run', 'serve', 'waive')",
            "argument COMMAND: invalid choice: 'bogus' (choose from 'run', 'serve', 'waive')",
            id="command",
        ),
    ],
)
def test_usage_errors_speak_the_language_and_exit_2(
    argv: list[str], russian: str, english: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A usage error says what is wrong in Russian (English with ``--lang en``), exit status 2."""
    code, text = run_cli(argv, capsys)
    assert (code, russian in text, text.startswith("использование: sverka")) == (2, True, True)
    code, text = run_cli([*argv, "--lang=en"], capsys)
    assert (code, english in text, text.startswith("usage: sverka")) == (2, True, True)


def test_argparse_is_left_as_it_was(capsys: pytest.CaptureFixture[str]) -> None:
    """After the command has parsed, argparse's own parsers speak English as before."""
    run_cli(["run", "--help"], capsys)
    plain = argparse.ArgumentParser(prog="other")
    assert plain.format_usage().startswith("usage: other")
    assert vars(argparse)["_"] is gettext.gettext


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["run", "--lang", "en"], "en"),
        (["run", "--lang=en"], "en"),
        (["run", "--lang", "en", "--lang", "ru"], "ru"),
        (["run", "--lang"], "ru"),
        (["waive", "x", "--reason", "--", "--lang", "en"], "ru"),
        (["run"], "ru"),
    ],
)
def test_language_is_found_before_parsing(argv: list[str], lang: str) -> None:
    """``--lang`` is read before parsing, the last one winning, never after ``--``."""
    assert requested_language(argv) == lang
