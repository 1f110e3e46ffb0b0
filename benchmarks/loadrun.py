"""Running `wrk` and reading its figures: what every load-testing section of the benchmark shares.

A run is `wrk -t<threads> -c<connections> -d<seconds>s --latency` against loopback, either on
one URL or through a Lua script (`rotation_script`) that asks for the next URL of a list at
every request, so that a run can make every request a first visit (benchmarks/rotating.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_wrk(output: str) -> dict[str, float]:
    """requests/s, p50 and p99 (ms), errors from `wrk --latency` output."""

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            raise ValueError(f"no {label}% latency in wrk output:\n{output}")
        return float(match.group(1)) * _UNITS[match.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rps or float(rps.group(1)) == 0:
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "errors": 0.0, "socket_errors": ""}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


@dataclass
class Load:
    """How hard a run presses: wrk's threads and connections and the run's length (s)."""

    threads: int
    connections: int
    seconds: int


def run_wrk(
    base: str, load: Load, script: Path | None = None, headers: tuple[str, ...] = ()
) -> dict[str, float]:
    """One wrk run on `base` (a full URL), through `script` when given: parse_wrk's figures."""
    args = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds}s"]
    args += ["--timeout", "30s", "--latency"]
    for header in headers:
        args += ["-H", header]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run(
        [*args, base], capture_output=True, text=True, timeout=load.seconds + 60
    ).stdout
    return parse_wrk(out)


# `{n}` in a URL is replaced at every request by a number no other request of any run has had
# (the run's salt, the wrk thread, the request's count): an argument the page ignores but the
# page cache keys on, so that one page can be asked for as a first visit again and again.
ROTATING_LUA = """
local paths = {%s}
local salt = "%s"
local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  thread:set("tid", counter)
  counter = counter + 1
end
local i = 0
function request()
  i = i + 1
  local p = paths[((offset or 0) + i) %% #paths + 1]
  if string.find(p, "{n}", 1, true) then
    p = (string.gsub(p, "{n}", salt .. "-" .. tostring(tid or 0) .. "-" .. tostring(i)))
  end
  return wrk.format("GET", p)
end
"""

_SALTS = [0]


def rotation_script(path: Path, urls: list[str]) -> Path:
    """Write the Lua script that asks for `urls` in turn (each wrk thread from its own offset),
    with a salt for `{n}` that no earlier script of this process used."""
    import json

    _SALTS[0] += 1
    salt = f"{int(time.time())}{_SALTS[0]}"
    path.write_text(ROTATING_LUA % (", ".join(json.dumps(u) for u in urls), salt))
    return path


WARMUP_SECONDS = 3
WARMUP_ROUNDS = 10


def steady(before: dict[str, float] | None, now: dict[str, float]) -> bool:
    """Whether a warm-up run shows the steady state: a p99 under 50 ms, or (for a page that
    is slow even when warm) two runs in a row with p99 within 4x p50 and p50s within 25% of
    each other. One run alone is not enough: when every request of a short run is a first
    rendering, p99 is close to p50 too, and the workers that answered nothing yet are the
    cold ones."""
    if not now["rps"]:
        return False
    if now["p99"] < 50:
        return True
    if before is None or not before["rps"]:
        return False
    even = before["p99"] <= 4 * before["p50"] and now["p99"] <= 4 * now["p50"]
    return even and abs(now["p50"] - before["p50"]) <= 0.25 * max(now["p50"], before["p50"])


def warm(port: int, url: str, threads: int, connections: int, seconds: int) -> None:
    """Load runs whose figures are thrown away, until the workers are warm (see `steady`):
    each keeps its own graph and page caches, and its first request of a page fills them
    (seconds at the reference scale, with the other workers doing the same on 2 cores); at
    most WARMUP_ROUNDS runs. These runs close the connection after every request: wrk
    otherwise keeps its few connections for the whole run, the kernel hands them to
    whichever workers accept first, and a worker that got none stayed cold until a measured
    run reached it."""
    before = None
    for _ in range(WARMUP_ROUNDS):
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
            + ["-H", "Connection: close"]
            + ["--latency", f"http://127.0.0.1:{port}{url}"],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
        try:
            figures = parse_wrk(out)
        except ValueError:  # no request completed within the run
            before = None
            continue
        if steady(before, figures):
            return
        before = figures


def get_ms(port: int, path: str) -> tuple[int, float]:
    """One GET on loopback, the body read whole: status and milliseconds."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, elapsed
