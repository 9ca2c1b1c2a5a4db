"""The processes an end-to-end run starts beside the web server: RQ workers and an SMTP server.

`tests/run.py` starts them; suites that need to kill or restart a worker (fault tests) use the same
handles, since the suites run in run.py's process."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

WORKER_QUEUES = "short,default,long"
WORKER_COMMAND = ("env/bin/python", "-m", "frappe.utils.bench_helper", "frappe", "worker")


def worker_environment() -> dict:
	"""The run's environment without `CI`: with it set, Frappe's workers run every job with
	`frappe.flags.in_test`, and the Email Queue then marks mail sent without ever connecting to SMTP."""
	return {name: value for name, value in os.environ.items() if name != "CI"}


class Services:
	def __init__(self, bench_dir: str, tools_dir: str, log_dir: Path):
		self.bench = Path(bench_dir).resolve()
		self.tools = Path(tools_dir)
		self.log_dir = log_dir
		self.workers: list[subprocess.Popen] = []
		self.mail: subprocess.Popen | None = None
		self.mail_port = 0
		self.mail_dir = log_dir / "mail"

	def start_workers(self, count: int = 2) -> None:
		for index in range(count):
			log = open(self.log_dir / f"e2e-worker-{len(self.workers) + index}.log", "a")
			self.workers.append(
				subprocess.Popen(
					[str(self.bench / WORKER_COMMAND[0]), *WORKER_COMMAND[1:], "--queue", WORKER_QUEUES],
					cwd=self.bench / "sites",
					env=worker_environment(),
					stdout=log,
					stderr=subprocess.STDOUT,
					# its own process group: a kill reaches the job's work-horse process too
					start_new_session=True,
				)
			)

	def kill_workers(self) -> None:
		"""SIGKILL every worker and the job it is running, mid-flight. RQ runs each job in a forked
		"work horse" in a session of its own, so the horse is found among the worker's children."""
		import psutil

		for worker in self.workers:
			try:
				processes = [*psutil.Process(worker.pid).children(recursive=True), psutil.Process(worker.pid)]
			except psutil.NoSuchProcess:
				continue
			for process in processes:
				try:
					process.send_signal(signal.SIGKILL)
				except psutil.NoSuchProcess:
					pass
			worker.wait(timeout=10)
		self.workers = []

	def stop_workers(self) -> None:
		for worker in self.workers:
			try:
				os.killpg(worker.pid, signal.SIGTERM)
			except ProcessLookupError:
				continue
			try:
				worker.wait(timeout=15)
			except subprocess.TimeoutExpired:
				os.killpg(worker.pid, signal.SIGKILL)
		self.workers = []

	def start_mail(self) -> None:
		with socket.socket() as s:
			s.bind(("127.0.0.1", 0))
			self.mail_port = s.getsockname()[1]
		self.mail_dir.mkdir(parents=True, exist_ok=True)
		log = open(self.log_dir / "e2e-mail.log", "w")
		self.mail = subprocess.Popen(
			[
				str(self.tools / "venv/bin/python"),
				str(Path(__file__).with_name("mail_sink.py")),
				*("--port", str(self.mail_port), "--dir", str(self.mail_dir)),
			],
			stdout=log,
			stderr=subprocess.STDOUT,
		)
		deadline = time.monotonic() + 20
		while time.monotonic() < deadline:
			try:
				socket.create_connection(("127.0.0.1", self.mail_port), timeout=1).close()
				return
			except OSError:
				time.sleep(0.2)
		raise RuntimeError("the SMTP sink did not start")

	def stop(self) -> None:
		self.stop_workers()
		if self.mail:
			self.mail.terminate()
			self.mail.wait(timeout=10)


# set by tests/run.py for the suites it runs
current: Services | None = None
