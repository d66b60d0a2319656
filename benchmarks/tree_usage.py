"""What a command costs, its whole process tree included: wall and CPU seconds, peak memory.

    from tree_usage import run_measured
    usage = run_measured([sys.executable, "-m", "amicable.cli", "build", ...])

Runs the command in a child process. CPU seconds are user + system of the child and of every
descendant it waited for (`os.wait4`: dbt's subprocesses and DuckDB's threads included). Peak
memory: every `SAMPLE_SECONDS` until the child ends, the resident memory of the child and of
all its living descendants is summed (read from /proc, so Linux only; pages shared between
processes count once per process, so the sum is an upper bound) and the largest sum is kept;
`largest_process_mb` is the kernel's own peak of the largest single process, and the tree's
peak is never reported below it (a peak between two samples). Each line the
command writes on stderr is kept with the wall and CPU seconds of the tree when it arrived
(CPU of the living processes read from /proc, at the clock tick's resolution), so a caller can
split the run into phases by its progress lines; `echo` copies the lines to our stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.2
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Mark:
    """A line of the command's stderr, when it arrived: wall and CPU seconds since the start."""

    wall: float
    cpu: float
    line: str


@dataclass(frozen=True)
class Usage:
    status: int  # exit code
    wall: float  # seconds
    cpu: float  # user + system seconds of the process tree
    peak_mb: float  # largest sum of the tree's resident memory, sampled
    largest_process_mb: float  # peak resident memory of the largest single process
    marks: tuple[Mark, ...]
    peak_at: float = 0.0  # wall seconds since the start of the sample holding the tree's peak


def _processes() -> dict[int, tuple[int, float, int]]:
    """Every process: pid -> (parent pid, CPU seconds with its waited-for children, RSS bytes)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        found[int(entry.name)] = (int(fields[1]), ticks / _TICKS, int(fields[21]) * _PAGE)
    return found


def tree_now(root: int) -> tuple[float, int]:
    """CPU seconds and resident bytes of `root` and its living descendants, now."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    cpu, rss, todo = 0.0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in processes:
            cpu += processes[pid][1]
            rss += processes[pid][2]
            todo.extend(children.get(pid, ()))
    return cpu, rss


def run_measured(
    command: list[str], *, stdout: Path | None = None, echo: bool = False, env: dict | None = None
) -> Usage:
    """Run `command` to its end (stdout to the file `stdout`, else discarded) and measure it."""
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
    marks: list[Mark] = []

    def read_stderr() -> None:
        for line in child.stderr:
            cpu, _ = tree_now(child.pid)
            marks.append(Mark(time.perf_counter() - started, cpu, line.rstrip("\n")))
            if echo:
                print(f"  {line}", end="", file=sys.stderr, flush=True)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    peak, peak_at = 0, 0.0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        rss = tree_now(child.pid)[1]
        if rss > peak:
            peak, peak_at = rss, time.perf_counter() - started
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - started
    reader.join()
    if stdout:
        out.close()
    largest_mb = usage.ru_maxrss / 1024  # Linux reports kilobytes
    return Usage(
        status=os.waitstatus_to_exitcode(status),
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=max(peak / 2**20, largest_mb),
        largest_process_mb=largest_mb,
        marks=tuple(marks),
        peak_at=peak_at,
    )
