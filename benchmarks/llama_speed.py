"""How fast this machine's llama.cpp build reads a prompt and writes tokens, and through the server.

    python -m benchmarks.llama_speed --model local-fast            # raw build speed, in-process
    python -m benchmarks.llama_speed --model local --server        # what a user waits for, via the child process

Raw: prompt tokens/s over a ~700-token RAG prompt and generated tokens/s over 64 tokens,
with the instruction sets the build uses (compare an AVX2 and an AVX-512 build by running
this under each). Server: first-token and total time of real answers, the first cold and
the next ones sharing the cached system-prompt prefix.
"""

from __future__ import annotations

import argparse
import statistics
import time

from assistant.settings import Settings

QUESTIONS = (
    "What does the 2015 report say about national focal points?",
    "Which commission of inquiry does the 2012 report give as an example?",
    "What does the 2017 report say parliaments should do?",
    "How should the Security Council use the veto in atrocity situations?",
)


def raw_speed(path: str, threads: int, repeats: int) -> None:
    """Prompt and generation speed of llama.cpp itself, in this process."""
    import llama_cpp

    settings = Settings()
    llm = llama_cpp.Llama(model_path=path, n_ctx=2048, n_threads=threads, n_batch=512,
                          flash_attn=settings.llm.flash_attn, verbose=False)
    print("build:", llama_cpp.llama_print_system_info().decode().strip())
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(settings.reports_dir.glob("2015-*.txt")))
    tokens = llm.tokenize(text.encode())[:700]
    prompt_rates, gen_rates = [], []
    for _ in range(repeats):
        llm.reset()
        started = time.perf_counter()
        llm.eval(tokens)
        prompt_rates.append(len(tokens) / (time.perf_counter() - started))
        started = time.perf_counter()
        for _ in range(64):
            llm.eval([llm.sample(temp=0.0)])
        gen_rates.append(64 / (time.perf_counter() - started))
    print(f"prompt: {statistics.median(prompt_rates):.1f} tokens/s (median of {repeats}, {len(tokens)} tokens)")
    print(f"generation: {statistics.median(gen_rates):.1f} tokens/s (median of {repeats}, 64 tokens)")


def server_speed(model: str) -> None:
    """First-token and total time of real answers through the supervised child process."""
    from assistant.factory import build_assistant

    assistant = build_assistant(Settings(), model)
    try:
        for question in QUESTIONS:
            events = list(assistant.stream(question))
            t = events[-1].answer.timings
            print(f"{t.get('first_token', 0):6.2f} s first token  {t.get('generate', 0):6.2f} s answer  {question}")
    finally:
        assistant.chat_model.server.stop()


def main() -> None:
    """Parse the options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="local-fast")
    parser.add_argument("--server", action="store_true", help="through the child process, as users get it")
    parser.add_argument("--threads", type=int, default=Settings().llm.n_threads)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.server:
        server_speed(args.model)
        return
    from assistant.models.gguf import resolve_gguf

    raw_speed(str(resolve_gguf(args.model, Settings().model_cache)), args.threads, args.repeats)


if __name__ == "__main__":
    main()
