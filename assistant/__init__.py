"""The assistant: chat models, the answering chain, citation checks, CLI."""
