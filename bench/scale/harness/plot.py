"""Draws the scale bench's JSON (bench/scale/scale.ts) as one PNG of four panels.

Usage: plot.py RESULTS.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def num(x):
    """A figure, or NaN where the run did not reach it (null in the JSON)."""
    return float("nan") if x is None else x


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    runs = data["runs"]
    n = [r["agents"] for r in runs]
    p = data["params"]
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))
    (a, b), (c, d) = ax

    a.plot(n, [num(r["launch_overhead_ms"]["p50"]) / 1000 for r in runs], "o-", label="p50")
    a.plot(n, [num(r["launch_overhead_ms"]["p99"]) / 1000 for r in runs], "s--", label="p99")
    a.axhline(1.0, color="grey", lw=0.8, ls=":", label="Mesos 2011: < 1 s at 50,000")
    a.set_title("Launch overhead (want → TASK_RUNNING)")
    a.set_ylabel("seconds")

    b.plot(n, [r["controller"]["cpu_cores"] for r in runs], "o-", color="C2", label="CPU (cores)")
    b.set_ylabel("cores")
    b2 = b.twinx()
    b2.plot(n, [r["controller"]["rss_mib"]["loaded"] for r in runs], "s--", color="C3", label="RSS (MiB)")
    b2.set_ylabel("MiB")
    b.set_title("Controller CPU and memory under load")
    b.legend(loc="upper left")
    b2.legend(loc="lower right")

    c.plot(n, [r["offers_per_s"] for r in runs], "o-", label="offers made /s")
    c.plot(n, [r["status_updates_per_s"] for r in runs], "s--", label="status updates /s")
    c.plot(n, [r["launched_per_s"] for r in runs], "^:", label="tasks RUNNING /s")
    c.set_title("Controller throughput")
    c.set_ylabel("per second")

    d.plot(n, [r["state"]["ms_p50"] for r in runs], "o-", label="/state (ms)")
    rereg = [r["restart"]["agents_reregistered_s"] for r in runs]
    d.plot(n, [num(x) * 1000 for x in rereg], "s--",
           label="restart: all agents back (ms)")
    d.set_title("/state latency; recovery after a restart")
    d.set_ylabel("milliseconds")

    for x in (a, c, d):
        x.legend(loc="upper left", fontsize=8)
    for x in (a, b, c, d):
        x.set_xscale("log")
        x.set_xlabel("simulated agents")
        x.grid(True, which="both", alpha=0.3)
    fig.suptitle(
        f"Mezzo scale bench: {p['frameworks']} frameworks, tasks {p['duration_s']['mean']} ± "
        f"{p['duration_s']['sd']} s (Mesos' 30 ± 10 s scaled down), {data['machine']['cores']} cores"
    )
    fig.tight_layout()
    fig.savefig(dst, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
