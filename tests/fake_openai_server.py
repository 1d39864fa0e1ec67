"""A deterministic fake of the OpenAI chat-completions API and of Ollama's `/api/chat`.

The reply is built from the request alone: a canned answer citing "[1]" followed by the
first eight words of the last user message; or, when the request asks for JSON following a
schema (OpenAI `response_format`, Ollama `format`), a structured answer quoting the first
numbered sentence of the prompt and citing it. Every request body is recorded so tests can
check which messages reached the server. Model `missing-model` answers 404; `slow-model`
answers after five seconds.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MISSING_MODEL = "missing-model"
SLOW_MODEL = "slow-model"  # answers only after SLOW_SECONDS, to test client time-outs
SLOW_SECONDS = 5.0


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake server received: its path and decoded JSON body."""

    path: str
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of the request."""
        return list(self.body.get("messages", []))

    def contents(self, role: str) -> list[str]:
        """The text of every message with `role` (system, user, assistant)."""
        return [str(m.get("content", "")) for m in self.messages if m.get("role") == role]


@dataclass(frozen=True)
class FakeServer:
    """A running fake server: its base URL and the requests it has recorded so far."""

    url: str
    requests: list[RecordedRequest] = field(default_factory=list)

    @property
    def openai_base_url(self) -> str:
        """The base URL to give an OpenAI client (with `/v1`)."""
        return f"{self.url}/v1"


def canned_reply(messages: list[dict[str, Any]]) -> str:
    """The deterministic answer to `messages`: cites [1] and echoes the last user question."""
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    words = (users[-1] if users else "").split()[:8]
    answer = "According to the reports, States bear the primary responsibility [1]."
    return f"{answer} You asked: {' '.join(words)}"


def requested_schema(body: dict[str, Any]) -> dict | None:
    """The JSON schema a request asks the reply to follow, if any."""
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or fmt.get("schema")
    return schema if isinstance(schema, dict) else body.get("format") if isinstance(body.get("format"), dict) else None


def structured_reply(messages: list[dict[str, Any]]) -> str:
    """A reply in the assistant's statement schema: the first numbered sentence, citing itself."""
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    first = re.search(r"^\[(\d+)\] \(.*?\) (.*)$", users[-1] if users else "", re.M)
    statements = [{"text": first.group(2), "sentences": [int(first.group(1))]}] if first else []
    return json.dumps({"answerable": bool(statements), "statements": statements})


def reply_for(body: dict[str, Any]) -> str:
    """What the fake server answers to a request body."""
    messages = body.get("messages", [])
    return structured_reply(messages) if requested_schema(body) else canned_reply(messages)


def reply_pieces(reply: str) -> list[str]:
    """Split a reply into word-sized stream chunks that concatenate back to it."""
    words = reply.split(" ")
    return [word + " " for word in words[:-1]] + [words[-1]]


@contextmanager
def running_fake_server() -> Iterator[FakeServer]:
    """Serve the fake APIs on 127.0.0.1 on a free port for the duration of the block."""
    log: list[RecordedRequest] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(log))
    server = FakeServer(url=f"http://127.0.0.1:{httpd.server_address[1]}", requests=log)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _handler_for(log: list[RecordedRequest]) -> type[BaseHTTPRequestHandler]:
    """A request handler class that appends every request to `log`."""

    class Handler(_FakeHandler):
        requests = log

    return Handler


class _FakeHandler(BaseHTTPRequestHandler):
    """Answers the two chat endpoints; HTTP/1.0, so a streamed body ends when the socket closes."""

    requests: list[RecordedRequest]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""

    def do_POST(self) -> None:  # noqa: N802
        """Record the request and dispatch it to the matching API."""
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.requests.append(RecordedRequest(self.path, body))
        if body.get("model") == SLOW_MODEL:
            time.sleep(SLOW_SECONDS)
        if body.get("model") == MISSING_MODEL:
            self._send_json(404, {"error": {"message": f"model '{MISSING_MODEL}' not found"}})
        elif self.path.rstrip("/") == "/v1/chat/completions":
            self._openai(body)
        elif self.path.rstrip("/") == "/api/chat":
            self._ollama(body)
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def _openai(self, body: dict[str, Any]) -> None:
        """Answer like OpenAI: one JSON object, or `data:` SSE chunks ending in [DONE]."""
        reply, model = reply_for(body), body.get("model", "")
        if not body.get("stream"):
            message = {"role": "assistant", "content": reply}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            self._send_json(
                200,
                {
                    **_openai_head(model, "chat.completion"),
                    "choices": [choice],
                    "usage": _usage(body, reply),
                },
            )
            return
        self._start(200, "text/event-stream")
        for piece in reply_pieces(reply):
            self._sse(_openai_chunk(model, {"role": "assistant", "content": piece}, None))
        self._sse(_openai_chunk(model, {}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {**_openai_head(model, "chat.completion.chunk"), "choices": []}
            self._sse({**usage, "usage": _usage(body, reply)})
        self.wfile.write(b"data: [DONE]\n\n")

    def _ollama(self, body: dict[str, Any]) -> None:
        """Answer like Ollama: one JSON object, or NDJSON lines ending with `done: true`."""
        reply, model = reply_for(body), body.get("model", "")
        final = {
            "model": model,
            "created_at": "2025-01-01T00:00:00Z",
            "done": True,
            "done_reason": "stop",
            "total_duration": 1,
            "load_duration": 0,
            "prompt_eval_count": _usage(body, reply)["prompt_tokens"],
            "prompt_eval_duration": 1,
            "eval_count": len(reply.split()),
            "eval_duration": 1,
        }
        if body.get("stream") is False:
            self._send_json(200, {**final, "message": {"role": "assistant", "content": reply}})
            return
        self._start(200, "application/x-ndjson")
        for piece in reply_pieces(reply):
            line = {
                "model": model,
                "created_at": final["created_at"],
                "done": False,
                "message": {"role": "assistant", "content": piece},
            }
            self.wfile.write(json.dumps(line).encode() + b"\n")
        self.wfile.write(
            json.dumps({**final, "message": {"role": "assistant", "content": ""}}).encode()
        )
        self.wfile.write(b"\n")

    def _start(self, status: int, content_type: str) -> None:
        """Send the status line and headers of a response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.end_headers()

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        """Send `payload` as a complete JSON response."""
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, payload: dict[str, Any]) -> None:
        """Write one server-sent event and flush it, so the client sees real chunks."""
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()


def _openai_head(model: str, kind: str) -> dict[str, Any]:
    """The fields every OpenAI completion object starts with."""
    return {"id": "chatcmpl-fake", "object": kind, "created": 0, "model": model}


def _openai_chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    """One `chat.completion.chunk` carrying `delta`."""
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {**_openai_head(model, "chat.completion.chunk"), "choices": [choice]}


def _usage(body: dict[str, Any], reply: str) -> dict[str, int]:
    """Token counts approximated by words, enough for clients that read usage."""
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = len(reply.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
