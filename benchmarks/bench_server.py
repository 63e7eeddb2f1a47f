"""Request latency of ``policymatch serve``: POST /match on loopback, one worker and more.

Starts the real server (``policymatch serve --port P --workers W``) for each worker count, waits
for ``/health``, sends a bounded number of requests from a few client threads (the profiles in
examples/, in turn), and prints p50 / p90 / p99 latency and throughput::

    python benchmarks/bench_server.py --requests 400 --concurrency 4 --workers 1 2

The index cache is a fresh temporary folder per run, so start-up includes fitting; latency is
measured after /health answers, i.e. after the warm-up.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(workers: int, cache: str) -> tuple[subprocess.Popen[bytes], str, float]:
    port = _free_port()
    env = {**os.environ, "POLICYMATCH_CACHE_DIR": cache}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "policymatch", "serve", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"policymatch serve exited with {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    ready = time.perf_counter() - start
    if workers > 1:  # /health answers from the first worker up; let the others finish fitting
        time.sleep(3 * workers)
    return proc, url, ready


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(workers: int, requests: int, concurrency: int) -> dict[str, float]:
    bodies = [p.read_bytes() for p in sorted(EXAMPLES.glob("*.json"))]
    with tempfile.TemporaryDirectory() as cache:
        proc, url, ready = _start(workers, cache)
        try:
            latencies: list[float] = []
            lock = threading.Lock()
            counter = iter(range(requests))

            def client() -> None:
                with httpx.Client(base_url=url, timeout=60) as http:
                    for _ in range(5):  # each connection's first requests are not counted
                        http.post("/match", content=bodies[0])
                    while True:
                        with lock:
                            i = next(counter, None)
                        if i is None:
                            return
                        t = time.perf_counter()
                        answer = http.post("/match", content=bodies[i % len(bodies)],
                                           headers={"content-type": "application/json"})
                        elapsed = time.perf_counter() - t
                        if answer.status_code != 200:
                            raise SystemExit(f"HTTP {answer.status_code}: {answer.text[:200]}")
                        with lock:
                            latencies.append(elapsed)

            threads = [threading.Thread(target=client) for _ in range(concurrency)]
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {"workers": workers, "ready_s": ready, "n": len(latencies),
            "p50_ms": 1000 * statistics.median(latencies), "p90_ms": 1000 * _percentile(latencies, 0.90),
            "p99_ms": 1000 * _percentile(latencies, 0.99), "max_ms": 1000 * max(latencies),
            "rps": len(latencies) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per worker count")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"POST /match, {args.requests} requests, {args.concurrency} client threads, "
          f"{len(list(EXAMPLES.glob('*.json')))} example profiles in turn, {os.cpu_count()} CPUs")
    print("| workers | ready after | requests | p50 | p90 | p99 | max | requests/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for workers in args.workers:
        r = run(workers, args.requests, args.concurrency)
        print(f"| {workers} | {r['ready_s']:.1f} s | {r['n']:.0f} | {r['p50_ms']:.1f} ms | {r['p90_ms']:.1f} ms "
              f"| {r['p99_ms']:.1f} ms | {r['max_ms']:.1f} ms | {r['rps']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
