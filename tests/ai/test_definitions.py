"""Agent definitions: the shipped files load; a broken file is an error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesauto.ai.definitions import builtin_agents, load_agents
from salesauto.ai.errors import AgentDefinitionError

GOOD = """---
name: helper
description: Helps.
model_tier: fast
toolsets: [contacts]
max_iterations: 3
budget_usd: 0.1
budget_tokens: 1000
---
You help.
"""


def test_the_shipped_agents_load_with_known_toolsets() -> None:
    agents = builtin_agents()
    assert set(agents) == {
        "lead_finder",
        "enricher",
        "crm_sync",
        "outreach_writer",
        "reply_classifier",
        "chat_assistant",
    }
    assert agents["reply_classifier"].model_tier == "fast"
    assert agents["reply_classifier"].read_only is True
    assert agents["lead_finder"].job_types == ["pipeline.discover"]
    assert "untrusted" in agents["reply_classifier"].prompt


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter", "start it with front matter"),
        ("---\nname: [unclosed\n---\nbody", "not valid YAML"),
        (GOOD.replace("model_tier: fast", "model_tier: huge"), "model_tier: Input should be"),
        (GOOD.replace("max_iterations: 3\n", ""), "max_iterations: Field required"),
        (GOOD.replace("[contacts]", "[contacts, telepathy]"), "unknown toolsets telepathy"),
        (GOOD.replace("name: helper", "name: other"), "must match the file name"),
        (GOOD + "", None),
    ],
)
def test_a_broken_file_names_itself(tmp_path: Path, text: str, problem: str | None) -> None:
    (tmp_path / "helper.md").write_text(text)
    if problem is None:
        assert load_agents(tmp_path, ["contacts"])["helper"].prompt == "You help."
        return
    with pytest.raises(AgentDefinitionError) as error:
        load_agents(tmp_path, ["contacts"])
    assert error.value.message.startswith("agent file helper.md: ")
    assert problem in error.value.message
