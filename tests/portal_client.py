"""A logged-in HTTP client for the live test server (session cookie + CSRF token, like a browser)."""

import json
import os
import re
from contextlib import contextmanager

import requests

BASE_URL = os.environ.get("CP_E2E_URL", "http://127.0.0.1:8000")
ADMIN_PASSWORD = os.environ.get("CP_E2E_ADMIN_PASSWORD", "admin")
DEMO_PASSWORD = os.environ.get("CP_E2E_DEMO_PASSWORD", "portal-demo-2026")
# desk pages set `frappe.csrf_token = "..."` in a script; portal pages carry <meta name="csrf-token">
CSRF = re.compile(r'(?:csrf_token\s*=\s*"|<meta name="csrf-token" content=")([0-9a-f]+)"')


def csrf_token_in(html: str) -> str:
	match = CSRF.search(html)
	return match.group(1) if match else ""


class PortalClient:
	"""`base_url` is the live server (default `CP_E2E_URL`); `headers` go with every request."""

	def __init__(
		self,
		user: str | None = None,
		password: str | None = None,
		base_url: str = BASE_URL,
		headers: dict | None = None,
	):
		self.session = requests.Session()
		self.session.headers.update(headers or {})
		self.base_url = base_url
		self.user = user
		if user:
			self.login(user, password or (ADMIN_PASSWORD if user == "Administrator" else DEMO_PASSWORD))

	def login(self, user: str, password: str) -> None:
		response = self.session.post(f"{self.base_url}/api/method/login", data={"usr": user, "pwd": password})
		response.raise_for_status()
		# desk users find their CSRF token in /app, customers in any portal page (which makes it)
		page = self.session.get(
			f"{self.base_url}{'/app' if response.json().get('home_page') == '/app' else '/portal'}"
		)
		self.session.headers["X-Frappe-CSRF-Token"] = csrf_token_in(page.text)

	def request(self, method: str, path: str, **kwargs) -> requests.Response:
		kwargs.setdefault("allow_redirects", False)
		return self.session.request(method, f"{self.base_url}{path}", **kwargs)

	def get(self, path: str, **kwargs) -> requests.Response:
		return self.request("GET", path, **kwargs)

	def post(self, path: str, **kwargs) -> requests.Response:
		return self.request("POST", path, **kwargs)

	def call(self, method: str, http: str = "GET", **params) -> requests.Response:
		params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
		if http == "GET":
			return self.get(f"/api/method/{method}", params=params)
		return self.request(http, f"/api/method/{method}", data=params)

	def first(self, doctype: str, filters: dict | list) -> str:
		"""Name of the first record matching `filters` (as this client's user sees it)."""
		response = self.get(
			f"/api/resource/{doctype}", params={"filters": json.dumps(filters), "limit_page_length": 1}
		)
		response.raise_for_status()
		return response.json()["data"][0]["name"]


def observed(response: requests.Response, name: str) -> tuple:
	"""What an attacker can compare between two responses: status, type and body, with the probed name
	masked and per-error random ids dropped."""
	body = response.text.replace(name, "<name>")
	try:
		data = json.loads(body)
	except ValueError:
		# HTML pages carry per-request nonces and build ids; compare their visible text
		text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S)
		return response.status_code, response.headers.get("Content-Type"), " ".join(text.split())
	if isinstance(data, dict) and "_server_messages" in data:
		messages = [json.loads(m) for m in json.loads(data["_server_messages"])]
		data["_server_messages"] = [{k: v for k, v in m.items() if k != "__frappe_exc_id"} for m in messages]
	return response.status_code, response.headers.get("Content-Type"), data


@contextmanager
def site_connection(site: str | None = None):
	"""The test site (or another site of the bench) opened in this process as Administrator, for setup
	and for checks behind the API."""
	import frappe

	cwd = os.getcwd()
	os.chdir(os.environ["CP_E2E_SITES_PATH"])  # frappe resolves its logs folder from the sites folder
	frappe.init(site=site or os.environ["CP_E2E_SITE"], sites_path=".")
	try:
		frappe.connect()
		frappe.set_user("Administrator")
		yield frappe
		frappe.db.commit()
	finally:
		frappe.destroy()
		os.chdir(cwd)


def set_raw_value(doctype: str, name: str, field: str, value: str) -> None:
	"""Store a value as an import or integration would, past Frappe's HTML sanitiser for text fields."""
	with site_connection() as frappe:
		frappe.db.set_value(doctype, name, field, value)


def make_portal_user(
	prefix: str, customer: str | None = "Acme Logistics", role: str = "Member", **fields
) -> str:
	"""A new website user `<prefix>-<random>@example.com` with the demo password, linked to `customer`
	with `role` (no customer: linked to none); `fields` go on the User (e.g. enabled, simultaneous_sessions)."""
	import uuid

	email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
	with site_connection() as frappe:
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": prefix.replace("-", " ").title(),
				"send_welcome_email": 0,
				"user_type": "Website User",
				"new_password": DEMO_PASSWORD,
				**fields,
			}
		).insert(ignore_permissions=True)
		if customer:
			doc = frappe.get_doc("Customer", customer)
			doc.append("portal_users", {"user": email, "portal_role": role})
			doc.save(ignore_permissions=True)
	return email


def signed_in_user(session: requests.Session) -> str:
	"""Who a requests session is signed in as ("Guest" when it is not)."""
	response = session.get(f"{BASE_URL}/api/method/frappe.auth.get_logged_user")
	return response.json().get("message", "Guest") if response.ok else "Guest"


def make_unpaid_invoice(customer: str = "Acme Logistics", rate: float = 1250.0) -> str:
	"""A new submitted, unpaid invoice of `customer` (one service line); returns its name."""
	from datetime import date, timedelta

	with site_connection() as frappe:
		invoice = frappe.get_doc(
			{
				"doctype": "Invoice",
				"customer": customer,
				"posting_date": date.today(),
				"due_date": date.today() + timedelta(days=30),
				"items": [{"item_name": "Consulting", "qty": 1, "rate": rate}],
			}
		).insert(ignore_permissions=True)
		invoice.submit()
		return invoice.name
