#!/usr/bin/env python3
"""Fuzz the live API with schemathesis (issue 12): every operation of /api/v1/openapi.json,
with a valid token, on a fresh database seeded with the demo city. Any server error, any
status an operation does not document, any body that does not match its documented schema or
content type fails the run.

    .venv/bin/python scripts/fuzz.py                      # SQLite (a temporary file)
    .venv/bin/python scripts/fuzz.py --database postgresql://postgres@127.0.0.1:5432/test

On PostgreSQL the script creates its own database (the URL's name + "_fuzz") and drops it at
the end. The run is bounded (--max-examples per operation, a hard --timeout for all of
schemathesis) and derandomized, so CI runs the same cases every time. It prints the number of
requests the server answered (from its access log) and their statuses; a 5xx there or a
traceback in the server's log fails the run even where schemathesis saw nothing wrong.
"""

import argparse
import collections
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from servicehall.web.management.commands.serve import gunicorn_argv

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# What the run checks, and why these (schemathesis' other checks need data it cannot make):
# - not_a_server_error: no 5xx, whatever the input;
# - status_code_conformance: every status is documented; the API documents its error
#   statuses (400/401/403/404/413/422 with the Error body) on every operation (api.py);
# - content_type_conformance: errors come as JSON too, never an HTML page;
# - response_schema_conformance: every body, success or error, matches its schema.
# negative_data_rejection / positive_data_acceptance are left out: many fields are checked by
# rules the schema cannot state (a matter's code exists, a window is signed in), so a
# schema-valid request is often rightly refused with a 4xx.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
USER = "admin"
# Who fuzzes what: the demo's administrator every operation (the registry, the audit trail,
# cases and calls of every unit), then the window officer the window console (sign-in, calls,
# pauses, tickets), which only staff at the window may use; last anyone, without a token,
# the public operations (ratings refuse any staff token, so only this pass gets past that).
PASSES = (
    (USER, []),
    ("officer", ["--include-path-regex", r"^/api/v1/(windows/\{window_id\}/|tickets/)"]),
    ("anonymous", ["--include-path-regex", r"^/api/v1/(ratings|calendar|deadline|matters|status)"]),
)

# Tokens (the key is shown once, as by `servicehall createtoken`) and each unit's queues.
SETUP = """
import collections, json
from django.contrib.auth import get_user_model
from servicehall.org.models import ApiToken
from servicehall.catalog.models import Matter
from servicehall.queueing.models import Queue

users = get_user_model().objects.filter(username__in=["admin", "officer", "operator110"])
tokens = {user.username: ApiToken.issue(user=user, name="fuzz")[1] for user in users}
queues = collections.defaultdict(list)
for queue in Queue.objects.order_by("pk"):
    queues[queue.unit_id].append(queue.pk)
matters = collections.defaultdict(list)
for matter in Matter.objects.order_by("pk").prefetch_related("materials"):
    matters[matter.unit_id].append([matter.code, [m.pk for m in matter.materials.all()]])
print(json.dumps({"tokens": tokens, "queues": queues, "matters": matters}))
"""

