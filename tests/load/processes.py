"""The site under load, as production runs it: gunicorn, RQ workers and Frappe's scheduler, each with the
MariaDB server and the Redis server the load run owns, so faults can stop and start them without touching
the machine's own services.

Every process is pointed at those servers through Frappe's environment overrides (`FRAPPE_DB_PORT`,
`FRAPPE_REDIS_CACHE`, `FRAPPE_REDIS_QUEUE`): the site's own configuration stays as it is, and the site's
own database is never written (the run works on a copy, made when the MariaDB server starts).
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

TESTS = Path(__file__).resolve().parent.parent
WORKER_QUEUES = "short,default,long"


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None, what: str, timeout: float = 60) -> None:
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if process is not None and process.poll() is not None:
			raise RuntimeError(f"{what} exited with code {process.returncode} before listening on {port}")
		try:
			socket.create_connection(("127.0.0.1", port), timeout=1).close()
			return
		except OSError:
			time.sleep(0.1)
	raise RuntimeError(f"{what} did not listen on {port} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen | None, timeout: float = 20, group: bool = False) -> None:
	if process is None or process.poll() is not None:
		return
	if group:
		os.killpg(process.pid, signal.SIGTERM)
	else:
		process.terminate()
	try:
		process.wait(timeout=timeout)
	except subprocess.TimeoutExpired:
		if group:
			os.killpg(process.pid, signal.SIGKILL)
		else:
			process.kill()
		process.wait(timeout=10)


class Redis:
	"""A Redis server of the run's own (nothing kept on disk, like the machine's)."""

	def __init__(self, workdir: Path):
		self.port = free_port()
		self.workdir = workdir
		self.process: subprocess.Popen | None = None

	@property
	def url(self) -> str:
		return f"redis://127.0.0.1:{self.port}"

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				shutil.which("redis-server") or "/usr/bin/redis-server",
				*("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
				*("--dir", str(self.workdir)),
			],
			stdout=open(self.workdir / "redis.log", "a"),
			stderr=subprocess.STDOUT,
		)
		wait_for_port(self.port, self.process, "redis-server")

	def stop(self) -> None:
		stop_process(self.process)


class MariaDB:
	"""A MariaDB server of the run's own holding a copy of the site's database. Any account may connect
	(grant tables are skipped), so the site's own credentials work against it unchanged."""

	def __init__(self, workdir: Path):
		self.port = free_port()
		# its own short folder: a socket path must stay under 108 characters
		self.home = Path(tempfile.mkdtemp(prefix="cp-load-db-"))
		self.datadir = self.home / "data"
		self.log = workdir / "mariadb.log"
		self.process: subprocess.Popen | None = None

	def create(self) -> None:
		subprocess.run(
			[
				"mariadb-install-db",
				"--no-defaults",
				f"--datadir={self.datadir}",
				"--auth-root-authentication-method=normal",
				"--skip-test-db",
			],
			check=True,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				"/usr/sbin/mariadbd",
				"--no-defaults",
				f"--datadir={self.datadir}",
				f"--socket={self.home}/mariadb.sock",
				f"--port={self.port}",
				"--bind-address=127.0.0.1",
				"--skip-grant-tables",
				"--skip-log-bin",
				"--character-set-server=utf8mb4",
				"--collation-server=utf8mb4_unicode_ci",
				"--innodb-buffer-pool-size=512M",
				"--max-connections=500",
			],
			stdout=open(self.log, "a"),
			stderr=subprocess.STDOUT,
		)
		wait_for_port(self.port, self.process, "mariadbd")

	def copy_from(self, config: dict) -> None:
		"""Copy the site's database (`config`: its site config) into this server."""
		source = [
			*(f"-h{config.get('db_host') or '127.0.0.1'}", f"-P{config.get('db_port') or 3306}"),
			*(f"-u{config['db_name']}", f"-p{config['db_password']}"),
		]
		target = ["mariadb", "-h127.0.0.1", f"-P{self.port}", "-uroot"]
		subprocess.run(
			[*target, "-e", f"CREATE DATABASE `{config['db_name']}` CHARACTER SET utf8mb4"], check=True
		)
		dump = subprocess.Popen(
			["mariadb-dump", *source, "--single-transaction", "--quick", config["db_name"]],
			stdout=subprocess.PIPE,
		)
		subprocess.run([*target, config["db_name"]], stdin=dump.stdout, check=True)
		dump.stdout.close()
		if dump.wait() != 0:
			raise RuntimeError("mariadb-dump of the site's database failed")

	def stop(self) -> None:
		if self.process is not None and self.process.poll() is None:
			# InnoDB's own account of the run (its latest deadlock, if any), for whoever reads the logs
			with open(self.log.with_name("innodb-status.txt"), "w") as status:
				subprocess.run(
					[
						"mariadb",
						"-h127.0.0.1",
						f"-P{self.port}",
						"-uroot",
						"-e",
						"SHOW ENGINE INNODB STATUS\\G",
					],
					stdout=status,
					stderr=subprocess.STDOUT,
					check=False,
				)
		stop_process(self.process, timeout=60)

	def remove(self) -> None:
		"""Throw the copy away (after stop)."""
		shutil.rmtree(self.home, ignore_errors=True)


