"""A tiny Mesos framework on pymesos (PyPI, unmodified), as its users write one.

Usage: pymesos_framework.py HOST:PORT TASK_ID. Launches one shell task from the first
offer big enough, prints each callback as a JSON line, reconciles the task once it
finished, then stops (pymesos tears the framework down). Authenticates as pymesos users
do, with a principal and a secret (HTTP Basic): MESOS_PRINCIPAL and MESOS_SECRET, the
secret being a token Mezzo accepts.
"""
import json
import os
import sys

from addict import Dict
from pymesos import MesosSchedulerDriver, Scheduler

MASTER, TASK_ID = sys.argv[1], sys.argv[2]


def log(**fields):
    print(json.dumps(fields), flush=True)


class Framework(Scheduler):
    def __init__(self):
        self.launched = False
        self.finished = False

    def registered(self, driver, framework_id, master_info):
        log(event="registered", framework_id=framework_id["value"])

    def resourceOffers(self, driver, offers):
        for offer in offers:
            cpus = sum(r.scalar.value for r in offer.resources if r.name == "cpus")
            mem = sum(r.scalar.value for r in offer.resources if r.name == "mem")
            if self.launched or cpus < 0.1 or mem < 32:
                driver.declineOffer(offer.id, Dict(refuse_seconds=60))
                continue
            task = Dict()
            task.task_id.value = TASK_ID
            task.agent_id.value = offer.agent_id.value
            task.name = "pymesos-task"
            task.command.value = "echo hello from pymesos"
            task.resources = [
                dict(name="cpus", type="SCALAR", scalar={"value": 0.1}),
                dict(name="mem", type="SCALAR", scalar={"value": 32}),
            ]
            driver.launchTasks(offer.id, [task], Dict(refuse_seconds=60))
            self.launched = True
            log(event="launched", offer=offer.id.value)

    def statusUpdate(self, driver, update):
        log(event="update", task=update.task_id.value, state=update.state,
            reason=update.get("reason"))
        if update.state == "TASK_FINISHED" and not self.finished:
            self.finished = True
            driver.reconcileTasks([{"task_id": {"value": TASK_ID}}])
        elif self.finished and update.get("reason") == "REASON_RECONCILIATION":
            log(event="reconciled", state=update.state)
            driver.stop()

    def error(self, driver, message):
        log(event="error", message=message)
        driver.stop()


def main():
    framework = Dict(user="nobody", name="pymesos-test", failover_timeout=60)
    driver = MesosSchedulerDriver(
        Framework(), framework, MASTER, use_addict=True,
        principal=os.environ.get("MESOS_PRINCIPAL"), secret=os.environ.get("MESOS_SECRET"))
    driver.run()
    log(event="stopped")


if __name__ == "__main__":
    main()
