"""`servicehall demo` on a fresh SQLite file: it migrates, seeds, and serves the pages and the
display-board events — what `make demo` runs."""

import contextlib
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


def group_commands(pgid):
    """The command lines of the processes left in a process group."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or fields[0] == "Z":  # pgid; a zombie has ended
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append(f.read().replace(b"\0", b" ").decode().strip())
        except (OSError, IndexError, ValueError):
            continue
    return found


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
        if os.path.isdir("/proc"):
            # the jobs runner beside the server, every five minutes; and when the server
            # itself is stopped (not its whole group), its helpers stop with it
            helpers = group_commands(proc.pid)
            assert any("servicehall jobs --every 300" in c for c in helpers), helpers
            assert any("seal_ratings --every 1" in c for c in helpers), helpers
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
            for _ in range(120):
                if not group_commands(proc.pid):
                    break
                time.sleep(0.25)
            assert group_commands(proc.pid) == []
    finally:
        with contextlib.suppress(ProcessLookupError):  # stopped above, helpers and all
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