class Gunicorn:
	"""Frappe under gunicorn with a fixed worker count, as `bench setup production` runs it."""

	def __init__(self, bench: Path, site: str, environment: dict, workers: int, workdir: Path):
		self.bench, self.site, self.environment, self.workers = bench, site, environment, workers
		self.port = free_port()
		self.log = workdir / "gunicorn.log"
		self.process: subprocess.Popen | None = None

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.port}"

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				str(self.bench / "env/bin/gunicorn"),
				*("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
				*("--timeout", "60", "--graceful-timeout", "10", "--preload"),
				"frappe.app:application",
			],
			cwd=self.bench / "sites",
			env=self.environment,
			stdout=open(self.log, "a"),
			stderr=subprocess.STDOUT,
		)
		wait_for_port(self.port, self.process, "gunicorn")

	def worker_memory(self) -> dict[int, int]:
		"""Resident memory (bytes) of each gunicorn worker, by pid."""
		memory = {}
		for child in psutil.Process(self.process.pid).children():
			try:
				memory[child.pid] = child.memory_info().rss
			except psutil.NoSuchProcess:
				pass
		return memory

	def stop(self) -> None:
		stop_process(self.process)


class Workers:
	"""RQ workers and Frappe's scheduler. Like supervisor in production, a worker that dies is started
	again (`watch`), so a killed worker is replaced without anyone stepping in."""

	def __init__(self, bench: Path, environment: dict, count: int, workdir: Path):
		self.bench, self.environment, self.count, self.workdir = bench, environment, count, workdir
		self.workers: list[subprocess.Popen] = []
		self.scheduler: subprocess.Popen | None = None
		self.restarted = 0

	def _frappe(self, *args: str, log: str) -> subprocess.Popen:
		return subprocess.Popen(
			[str(self.bench / "env/bin/python"), "-m", "frappe.utils.bench_helper", "frappe", *args],
			cwd=self.bench / "sites",
			env=self.environment,
			stdout=open(self.workdir / log, "a"),
			stderr=subprocess.STDOUT,
			# its own process group: a kill reaches the job's work-horse process too
			start_new_session=True,
		)

	def start(self) -> None:
		while len(self.workers) < self.count:
			index = len(self.workers)
			self.workers.append(self._frappe("worker", "--queue", WORKER_QUEUES, log=f"worker-{index}.log"))
		if self.scheduler is None:
			self.scheduler = self._frappe("schedule", log="scheduler.log")

	def watch(self) -> None:
		"""Start again any worker that exited."""
		for index, worker in enumerate(self.workers):
			if worker.poll() is not None:
				self.workers[index] = self._frappe(
					"worker", "--queue", WORKER_QUEUES, log=f"worker-{index}.log"
				)
				self.restarted += 1

	def busy_worker(self) -> subprocess.Popen | None:
		"""A worker running a job now: RQ forks a work horse for each job."""
		for worker in self.workers:
			try:
				if worker.poll() is None and psutil.Process(worker.pid).children():
					return worker
			except psutil.NoSuchProcess:
				continue
		return None

	def kill(self, worker: subprocess.Popen) -> None:
		"""SIGKILL a worker and the job it is running, mid-flight."""
		os.killpg(worker.pid, signal.SIGKILL)
		worker.wait(timeout=10)

	def stop(self) -> None:
		for process in [*self.workers, self.scheduler]:
			stop_process(process, group=True)
		self.workers, self.scheduler = [], None


class S3:
	"""s3rver on a loopback port, its objects kept in a folder so it can be stopped and started again."""

	BUCKET = "portal-load"

	def __init__(self, tools: Path, workdir: Path):
		self.tools, self.port = tools, free_port()
		self.data = workdir / "s3"
		self.data.mkdir(exist_ok=True)
		self.log = workdir / "s3.log"
		self.process: subprocess.Popen | None = None

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				str(self.tools / "node_modules/.bin/s3rver"),
				*("-d", str(self.data), "-a", "127.0.0.1", "-p", str(self.port)),
				*("--configure-bucket", self.BUCKET),
			],
			stdout=open(self.log, "a"),
			stderr=subprocess.STDOUT,
		)
		wait_for_port(self.port, self.process, "s3rver")

	def storage_config(self) -> dict:
		return {
			"backend": "s3",
			"bucket": self.BUCKET,
			"endpoint_url": f"http://127.0.0.1:{self.port}",
			"region": "us-east-1",
			"access_key_id": "S3RVER",
			"secret_access_key": "S3RVER",
			"presign_signature_version": "s3",
			"key_prefix": "load/",
		}

	def object_keys(self) -> set[str]:
		"""Every object key in the bucket (s3rver keeps an object in `<key>._S3rver_object`)."""
		root, suffix = self.data / self.BUCKET, "._S3rver_object"
		return {
			str(path.relative_to(root))[: -len(suffix)] for path in root.rglob(f"*{suffix}") if path.is_file()
		}

	def stop(self) -> None:
		stop_process(self.process)


class MailSink:
	"""The SMTP server the run's notification emails go to (tests/mail_sink.py)."""

	def __init__(self, tools: Path, workdir: Path):
		self.tools, self.port = tools, free_port()
		self.folder = workdir / "mail"
		self.process: subprocess.Popen | None = None

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				str(self.tools / "venv/bin/python"),
				str(TESTS / "mail_sink.py"),
				*("--port", str(self.port), "--dir", str(self.folder)),
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.STDOUT,
		)
		wait_for_port(self.port, self.process, "the SMTP sink")

	def stop(self) -> None:
		stop_process(self.process)


def workdir(output: Path) -> Path:
	"""A fresh folder for the run's servers and logs, readable after the run."""
	output.mkdir(parents=True, exist_ok=True)
	return Path(tempfile.mkdtemp(prefix="load-", dir=output))
