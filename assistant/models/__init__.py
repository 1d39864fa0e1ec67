"""Chat-model backends behind one table.

`registry` lists each backend once; `local`, `server` and `gguf` run the embedded GGUF
models in a supervised child process; `remote` talks to Ollama and OpenAI-compatible
servers; `extractive` answers without a language model.
"""

from assistant.models.errors import ModelCrashedError, ModelUnavailableError, UnknownModelSpecError
from assistant.models.registry import BACKENDS, VALID_SPECS, backend_of, describe_model, explain_error, make_chat_model

__all__ = [
    "BACKENDS",
    "VALID_SPECS",
    "ModelCrashedError",
    "ModelUnavailableError",
    "UnknownModelSpecError",
    "backend_of",
    "describe_model",
    "explain_error",
    "make_chat_model",
]
