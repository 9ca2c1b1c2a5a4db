"""The least-privilege matrix: every doctype of every installed app that is neither scoped by the policy nor
on its allowlist, tried through Frappe's generic paths by a customer admin, a member, and a website user
linked to no customer. Generated from the installed site (its DocType table), not listed by hand.

Each attempt must be refused or answer not found (an empty list counts as nothing found); afterwards no
attacked doctype has a row more or less than before. Files go through every way Frappe stores one
(upload_file v1 and v2, the legacy uploadfile, REST and v2 inserts, frappe.client.insert) as a public
HTML page; none is stored. What staff write outside the portal's doctypes (a public Event) is listed to
no customer. The counts per class are printed.
"""

import base64
import json
import unittest
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from portal_client import PortalClient, make_portal_user, site_connection

from customer_portal.permissions import ALLOWED_DOCTYPES, SCOPED_DOCTYPES

# rows that refusals themselves add (the activity log keeps each "Access Denied") or that the test
# server's own work writes meanwhile (sessions, emails, jobs)
MOVING = frozenset(
	{
		"Access Log",
		"Activity Log",
		"Error Log",
		"Route History",
		"Scheduled Job Log",
		"Email Queue",
		"Email Queue Recipient",
		"Version",
		"Deleted Document",
		"Submission Queue",
		"Notification Log",
		"Integration Request",
		"Webhook Request Log",
		"Unhandled Email",
		"Prepared Report",
		"Data Import Log",
	}
)
# Frappe's controller of these raises on an empty row before any permission check (a 500 that stores
# nothing: the row counts say so)
CRASH_BEFORE_PERMISSION = frozenset({"Submission Queue"})
HTML = b"<html><body><script>alert(document.domain)</script></body></html>"


def empty(response) -> bool:
	"""An answer that shows no row: a refusal, not found, or an empty list or count."""
	if response.status_code in (401, 403, 404):
		return True
	if response.status_code != 200:
		return False
	try:
		body = response.json()
	except ValueError:
		return False
	value = body.get("data", body.get("message"))
	if isinstance(value, dict):  # reportview.get
		value = value.get("values")
	return value in ([], 0, None, {})


def refused(response) -> bool:
	"""A write that did not happen: any answer but success (row counts are checked as well)."""
	return response.status_code >= 400 and response.status_code < 500


