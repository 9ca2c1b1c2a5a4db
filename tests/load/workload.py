"""The mixed workload, as a locust file: customers browse their lists and records, download documents,
change their settings and open tickets; staff move orders to their next stage.

    locust -f tests/load/workload.py --headless -u USERS ...     (run by tests/load/soak.py)

It runs in a process of its own (the test tools' virtualenv, where locust lives) and reads the plan soak.py
wrote (`CP_LOAD_PLAN`: logins and the records each may see). Every request goes to a JSON-lines log
(`CP_LOAD_LOG`) with its time, status and whether its body showed a stack trace; every write the site
acknowledged is logged too, so soak.py can check afterwards that none was lost.
"""

import itertools
import json
import os
import random
import re
import time
import uuid
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["CP_LOAD_PLAN"]).read())
LOG = open(os.environ["CP_LOAD_LOG"], "a", buffering=1)
CSRF = re.compile(r'(?:csrf_token\s*=\s*"|<meta name="csrf-token" content=")([0-9a-f]+)"')
STACK_TRACE = re.compile(r"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")
STORAGE_REQUEST = "S3 presigned GET"  # report.py counts these apart from the site's answers
ADDRESSES = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CUSTOMER_LOGINS = itertools.cycle(PLAN["customers"])
STAFF_LOGINS = itertools.cycle(PLAN["staff"])


def write(entry: dict) -> None:
	LOG.write(json.dumps(entry) + "\n")


@events.request.add_listener
def log_request(request_type, name, response_time, response, exception, start_time=None, **kwargs):
	status = getattr(response, "status_code", 0) or 0
	trace, text = False, ""
	if response is not None and "octet-stream" not in (response.headers.get("Content-Type") or ""):
		text = response.text or ""
		trace = bool(STACK_TRACE.search(text))
	write(
		{
			"t": start_time or time.time(),
			"ms": round(response_time, 1),
			"method": request_type,
			"name": name,
			"status": status,
			"error": str(exception)[:200] if exception and not status else None,
			"trace": trace,
			# what a failed answer said, for the report
			"said": " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300] if status >= 500 else None,
		}
	)


@events.user_error.add_listener
def log_workload_error(user_instance, exception, tb, **kwargs):
	"""A task that raised stopped midway (what it would have done next never happened): the report fails
	the run on any, rather than measure a workload that did not run as written."""
	write({"t": time.time(), "workload_error": f"{type(exception).__name__}: {exception}"[:300]})


def read_through(response):
	"""Read a streamed answer to its end (a download is only done once its last byte arrived) and let its
	connection go; locust's responses are not context managers unless their result is judged by hand."""
	try:
		if response.raw is not None:  # None: no answer came (the request's failure is logged already)
			for _chunk in response.iter_content(65536):
				pass
	finally:
		response.close()
	return response


class SignedIn(HttpUser):
	"""A user who signs in first (and again whenever the session is gone)."""

	abstract = True
	home = "/portal"

	def on_start(self):
		self.login = self.next_login()
		self.csrf = None
		# each simulated user comes from an address of its own, as through a reverse proxy
		number = next(ADDRESSES)
		self.client.headers["Host"] = PLAN["site"]  # gunicorn serves every site of the bench
		self.client.headers["X-Forwarded-For"] = f"10.77.{number // 250}.{number % 250 + 1}"

	def next_login(self) -> dict:
		raise NotImplementedError

	def signed_in(self) -> bool:
		if self.csrf:
			return True
		response = self.client.post(
			"/api/method/login",
			data={"usr": self.login["user"], "pwd": self.login["password"]},
			name="/api/method/login",
		)
		if response.status_code != 200:
			return False
		match = CSRF.search(self.client.get(self.home, name=self.home).text or "")
		self.csrf = match.group(1) if match else None
		return bool(self.csrf)

	def post(self, path: str, name: str | None = None, **kwargs):
		headers = {"X-Frappe-CSRF-Token": self.csrf, "Accept": "application/json"}
		response = self.client.post(path, headers=headers, name=name or path, **kwargs)
		if response.status_code in (401, 403) and "CSRF" in (response.text or ""):
			self.csrf = None  # the session was lost: sign in again on the next task
		return response

	def acknowledged(self, response, kind: str, **details) -> None:
		if response.status_code == 200:
			write({"t": time.time(), "ack": kind, "user": self.login["user"], **details})


