"""Drives Mezzo's Marathon API with marathon-python, unmodified, from PyPI.

Each step prints one JSON line {"step": ..., ...} that the TypeScript test checks; any
exception fails the script (exit 1) with the traceback on stderr. The token goes in the
Authorization header of the client's own requests sessions (Mezzo takes Bearer tokens;
the client's `auth_token` sends DC/OS's `token=` form).
"""
import collections
import collections.abc
import json
import os
import threading
import time

# marathon-python 0.13.0 (its latest) encodes nested objects (constraints) through
# collections.Iterable, which Python 3.10 removed; the alias restores what it expects.
collections.Iterable = collections.abc.Iterable  # type: ignore[attr-defined]

import requests  # noqa: E402
from marathon import MarathonClient  # noqa: E402
from marathon.exceptions import NotFoundError  # noqa: E402
from marathon.models import MarathonApp, MarathonConstraint  # noqa: E402

server = os.environ["MARATHON_URL"]
token = os.environ["MEZZO_TOKEN"]
session = requests.Session()
session.headers["Authorization"] = f"Bearer {token}"
sse = requests.Session()
sse.headers["Authorization"] = f"Bearer {token}"
client = MarathonClient(server, session=session, sse_session=sse, timeout=30)


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


seen = []


def listen():
    for event in client.event_stream(event_types=["api_post_event", "status_update_event", "deployment_info"]):
        seen.append(event)


threading.Thread(target=listen, daemon=True).start()
wait_for("the event stream", lambda: client.ping())
emit("ping", answer=client.ping().decode())
emit("info", name=client.get_info().name)

app = MarathonApp(
    cmd="sleep 600",
    cpus=0.1,
    mem=32,
    instances=2,
    constraints=[MarathonConstraint("hostname", "MAX_PER", "10")],
    labels={"team": "compat"},
)
created = client.create_app("/compat/sleeper", app)
emit("created", id=created.id, instances=created.instances)

running = wait_for(
    "2 running instances",
    lambda: (lambda a: a if a.tasks_running == 2 else None)(client.get_app("/compat/sleeper", embed_tasks=True)),
)
emit("running", tasks_running=running.tasks_running, tasks=[t.id for t in running.tasks])

client.scale_app("/compat/sleeper", instances=3)
scaled = wait_for(
    "3 running instances",
    lambda: (lambda a: a if a.tasks_running == 3 else None)(client.get_app("/compat/sleeper")),
)
emit("scaled", instances=scaled.instances, tasks_running=scaled.tasks_running)

apps = client.list_apps(label="team==compat")
emit("listed", ids=[a.id for a in apps])

tasks = client.list_tasks("/compat/sleeper")
all_tasks = client.list_tasks()
emit("tasks", app_tasks=len(tasks), all_tasks=len(all_tasks), state=tasks[0].state, host=tasks[0].host)

victim = tasks[0].id
killed = client.kill_task("/compat/sleeper", victim)
emit("killed", id=killed.id)
wait_for("the killed task gone", lambda: victim not in [t.id for t in client.list_tasks("/compat/sleeper")])
replaced = wait_for(
    "3 running again",
    lambda: (lambda ts: ts if len([t for t in ts if t.state == "TASK_RUNNING"]) == 3 else None)(
        client.list_tasks("/compat/sleeper")
    ),
)
emit("replaced", running=len(replaced), ids=[t.id for t in replaced])

# A kill with scale=true lowers the app's instances instead of replacing the task.
client.kill_given_tasks([replaced[0].id], scale=True)
shrunk = wait_for(
    "2 instances after a kill with scale",
    lambda: (lambda a: a if a.instances == 2 and a.tasks_running == 2 else None)(client.get_app("/compat/sleeper")),
)
emit("scaled_down", instances=shrunk.instances, tasks_running=shrunk.tasks_running)

# One agent: the second instance of a hostname:UNIQUE app waits, and the queue says why.
client.create_app(
    "/compat/unique",
    MarathonApp(cmd="sleep 600", cpus=0.1, mem=32, instances=2, constraints=[MarathonConstraint("hostname", "UNIQUE")]),
)


def declined(item):
    summary = item.processed_offers_summary or {}
    return [r["reason"] for r in summary.get("rejectSummaryLastOffers", []) if r["declined"] > 0]


queued = wait_for(
    "/compat/unique in the queue with its reason",
    lambda: next((q for q in client.list_queue() if q.app.id == "/compat/unique" and q.count == 1 and declined(q)), None),
)
emit("queued", count=queued.count, reasons=declined(queued))
# host= kills only the tasks on that agent: none here.
spared = client.kill_tasks("/compat/unique", host="no-such-host")
emit("spared", killed=len(spared), running=client.get_app("/compat/unique").tasks_running)
# A task of another app is not the app's to kill: 404, and it runs on.
other = client.list_tasks("/compat/sleeper")[0].id
try:
    client.kill_task("/compat/unique", other)
    emit("wrong_app", refused=False)
except NotFoundError:
    emit("wrong_app", refused=True, running=other in [t.id for t in client.list_tasks("/compat/sleeper")])
client.delete_app("/compat/unique", force=True)

client.delete_app("/compat/sleeper")


def gone():
    try:
        client.get_app("/compat/sleeper")
        return False
    except Exception as e:  # marathon.exceptions.NotFoundError
        return type(e).__name__ == "NotFoundError"


wait_for("the app gone", gone)
wait_for("its tasks gone", lambda: not [t for t in client.list_tasks() if t.app_id == "/compat/sleeper"])
emit("deleted", apps=[a.id for a in client.list_apps()])
wait_for("events", lambda: {"api_post_event", "status_update_event"} <= {e.event_type for e in seen})
emit(
    "events",
    types=sorted({e.event_type for e in seen}),
    running=sorted({e.task_id for e in seen if e.event_type == "status_update_event" and e.task_status == "TASK_RUNNING"}),
)
