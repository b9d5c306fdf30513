"""Headless Chromium driven over the Chrome DevTools Protocol, for the HTML report's browser
test and the README screenshots.

Debian's `chromium` is started with `--remote-debugging-port=0`; it prints the browser's
DevTools WebSocket address on standard error, and `websocket-client` carries the protocol's
JSON messages: a command is `{"id", "method", "params", "sessionId"}`, its reply has the same
`id`, and everything else is an event, kept in order for the test to read. Each page is a
target attached with a flat session, so one connection drives them all.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import websocket

CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
TIMEOUT = 60.0  # seconds: only to turn a hang into a failure
# No first-run pages, no background traffic of the browser's own (updates, sync, metrics):
# the only requests a page makes are its own.
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-pings",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def find_chromium() -> str | None:
    """The Chromium binary: $CHROMIUM, or the first of CANDIDATES on the PATH."""
    named = os.environ.get("CHROMIUM")
    if named:
        return shutil.which(named) or named
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


class CDPError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Browser:
    """One headless Chromium and one DevTools connection to it; a context manager."""

    def __init__(self, binary: str, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.log = profile / "chromium.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [binary, *FLAGS, f"--user-data-dir={profile / 'data'}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            self.ws = websocket.create_connection(
                self._address(), timeout=TIMEOUT, suppress_origin=True
            )
        except BaseException:
            self._stop()
            raise
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _address(self) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = _LISTENING.search(self.log.read_text(errors="replace"))
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise CDPError(f"Chromium gave no DevTools address:\n{self.log.read_text()[-2000:]}")

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(CDPError, OSError, websocket.WebSocketException):
            self.call("Browser.close")
        self.ws.close()
        self._stop()

    def _stop(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv())
        if "method" in message:
            self.events.append(message)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send a command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == ident:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, method: str, session: str, since: int = 0) -> int:
        """The index in `events` of the first event `method` of `session` from index `since`,
        waiting for it."""
        deadline = time.monotonic() + TIMEOUT
        index = since
        while True:
            while index < len(self.events):
                event = self.events[index]
                if event["method"] == method and event.get("sessionId", "") == session:
                    return index
                index += 1
            if time.monotonic() > deadline:
                raise CDPError(f"no {method} within {TIMEOUT:.0f} s")
            self._receive()

    def new_page(self, width: int = 1200, height: int = 900) -> Page:
        """A new tab, attached, with the domains the test reads enabled."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, session["sessionId"])
        for domain in ("Page", "Network", "Runtime", "Log"):
            page.call(f"{domain}.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page


class Page:
    """One tab: commands go to its session, and `events()` are its own."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.since = 0  # where in browser.events the current document's events begin

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.browser.call(method, params, self.session)

    def events(self, method: str) -> list[dict[str, Any]]:
        """The events `method` of this page since the last navigation, with their params."""
        return [
            event["params"]
            for event in self.browser.events[self.since :]
            if event["method"] == method and event.get("sessionId") == self.session
        ]

    def navigate(self, url: str) -> None:
        """Open `url` and wait until it has loaded (not a late load event of the blank page)."""
        self.since = len(self.browser.events)
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CDPError(f"{url}: {result['errorText']}")
        index = self.since
        while True:
            index = self.browser.wait_for("Page.loadEventFired", self.session, index) + 1
            if self.evaluate("document.readyState === 'complete' && document.URL") == url:
                return

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page; an exception in it is a CDPError."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise CDPError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) in the middle of the element."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
            )

    def screenshot(self, path: Path, height: int | None = None) -> bytes:
        """A PNG of the page from its top, `height` pixels tall (the viewport's by default)."""
        params: dict[str, Any] = {"format": "png"}
        if height is not None:
            width = self.evaluate("document.documentElement.scrollWidth")
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        self.evaluate("window.scrollTo(0, 0)")
        data = base64.b64decode(self.call("Page.captureScreenshot", params)["data"])
        path.write_bytes(data)
        return data
