"""The portal behind nginx configured by `bench setup nginx`'s own template (tests/production/stack.py):
downloads handed to nginx, private files, headers, the client address, and TLS."""

import http.client
import os
import unittest
import uuid
from pathlib import Path

import requests
from portal_client import PortalClient, make_portal_user, site_connection

from customer_portal.accounts.login_throttle import Counter
from production.stack import ProductionStack

OWN = "Acme Logistics"
ALICE, GLOBEX_USER = "alice@acme.example.com", "dave@globex.example.com"
REQUEST = "customer_portal.api.documents.request_download"
FORGED = "203.0.113.77"


def production_stack(tls: bool = False) -> ProductionStack:
	bench = Path(os.environ["CP_E2E_SITES_PATH"]).parent
	# without CI: with it set, Frappe treats every request as a test's
	environment = {name: value for name, value in os.environ.items() if name != "CI"}
	workdir = Path(os.environ["CP_E2E_OUTPUT"]) / "production"
	workdir.mkdir(parents=True, exist_ok=True)
	return ProductionStack(bench, os.environ["CP_E2E_SITE"], environment, workdir, tls)


class StackTestCase(unittest.TestCase):
	"""One production stack (plain, or with TLS when `tls`) for the whole class."""

	tls = False

	@classmethod
	def setUpClass(cls):
		cls.stack = production_stack(cls.tls).__enter__()
		cls.site, cls.nginx = os.environ["CP_E2E_SITE"], cls.stack.nginx

	@classmethod
	def tearDownClass(cls):
		cls.stack.__exit__(None, None, None)


