"""The test site as `bench setup production` runs it: Debian's nginx in front of the site's gunicorn.

nginx's site configuration is the one `bench setup nginx` writes: bench's own `nginx.conf` template,
rendered by the bench CLI's Python with the variables `bench.config.nginx.make_nginx_conf` passes. The
only change is where it listens: bench's ports 80 and 443 on every interface become free ports on
127.0.0.1 (`on_loopback`). nginx runs as the bench user with a prefix, pid file, logs and temp folders of
its own, never as the machine's service, and its access log records what the app sent upstream beside what
nginx sent the client, so a test can tell who streamed a body.
"""

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from load.processes import Gunicorn, free_port, stop_process, wait_for_port  # tests/load/processes.py

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# what make_nginx_conf (bench/config/nginx.py) renders the template with, from a JSON argument
RENDER = """
import json, random, string, sys

import bench.config
from bench.config.nginx import get_error_pages

values = json.loads(sys.argv[1])
values["error_pages"] = get_error_pages()
values["random_string"] = "".join(random.choice(string.ascii_lowercase) for i in range(7))
print(bench.config.env().get_template("nginx.conf").render(**values))
"""
# the access log: method, URI, status, body bytes sent to the client, body bytes read from the app
LOG_FORMAT = "$request_method $request_uri $status $body_bytes_sent $upstream_response_length"
MAIN = """pid {home}/nginx.pid;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	log_format portal '{log_format}';
	access_log {home}/access.log portal;
	client_body_temp_path {home}/body;
	proxy_temp_path {home}/proxy;
	fastcgi_temp_path {home}/fastcgi;
	uwsgi_temp_path {home}/uwsgi;
	scgi_temp_path {home}/scgi;
	include {home}/site.conf;
}}
"""


def bench_cli_python() -> str:
	"""The Python of the bench CLI's virtualenv (the one whose `bench` is on PATH)."""
	return str(Path(shutil.which("bench")).resolve().parent / "python")


def render_site_config(bench: Path, site: str, upstream_port: int, certificate: tuple | None) -> str:
	"""bench's nginx.conf for `site` on a DNS-multitenant bench (its usual production shape), or with a
	certificate as a site that uses TLS."""
	if certificate:
		sites = {
			"that_use_ssl": [
				{"name": site, "ssl_certificate": certificate[0], "ssl_certificate_key": certificate[1]}
			]
		}
	else:
		sites = {"that_use_dns": [site]}
	values = {
		"sites_path": str(bench / "sites"),
		"http_timeout": 120,
		"sites": sites,
		"webserver_port": upstream_port,
		"socketio_port": free_port(),
		"bench_name": bench.name,
		"allow_rate_limiting": False,
	}
	return subprocess.run(
		[bench_cli_python(), "-c", RENDER, json.dumps(values)],
		check=True,
		capture_output=True,
		text=True,
	).stdout


def on_loopback(config: str, ports: dict[int, int]) -> str:
	"""`config` listening on 127.0.0.1 only, each of bench's ports moved to the free port in `ports`."""
	for port, local in ports.items():
		config = re.sub(rf"listen \[::\]:{port}( ssl)?;\n", "", config)
		config = re.sub(rf"listen {port}( ssl)?;", rf"listen 127.0.0.1:{local}\1;", config)
	return config


def self_signed_certificate(folder: Path, site: str) -> tuple[str, str]:
	"""A certificate for `site` and 127.0.0.1, valid for a day, and its key."""
	certificate, key = folder / "site.crt", folder / "site.key"
	subprocess.run(
		[
			*("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
			*("-subj", f"/CN={site}", "-addext", f"subjectAltName=DNS:{site},IP:127.0.0.1"),
			*("-keyout", str(key), "-out", str(certificate)),
		],
		check=True,
		capture_output=True,
	)
	return str(certificate), str(key)


class Nginx:
	def __init__(self, bench: Path, site: str, upstream_port: int, tls: bool = False):
		self.home = Path(tempfile.mkdtemp(prefix="cp-nginx-"))
		self.site = site
		self.port = free_port()
		self.http_port = free_port() if tls else self.port
		certificate = self_signed_certificate(self.home, site) if tls else None
		self.certificate = certificate[0] if certificate else None
		config = render_site_config(bench, site, upstream_port, certificate)
		(self.home / "site.conf").write_text(on_loopback(config, {443: self.port, 80: self.http_port}))
		(self.home / "nginx.conf").write_text(MAIN.format(home=self.home, log_format=LOG_FORMAT))
		self.process: subprocess.Popen | None = None

	@property
	def url(self) -> str:
		return f"{'https' if self.certificate else 'http'}://127.0.0.1:{self.port}"

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				NGINX,
				*(
					"-p",
					str(self.home),
					"-c",
					str(self.home / "nginx.conf"),
					"-e",
					str(self.home / "error.log"),
				),
				*("-g", "daemon off;"),
			],
			stdout=subprocess.DEVNULL,
			stderr=open(self.home / "error.log", "a"),
		)
		wait_for_port(self.port, self.process, "nginx")

	def access_log(self) -> list[list[str]]:
		"""The access log so far, one list of LOG_FORMAT's fields per request."""
		return [line.split() for line in (self.home / "access.log").read_text().splitlines()]

	def stop(self) -> None:
		stop_process(self.process)
		shutil.rmtree(self.home, ignore_errors=True)


class ProductionStack:
	"""gunicorn (2 workers, Frappe's `frappe.app:application`) with nginx in front, for one site."""

	def __init__(self, bench: Path, site: str, environment: dict, workdir: Path, tls: bool = False):
		self.gunicorn = Gunicorn(bench, site, environment, 2, workdir)
		self.nginx = Nginx(bench, site, self.gunicorn.port, tls)

	def __enter__(self):
		self.gunicorn.start()
		try:
			self.nginx.start()
		except Exception:
			self.gunicorn.stop()
			raise
		return self

	def __exit__(self, *exc):
		self.nginx.stop()
		self.gunicorn.stop()
