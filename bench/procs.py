"""Processes for the benchmark: the resident memory of a process tree (read from /proc, no psutil), a sampler
that keeps its peak while something runs, free loopback ports, and waiting for a server to answer."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MIB = 1024 * 1024


def _parents() -> dict[int, int]:
    """pid → parent pid of every process we can see."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with suppress(OSError, ValueError, IndexError):
            stat = Path(entry.path, "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_bytes(pid: int) -> int:
    with suppress(OSError, ValueError, IndexError):
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants, summed (shared pages are counted in each)."""
    return sum(rss_bytes(p) for p in tree(pid))


def command_line(pid: int, size: int = 80) -> str:
    with suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:size].strip()
    return "?"


def tree_breakdown(pid: int) -> list[tuple[str, float]]:
    """(command line, resident MiB) of each process of the tree, largest first."""
    return sorted(((command_line(p), rss_bytes(p) / MIB) for p in tree(pid)), key=lambda item: -item[1])


class PeakSampler:
    """Samples `tree_rss(pid)` every `interval` seconds in a thread; `peak` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak, self.last = pid, interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> int:
        self.last = tree_rss(self.pid)
        self.peak = max(self.peak, self.last)
        return self.last

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_ticks(pid: int) -> int:
    """User + system clock ticks used so far by a process and its descendants."""
    total = 0
    for member in tree(pid):
        with suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(pid: int, timeout: float = 120.0, busy: float = 0.1, interval: float = 0.5) -> float:
    """Wait until the tree uses less than `busy` of a core over `interval` s (requests left over from a load run
    finish before the next run starts); the seconds waited."""
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    started = time.perf_counter()
    before = cpu_ticks(pid)
    while time.perf_counter() - started < timeout:
        time.sleep(interval)
        now = cpu_ticks(pid)
        if (now - before) / ticks_per_second < busy * interval:
            break
        before = now
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, timeout: float, log: Path | None = None) -> float:
    """Seconds until `url` answers 200 (polled every 50 ms); RuntimeError when the process exits or time runs out."""
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}: {tail(log)}")
        with suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s: {tail(log)}")


def tail(log: Path | None, size: int = 3000) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(encoding="utf-8", errors="replace")[-size:]


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM the process we started, then SIGKILL it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
