"""A local OpenAI Chat Completions endpoint speaking the real wire protocol: scripted
replies and tool calls keyed by the conversation, streamed token by token at a set pace,
and cues to misbehave (429, 5xx, 401, a stall, a malformed chunk)."""

from parley_devstack.fakes.openai.controls import Fault, OpenAIFakeControls
from parley_devstack.fakes.openai.script import Script, ScriptError
from parley_devstack.fakes.openai.server import FakeOpenAI

__all__ = ["FakeOpenAI", "Fault", "OpenAIFakeControls", "Script", "ScriptError"]
