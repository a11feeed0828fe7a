"""The LLM agent: a language model behind any OpenAI-compatible Chat Completions
endpoint, streaming its reply as contract-v2 progress, with MCP tool servers as its tools
(``PARLEY_AGENT=llm``)."""
