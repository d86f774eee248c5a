"""The Job controller (basics), after `KK pkg/controller/job/job_controller.go`.

- Pods come from the template (`generateName: <job>-`, with the labels
  `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`,
  `controller-uid`, `job-name`), at most `parallelism` (1) active at once, never more
  than the completions still missing (`completions` unset: a work queue, done when one
  pod succeeded and none is active). Indexed Jobs give each pod an index (annotation and
  label `batch.kubernetes.io/job-completion-index`, hostname `<job>-<index>`) and report
  `completedIndexes`.
- Succeeded and failed pods are counted from the pods that exist (kubesim does not use
  the `batch.kubernetes.io/job-tracking` finalizer); with restartPolicy OnFailure the
  containers' restarts count as failures too.
- More failures than `backoffLimit` (6), or running past `activeDeadlineSeconds`,
  fail the Job: active pods are deleted and the conditions FailureTarget and Failed
  (BackoffLimitExceeded / DeadlineExceeded) set. Enough successes set SuccessCriteriaMet
  and Complete (reason CompletionsReached) and `completionTime`. `suspend: true` deletes
  active pods and sets Suspended. `ttlSecondsAfterFinished` deletes a finished Job
  (foreground) that long after it finished. No back-off delay between retries.
"""
from __future__ import annotations

import datetime

from ..errors import ApiError
from ..resources import REGISTRY
from .base import Controller
from .cache import PODS
from .events import EventRecorder
from .replicaset import pod_from_template
from .util import (clone, condition, is_pod_ready, is_terminating, now, now_dt, parse_time,
                   pod_phase, set_condition, status_update)

JOBS = REGISTRY.by_resource("batch", "v1", "jobs")
L_INDEX = "batch.kubernetes.io/job-completion-index"
_MANAGER = "kube-controller-manager"


def _finished(job: dict) -> str | None:
    for ctype in ("Complete", "Failed"):
        c = condition(job, ctype)
        if c is not None and c.get("status") == "True":
            return ctype
    return None


def _index(pod: dict) -> int | None:
    m = pod["metadata"]
    text = (m.get("annotations") or {}).get(L_INDEX) or (m.get("labels") or {}).get(L_INDEX)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _ranges(indexes: set) -> str:
    """completedIndexes format: "0-2,4"."""
    out, run = [], []
    for i in sorted(indexes):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


