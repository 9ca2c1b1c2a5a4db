"""Private files in S3, against two real S3 APIs on loopback, each for what it enforces:

- moto_server refuses anonymous reads of private objects (it does not check presigned expiry);
- s3rver checks presigned expiry and signatures (SigV2 query signatures; it has no ACLs).

The live test site is switched to each server through site config (`customer_portal_storage`), so staff
uploads (Frappe's upload_file), customer uploads, downloads and the migration command all run as they
would in production.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from portal_client import PortalClient, site_connection

TOOLS = Path(os.environ.get("CP_E2E_TOOLS", ""))
BENCH = Path(os.environ.get("CP_E2E_SITES_PATH", "sites")).parent
SITE = os.environ.get("CP_E2E_SITE", "")
BUCKET = "customer-portal-test"
OWN, FOREIGN = "Acme Logistics", "Globex Manufacturing"
REQUEST = "/api/method/customer_portal.api.documents.request_download"
UPLOAD = "/api/method/customer_portal.api.documents.upload"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class S3Server:
	"""A real S3 API on a loopback port, started for one test class."""

	def __init__(self, kind: str):
		self.kind = kind
		self.port = free_port()
		self.endpoint = f"http://127.0.0.1:{self.port}"
		self.data = tempfile.mkdtemp(prefix=f"cp-{kind}-")
		if kind == "moto":
			command = [str(TOOLS / "venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(self.port)]
			self.keys, self.presign_signature = ("test-key", "test-secret"), "s3v4"
		else:
			command = [
				str(TOOLS / "node_modules/.bin/s3rver"),
				*("-d", self.data, "-a", "127.0.0.1", "-p", str(self.port), "--configure-bucket", BUCKET),
			]
			# s3rver verifies SigV2 query signatures only: the app presigns with SigV2 for it
			self.keys, self.presign_signature = ("S3RVER", "S3RVER"), "s3"
		self.log = open(Path(self.data) / "server.log", "w")
		self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
		deadline = time.monotonic() + 30
		while True:
			try:
				socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
				break
			except OSError:
				if time.monotonic() > deadline or self.process.poll() is not None:
					raise RuntimeError(f"{kind} did not start on {self.port}") from None
				time.sleep(0.2)
		self.client = self.boto_client()
		if kind == "moto":
			self.client.create_bucket(Bucket=BUCKET)

	def boto_client(self):
		import boto3
		from botocore.config import Config

		return boto3.client(
			"s3",
			endpoint_url=self.endpoint,
			region_name="us-east-1",
			aws_access_key_id=self.keys[0],
			aws_secret_access_key=self.keys[1],
			config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
		)

	def site_config(self) -> dict:
		return {
			"backend": "s3",
			"bucket": BUCKET,
			"endpoint_url": self.endpoint,
			"region": "us-east-1",
			"access_key_id": self.keys[0],
			"secret_access_key": self.keys[1],
			"presign_signature_version": self.presign_signature,
			"key_prefix": "portal/",
		}

	def keys_under(self, prefix: str) -> list[str]:
		pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
		return [item["Key"] for page in pages for item in page.get("Contents", [])]

	def stop(self):
		self.process.terminate()
		try:
			self.process.wait(timeout=10)
		except subprocess.TimeoutExpired:
			self.process.kill()
		self.log.close()
		shutil.rmtree(self.data, ignore_errors=True)


def use_storage(config: dict | None) -> None:
	with site_connection():
		from frappe.installer import update_site_config

		update_site_config("customer_portal_storage", config or "None")


def key_of(url: str) -> str:
	return parse_qs(urlsplit(url).query)["key"][0]


class S3StorageCase(unittest.TestCase):
	"""Shared setup: a server, the site pointed at it, a staff-uploaded document of the customer."""

	kind = ""

	@classmethod
	def setUpClass(cls):
		if not (TOOLS / "venv/bin/moto_server").exists():
			raise unittest.SkipTest("the S3 test servers are not installed (./dev setup installs them)")
		cls.server = S3Server(cls.kind)
		use_storage(cls.server.site_config())
		cls.admin = PortalClient("Administrator")
		cls.alice = PortalClient("alice@acme.example.com")
		cls.created = []
		cls.content = PDF + f"% {cls.kind} {uuid.uuid4()}\n".encode()
		cls.document, cls.file_url = cls.staff_document(cls.content)

	@classmethod
	def tearDownClass(cls):
		for name in cls.created:
			cls.admin.request("DELETE", f"/api/resource/Document/{name}")
		use_storage(None)
		cls.server.stop()

	@classmethod
	def staff_document(cls, content: bytes, customer: str = OWN) -> tuple[str, str]:
		"""A document created as staff do it in desk: Frappe's upload_file, then the form's save."""
		uploaded = cls.admin.post(
			"/api/method/upload_file",
			files={"file": ("report.pdf", content)},
			data={"is_private": "1", "folder": "Home/Attachments"},
		)
		assert uploaded.status_code == 200, uploaded.text[:300]
		file_url = uploaded.json()["message"]["file_url"]
		created = cls.admin.post(
			"/api/resource/Document",
			json={
				"customer": customer,
				"document_type": "Report",
				"title": f"S3 report {cls.kind}",
				"file": file_url,
			},
		)
		assert created.status_code == 200, created.text[:300]
		cls.created.append(created.json()["data"]["name"])
		return created.json()["data"]["name"], file_url

	def link(self, client, name=None):
		response = client.post(
			REQUEST, data={"name": name or self.document}, headers={"Accept": "application/json"}
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		return response.json()["message"]["url"]

	def presigned(self, client=None):
		"""Follow a fresh app link to the presigned URL it redirects to."""
		client = client or self.alice
		response = client.get(self.link(client))
		self.assertEqual(response.status_code, 302, response.text[:300])
		return response.headers["Location"]


class DownloadFlow:
	"""Assertions that hold against either server."""

	def test_staff_upload_is_stored_in_the_bucket_with_its_checksum(self):
		self.assertIn("/api/method/customer_portal.api.files.download?key=portal/", self.file_url)
		stored = self.server.client.get_object(Bucket=BUCKET, Key=key_of(self.file_url))
		self.assertEqual(stored["Body"].read(), self.content)
		document = self.admin.get(f"/api/resource/Document/{self.document}").json()["data"]
		self.assertEqual(document["versions"][0]["sha256"], hashlib.sha256(self.content).hexdigest())
		self.assertEqual(document["versions"][0]["file_size"], len(self.content))

	def test_app_link_redirects_once_to_a_url_that_lives_no_longer_than_the_link(self):
		link = self.link(self.alice)
		first = self.alice.get(link)
		self.assertEqual(first.status_code, 302, first.text[:300])
		location = first.headers["Location"]
		self.assertTrue(location.startswith(self.server.endpoint), location)
		query = parse_qs(urlsplit(location).query)
		if "X-Amz-Expires" in query:
			lifetime = int(query["X-Amz-Expires"][0])
		else:
			lifetime = int(query["Expires"][0]) - int(time.time())
		self.assertTrue(0 < lifetime <= 5 * 60, lifetime)
		served = requests.get(location, timeout=10)
		self.assertEqual(served.status_code, 200, served.text[:300])
		self.assertEqual(served.content, self.content)
		self.assertTrue(served.headers["Content-Disposition"].startswith("attachment"))
		self.assertNotIn("html", served.headers["Content-Type"])
		# the app link is spent
		self.assertEqual(self.alice.get(link).status_code, 404)

	def test_link_fails_from_another_session_and_for_another_customer(self):
		link = self.link(self.alice)
		for other in (
			PortalClient("alice@acme.example.com"),
			PortalClient("dave@globex.example.com"),
			PortalClient(),
		):
			response = other.get(link)
			self.assertIn(response.status_code, (403, 404))
			self.assertNotIn("Location", response.headers)
		self.assertEqual(self.alice.get(link).status_code, 302)

	def test_customer_upload_goes_to_the_bucket(self):
		content = PDF + f"% customer {uuid.uuid4()}\n".encode()
		response = self.alice.post(
			UPLOAD,
			data={"document_type": "Contract", "title": "Signed in S3"},
			files={"file": ("signed.pdf", content)},
			headers={"Accept": "application/json"},
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		name = response.json()["message"]["name"]
		self.created.append(name)
		file_url = self.admin.get(f"/api/resource/Document/{name}").json()["data"]["file"]
		self.assertEqual(
			self.server.client.get_object(Bucket=BUCKET, Key=key_of(file_url))["Body"].read(), content
		)
		self.assertEqual(requests.get(self.presigned_for(name), timeout=10).content, content)

	def presigned_for(self, name):
		response = self.alice.get(self.link(self.alice, name))
		self.assertEqual(response.status_code, 302)
		return response.headers["Location"]

	def test_staff_file_url_redirects_staff_and_is_missing_for_customers(self):
		path = self.file_url[self.file_url.index("/api/method/") :]
		staff = self.admin.get(path)
		self.assertEqual(staff.status_code, 302, staff.text[:300])
		self.assertEqual(requests.get(staff.headers["Location"], timeout=10).content, self.content)
		for client in (self.alice, PortalClient()):
			response = client.get(path)
			self.assertIn(response.status_code, (403, 404))
			self.assertNotIn("Location", response.headers)

	def test_deleting_a_file_removes_its_object(self):
		uploaded = self.admin.post(
			"/api/method/upload_file",
			files={"file": ("scratch.pdf", PDF + f"% {uuid.uuid4()}".encode())},
			data={"is_private": "1"},
		).json()["message"]
		key = key_of(uploaded["file_url"])
		self.assertIn(key, self.server.keys_under("portal/"))
		deleted = self.admin.request("DELETE", f"/api/resource/File/{uploaded['name']}")
		self.assertEqual(deleted.status_code, 202, deleted.text[:300])
		self.assertNotIn(key, self.server.keys_under("portal/"))


class MotoStorageTest(DownloadFlow, S3StorageCase):
	kind = "moto"

	def test_objects_are_private(self):
		key = key_of(self.file_url)
		anonymous = requests.get(f"{self.server.endpoint}/{BUCKET}/{key}", timeout=10)
		self.assertEqual(anonymous.status_code, 403)
		grants = self.server.client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
		self.assertFalse(
			[g for g in grants if "AllUsers" in json.dumps(g) or "AuthenticatedUsers" in json.dumps(g)]
		)

	def test_upload_while_storage_is_down_is_refused_and_stores_nothing(self):
		down = {**self.server.site_config(), "endpoint_url": f"http://127.0.0.1:{free_port()}"}
		use_storage(down)
		try:
			counts = lambda: [
				self.admin.get("/api/method/frappe.client.get_count", params={"doctype": doctype}).json()[
					"message"
				]
				for doctype in ("File", "Document", "Document Version")
			]
			before = counts()
			customer = self.alice.post(
				UPLOAD,
				data={"document_type": "Contract"},
				files={"file": ("down.pdf", PDF + f"% {uuid.uuid4()}".encode())},
				headers={"Accept": "application/json"},
			)
			staff = self.admin.post(
				"/api/method/upload_file",
				files={"file": ("down.pdf", PDF + f"% {uuid.uuid4()}".encode())},
				data={"is_private": "1"},
			)
			for response in (customer, staff):
				self.assertEqual(response.status_code, 417, response.text[:300])
				self.assertIn("unreachable", response.text)
				self.assertNotIn("Traceback", response.text)
			self.assertEqual(counts(), before)
		finally:
			use_storage(self.server.site_config())

	def test_download_while_storage_is_down_is_a_clear_answer_and_keeps_the_link(self):
		started = self.now()
		link = self.link(self.alice)
		use_storage({**self.server.site_config(), "endpoint_url": f"http://127.0.0.1:{free_port()}"})
		try:
			browser = self.alice.get(link, headers={"Accept": "text/html"})
			api = self.alice.get(link, headers={"Accept": "application/json"})
		finally:
			use_storage(self.server.site_config())
		# the portal says so itself, rather than sending the browser to a storage it cannot reach
		for response in (browser, api):
			self.assertEqual(response.status_code, 503, response.text[:300])
			self.assertNotIn("Location", response.headers)
			self.assertEqual(response.headers["Retry-After"], "30")
			self.assertIn("file storage cannot be reached", response.text)
			self.assertNotIn("Traceback", response.text)
		self.assertIn("text/html", browser.headers["Content-Type"])
		self.assertEqual(api.json()["exc_type"], "ServiceUnavailable")
		# nothing was sent, so the link was not spent: it works once the storage answers
		followed = self.alice.get(link)
		self.assertEqual(followed.status_code, 302, followed.text[:300])
		self.assertEqual(requests.get(followed.headers["Location"], timeout=10).content, self.content)
		self.assertEqual(
			self.access_log(started),
			[("Download Link", "Allowed", None)]
			+ [("Download", "Refused", "storage unreachable")] * 2
			+ [("Download", "Allowed", None)],
		)

	def test_a_file_missing_from_storage_is_not_found_and_keeps_the_link(self):
		document, file_url = self.staff_document(PDF + f"% lost {uuid.uuid4()}".encode())
		stored = self.server.client.get_object(Bucket=BUCKET, Key=key_of(file_url))["Body"].read()
		self.server.client.delete_object(Bucket=BUCKET, Key=key_of(file_url))
		started = self.now()
		link = self.link(self.alice, document)
		missing = self.alice.get(link)
		self.assertEqual(missing.status_code, 404, missing.text[:300])
		self.assertNotIn("Location", missing.headers)
		self.server.client.put_object(Bucket=BUCKET, Key=key_of(file_url), Body=stored)
		self.assertEqual(self.alice.get(link).status_code, 302)
		self.assertEqual(
			self.access_log(started, document),
			[
				("Download Link", "Allowed", None),
				("Download", "Refused", "file missing from storage"),
				("Download", "Allowed", None),
			],
		)

	@staticmethod
	def now():
		with site_connection() as frappe:
			return frappe.utils.now_datetime()

	def access_log(self, since, document=None) -> list[tuple]:
		with site_connection() as frappe:
			return [
				tuple(row)
				for row in frappe.get_all(
					"Document Access Log",
					filters={"document": document or self.document, "creation": (">=", since)},
					fields=["event", "outcome", "reason"],
					order_by="creation asc",
					as_list=True,
				)
			]

	def test_migration_interrupted_and_resumed_loses_and_duplicates_nothing(self):
		count = 120
		use_storage(None)
		try:
			expected = self.local_documents(count)
		finally:
			use_storage(self.server.site_config())
		before = set(self.server.keys_under("portal/"))
		with site_connection():
			from customer_portal.documents.migration import _pending_urls
			from customer_portal.documents.storage import LocalStorage

			# files whose bytes are on disk (rows of files lost before the test cannot move)
			pending = sum(LocalStorage().exists(url) for url in _pending_urls(None, None))
		command = [str(BENCH / "env/bin/python"), "-m", "frappe.utils.bench_helper", "frappe"]
		command += ["--site", SITE, "customer-portal-migrate-files", "--batch-size", "10"]
		run = subprocess.Popen(
			command,
			cwd=BENCH / "sites",
			stdout=subprocess.PIPE,
			stderr=subprocess.STDOUT,
			start_new_session=True,
		)
		# interrupt it hard once part of the files are in the bucket
		deadline = time.monotonic() + 120
		while time.monotonic() < deadline and run.poll() is None:
			# the command moves files in URL order: ours ("migrate-N") are one run of that order
			if len([key for key in self.server.keys_under("portal/") if "/migrate-" in key]) >= 25:
				os.killpg(run.pid, signal.SIGKILL)
				break
			time.sleep(0.05)
		run.wait(timeout=30)
		self.assertEqual(
			run.returncode,
			-signal.SIGKILL,
			"the migration ended before it could be interrupted: " + run.stdout.read().decode()[-2000:],
		)
		interrupted = self.state(expected)
		self.assertTrue(0 < interrupted["in_s3"] < count, interrupted)

		finished = subprocess.run(command, cwd=BENCH / "sites", capture_output=True, text=True, timeout=300)
		self.assertEqual(finished.returncode, 0, finished.stdout[-2000:] + finished.stderr[-2000:])
		self.assertIn("Moved", finished.stdout)
		final = self.state(expected)
		self.assertEqual(final["in_s3"], count, final)
		self.assertEqual(final["local_left"], 0, final)
		# every local file of the site moved exactly once, and every object is some File row's
		migrated = set(self.server.keys_under("portal/")) - before
		self.assertEqual(len(migrated), pending)
		with site_connection() as frappe:
			referenced = {
				key_of(url) for url in frappe.get_all("File", pluck="file_url") if "key=" in (url or "")
			}
		self.assertLessEqual(migrated, referenced)
		for name, (file_url, checksum) in final["documents"].items():
			self.assertEqual(expected[name], checksum)
			body = self.server.client.get_object(Bucket=BUCKET, Key=key_of(file_url))["Body"].read()
			self.assertEqual(hashlib.sha256(body).hexdigest(), checksum, name)
		# a migrated document still downloads through its customer's link
		sample = sorted(expected)[0]
		served = requests.get(self.presigned_for(sample), timeout=10)
		self.assertEqual(hashlib.sha256(served.content).hexdigest(), expected[sample])

	def local_documents(self, count: int) -> dict[str, str]:
		"""`count` local private documents of the customer; their names and SHA-256s."""
		expected = {}
		with site_connection() as frappe:
			for index in range(count):
				content = PDF + os.urandom(32 * 1024) + f"% {index}".encode()
				file = frappe.get_doc(
					{
						"doctype": "File",
						"file_name": f"migrate-{index}.pdf",
						"is_private": 1,
						"content": content,
					}
				).insert()
				assert file.file_url.startswith("/private/files/"), file.file_url
				document = frappe.get_doc(
					{
						"doctype": "Document",
						"customer": OWN,
						"document_type": "Report",
						"title": f"Migration {index}",
						"file": file.file_url,
					}
				).insert()
				expected[document.name] = hashlib.sha256(content).hexdigest()
		self.created.extend(expected)
		return expected

	def state(self, expected: dict[str, str]) -> dict:
		with site_connection() as frappe:
			rows = frappe.get_all(
				"Document",
				filters={"name": ("in", list(expected))},
				fields=["name", "file"],
				limit_page_length=0,
			)
			versions = frappe.get_all(
				"Document Version",
				filters={"parent": ("in", list(expected))},
				fields=["parent", "file", "sha256"],
				limit_page_length=0,
			)
			files = frappe.get_all(
				"File",
				filters={"attached_to_name": ("in", list(expected)), "attached_to_doctype": "Document"},
				pluck="file_url",
				limit_page_length=0,
			)
			private = Path(frappe.get_site_path("private", "files")).resolve()
		in_s3 = [row for row in rows if "customer_portal.api.files.download" in row.file]
		version_of = {row.parent: row for row in versions}
		for row in rows:
			self.assertEqual(version_of[row.name].file, row.file, "a version kept a stale URL")
		self.assertEqual(sorted(files), sorted(row.file for row in rows))
		local_left = [p for p in private.glob("migrate-*.pdf")]
		return {
			"in_s3": len(in_s3),
			"local_left": len(local_left),
			"documents": {row.name: (row.file, version_of[row.name].sha256) for row in in_s3},
		}


class S3rverStorageTest(DownloadFlow, S3StorageCase):
	kind = "s3rver"

	def test_presigned_url_works_within_its_lifetime_and_not_after(self):
		with site_connection():
			from customer_portal.documents.storage import s3_storage

			url = s3_storage().presigned_url(self.file_url, 2, "report.pdf", "application/pdf")
		self.assertEqual(requests.get(url, timeout=10).status_code, 200)
		time.sleep(3.5)
		expired = requests.get(url, timeout=10)
		self.assertEqual(expired.status_code, 403)
		self.assertIn("expired", expired.text)

	def test_tampered_presigned_url_fails(self):
		location = self.presigned()
		expires = re.search(r"Expires=(\d+)", location).group(1)
		signature = re.search(r"Signature=([^&]+)", location).group(1)
		tampered = {
			"longer lifetime": location.replace(f"Expires={expires}", f"Expires={int(expires) + 3600}"),
			"forged signature": location.replace(
				signature, ("B" if signature[0] == "A" else "A") + signature[1:]
			),
			"inline disposition": location.replace("attachment", "inline"),
			"another object": location.replace(key_of(self.file_url).rsplit("/", 1)[0], "portal/other"),
		}
		for case, url in tampered.items():
			with self.subTest(case):
				self.assertNotEqual(url, location)
				self.assertEqual(requests.get(url, timeout=10).status_code, 403, case)
		self.assertEqual(requests.get(location, timeout=10).status_code, 200)
