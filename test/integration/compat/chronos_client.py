"""Drives Mezzo's Chronos API with chronos-python (PyPI, unmodified), as a Chronos user
would: add a scheduled job and a job that depends on it, run the parent now, wait for
both to succeed, list and search them, read their stats and the graph, delete them.
Prints one JSON line per step; exits non-zero on the first failure.

usage: chronos_client.py HOST:PORT TOKEN OUTDIR
"""
import json
import logging
import sys
import time

import chronos

server, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
client = chronos.connect(server, extra_headers={"Authorization": "Bearer " + token})


class Captured(logging.Handler):
    """Keeps what the client logs: it logs the server's error, then raises a generic one."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


captured = Captured()
logging.getLogger("chronos").addHandler(captured)


def say(step, **fields):
    print(json.dumps(dict(step=step, **fields)), flush=True)


parent = {
    "name": "nightly-extract",
    "command": "echo extracted > %s/extract.out" % out,
    "schedule": "R/2030-01-01T02:00:00Z/P1D",
    "scheduleTimeZone": "Europe/Rome",
    "epsilon": "PT15M",
    "owner": "data@example.com",
    "disabled": False,
    "cpus": 0.1,
    "mem": 32,
    "disk": 0,
    "environmentVariables": [{"name": "STAGE", "value": "extract"}],
}
child = {
    "name": "nightly-load",
    "command": "tr a-z A-Z < %s/extract.out > %s/load.out" % (out, out),
    "parents": ["nightly-extract"],
    "owner": "data@example.com",
    "disabled": False,
    "cpus": 0.1,
    "mem": 32,
    "disk": 0,
}
client.add(parent)
client.add(child)
say("added", jobs=sorted(j["name"] for j in client.list()))

# An update through the client: a new epsilon, the rest as before.
client.update(dict(parent, epsilon="PT20M"))
say("updated", epsilon=[j for j in client.list() if j["name"] == "nightly-extract"][0]["epsilon"])

found = client.search(name="nightly")
say("search", names=sorted(j["name"] for j in found))
say("search-command", names=[j["name"] for j in client.search(command="tr a-z")])

try:
    client.add(dict(child, name="orphan", parents=["no-such-job"]))
    say("orphan", refused=False)
except chronos.ChronosAPIError as e:
    say("orphan", refused=True, message=" | ".join(captured.lines + [str(e)]))

client.run("nightly-extract")
say("run")

deadline = time.time() + 90
while True:
    jobs = {j["name"]: j for j in client.list()}
    if all(jobs[n]["successCount"] >= 1 for n in ("nightly-extract", "nightly-load")):
        break
    if time.time() > deadline:
        say("timeout", jobs=jobs)
        sys.exit(1)
    time.sleep(0.2)
say(
    "succeeded",
    jobs={
        n: {k: jobs[n][k] for k in ("successCount", "errorCount", "lastSuccess", "lastError")}
        for n in jobs
    },
)

stat = client.job_stat("nightly-load")
say("stat", histogram=stat["histogram"], history=stat["taskStatHistory"])
say("graph", csv=client.scheduler_graph())

client.delete("nightly-load")
client.delete("nightly-extract")
say("deleted", jobs=[j["name"] for j in client.list()])
