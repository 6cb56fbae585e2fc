"""Docs as tests: every command and setting is documented, every command has an example."""

import re

import click
import pytest

from marsad import cli
from pipelines.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "marsad"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


COMMANDS = list(_commands(cli))


@pytest.mark.parametrize("path, command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_documented_with_example(path, command):
    words = path.split()[1:]
    pattern = r"`(marsad )?" + r"\s+".join(map(re.escape, words)) + r"[ `\]]"
    assert re.search(pattern, README), f"{path} is not in README.md"
    assert "Example:" in (command.help or ""), f"{path} --help has no Example:"


def test_every_environment_variable_is_documented():
    config = (PROJECT_ROOT / "pipelines" / "config.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'env\.get\("(MARSAD_\w+)"\)', config))
    assert variables >= {"MARSAD_DB", "MARSAD_SOURCES", "MARSAD_ALLOW_PRIVATE_HOSTS", "MARSAD_CONTACT"}
    for variable in variables:
        assert f"`{variable}`" in README, variable


def test_readme_starts_with_the_two_setup_commands():
    block = README.split("```", 2)[1].strip().splitlines()
    commands = [line.split("#")[0].strip() for line in block[1:] if line.strip()]
    assert commands == ["make demo", "make test"]