class JobController(Controller):
    name = "job"
    primary = JOBS

    def setup(self) -> None:
        self.events = EventRecorder(self.store, "job-controller")
        self.watch_primary()
        self.cache.on(PODS, self.enqueue_controller_of("Job"))

    def reconcile(self, key) -> float | None:
        job = self.cache.get(JOBS, *key)
        if job is None or is_terminating(job):
            return None
        spec = job.get("spec") or {}
        pods = self.cache.controlled(PODS, job["metadata"]["uid"])
        active = [p for p in pods if not is_terminating(p)
                  and pod_phase(p) not in ("Succeeded", "Failed")]
        succeeded = [p for p in pods if pod_phase(p) == "Succeeded"]
        failed = sum(1 for p in pods if pod_phase(p) == "Failed")
        if (spec.get("template") or {}).get("spec", {}).get("restartPolicy") == "OnFailure":
            failed += sum(s.get("restartCount", 0) for p in pods
                          for s in (p.get("status") or {}).get("containerStatuses") or ())
        status = clone(job.get("status") or {})
        conds = status.setdefault("conditions", [])
        at = now()
        finished = _finished(job)
        if finished:
            self._delete_all(active)
            return self._ttl(job)
        indexed = spec.get("completionMode") == "Indexed"
        completions = spec.get("completions")
        parallelism = 1 if spec.get("parallelism") is None else int(spec["parallelism"])
        done_indexes = {i for i in (_index(p) for p in succeeded) if i is not None}
        n_succeeded = len(done_indexes) if indexed else len(succeeded)
        wait = None
        if spec.get("suspend"):
            self._delete_all(active)
            active = []
            set_condition(conds, "Suspended", "True", "JobSuspended", "Job suspended", at=at,
                          probe_time=True)
        else:
            if condition(job, "Suspended") is not None:
                set_condition(conds, "Suspended", "False", "JobResumed", "Job resumed", at=at,
                              probe_time=True)
            status.setdefault("startTime", at)
            backoff = 6 if spec.get("backoffLimit") is None else int(spec["backoffLimit"])
            deadline = spec.get("activeDeadlineSeconds")
            started = parse_time(status.get("startTime"))
            over = None
            if deadline is not None and started is not None:
                left = (started + datetime.timedelta(seconds=int(deadline)) - now_dt())
                if left.total_seconds() <= 0:
                    over = ("DeadlineExceeded", "Job was active longer than specified deadline")
                else:
                    wait = left.total_seconds() + 0.05
            if over is None and failed > backoff:
                over = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
            complete = (n_succeeded >= int(completions) if completions is not None
                        else bool(succeeded) and not active)
            if over is not None:
                self._delete_all(active)
                active = []
                set_condition(conds, "FailureTarget", "True", *over, at=at, probe_time=True)
                set_condition(conds, "Failed", "True", *over, at=at, probe_time=True)
            elif complete:
                self._delete_all(active)
                active = []
                set_condition(conds, "SuccessCriteriaMet", "True", "CompletionsReached",
                              "Reached expected number of succeeded pods", at=at,
                              probe_time=True)
                set_condition(conds, "Complete", "True", "CompletionsReached",
                              "Reached expected number of succeeded pods", at=at,
                              probe_time=True)
                status["completionTime"] = at
            else:
                active = self._scale(job, active, done_indexes, n_succeeded, parallelism,
                                     completions, indexed, bool(succeeded))
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if is_pod_ready(p))
        status["succeeded"] = n_succeeded
        status["failed"] = failed
        status["terminating"] = sum(1 for p in pods if is_terminating(p))
        status["uncountedTerminatedPods"] = {}
        if indexed:
            status["completedIndexes"] = _ranges(done_indexes)
        for k in ("active", "succeeded", "failed"):
            if not status[k]:
                del status[k]
        if not conds:
            del status["conditions"]
        if status != (job.get("status") or {}):
            self.store.update(JOBS, status_update(job, status),
                              subresource="status", field_manager=_MANAGER)
        job = self.cache.get(JOBS, *key)
        if job is not None and _finished(job):
            return self._ttl(job)
        return wait

    def _scale(self, job: dict, active: list[dict], done: set, n_succeeded: int,
               parallelism: int, completions, indexed: bool, any_succeeded: bool) -> list:
        if completions is None:
            want = 0 if any_succeeded else parallelism
        else:
            want = max(0, min(parallelism, int(completions) - n_succeeded))
        if len(active) > want:
            extra = sorted(active, key=lambda p: p["metadata"].get("creationTimestamp", ""),
                           reverse=True)[:len(active) - want]
            self._delete_all(extra)
            return [p for p in active if p not in extra]
        missing = want - len(active)
        if missing <= 0:
            return active
        template = (job.get("spec") or {}).get("template") or {}
        if indexed:
            busy = done | {i for i in (_index(p) for p in active) if i is not None}
            todo = [i for i in range(int(completions)) if i not in busy][:missing]
        else:
            todo = [None] * missing
        for index in todo:
            try:
                self.store.create(PODS, self._pod(job, template, index), field_manager=_MANAGER)
            except ApiError as e:
                self.events.warning(job, "FailedCreate", f"Error creating: {e.message}")
                raise
        return self.cache_active(job)

    def cache_active(self, job: dict) -> list[dict]:
        return [p for p in self.cache.controlled(PODS, job["metadata"]["uid"])
                if not is_terminating(p) and pod_phase(p) not in ("Succeeded", "Failed")]

    def _pod(self, job: dict, template: dict, index: int | None) -> dict:
        m = job["metadata"]
        prefix = f"{m['name']}-" if index is None else f"{m['name']}-{index}-"
        pod = pod_from_template(job, template, prefix)
        labels = pod["metadata"]["labels"]
        for k, v in (("batch.kubernetes.io/controller-uid", m["uid"]),
                     ("batch.kubernetes.io/job-name", m["name"]),
                     ("controller-uid", m["uid"]), ("job-name", m["name"])):
            labels.setdefault(k, v)
        if index is not None:
            labels[L_INDEX] = str(index)
            pod["metadata"].setdefault("annotations", {})[L_INDEX] = str(index)
            pod["spec"].setdefault("hostname", f"{m['name']}-{index}")
        return pod

    def _delete_all(self, pods: list[dict]) -> None:
        for pod in pods:
            self.delete_if_present(PODS, pod)

    def _ttl(self, job: dict) -> float | None:
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        if ttl is None:
            return None
        done = parse_time((job.get("status") or {}).get("completionTime"))
        if done is None:
            c = condition(job, "Failed") or condition(job, "Complete")
            done = parse_time(c.get("lastTransitionTime")) if c else None
        if done is None:
            return None
        left = (done + datetime.timedelta(seconds=int(ttl)) - now_dt()).total_seconds()
        if left > 0:
            return left + 0.05
        self.delete_if_present(JOBS, job, "Foreground")
        return None
