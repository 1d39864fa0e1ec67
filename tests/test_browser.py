"""`r2p ui` in a real Chromium: ask, open a citation, follow up, take screenshots.

Needs Debian's chromium (/usr/bin/chromium) and the `playwright` Python package; the
browser is never downloaded (`playwright install` is not used).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GUINEA = "Which commission of inquiry does the 2012 report give as an example of both pillar two and pillar three?"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium: apt-get install -y chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`r2p ui` exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"`r2p ui` did not come up within {timeout} s:\n{log.read_text()[-2000:]}")


@pytest.fixture
def server(ingested, tmp_path):
    """`r2p ui` on a free port of 127.0.0.1, over the ingested corpus, extractive model."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "R2P_DATA_DIR": str(ingested.data_dir), "R2P_MODEL": "extractive"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "ui", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_chat_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server, timeout=60_000)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=120_000)  # the server loads the embedder on the first visit

            box.fill(GUINEA)
            box.press("Enter")
            citation = page.get_by_test_id("stExpander").filter(has_text="A/66/874, para. 12").first
            expect(citation).to_be_visible(timeout=60_000)
            expect(page.get_by_text("(A/66/874, para. 12)").first).to_be_visible()
            citation.get_by_text("A/66/874, para. 12").first.click()
            expect(citation.get_by_text("(A/66/874–S/2012/578, 25 July 2012)")).to_be_visible()
            citation.get_by_role("tab", name="With the paragraphs before and after").click()
            expect(citation.get_by_text("A/66/874, para. 11").first).to_be_visible(timeout=30_000)
            page.screenshot(path=str(tmp_path / "paragraph-open.png"))

            box.fill("What does the 2015 report say about national R2P focal points?")
            box.press("Enter")
            expect(page.get_by_test_id("stExpander").filter(has_text="A/69/981, para. 24").first).to_be_visible(
                timeout=60_000)
            box.fill("What should the national strategies backing them contain?")
            box.press("Enter")
            answering = "Answering: In the 2015 report, on national R2P focal points: what should"
            expect(page.get_by_text(answering).first).to_be_visible(
                timeout=60_000)
            expect(page.get_by_role("button", name="Add to briefing")).to_have_count(3, timeout=60_000)
            last = page.get_by_test_id("stExpander").filter(has_text="A/69/981, para. 69").last
            last.scroll_into_view_if_needed()
            expect(last).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=str(tmp_path / "follow-up.png"))
        finally:
            browser.close()
    assert (tmp_path / "follow-up.png").stat().st_size > 10_000
    print(f"screenshots: {tmp_path}/paragraph-open.png, {tmp_path}/follow-up.png")
