"""Faults injected while the load runs. Each takes the run's processes, does its damage, brings the
service back the way an operator's supervisor would (start it again; nobody touches the site) and
returns when it happened, for the report's error windows."""

import time

DOWN_SECONDS = 3  # how long Redis and MariaDB stay stopped before they are started again


def restart(server, fault: str, detail: str) -> dict:
	"""Stop `server`, leave it down DOWN_SECONDS, start it again."""
	started = time.time()
	server.stop()
	time.sleep(DOWN_SECONDS)
	server.start()
	return {"fault": fault, "start": started, "end": time.time(), "detail": detail}


def restart_redis(stack, log) -> dict:
	return restart(stack.redis, "restart Redis", "stopped, started empty")


def restart_mariadb(stack, log) -> dict:
	return restart(stack.mariadb, "restart MariaDB", "clean shutdown, start")


def kill_worker(stack, log, patience: float = 60) -> dict:
	"""SIGKILL an RQ worker while it runs a job (waits up to `patience` s for one to be busy)."""
	deadline = time.monotonic() + patience
	while (worker := stack.workers.busy_worker()) is None and time.monotonic() < deadline:
		time.sleep(0.01)
	started = time.time()
	if worker is None:
		return {"fault": "SIGKILL an RQ worker", "start": started, "end": started, "detail": "no job ran"}
	stack.workers.kill(worker)
	stack.workers.watch()  # the supervisor starts a new worker
	return {
		"fault": "SIGKILL an RQ worker",
		"start": started,
		"end": time.time(),
		"detail": f"worker {worker.pid} killed with its job running",
	}


def s3_outage(stack, log, seconds: float = 60) -> dict:
	started = time.time()
	stack.s3.stop()
	log(f"S3 endpoint unreachable for {seconds:.0f} s")
	time.sleep(seconds)
	stack.s3.start()
	return {
		"fault": "S3 unreachable",
		"start": started,
		"end": time.time(),
		"detail": f"{seconds:.0f} s",
		"storage": True,  # downloads straight from the storage fail with it (report.py)
	}


FAULTS = {"redis": restart_redis, "mariadb": restart_mariadb, "worker": kill_worker, "s3": s3_outage}
