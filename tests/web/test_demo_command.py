"""`servicehall demo` on a fresh SQLite file: it migrates, seeds, and serves the pages and the
display-board events — what `make demo` runs."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port_pair():
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    pytest.skip("no free pair of ports")


def fetch(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read(2000)


def test_demo_serves_the_site_and_the_event_server(tmp_path):
    """On a fresh clone SERVICEHALL_VAR does not exist yet: demo creates it."""
    port = free_port_pair()
    env = {
        **os.environ,
        "SERVICEHALL_VAR": str(tmp_path / "not-yet" / "var"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicehall", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = fetch(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode()[-3000:])
                time.sleep(0.5)
        assert status == 200 and "窗口服务大厅".encode() in body
        req = urllib.request.Request(f"http://127.0.0.1:{port + 1}/events/board/1")
        for _ in range(40):
            try:
                with urllib.request.urlopen(req, timeout=3) as events:
                    assert events.headers["Content-Type"].startswith("text/event-stream")
                    assert events.read(7) == b"retry: "
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("the event server did not answer")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
