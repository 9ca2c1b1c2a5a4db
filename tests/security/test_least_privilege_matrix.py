"""The least-privilege matrix: every doctype of every installed app that is neither scoped by the policy nor
on its allowlist, tried through Frappe's generic paths by a customer admin, a member, and a website user
linked to no customer. Generated from the installed site (its DocType table), not listed by hand.

Each attempt must be refused or answer not found (an empty list counts as nothing found); afterwards no
attacked doctype has a row more or less than before. Files go through every way Frappe stores one
(upload_file v1 and v2, the legacy uploadfile, REST and v2 inserts, frappe.client.insert) as a public
HTML page; none is stored. What staff write outside the portal's doctypes (a public Event, a Contact
shared with everyone) is listed to no customer. The counts per class are printed.
"""

import base64
import json
import unittest
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from portal_client import site_connection

from customer_portal.permissions import ALLOWED_DOCTYPES, SCOPED_DOCTYPES
from security.least_privilege import (
	changed_counts,
	empty,
	refused,
	restricted_users,
	row_counts,
	signed_in,
)

# Frappe's controller of these raises on an empty row before any permission check (a 500 that stores
# nothing: the row counts say so)
CRASH_BEFORE_PERMISSION = frozenset({"Submission Queue"})
HTML = b"<html><body><script>alert(document.domain)</script></body></html>"
# what each of frappe.api's document routes does, by its endpoint: reads of a list find nothing, every
# other call is refused
LIST_ENDPOINTS = frozenset({"document_list", "count"})
# the document method a route of `<method>` runs: a whitelisted method of every Document
DOCUMENT_METHOD = "add_comment"


class LeastPrivilegeMatrix(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.users = restricted_users("lp")
		cls.clients = signed_in(cls.users)
		with site_connection() as frappe:
			cls.routes = document_routes()
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
			# staff's internal contact, shared with everyone as staff do in desk: Frappe adds a user's shared
			# records to their lists where their role reads only its own rows ("All" on Contact and Address)
			cls.internal_contact = (
				frappe.get_doc({"doctype": "Contact", "first_name": "INTERNAL: Globex buyer"})
				.insert(ignore_permissions=True)
				.name
			)
			for doctype, name in (("Event", cls.internal_event), ("Contact", cls.internal_contact)):
				frappe.share.add_docshare(doctype, name, everyone=1, flags={"ignore_share_permission": True})
			frappe.db.commit()
		cls.tally = Counter()

	@classmethod
	def tearDownClass(cls):
		with site_connection() as frappe:
			for doctype, name in (("Event", cls.internal_event), ("Contact", cls.internal_contact)):
				frappe.db.delete("DocShare", {"share_doctype": doctype, "share_name": name})
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			frappe.db.commit()
		total = sum(cls.tally.values())
		print(f"\nleast-privilege matrix: {total} attempts", flush=True)
		for kind, count in sorted(cls.tally.items()):
			print(f"  {kind:<34} {count:>7}", flush=True)

	def counts(self) -> dict:
		return row_counts(name for name, single in self.doctypes if not single)

	def route_attempts(self, doctype: str, single: bool, name: str | None):
		"""Every document route of frappe.api on `doctype`: its lists and counts, its creation, and for a
		row of it, the row's read, copy, change, deletion and document methods."""
		for template, method, endpoint in self.routes:
			takes_name = "<path:name>" in template
			if (takes_name and name is None) or (not takes_name and single and endpoint in LIST_ENDPOINTS):
				continue
			path = (
				template.replace("<doctype>", doctype)
				.replace("<path:name>", str(name))
				.replace("<method>", DOCUMENT_METHOD)
			)
			label = f"route {endpoint}"
			if endpoint in LIST_ENDPOINTS:
				yield label, empty, (method, path, {})
			elif method == "GET":
				yield label, refused, (method, path, {})
			else:
				yield label, refused, (method, path, {"json": {"idx": 7, "content": "x"}})

	def attempts(self, doctype: str, single: bool):
		"""(class, how to judge it, request) for one doctype: reads, creates, and for an existing row its
		reads, changes and deletion by name."""
		name = self.existing.get(doctype) or (doctype if single else None)
		yield from self.route_attempts(doctype, single, name)
		if not single:
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
			yield (
				"list",
				empty,
				(
					"GET",
					"/api/method/frappe.client.get_value",
					{"params": {"doctype": doctype, "fieldname": "name", "filters": "{}"}},
				),
			)
		doc = json.dumps({"doctype": doctype})
		yield "create", refused, ("POST", "/api/method/frappe.client.insert", {"data": {"doc": doc}})
		yield (
			"create",
			refused,
			("POST", "/api/method/frappe.client.insert_many", {"data": {"docs": f"[{doc}]"}}),
		)
		if name is None:
			return
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
		yield (
			"write",
			refused,
			(
				"POST",
				"/api/method/frappe.client.set_value",
				{"data": {"doctype": doctype, "name": name, "fieldname": "idx", "value": "7"}},
			),
		)
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
		changed = changed_counts(before, self.counts())
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
		"""Staff's public Event and their Contact shared with everyone, through every list Frappe has."""
		for doctype, name in (("Event", self.internal_event), ("Contact", self.internal_contact)):
			for kind, client in self.clients.items():
				for path, params in staff_record_lists(doctype):
					self.tally["staff record listed"] += 1
					with self.subTest(user=kind, path=path, doctype=doctype):
						response = client.get(path, params=params)
						self.assertNotIn("INTERNAL", response.text)
						self.assertNotIn(name, response.text)
						self.assertTrue(empty(response), response.text[:200])


def staff_record_lists(doctype: str) -> list[tuple[str, dict]]:
	"""(path, parameters) of each list and count Frappe answers for `doctype`."""
	fields = {"fields": '["name"]'}
	return [
		*(
			(f"{prefix}/{doctype}", fields)
			for prefix in ("/api/resource", "/api/v1/resource", "/api/v2/document")
		),
		(f"/api/v2/doctype/{doctype}/count", {}),
		*(
			(f"/api/method/{function}", {"doctype": doctype, **params})
			for function, params in (
				("frappe.client.get_list", fields),
				("frappe.client.get_count", {}),
				("frappe.client.get_value", {"fieldname": "name", "filters": "{}"}),
				("frappe.desk.reportview.get", fields),
				("frappe.desk.search.search_link", {"txt": ""}),
				("frappe.desk.search.search_widget", {"txt": ""}),
			)
		),
	]


def document_routes() -> list[tuple[str, str, str]]:
	"""(path, HTTP method, endpoint) of each route of frappe.api's v1 and v2 `url_rules` that takes a
	doctype, once per endpoint and method (`/api/v1/...` repeats the rules of `/api/...`)."""
	from frappe.api import API_URL_MAP

	routes, seen = [], set()
	for rule in API_URL_MAP.iter_rules():
		if "<doctype>" not in rule.rule or "/method/<doctype>/" in rule.rule:
			continue  # v2's doctype-module functions: with every whitelisted function
		endpoint = getattr(rule.endpoint, "__name__", str(rule.endpoint))
		for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
			version = "v2" if rule.rule.startswith("/api/v2/") else "v1"
			if (version, endpoint, method) not in seen:
				seen.add((version, endpoint, method))
				routes.append((rule.rule, method, endpoint))
	return routes