class LeastPrivilegeMatrix(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.users = {
			"customer admin": make_portal_user("lp-admin", role="Customer Admin"),
			"member": make_portal_user("lp-member"),
			"unlinked": make_portal_user("lp-unlinked", customer=None),
		}
		cls.clients = {kind: PortalClient(user) for kind, user in cls.users.items()}
		with site_connection() as frappe:
			rows = frappe.get_all(
				"DocType", filters={"istable": 0, "is_virtual": 0}, fields=["name", "issingle"]
			)
			cls.doctypes = sorted(
				(row.name, bool(row.issingle))
				for row in rows
				if row.name not in SCOPED_DOCTYPES and row.name not in ALLOWED_DOCTYPES
			)
			# a row of each doctype that has one, to read, change and delete by name
			cls.existing = {}
			for name, single in cls.doctypes:
				if not single:
					found = frappe.get_all(name, pluck="name", limit=1, order_by="creation desc")
					if found:
						cls.existing[name] = str(found[0])
			# staff's internal public event, which no customer may list
			cls.internal_event = (
				frappe.get_doc(
					{
						"doctype": "Event",
						"subject": "INTERNAL: pricing review for Globex",
						"event_type": "Public",
						"starts_on": "2030-01-01 10:00:00",
						"owner": "Administrator",
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		cls.tally = Counter()

	@classmethod
	def tearDownClass(cls):
		total = sum(cls.tally.values())
		print(f"\nleast-privilege matrix: {total} attempts", flush=True)
		for kind, count in sorted(cls.tally.items()):
			print(f"  {kind:<34} {count:>7}", flush=True)

	def counts(self) -> dict:
		with site_connection() as frappe:
			return {
				name: frappe.db.count(name)
				for name, single in self.doctypes
				if not single and name not in MOVING
			}

	def attempts(self, doctype: str, single: bool):
		"""(class, how to judge it, request) for one doctype: reads, creates, and for an existing row its
		reads, changes and deletion by name."""
		if not single:
			yield "list", empty, ("GET", f"/api/resource/{doctype}", {})
			yield "list", empty, ("GET", f"/api/v2/document/{doctype}", {})
			yield (
				"list",
				empty,
				("GET", "/api/method/frappe.client.get_list", {"params": {"doctype": doctype}}),
			)
			yield (
				"list",
				empty,
				(
					"POST",
					"/api/method/frappe.desk.reportview.get",
					{"data": {"doctype": doctype, "fields": '["name"]'}},
				),
			)
			yield (
				"count",
				empty,
				("GET", "/api/method/frappe.client.get_count", {"params": {"doctype": doctype}}),
			)
			yield "count", empty, ("GET", f"/api/v2/doctype/{doctype}/count", {})
		doc = json.dumps({"doctype": doctype})
		yield "create", refused, ("POST", f"/api/resource/{doctype}", {"data": {"data": "{}"}})
		yield "create", refused, ("POST", f"/api/v2/document/{doctype}", {"json": {}})
		yield "create", refused, ("POST", "/api/method/frappe.client.insert", {"data": {"doc": doc}})
		yield (
			"create",
			refused,
			("POST", "/api/method/frappe.client.insert_many", {"data": {"docs": f"[{doc}]"}}),
		)
		name = self.existing.get(doctype) or (doctype if single else None)
		if name is None:
			return
		yield "read", refused, ("GET", f"/api/resource/{doctype}/{name}", {})
		yield "read", refused, ("GET", f"/api/v2/document/{doctype}/{name}", {})
		yield (
			"read",
			refused,
			("GET", "/api/method/frappe.client.get", {"params": {"doctype": doctype, "name": name}}),
		)
		yield (
			"read",
			refused,
			(
				"GET",
				"/api/method/frappe.desk.form.load.getdoc",
				{"params": {"doctype": doctype, "name": name}},
			),
		)
		yield "print", refused, ("GET", "/printview", {"params": {"doctype": doctype, "name": name}})
		yield (
			"print",
			refused,
			(
				"GET",
				"/api/method/frappe.utils.print_format.download_pdf",
				{"params": {"doctype": doctype, "name": name}},
			),
		)
		yield "write", refused, ("PUT", f"/api/resource/{doctype}/{name}", {"data": {"data": '{"idx": 7}'}})
		yield (
			"write",
			refused,
			(
				"POST",
				"/api/method/frappe.client.set_value",
				{"data": {"doctype": doctype, "name": name, "fieldname": "idx", "value": "7"}},
			),
		)
		yield "delete", refused, ("DELETE", f"/api/resource/{doctype}/{name}", {})
		yield (
			"delete",
			refused,
			("POST", "/api/method/frappe.client.delete", {"data": {"doctype": doctype, "name": name}}),
		)

	def test_every_other_doctype_is_refused_on_every_generic_path(self):
		before = self.counts()
		# one doctype's attempts run in turn (Frappe locks a row it is asked to change or delete before it
		# checks permission, and answers a second request for the lock with an error); doctypes in parallel
		jobs = [
			[
				(kind, doctype, label, judge, request)
				for kind in self.clients
				for label, judge, request in self.attempts(doctype, single)
			]
			for doctype, single in self.doctypes
		]

		def run(attempts):
			found = []
			for kind, doctype, label, judge, (method, path, kwargs) in attempts:
				self.tally[label] += 1
				response = self.clients[kind].request(method, path, **kwargs)
				crashed = response.status_code >= 500 and doctype not in CRASH_BEFORE_PERMISSION
				if crashed or not (judge(response) or response.status_code >= 500):
					found.append(
						f"{kind} {label} {doctype}: {method} {path} -> {response.status_code} {response.text[:160]}"
					)
			return found

		with ThreadPoolExecutor(4) as pool:
			findings = [finding for found in pool.map(run, jobs) for finding in found]
		attempts = sum(map(len, jobs))
		after = self.counts()
		changed = {
			name: (before[name], after.get(name)) for name in before if after.get(name) != before[name]
		}
		self.assertGreater(attempts, 5_000, "every doctype x every path x three users")
		self.assertEqual(findings, [], f"{len(findings)} findings:\n" + "\n".join(findings[:40]))
		self.assertEqual(changed, {}, "rows added or removed by refused attempts")

	def test_no_file_is_stored_through_frappes_upload_paths(self):
		paths = {
			"upload_file v1": ("/api/method/upload_file", {"is_private": 0}),
			"upload_file v2": ("/api/v2/method/upload_file", {"is_private": 0}),
			"uploadfile (legacy)": (
				"/api/method/frappe.handler.uploadfile",
				{"from_form": 1, "filename": "page.html", "is_private": 0},
			),
			"upload_file on a data request": (
				"/api/method/upload_file",
				{"is_private": 1, "doctype": "Personal Data Download Request", "docname": "x"},
			),
		}
		for kind, client in self.clients.items():
			for label, (path, data) in paths.items():
				self.tally["file upload"] += 1
				with self.subTest(user=kind, path=label):
					files = {"file": ("page.html", HTML, "text/html")}
					response = client.post(path, data=data, files=files)
					# the legacy uploadfile answers any exception with a 500 and no file
					legacy = response.status_code == 500 and response.json().get("message") is None
					self.assertTrue(
						refused(response) or (label.startswith("uploadfile") and legacy),
						f"{response.status_code} {response.text[:200]}",
					)
			for label, request in {
				"REST insert": (
					"POST",
					"/api/resource/File",
					{"data": {"data": json.dumps(self.file_doc())}},
				),
				"v2 insert": ("POST", "/api/v2/document/File", {"json": self.file_doc()}),
				"frappe.client.insert": (
					"POST",
					"/api/method/frappe.client.insert",
					{"data": {"doc": json.dumps({"doctype": "File", **self.file_doc()})}},
				),
			}.items():
				self.tally["file upload"] += 1
				with self.subTest(user=kind, path=label):
					method, path, kwargs = request
					response = client.request(method, path, **kwargs)
					self.assertTrue(refused(response), f"{response.status_code} {response.text[:200]}")
		with site_connection() as frappe:
			stored = frappe.get_all(
				"File", filters={"owner": ("in", list(self.users.values()))}, pluck="name"
			)
		self.assertEqual(stored, [])

	@staticmethod
	def file_doc() -> dict:
		return {
			"file_name": "page.html",
			"content": base64.b64encode(HTML).decode(),
			"decode": 1,
			"is_private": 0,
		}

	def test_nothing_staff_write_outside_the_portal_is_listed_to_customers(self):
		for kind, client in self.clients.items():
			for path in ("/api/resource/Event", "/api/v2/document/Event"):
				self.tally["staff record listed"] += 1
				with self.subTest(user=kind, path=path):
					response = client.get(path, params={"fields": '["name", "subject"]'})
					self.assertNotIn("INTERNAL", response.text)
					self.assertTrue(empty(response), response.text[:200])
