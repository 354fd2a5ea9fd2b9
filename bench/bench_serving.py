"""Benchmark: serving with gunicorn.conf.py — worker memory over a long run, and throughput while workers recycle.

Two questions decide how gunicorn.conf.py recycles workers (issue 22):

1. **Does a worker's memory grow?** gunicorn with the shipped settings (2 sync workers, the app preloaded and
   frozen, no recycling) serves `--requests` requests of a researcher's everyday pages (home, study, dashboard,
   act, coding queue, analysis JSON export, the login page) through wrk; each worker's RSS and PSS (its share
   of memory pages shared with the master and the other worker) are read from /proc every few seconds. The
   baseline is each worker's memory after the first `--warmup` requests: growth after that is what recycling
   would have to bound.
2. **What does recycling cost?** The same pages for `--seconds` with recycling forced often (every
   `--recycle-every` requests per worker) against no recycling, once with the app preloaded (the shipped
   setting) and once without (each new worker imports the app and compiles its templates itself): throughput
   of each as a ratio to the run without recycling, median over `--repeat` alternating runs.

The database is SQLite with the demo loaded (`surveyapp init-db && surveyapp demo`); nothing else runs.
Results are printed and written to bench/results/serving-<time>.json. Not a test; not run in CI.

    .venv/bin/python bench/bench_serving.py [--requests 20000] [--warmup 2000] [--seconds 20]
                                            [--recycle-every 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_page import stop  # noqa: E402
from bench_submit import free_port  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "bench-serving-" + "s" * 40
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = (
    "/",
    "/studies/brightline-2025",
    "/studies/brightline-2025/dashboard",
    "/studies/brightline-2025/act",
    "/studies/brightline-2025/coding/queue",
    "/studies/brightline-2025/exports/download?what=analysis&format=json",
    "/studies/brightline-2026",
    "/login",
)


def environment(instance: Path, port: int, **extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYAPP_")}
    return {
        **kept,
        "SURVEYAPP_ENV": "production",
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_INSTANCE_PATH": str(instance),
        "SURVEYAPP_JOBS_MODE": "cron",
        "SURVEYAPP_BIND": f"127.0.0.1:{port}",
        "SURVEYAPP_WORKERS": "2",
        "SURVEYAPP_LOG_LEVEL": "warning",
        **extra,
    }


def prepare(instance: Path) -> None:
    env = environment(instance, 0, SURVEYAPP_ENV="development")
    for command in (["init-db"], ["demo"]):
        subprocess.run([str(BIN / "surveyapp"), *command], env=env, check=True, capture_output=True)  # noqa: S603


def config_file(work: Path, *, preload: bool, max_requests: int) -> Path:
    """gunicorn.conf.py as shipped, with preloading and recycling set for one run."""
    path = work / f"gunicorn-{int(preload)}-{max_requests}.conf.py"
    path.write_text(
        f"exec(open({str(ROOT / 'gunicorn.conf.py')!r}).read())\n"
        f"preload_app = {preload!r}\n"
        f"max_requests = {max_requests}\n"
    )
    return path


def serve(instance: Path, config: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", str(config), "--access-logfile", "/dev/null"],
        cwd=ROOT, env=environment(instance, port),
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def login(port: int) -> str:
    """A researcher's session cookie (the Secure flag is for browsers; wrk sends it as given)."""
    jar: dict[str, str] = {}

    def request(method: str, path: str, body: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, rest = value.partition("=")
                jar[cookie] = rest.split(";", 1)[0]
        return response.status, text

    _, page = request("GET", "/login")
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "email": "researcher@demo.example", "password": "demo-researcher-password"}
    status, _ = request("POST", "/login", urllib.parse.urlencode(form))
    if status != 302:
        raise SystemExit(f"login failed with {status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def lua(cookie: str, limit: int | None) -> str:
    paths = ",".join(json.dumps(p) for p in PAGES)
    stop_after = f"if counter >= {limit} then wrk.thread:stop() end" if limit else ""
    return f"""
local paths = {{{paths}}}
counter = 0
function request()
  counter = counter + 1
  {stop_after}
  return wrk.format("GET", paths[(counter % #paths) + 1], {{["Cookie"] = {json.dumps(cookie)}}})
end
function response(status, headers, body)
  if status >= 500 then io.write("status " .. status .. "\\n") end
end
"""


def wrk(port: int, script: Path, *, seconds: float, connections: int = 4, threads: int = 2) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [shutil.which("wrk") or "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "60s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    output = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = len(re.findall(r"^status 5", output, re.MULTILINE))
    return {"rate": rate, "requests": total, "server_errors": errors}


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def memory(pid: int) -> dict[str, int]:
    """RSS and PSS in kB (smaps_rollup)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key.lower()] = int(rest.split()[0])
    return values


def soak(instance: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    process, port = serve(instance, config_file(work, preload=True, max_requests=0))
    try:
        cookie = login(port)
        script = work / "pages.lua"
        script.write_text(lua(cookie, None))
        samples: list[dict[str, Any]] = []
        done = threading.Event()
        served = {"requests": 0}

        def sample() -> None:
            while not done.is_set():
                pids = worker_pids(process.pid)
                samples.append({"t": time.monotonic(), "workers": {pid: memory(pid) for pid in pids}})
                done.wait(2)

        # Warm-up, then the long run in chunks so that each chunk's end is a sample point.
        wrk(port, script, seconds=5)
        warm = wrk(port, script, seconds=max(5, args.warmup / 50))
        baseline = {pid: memory(pid) for pid in worker_pids(process.pid)}
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        errors = 0
        while served["requests"] < args.requests:
            chunk = wrk(port, script, seconds=10)
            served["requests"] += chunk["requests"]
            errors += chunk["server_errors"]
            print(f"  soak: {served['requests']} requests, workers "
                  + ", ".join(f"{pid}: {m['rss'] // 1024} MB RSS, {m['pss'] // 1024} MB PSS"
                              for pid, m in ((p, memory(p)) for p in worker_pids(process.pid))))  # fmt: skip
        done.set()
        sampler.join()
        end = {pid: memory(pid) for pid in worker_pids(process.pid)}
        return {
            "warmup_requests": warm["requests"],
            "requests": served["requests"],
            "server_errors": errors,
            "baseline_kb": baseline,
            "end_kb": end,
            "growth_kb": {
                pid: {k: end[pid][k] - baseline[pid][k] for k in ("rss", "pss")}
                for pid in end
                if pid in baseline
            },
            "same_workers": sorted(end) == sorted(baseline),
            "samples": len(samples),
        }
    finally:
        stop(process)


def recycling(instance: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    variants = {
        "no recycling": (True, 0),
        "recycling, preloaded": (True, args.recycle_every),
        "recycling, not preloaded": (False, args.recycle_every),
    }
    runs: list[dict[str, float]] = []
    for number in range(args.repeat):
        order = list(variants.items())
        if number % 2:
            order.reverse()
        result = {}
        for label, (preload, every) in order:
            process, port = serve(instance, config_file(work, preload=preload, max_requests=every))
            try:
                script = work / "pages-recycle.lua"
                script.write_text(lua(login(port), None))
                wrk(port, script, seconds=3)  # warm-up
                result[label] = wrk(port, script, seconds=args.seconds)["rate"]
            finally:
                stop(process)
        runs.append(result)
        print(f"  recycling run {number + 1}: " + ", ".join(f"{k} {v:.1f}/s" for k, v in result.items()))
    ratios = {
        label: statistics.median(run[label] / run["no recycling"] for run in runs)
        for label in variants
        if label != "no recycling"
    }
    return {"runs": runs, "ratio_to_no_recycling": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--recycle-every", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    try:
        instance = work / "instance"
        instance.mkdir()
        prepare(instance)
        results = {"soak": soak(instance, work, args), "recycling": recycling(instance, work, args)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    growth = results["soak"]["growth_kb"]
    print("\nworker memory after the warm-up → after the soak (kB):")
    for pid, change in growth.items():
        print(f"  worker {pid}: RSS {change['rss']:+d}, PSS {change['pss']:+d}")
    print("throughput while recycling, as a share of no recycling (median):")
    for label, ratio in results["recycling"]["ratio_to_no_recycling"].items():
        print(f"  {label}: {ratio:.2f}")
    out = ROOT / "bench" / "results" / f"serving-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