# Ids and codes that exist in the demo city, offered for these parameters half of the time
# (schemathesis "dictionaries"), so the fuzzer gets past "not found" into each operation's
# rules; the other half stay generated.
KNOWN = """
import json
from servicehall.cases.models import Case, Referral
from servicehall.catalog.models import Material, Matter
from servicehall.hotline.models import HotlineCall
from servicehall.org.models import Staff, Unit, Window
from servicehall.queueing.models import Queue, Ticket

def ids(model, n=4):
    return list(model.objects.order_by("pk").values_list("pk", flat=True)[:n])

units = ids(Unit, 6)
print(json.dumps({
    "unit_id": units, "window_id": ids(Window, 6), "queue_id": ids(Queue), "staff_id": ids(Staff),
    "ticket_id": ids(Ticket), "case_id": ids(Case), "referral_id": ids(Referral),
    "call_id": ids(HotlineCall), "holder_id": ids(Staff), "material_id": ids(Material),
    "matter_id": ids(Matter), "to_queue_id": ids(Queue), "to_window_id": ids(Window),
    "to_staff_id": ids(Staff), "to_unit_id": units, "seat_id": ids(Window),
    "code": list(Matter.objects.order_by("pk").values_list("code", flat=True)[:4]),
    "matter": list(Matter.objects.order_by("pk").values_list("code", flat=True)[:4]),
    "number": list(Case.objects.order_by("pk").values_list("number", flat=True)[:4]),
    "unit": list(Unit.objects.order_by("pk").values_list("code", flat=True)[:4]),
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL; SQLite when omitted")
    parser.add_argument("--max-examples", type=int, default=30, help="per operation")
    parser.add_argument("--timeout", type=int, default=240, help="seconds for schemathesis")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    kind = "PostgreSQL" if args.database else "SQLite"
    folder = Path(tempfile.mkdtemp(prefix="servicehall-fuzz-"))
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        SERVICEHALL_VAR=str(folder / "var"),
        SERVICEHALL_DEBUG="0",  # the 500 a client would get, not a traceback page
        SERVICEHALL_RATE_LIMITS="off",  # thousands of requests from one address on purpose
        SERVICEHALL_OPENING_HOURS="0",  # the queue answers at any hour CI runs
        SERVICEHALL_TOKEN_CACHE_SECONDS="10",
    )
    database = None
    if args.database:
        database = args.database.rsplit("/", 1)[0] + "/" + _dbname(args.database) + "_fuzz"
        _postgres(args.database, f'DROP DATABASE IF EXISTS "{_dbname(database)}" WITH (FORCE)')
        _postgres(args.database, f'CREATE DATABASE "{_dbname(database)}"')
        env["DATABASE_URL"] = database
    server = None
    started = time.monotonic()
    try:
        print(f"== fuzz on {kind}: migrate and seed the demo city ==", flush=True)
        _run([BIN / "servicehall", "demo", "--no-serve"], env, folder / "demo.log")
        setup = json.loads(_shell(SETUP, env))
        port = _free_port()
        access_log = folder / "access.log"
        # `servicehall serve`'s command line, its access log in a file the run reads
        server = subprocess.Popen(  # noqa: S603 - our own server
            [
                *gunicorn_argv("127.0.0.1", port, args.workers, str(ROOT)),
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s",
            ],
            env=env,
            stdout=open(folder / "server.log", "wb"),  # noqa: SIM115 - open while it runs
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/v1/openapi.json", server)
        window = _warm_up(base, setup)
        known = json.loads(_shell(KNOWN, env))
        if window is not None:  # the officer's own window first
            known["window_id"] = [window, *known["window_id"]]
        config = folder / "schemathesis.toml"
        config.write_text(_config(known))
        deadline = time.monotonic() + args.timeout
        schemathesis = 0
        for who, selection in PASSES:
            print(
                f"== fuzz on {kind}: schemathesis as {who}, {args.max_examples} examples per "
                "operation, derandomized ==",
                flush=True,
            )
            command = [
                BIN / "schemathesis",
                "--config-file",
                config,
                "run",
                f"{base}/api/v1/openapi.json",
                *selection,
                *(
                    ["--header", f"Authorization: Bearer {setup['tokens'][who]}"]
                    if who in setup["tokens"]
                    else []
                ),
                "--header",
                "Accept-Language: zh-hans",  # errors in Chinese, as people read them
                "--checks",
                CHECKS,
                "--max-examples",
                str(args.max_examples),
                "--generation-deterministic",  # derandomized; no examples kept between runs
                "--workers",
                "1",  # deterministic order; the server has its own workers
                "--request-timeout",
                "30",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                str(folder / "report" / who),
            ]
            try:
                rc = subprocess.run(  # noqa: S603
                    command,
                    env=env,
                    cwd=folder,
                    timeout=max(1, deadline - time.monotonic()),
                    check=False,
                ).returncode
            except subprocess.TimeoutExpired:
                print(f"FAIL: schemathesis did not finish within {args.timeout} s")
                rc = 124
            schemathesis = schemathesis or rc
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if database:
            _postgres(args.database, f'DROP DATABASE IF EXISTS "{_dbname(database)}" WITH (FORCE)')
    statuses = collections.Counter()
    for line in (folder / "access.log").read_text().splitlines():
        match = re.fullmatch(r"\S+ (/api/v1/\S*) (\d{3})", line.strip())
        if match:
            statuses[match.group(2)] += 1
    requests = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    tracebacks = (folder / "server.log").read_text(errors="replace").count("Traceback")
    seconds = time.monotonic() - started
    print(
        f"fuzz on {kind}: {requests} requests, statuses "
        + ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))
        + f"; {server_errors} server errors; schemathesis exit {schemathesis}; {seconds:.0f} s"
    )
    if tracebacks:
        print(f"the server logged {tracebacks} tracebacks: see {folder / 'server.log'}")
    failed = schemathesis != 0 or server_errors or tracebacks or requests == 0
    if failed or args.keep:
        print(f"the run's files (logs, JUnit report): {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"fuzz on {kind}: {'FAILED' if failed else 'passed'}")
    return 1 if failed else 0


def _warm_up(base: str, setup: dict) -> int | None:
    """A visit, a case and a hotline call made the way staff make them, so that the ids the
    fuzzer is offered include tickets, cases and calls (the demo city seeds none of them)."""
    officer, operator = setup["tokens"]["officer"], setup["tokens"]["operator110"]
    me = _call(base, officer, "GET", "/me")
    windows = _call(base, officer, "GET", f"/units/{me['unit_id']}/windows")
    number = next((w["number"] for w in windows), None)
    for queue in setup["queues"].get(str(me["unit_id"]), []):
        for _ in range(2):
            _call(base, officer, "POST", f"/queues/{queue}/tickets", {})
    if windows:
        _call(base, officer, "POST", f"/windows/{windows[0]['id']}/sign-in", {})
        _call(base, officer, "POST", f"/windows/{windows[0]['id']}/call-next", {})
    for outcome in ("notice", "accepted"):
        for matter, materials in setup["matters"].get(str(me["unit_id"]), [])[:2]:
            states = ["presented"] * len(materials)
            if outcome == "notice" and states:
                states[0] = "missing"
            _call(
                base,
                officer,
                "POST",
                "/cases",
                {
                    "matter": matter,
                    "window_number": number,
                    "applicant_name": "张三",
                    "id_number": "110101199003071233",
                    "phone": "13800000000",
                    "checks": [
                        {"material_id": m, "state": state}
                        for m, state in zip(materials, states, strict=True)
                    ],
                    "outcome": outcome,
                },
            )
    _call(base, operator, "POST", "/hotline/calls", {"caller_number": "13800000000"})
    return windows[0]["id"] if windows else None


def _call(base: str, token: str, method: str, path: str, body=None):
    """One API call; a refusal is printed and the warm-up goes on (it only feeds the ids)."""
    request = urllib.request.Request(
        f"{base}/api/v1{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read() or "null")
    except urllib.error.HTTPError as exc:
        print(f"warm-up {method} {path}: {exc.code} {exc.read()[:200].decode(errors='replace')}")
        if exc.code >= 500:
            raise SystemExit("FAIL: the warm-up met a server error") from exc
        return []


def _config(known: dict[str, list]) -> str:
    """schemathesis.toml: one dictionary per parameter name, bound in the path, the query and
    the body."""
    lines = []
    for name, values in known.items():
        if values:
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for name, values in known.items():
        if values:
            for location in ("path", "query", "body"):
                lines.append(
                    f'"{location}.{name}" = {{ dictionary = "{name}", probability = 0.5 }}'
                )
    return "\n".join(lines) + "\n"


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def _postgres(url: str, sql: str) -> None:
    import psycopg

    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def _run(command, env, log: Path | None = None) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        [str(c) for c in command], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if log is not None:
        log.write_text(result.stdout + result.stderr)
    if result.returncode:
        sys.stderr.write(result.stdout[-2000:] + result.stderr[-2000:])
        raise SystemExit(f"FAIL: {' '.join(map(str, command))} exited {result.returncode}")
    return result.stdout


def _shell(code: str, env: dict) -> str:
    """The last line a piece of Python prints inside the app (`servicehall shell`)."""
    out = _run([BIN / "servicehall", "shell", "--no-imports", "-c", code], env)
    return out.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("FAIL: the server did not start")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"FAIL: {url} did not answer")


if __name__ == "__main__":
    sys.exit(main())