class Customer(SignedIn):
	wait_time = between(0.5, 2.0)
	weight = 7

	def next_login(self) -> dict:
		return next(CUSTOMER_LOGINS)

	@task(10)
	def browse(self):
		if not self.signed_in():
			return
		kind = random.choice(["orders", "invoices", "documents"])
		pages = [("/portal", "/portal"), (f"/portal/{kind}", f"/portal/{kind}")]
		if self.login[kind]:
			record = random.choice(self.login[kind])
			pages.append((f"/portal/{kind}/{record}", f"/portal/{kind}/[name]"))
		pages += [("/portal/notifications", "/portal/notifications"), ("/portal/tickets", "/portal/tickets")]
		path, name = random.choice(pages)
		response = self.client.get(path, name=name, allow_redirects=False)
		if response.status_code in (301, 302) and "/login" in response.headers.get("Location", ""):
			self.csrf = None

	@task(3)
	def download(self):
		if not self.signed_in() or not self.login["documents"]:
			return
		link = self.post(
			"/api/method/customer_portal.api.documents.request_download",
			data={"name": random.choice(self.login["documents"])},
		)
		if link.status_code != 200:
			return
		url = link.json()["message"]["url"]
		name = "/api/method/customer_portal.api.documents.fetch"
		response = read_through(self.client.get(url, name=name, stream=True, allow_redirects=False))
		if response.status_code in (302, 303, 307) and response.headers.get("Location", "").startswith(
			"http"
		):
			# S3 storage: the site hands over a presigned URL; the file comes from the storage itself, asked
			# for under its own host name (signed into the URL), not the site's the session sends
			location = response.headers["Location"]
			storage_host = {"Host": urlsplit(location).netloc}
			read_through(self.client.get(location, name=STORAGE_REQUEST, stream=True, headers=storage_host))

	@task(1)
	def settings(self):
		if not self.signed_in():
			return
		time_zone = random.choice(PLAN["time_zones"])
		response = self.post(
			"/api/method/customer_portal.api.account.set_language_and_time_zone",
			data={"language": "en", "time_zone": time_zone},
		)
		self.acknowledged(response, "settings", time_zone=time_zone)

	@task(1)
	def ticket(self):
		if not self.signed_in():
			return
		subject = f"{PLAN['run']} {uuid.uuid4().hex[:12]}"
		files = None
		if random.random() < 0.5:  # every other ticket carries a file (a distinct one: no dedupe)
			files = {"attachments": (f"load-{uuid.uuid4().hex[:8]}.pdf", PDF + uuid.uuid4().bytes)}
		response = self.post(
			"/api/method/customer_portal.api.tickets.open_ticket",
			data={"subject": subject, "message": "Where is my order? (load test)"},
			files=files,
		)
		if response.status_code == 200:
			name = response.json()["message"]["name"]
			self.acknowledged(response, "ticket", name=name, subject=subject, attachment=bool(files))


class Staff(SignedIn):
	"""Staff in desk: open an order, move it to its next stage."""

	wait_time = between(1.0, 3.0)
	fixed_count = PLAN["staff_users"]
	home = "/app"

	def next_login(self) -> dict:
		return next(STAFF_LOGINS)

	@task
	def move_order(self):
		if not self.signed_in():
			return
		order = random.choice(self.login["orders"])
		current = self.client.get(f"/api/resource/Order/{order}", name="/api/resource/Order/[name]")
		if current.status_code != 200:
			return
		stages = PLAN["stages"]
		stage = current.json()["data"]["stage"]
		following = stages[(stages.index(stage) + 1) % len(stages)] if stage in stages else stages[0]
		response = self.post(
			"/api/method/frappe.client.set_value",
			data={"doctype": "Order", "name": order, "fieldname": "stage", "value": following},
		)
		self.acknowledged(response, "stage", order=order, stage=following)
