"""Load generators: `wrk` with a Lua script that rotates the URLs and counts every non-2xx answer, or, without
wrk, a Python closed-loop generator (asyncio + httpx). Both keep `clients` connections busy for `seconds`
and report requests/s, p50, p99 and errors (non-2xx answers plus socket errors and timeouts)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RESULT_MARK = "BENCH_JSON "
WRK_TIMEOUT = "30s"  # an answer slower than this counts as an error (a timeout); wrk's default is 2 s

LUA = r"""
local paths = {%(paths)s}
local threads = {}
local counter = 0
local non2xx = 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = thread_index * 7919
  non2xx = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "non2xx": %%d, "socket_errors": %%d, "timeouts": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d, "mean_us": %%f, "max_us": %%d}\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


@dataclass
class LoadResult:
    name: str
    tool: str
    clients: int
    seconds: float
    requests: int
    p50_ms: float
    p99_ms: float
    errors: int
    non2xx: int
    urls: int
    timeouts: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict:
        return {**asdict(self), "rps": self.rps}


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_path() -> str | None:
    return shutil.which("wrk")


def ensure_wrk(install: bool) -> str | None:
    """The wrk binary; installed with apt-get first when missing, allowed and running as root."""
    found = wrk_path()
    if found or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
        if wrk_path():
            break
    return wrk_path()


def run_wrk(name: str, base: str, paths: list[str], *, clients: int, seconds: float,
            headers: dict[str, str] | None = None, threads: int = 2) -> LoadResult:
    script = LUA % {"paths": ", ".join(lua_string(p) for p in paths), "mark": RESULT_MARK}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as file:
        file.write(script)
    command = ["wrk", "-t", str(min(threads, clients)), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
               "--timeout", WRK_TIMEOUT, "-s", file.name]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    try:
        done = subprocess.run([*command, base], capture_output=True, text=True, timeout=seconds + 120, check=False)
    finally:
        Path(file.name).unlink(missing_ok=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result (exit {done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    found = json.loads(line[len(RESULT_MARK):])
    return LoadResult(name, "wrk", clients, found["duration_us"] / 1e6, found["requests"], found["p50_us"] / 1000,
                      found["p99_us"] / 1000, found["non2xx"] + found["socket_errors"] + found["timeouts"],
                      found["non2xx"], len(paths), found["timeouts"])


def run_python(name: str, base: str, paths: list[str], *, clients: int, seconds: float,
               headers: dict[str, str] | None = None) -> LoadResult:
    """The same closed loop in asyncio with httpx (one process: it saturates long before wrk does)."""
    latencies, counts = asyncio.run(_python_load(base, paths, clients, seconds, headers or {}))
    latencies.sort()
    return LoadResult(name, "python (httpx)", clients, counts["seconds"], len(latencies),
                      percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000,
                      int(counts["non2xx"] + counts["failed"]), int(counts["non2xx"]), len(paths),
                      int(counts["timeouts"]))


async def _python_load(base: str, paths: list[str], clients: int, seconds: float,
                       headers: dict[str, str]) -> tuple[list[float], dict[str, float]]:
    import httpx

    latencies: list[float] = []
    counts: dict[str, float] = {"non2xx": 0, "failed": 0, "timeouts": 0}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    started = time.perf_counter()
    deadline = started + seconds
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        async def worker(offset: int) -> None:
            index = offset * 7919
            while time.perf_counter() < deadline:
                index += 1
                sent = time.perf_counter()
                try:
                    answer = await client.get(paths[index % len(paths)])
                    if not 200 <= answer.status_code < 300:
                        counts["non2xx"] += 1
                except httpx.TimeoutException:
                    counts["failed"] += 1
                    counts["timeouts"] += 1
                except httpx.HTTPError:
                    counts["failed"] += 1
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(worker(i) for i in range(clients)))
    counts["seconds"] = time.perf_counter() - started
    return latencies, counts


def percentile(ordered: list[float], q: float) -> float:
    """The q-th percentile of sorted values (nearest rank); 0 for none."""
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


class LoadGenerator:
    """wrk when there is one, else the Python generator; `tool` says which."""

    def __init__(self, prefer: str, *, install: bool) -> None:
        self.wrk = ensure_wrk(install) if prefer in ("auto", "wrk") else None
        if prefer == "wrk" and not self.wrk:
            raise RuntimeError("wrk is not installed (apt-get install wrk), and --loadgen wrk was asked for")
        self.tool = "wrk" if self.wrk else "python (httpx)"

    def run(self, name: str, base: str, paths: list[str], *, clients: int, seconds: float,
            headers: dict[str, str] | None = None) -> LoadResult:
        runner = run_wrk if self.wrk else run_python
        return runner(name, base, paths, clients=clients, seconds=seconds, headers=headers)