class NginxTest(StackTestCase):
	def client(self, user: str | None = None, **headers) -> PortalClient:
		return PortalClient(user, base_url=self.nginx.url, headers={"Host": self.site, **headers})

	def raw_get(self, path: str) -> tuple[int, bytes]:
		"""GET `path` exactly as written (requests would resolve `..` and re-quote)."""
		connection = http.client.HTTPConnection("127.0.0.1", self.nginx.port, timeout=30)
		try:
			connection.request("GET", path, headers={"Host": self.site})
			response = connection.getresponse()
			return response.status, response.read()
		finally:
			connection.close()

	def logged(self, uri: str) -> list[str]:
		"""The access log's last line for `uri`: method, URI, status, bytes sent, bytes from the app."""
		lines = [line for line in self.nginx.access_log() if line[1] == uri]
		self.assertTrue(lines, f"{uri} is not in nginx's access log")
		return lines[-1]

	def test_a_download_is_streamed_by_nginx_not_by_the_app(self):
		alice = self.client(ALICE)
		document = alice.first("Document", {"customer": OWN})
		response = alice.post(
			f"/api/method/{REQUEST}", data={"name": document}, headers={"Accept": "application/json"}
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		url = response.json()["message"]["url"]
		download = alice.get(url)
		self.assertEqual(download.status_code, 200, download.text[:300])
		self.assertIn(OWN.encode(), download.content)
		self.assertTrue(download.headers["Content-Disposition"].startswith("attachment"))
		self.assertEqual(download.headers["X-Content-Type-Options"], "nosniff")
		_method, _uri, status, sent, from_app = self.logged(url)
		self.assertEqual(status, "200")
		self.assertGreater(int(sent), 0)
		# the app answered with X-Accel-Redirect and an empty body; nginx read the file itself
		self.assertEqual(from_app, "0")
		# the link was spent: through nginx too, a second use is refused
		self.assertEqual(alice.get(url).status_code, 404)

	def test_private_files_reach_nobody_the_app_refuses(self):
		with site_connection() as frappe:
			file_url = frappe.db.get_value(
				"Document", {"customer": OWN, "file": ["like", "/private/%"]}, "file"
			)
		self.assertTrue(file_url, "no private document file in the demo data")
		content = (Path(os.environ["CP_E2E_SITES_PATH"]) / self.site / file_url.lstrip("/")).read_bytes()
		for who in (self.client(), self.client(GLOBEX_USER)):
			response = who.get(file_url)
			self.assertIn(response.status_code, (403, 404), f"{who.user}: {response.status_code}")
			self.assertNotIn(content, response.content)
		name = file_url.removeprefix("/private/files/")
		tricks = [
			f"/protected/{self.site}/private/files/{name}",
			f"/protected{file_url}",
			f"/{self.site}/private/files/{name}",
			f"/files/../private/files/{name}",
			f"/files/%2e%2e/private/files/{name}",
			f"/assets/../{self.site}/private/files/{name}",
			f"/assets/%2e%2e/{self.site}/private/files/{name}",
			f"/files/..%2f..%2f{self.site}/private/files/{name}",
		]
		for path in tricks:
			status, body = self.raw_get(path)
			self.assertNotEqual(status, 200, path)
			self.assertNotIn(content, body, path)

	def test_public_files_are_never_sniffed_or_rendered(self):
		public = Path(os.environ["CP_E2E_SITES_PATH"]) / self.site / "public" / "files"
		public.mkdir(parents=True, exist_ok=True)
		stem = f"cp-nginx-{uuid.uuid4().hex[:8]}"
		written = []
		try:
			for suffix, body in (
				(".txt", "plain text"),
				(".svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"),
			):
				(public / f"{stem}{suffix}").write_text(body)
				written.append(public / f"{stem}{suffix}")
			text = self.client().get(f"/files/{stem}.txt")
			self.assertEqual(text.status_code, 200)
			self.assertEqual(text.headers.get("X-Content-Type-Options"), "nosniff")
			self.assertEqual(self.logged(f"/files/{stem}.txt")[4], "-")  # nginx served it, not the app
			# bench's location for html, svg and xml sets Content-Disposition only (docs/security.md)
			svg = self.client().get(f"/files/{stem}.svg")
			self.assertEqual(svg.status_code, 200)
			self.assertEqual(svg.headers.get("Content-Disposition"), "attachment")
		finally:
			for path in written:
				path.unlink(missing_ok=True)

	def test_portal_pages_keep_their_security_headers(self):
		page = self.client(ALICE).get("/portal")
		self.assertEqual(page.status_code, 200)
		policies = page.raw.headers.getlist("Content-Security-Policy")
		self.assertEqual(len(policies), 1, policies)
		self.assertIn("default-src", policies[0])
		# the app and nginx both send nosniff; a browser takes the one value
		sniffing = {value.strip() for value in page.raw.headers.getlist("X-Content-Type-Options")}
		self.assertEqual(sniffing, {"nosniff"})
		frame_options = {value.strip() for value in page.raw.headers.getlist("X-Frame-Options")}
		self.assertTrue(frame_options and frame_options <= {"DENY", "SAMEORIGIN"}, frame_options)
		self.assertIn("Strict-Transport-Security", page.headers)

	def test_the_client_address_is_the_one_nginx_passes(self):
		user = make_portal_user("nginx-address")
		direct = PortalClient(
			base_url=self.stack.gunicorn.url, headers={"Host": self.site, "X-Forwarded-For": FORGED}
		)
		direct.login(user, os.environ.get("CP_E2E_DEMO_PASSWORD", "portal-demo-2026"))
		self.client(user, **{"X-Forwarded-For": FORGED})
		with site_connection() as frappe:
			addresses = frappe.get_all(
				"Activity Log",
				filters={"user": user, "operation": "Login", "status": "Success"},
				pluck="ip_address",
				order_by="creation asc",
			)
			loopback = Counter("ip", "127.0.0.1")
			before = loopback.state()[0]
		# straight to gunicorn from 127.0.0.1, a trusted proxy of the test site, the header names the
		# client; through nginx, which replaces it with the peer's address, it does not
		self.assertEqual(addresses, [FORGED, "127.0.0.1"])
		failed = requests.post(
			f"{self.nginx.url}/api/method/login",
			data={"usr": user, "pwd": "wrong password"},
			headers={"Host": self.site, "X-Forwarded-For": FORGED},
			timeout=30,
		)
		self.assertEqual(failed.status_code, 401)
		with site_connection() as frappe:
			try:
				self.assertEqual(Counter("ip", FORGED).state()[0], 0)
				self.assertEqual(Counter("ip", "127.0.0.1").state()[0], before + 1)
			finally:
				# the other suites sign in from 127.0.0.1: leave its count as it was
				if before:
					frappe.cache.hset(loopback.key, "count", before)
				else:
					loopback.clear()


class NginxTlsTest(StackTestCase):
	tls = True

	def test_cookies_are_secure_and_hsts_is_sent(self):
		login = requests.post(
			f"{self.nginx.url}/api/method/login",
			data={"usr": ALICE, "pwd": os.environ.get("CP_E2E_DEMO_PASSWORD", "portal-demo-2026")},
			headers={"Host": self.site},
			verify=self.nginx.certificate,
			timeout=30,
		)
		self.assertEqual(login.status_code, 200, login.text[:300])
		cookies = {cookie.name: cookie for cookie in login.cookies}
		self.assertIn("sid", cookies)
		self.assertTrue(all(cookie.secure for cookie in cookies.values()), list(cookies))
		self.assertTrue(login.headers["Strict-Transport-Security"].startswith("max-age="))

	def test_plain_http_is_sent_to_https(self):
		connection = http.client.HTTPConnection("127.0.0.1", self.nginx.http_port, timeout=30)
		try:
			connection.request("GET", "/portal", headers={"Host": self.site})
			response = connection.getresponse()
			self.assertEqual(response.status, 301)
			self.assertEqual(response.getheader("Location"), f"https://{self.site}/portal")
		finally:
			connection.close()
