"""The security probe suite: attacks generated from the app's own surface (tests/security/surface.py)
against the live test site, by a customer admin and a member of Acme Logistics, on the records of
Globex Manufacturing (tests/security/victims.py). It prints one table, probes and findings per class,
and fails on any finding.

- IDOR: every scoped doctype x every way to name a record (Frappe's REST and generic endpoints, every
  Frappe function taking a doctype and a name, every whitelisted function of the app, every portal route
  and the parameters it reads), for reading, changing, deleting and creating for the other customer;
  another customer's record must answer exactly like one that does not exist, and nothing of theirs may
  change.
- CSRF, SQL injection, uploads, XSS and headers: see each test.
"""

import html
import json
import os
import re
import unittest
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import requests
from chromium import launch
from portal_client import BASE_URL, PortalClient, make_portal_user, site_connection

from security.hostile_records import make_hostile_customer
from security.payloads import SQL, XSS
from security.probing import (
	SQL_ERROR,
	Attacker,
	Matrix,
	call_kwargs,
	check_response,
	form_params,
	fresh_address,
	tally,
)
from security.surface import (
	DOCTYPE_PARAMS,
	LIST_PARAMS,
	NAME_PARAMS,
	app_endpoints,
	frappe_record_endpoints,
	portal_routes,
	scoped_doctypes,
	state_changing,
)
from security.victims import (
	USER,
	VICTIM_CUSTOMER,
	VICTIM_USER,
	canaries,
	make_victims,
	missing_names,
	snapshot,
)

# values for the parameters a probe does not aim at, so that an endpoint gets as far as its permission
# check instead of stopping at a missing argument
FILLERS = {
	"fieldname": "modified",
	"value": "2001-01-01 00:00:00",
	"content": "probe",
	"message": "probe",
	"subject": "probe",
	"title": "probe",
	"reply": "probe",
	"tag": "probe",
	"add": "Yes",
	"perm_type": "read",
	"action": "Cancel",
	"data": "{}",
	"filename": "probe.txt",
	"filedata": "cHJvYmU=",
	"decode_base64": 1,
	"is_private": 1,
	"assign_to": '["staff@portal.example.com"]',
	"comment_email": "probe@example.com",
	"comment_by": "probe",
	"recipients": "probe@example.com",
	"send_email": 0,
	"format": "Standard",
}


# installed before any page script: keeps every CSP violation the page reports
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
	window.__violations.push(`CSP ${e.violatedDirective} blocked ${e.blockedURI}`));
"""
INSPECT = """() => {
	const marked = document.querySelectorAll("[data-xss]");
	return {
		violations: window.__violations || [],
		ran: Boolean(window.__xss),
		marked: marked.length,
		sample: marked.length ? marked[0].outerHTML.slice(0, 120) : "",
		links: document.querySelectorAll('a[href^="javascript:" i], iframe[src^="javascript:" i]').length,
		evaluated: document.body ? document.body.innerText.includes("xss49xss") : false,
	};
}"""
# pages that show the user's own recent activity, i.e. what the probes themselves just did
ECHOING = frozenset({"/portal/activity"})


class ProbeSuite(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.doctypes = scoped_doctypes()
		cls.victims = make_victims(cls.doctypes)
		cls.missing = missing_names(cls.victims)
		cls.canaries = canaries()
		# the attackers' own company, so that whatever the probes change on their own side (a setting, a
		# token, two-factor turned on by a probe value that reads as "1") stays away from the other suites
		# Two such companies: the app's own endpoints make things for their caller (an API token
		# labelled with whatever name was probed, a ticket), and the pages and searches of the company
		# running the generic probes would then show those names back
		cls.own, cls.attackers = attacking_company()
		cls.app_callers = attacking_company()[1]

	@classmethod
	def tearDownClass(cls):
		print("\n" + tally.table(), flush=True)
		report = Path(os.environ.get("CP_E2E_OUTPUT", ".")) / "probe-findings.txt"
		report.write_text(
			tally.table()
			+ "\n\n"
			+ "\n".join(f"[{kind}] {text}" for kind, texts in tally.findings.items() for text in texts)
			+ "\n"
		)
		print(f"findings: {report}", flush=True)

	def setUp(self):
		# CP_PROBES=sql,idor runs only those tests (while working on one class of probes)
		chosen = os.environ.get("CP_PROBES")
		if chosen and not any(f"test_{c.strip()}" in self._testMethodName for c in chosen.split(",")):
			self.skipTest(f"CP_PROBES={chosen}")

	def assert_no_findings(self, kind: str, minimum: int):
		findings = tally.findings[kind]
		self.assertGreaterEqual(tally.probes[kind], minimum, kind)
		self.assertEqual(findings, [], f"{len(findings)} {kind} findings:\n" + "\n".join(findings[:40]))

	# -- uploads --------------------------------------------------------------------------------------

	def test_uploads(self):
		"""The hostile-file corpus of test_http_uploads against every way a customer can send a file: a
		new document, a ticket and a ticket reply (the app's endpoints), and Frappe's own upload_file and
		attach_file. Each file is refused with nothing stored, or, where Frappe stores it, it can only
		ever be downloaded as an inert attachment (never rendered by the browser)."""
		from security import test_http_uploads as corpus

		who = self.attackers[0]
		ticket = who.send(
			"POST",
			"/api/method/customer_portal.api.tickets.open_ticket",
			fresh_address(),
			data={"subject": "Upload probes", "message": "probe"},
			headers={"Accept": "application/json"},
		).json()["message"]["name"]
		paths = {
			"documents.upload": lambda n, c, t: (
				"/api/method/customer_portal.api.documents.upload",
				{"document_type": t, "title": "probe"},
				{"file": (n, c)},
			),
			"tickets.open_ticket": lambda n, c, t: (
				"/api/method/customer_portal.api.tickets.open_ticket",
				{"subject": "probe", "message": "probe"},
				{"attachments": (n, c)},
			),
			"tickets.reply": lambda n, c, t: (
				"/api/method/customer_portal.api.tickets.reply",
				{"ticket": ticket, "message": "probe"},
				{"attachments": (n, c)},
			),
			"frappe upload_file": lambda n, c, t: (
				"/api/method/upload_file",
				{"is_private": 1},
				{"file": (n, c)},
			),
			"frappe upload_file on the ticket": lambda n, c, t: (
				"/api/method/upload_file",
				{"is_private": 1, "doctype": "Support Ticket", "docname": ticket},
				{"file": (n, c)},
			),
		}
		# what an accepted upload adds (the app accepts a file its rules allow and serves it inertly, as
		# test_http_uploads checks); a refused one must add nothing
		adds = {"documents.upload": "Document", "tickets.open_ticket": "Support Ticket Message"}
		adds["tickets.reply"] = "Support Ticket Message"
		expected = self.stored_for(who.user)
		for case, document_type, name, content in corpus.HOSTILE:
			for label, build in paths.items():
				tally.probe("uploads")
				path, data, files = build(name, content, document_type)
				response = who.send(
					"POST",
					path,
					fresh_address(),
					data=data,
					files=files,
					headers={"Accept": "application/json"},
				)
				if response.status_code < 400:
					if label in adds:
						expected[adds[label]] += 1
					self.check_inert(who, label, case, response)
				elif response.status_code >= 500:
					tally.finding("uploads", f"{label} {case}: {response.status_code} {response.text[:120]}")
		print(f"\n    uploads: {len(corpus.HOSTILE)} hostile files x {len(paths)} upload paths", flush=True)
		stored = self.stored_for(who.user)
		for what, count in expected.items():
			if stored[what] != count:
				tally.finding("uploads", f"refused uploads left {stored[what] - count} {what} rows")
		self.assert_no_findings("uploads", len(corpus.HOSTILE) * len(paths))

	def stored_for(self, user: str) -> dict:
		with site_connection() as frappe:
			return {
				"Document": frappe.db.count("Document", {"customer": self.own}),
				"Support Ticket Message": frappe.db.count("Support Ticket Message", {"customer": self.own}),
			}

	def check_inert(self, who, label: str, case: str, response) -> None:
		"""A file Frappe accepted: fetching it as its owner must give an attachment the browser will not
		render (Content-Disposition attachment, nosniff, a sandboxing policy), never HTML or SVG inline."""
		message = response.json().get("message") or {}
		url = message.get("file_url") if isinstance(message, dict) else None
		if not url:
			return
		served = who.send("GET", url, fresh_address())
		if served.status_code != 200:
			return
		disposition = served.headers.get("Content-Disposition", "")
		kind = served.headers.get("Content-Type", "")
		sandboxed = "sandbox" in served.headers.get("Content-Security-Policy", "")
		if not disposition.startswith("attachment") and not sandboxed:
			tally.finding("uploads", f"{label} {case}: stored and served inline as {kind} ({url})")
		elif any(k in kind for k in ("text/html", "svg", "javascript")) and not sandboxed:
			tally.finding("uploads", f"{label} {case}: served as {kind} without a sandbox ({url})")

	# -- CSRF -----------------------------------------------------------------------------------------

	def test_csrf(self):
		"""Every state-changing endpoint (every app function answering POST, every Frappe record function
		answering POST, REST create/update/delete) refuses a signed-in POST without the session's CSRF
		token and with another session's token."""
		endpoints = [e.path for e in state_changing(app_endpoints())]
		endpoints += [e.path for e in frappe_record_endpoints() if "POST" in e.methods]
		self.assertGreaterEqual(len(endpoints), 60, endpoints)
		for expected in ("customer_portal.api.users.invite", "customer_portal.portal.web_forms.accept"):
			self.assertIn(expected, endpoints)
		requests_ = [("POST", f"/api/method/{path}") for path in endpoints]
		for doctype in self.doctypes:
			name = self.victims[doctype]
			requests_ += [
				("POST", f"/api/resource/{doctype}"),
				("PUT", f"/api/resource/{doctype}/{name}"),
				("DELETE", f"/api/resource/{doctype}/{name}"),
			]
		owner, other = self.attackers
		cookies = owner.client.session.cookies
		for method, path in requests_:
			for case, token in (("no token", None), ("another session's token", other.token)):
				tally.probe("csrf")
				headers = {"X-Forwarded-For": fresh_address()}
				if token:
					headers["X-Frappe-CSRF-Token"] = token
				response = requests.request(
					method, f"{BASE_URL}{path}", cookies=cookies, headers=headers, data={}, timeout=60
				)
				check_response(response)
				if response.status_code != 400 or "CSRFTokenError" not in response.text:
					tally.finding(
						"csrf", f"{method} {path} ({case}): {response.status_code} {response.text[:120]}"
					)
		# the same session with its own token gets past the check (its answer is the endpoint's own)
		own = owner.send(
			"POST",
			"/api/method/customer_portal.api.notifications.mark_read",
			fresh_address(),
			data={"all": 1},
		)
		self.assertNotIn("CSRFTokenError", own.text)
		print(
			f"\n    CSRF: {len(requests_)} state-changing requests, each without and with a foreign token",
			flush=True,
		)
		self.assert_no_findings("csrf", 2 * len(requests_))

	# -- XSS ------------------------------------------------------------------------------------------

	def test_xss(self):
		"""60 script payloads written into every text field of a customer's records (and their child rows,
		and the user's name) that the portal can render, then every portal page of that customer loaded in
		Chromium, and every page parameter given a payload (reflection). A payload's markup in the DOM
		(an element with data-xss, a javascript: link), a script that ran, a template that evaluated, a
		dialog or a Content-Security-Policy violation is a finding."""
		from playwright.sync_api import sync_playwright

		hostile = make_hostile_customer()
		client = PortalClient(hostile["user"])
		static, dynamic = portal_routes()
		pages = [route.path for route in static]
		for route in dynamic:
			prefix = route.path.split("<")[0]
			for name in hostile["records"].values():
				if client.get(f"{prefix}{name}").status_code == 200:
					pages.append(f"{prefix}{name}")
		self.assertGreaterEqual(len(pages), len(static) + 4, pages)
		reflected = []
		payload = iter(XSS * 10)
		for route in static:
			for param in sorted(form_params(client.get(route.path).text) | set(route.params)):
				reflected.append(f"{route.path}?{urlencode({param: next(payload)})}")
		with sync_playwright() as playwright:
			browser = launch(playwright)
			context = browser.new_context()
			context.add_cookies(
				[
					{"name": c.name, "value": c.value, "url": BASE_URL}
					for c in client.session.cookies
					if c.name in ("sid", "system_user", "full_name", "user_id")
				]
			)
			context.add_init_script(WATCH)
			page = context.new_page()
			# the detector itself: parsed payload markup is seen
			page.set_content(f"<p>{XSS[1]}</p>")
			self.assertEqual(page.evaluate(INSPECT)["marked"], 1)
			events = []
			page.on("dialog", lambda dialog: (events.append(f"dialog {dialog.message}"), dialog.dismiss()))
			page.on(
				"console",
				lambda m: events.append(m.text) if "Content Security Policy" in m.text else None,
			)
			for path in [*pages, *reflected]:
				tally.probe("xss")
				events.clear()
				page.goto(f"{BASE_URL}{path}", wait_until="load")
				page.wait_for_timeout(150)
				seen = page.evaluate(INSPECT)
				problems = [*events, *seen["violations"]]
				if seen["ran"]:
					problems.append("a payload's script ran")
				if seen["marked"]:
					problems.append(f"{seen['marked']} payload elements in the DOM: {seen['sample']}")
				if seen["links"]:
					problems.append(f"{seen['links']} javascript: links")
				if seen["evaluated"]:
					problems.append("a template payload was evaluated")
				for problem in problems:
					tally.finding("xss", f"{path}: {problem}")
			browser.close()
		print(
			f"\n    XSS: {len(XSS)} payloads in {hostile['fields']} fields, {len(pages)} pages and "
			f"{len(reflected)} reflected parameters loaded in Chromium",
			flush=True,
		)
		self.assert_no_findings("xss", len(pages))

	# -- SQL injection --------------------------------------------------------------------------------

	def test_sql_injection(self):
		"""About 40 payloads in every filter, search, sort and pagination parameter: of every portal page
		(the fields of its forms and the keys of its links), of Frappe's list, report, count and search
		endpoints, and of every GET endpoint of the app. No answer may show a database error, and none
		may hold a record of another customer (the attackers' company owns none of the demo's)."""
		who = self.attackers[0]
		others = other_customers_names(self.own)

		def leak(text: str) -> str | None:
			"""The first of the other customers' names that `text` holds as a whole word."""
			for name in others:
				at = text.find(name)
				while at >= 0:
					before, after = text[at - 1 : at], text[at + len(name) : at + len(name) + 1]
					if not re.match(r"[\w-]", before) and not re.match(r"[\w-]", after):
						return name
					at = text.find(name, at + 1)
			return None

		checks = []
		static, _dynamic = portal_routes()
		for route in static:
			page = who.send("GET", route.path, fresh_address())
			for param in sorted(form_params(page.text) | set(route.params)):
				for payload in SQL:
					checks.append((route.path, param, "GET", route.path, {"params": {param: payload}}))
		listed = ["Order", "Invoice", "Document", "Support Ticket", "Invoice Payment", "Portal Notification"]
		for i, payload in enumerate(SQL):
			doctype = listed[i % len(listed)]
			rest = {
				"filters": json.dumps([["name", "like", payload]]),
				"or_filters": json.dumps([["name", "=", payload]]),
				"fields": json.dumps(["name", payload]),
				"order_by": payload,
				"limit_start": payload,
				"limit_page_length": payload,
				"raw filters": payload,
			}
			for param, value in rest.items():
				key = param.replace("raw ", "")
				checks.append(
					("/api/resource", param, "GET", f"/api/resource/{doctype}", {"params": {key: value}})
				)
			calls = {
				"frappe.desk.reportview.get": {
					"fields": '["name"]',
					"filters": payload,
					"order_by": payload,
					"start": payload,
					"page_length": payload,
					"group_by": payload,
				},
				"frappe.client.get_list": {"filters": payload, "order_by": payload, "limit_start": payload},
				"frappe.client.get_count": {"filters": payload},
				"frappe.desk.search.search_link": {
					"txt": payload,
					"filters": payload,
					"page_length": payload,
					"searchfield": payload,
				},
			}
			for method, params in calls.items():
				for param, value in params.items():
					if param == "fields":
						continue
					data = {"doctype": doctype, "fields": '["name"]', param: value}
					checks.append((method, param, "POST", f"/api/method/{method}", {"data": data}))
			for endpoint in app_endpoints():
				if endpoint.method != "GET":
					continue
				for param in endpoint.params:
					checks.append(
						(
							endpoint.path,
							param,
							"GET",
							f"/api/method/{endpoint.path}",
							{"params": {param: payload}},
						)
					)

		def check(item):
			where, param, method, path, kwargs = item
			tally.probe("sql injection")
			response = who.send(method, path, fresh_address(), **kwargs)
			value = (kwargs.get("params") or kwargs.get("data"))[param.replace("raw ", "")]
			# the page may show the search it was given (escaped): that is not the database talking
			text = response.text
			for shown in {
				value,
				html.escape(value),
				html.escape(value, quote=False),
				json.dumps(value)[1:-1],
			}:
				text = text.replace(shown, "")
			if error := SQL_ERROR.search(text):
				context = text[max(error.start() - 80, 0) : error.end() + 80]
				tally.finding("sql injection", f"{where} {param}={value!r}: database error {context!r}")
			if where not in ECHOING and (found := leak(text)):
				tally.finding("sql injection", f"{where} {param}={value!r}: shows {found}")

		with ThreadPoolExecutor(4) as pool:
			list(pool.map(check, checks))
		print(f"\n    SQL injection: {len(checks)} probes, {len(SQL)} payloads", flush=True)
		self.assert_no_findings("sql injection", 1000)

	# -- IDOR -----------------------------------------------------------------------------------------

	def targets(self):
		"""(doctype, other customer's name, missing name) for every scoped doctype and the User."""
		return [(d, self.victims[d], self.missing[d]) for d in [*self.doctypes, USER]]

	def rest_probes(self, matrix: Matrix, who: Attacker) -> None:
		"""Frappe's REST API and generic endpoints that take a record through filters or a document."""
		for doctype, theirs, nobodys in self.targets():
			resource = f"/api/resource/{doctype}"
			generic = {
				"GET resource": lambda n, a, d=doctype: who.send("GET", f"/api/resource/{d}/{n}", a),
				"GET resource list": lambda n, a, r=resource: who.send(
					"GET", r, a, params={"filters": json.dumps({"name": n}), "fields": '["name"]'}
				),
				"GET resource list like": lambda n, a, r=resource: who.send(
					"GET", r, a, params={"filters": json.dumps([["name", "like", n]])}
				),
				"PUT resource": lambda n, a, d=doctype: who.send(
					"PUT", f"/api/resource/{d}/{n}", a, json={"modified": "2001-01-01", "customer": self.own}
				),
				"DELETE resource": lambda n, a, d=doctype: who.send("DELETE", f"/api/resource/{d}/{n}", a),
				"GET v2 document": lambda n, a, d=doctype: who.send("GET", f"/api/v2/document/{d}/{n}/", a),
				"PATCH v2 document": lambda n, a, d=doctype: who.send(
					"PATCH", f"/api/v2/document/{d}/{n}/", a, json={"customer": self.own}
				),
				"DELETE v2 document": lambda n, a, d=doctype: who.send(
					"DELETE", f"/api/v2/document/{d}/{n}/", a
				),
				"printview": lambda n, a, d=doctype: who.send(
					"GET", "/printview", a, params={"doctype": d, "name": n}
				),
			}
			calls = {
				"frappe.client.get_list": {"filters": {"name": "{n}"}},
				"frappe.client.get_value": {"fieldname": "name", "filters": "{n}"},
				"frappe.client.get_count": {"filters": {"name": "{n}"}},
				"frappe.desk.reportview.get": {"fields": ["name"], "filters": {"name": "{n}"}},
				"frappe.desk.reportview.get_count": {"filters": {"name": "{n}"}},
				"frappe.desk.search.search_link": {"txt": "{n}", "ignore_user_permissions": 1},
				"frappe.desk.search.search_widget": {"txt": "{n}", "ignore_user_permissions": 1},
				"frappe.client.save": {"doc": {"doctype": doctype, "name": "{n}", "modified": "x"}},
				"frappe.client.submit": {"doc": {"doctype": doctype, "name": "{n}"}},
				"frappe.desk.form.save.savedocs": {
					"doc": {"doctype": doctype, "name": "{n}", "__unsaved": 1},
					"action": "Save",
				},
				"frappe.handler.upload_file": {"docname": "{n}", "file_url": "/files/x.txt"},
			}
			for method, params in calls.items():
				generic[method] = lambda n, a, m=method, p=params, d=doctype: who.send(
					"POST", f"/api/method/{m}", a, data=_fill({"doctype": d, **p}, n)
				)
			for label, probe in generic.items():
				matrix.add(
					f"{who.user.split('-')[1]} {label} {doctype}",
					probe,
					theirs,
					nobodys,
					kind_for(doctype),
					search=label.startswith("frappe.desk.search.search_"),
				)

	def create_probes(self, matrix: Matrix, who: Attacker) -> None:
		"""Creating a record for the other customer (or user): through REST and frappe.client.insert."""
		from customer_portal import permissions

		owners = [(d, f, VICTIM_CUSTOMER) for d, f in permissions.CUSTOMER_FIELD.items()]
		owners += [(d, f, VICTIM_USER) for d, f in permissions.USER_FIELD.items()]
		for doctype, field, theirs in owners:
			nobodys = self.missing["Customer" if theirs == VICTIM_CUSTOMER else USER]
			if doctype == "Customer":
				continue
			matrix.add(
				f"{who.user.split('-')[1]} create {doctype} for",
				lambda n, a, d=doctype, f=field: who.send("POST", f"/api/resource/{d}", a, json={f: n}),
				theirs,
				nobodys,
				kind_for(doctype),
			)
			matrix.add(
				f"{who.user.split('-')[1]} frappe.client.insert {doctype} for",
				lambda n, a, d=doctype, f=field: who.send(
					"POST",
					"/api/method/frappe.client.insert",
					a,
					data={"doc": json.dumps({"doctype": d, f: n})},
				),
				theirs,
				nobodys,
				kind_for(doctype),
			)

	def endpoint_probes(self, matrix: Matrix, who: Attacker, endpoints, every_param: bool) -> None:
		"""Each parameter of each whitelisted function, given each kind of record (with the doctype in
		its doctype parameter, if it has one)."""
		for endpoint in endpoints:
			params = endpoint.params or (["name"] if endpoint.takes_anything else [])
			aimed = [p for p in params if p not in DOCTYPE_PARAMS]
			if not every_param:
				aimed = [p for p in aimed if p in NAME_PARAMS]
			typed = [p for p in params if p in DOCTYPE_PARAMS]
			for param in aimed:
				for doctype, theirs, nobodys in self.targets():
					if theirs.isdigit() and param not in NAME_PARAMS and param != "txt":
						# a numbered row's name read as a date, an amount or a flag means nothing
						# about that row; numbered rows are probed wherever a row is named
						continue
					values = {p: FILLERS[p] for p in params if p in FILLERS and p != param}
					values.update({p: doctype for p in typed})
					values[param] = "{list}" if param in LIST_PARAMS else "{n}"
					matrix.add(
						f"{who.user.split('-')[1]} {endpoint.path}({param}) {doctype}",
						lambda n, a, e=endpoint, v=values: who.send(
							e.method, f"/api/method/{e.path}", a, **call_kwargs(e.method, _fill(v, n))
						),
						theirs,
						nobodys,
						kind_for(doctype),
						search=param == "txt",
					)

	def route_probes(self, matrix: Matrix, who: Attacker) -> None:
		"""Each route with a name part and each parameter of each page, given each kind of record. The
		activity page lists the attacker's own refused attempts, the names they tried included, so its
		text is compared only on status (its other probes run all the same)."""
		static, dynamic = portal_routes()
		for doctype, theirs, nobodys in self.targets():
			for route in dynamic:
				prefix = route.path.split("<")[0]
				matrix.add(
					f"{who.user.split('-')[1]} {route.path} {doctype}",
					lambda n, a, p=prefix: who.send("GET", f"{p}{n}", a),
					theirs,
					nobodys,
					kind_for(doctype),
				)
			for route in static:
				for param in route.params:
					if param in DOCTYPE_PARAMS:
						continue
					typed = {p: doctype for p in route.params if p in DOCTYPE_PARAMS}
					matrix.add(
						f"{who.user.split('-')[1]} {route.path}?{param} {doctype}",
						lambda n, a, r=route.path, p=param, t=typed: (
							who.send("GET", r, a, params={**t, p: n})
							if r not in ECHOING
							else Unread(who.send("GET", r, a, params={**t, p: n}))
						),
						theirs,
						nobodys,
						kind_for(doctype),
					)

	def test_idor_matrix(self):
		before = snapshot(self.doctypes)
		matrix = Matrix("idor", self.canaries)
		app, frappe_generic = app_endpoints(), frappe_record_endpoints()
		self.assertGreaterEqual(len(app), 40)
		self.assertGreaterEqual(len(frappe_generic), 20)
		for who, caller in zip(self.attackers, self.app_callers, strict=True):
			self.rest_probes(matrix, who)
			self.create_probes(matrix, who)
			self.endpoint_probes(matrix, who, frappe_generic, every_param=False)
			self.endpoint_probes(matrix, caller, app, every_param=True)
			self.route_probes(matrix, who)
		count = matrix.run()
		after = snapshot(self.doctypes)
		for doctype in self.doctypes:
			if before[doctype] != after[doctype]:
				tally.finding(
					"idor",
					f"{doctype} rows of {VICTIM_CUSTOMER} changed: {before[doctype]} -> {after[doctype]}",
				)
		print(
			f"\n    IDOR: {count} probes ({len(self.doctypes) + 1} kinds of record, {len(app)} app "
			f"endpoints, {len(frappe_generic)} Frappe record endpoints, portal routes), "
			f"{len(tally.findings['idor'])} leaks",
			flush=True,
		)
		self.assert_no_findings("idor", 1000)


def attacking_company() -> tuple[str, list[Attacker]]:
	"""A new customer with an admin and a member, signed in."""
	with site_connection() as frappe:
		own = frappe.get_doc(
			{"doctype": "Customer", "customer_name": f"Probe Attacker {uuid.uuid4().hex[:6]}"}
		).insert(ignore_permissions=True)
	return own.name, [
		Attacker(make_portal_user("probe-admin", own.name, "Customer Admin")),
		Attacker(make_portal_user("probe-member", own.name, "Member")),
	]


def other_customers_names(own: str) -> list[str]:
	"""Names of every row of the customer-owned doctypes that belongs to a customer other than `own`."""
	from customer_portal import permissions

	names = set()
	with site_connection() as frappe:
		for doctype, field in permissions.CUSTOMER_FIELD.items():
			names.update(frappe.get_all(doctype, filters={field: ["!=", own]}, pluck="name"))
	# numbered rows (logs, events) are left out: their names are numbers any page may contain
	return sorted(str(n) for n in names if len(str(n)) > 4 and not str(n).isdigit())


class Unread:
	"""A response compared on status alone (see route_probes)."""

	def __init__(self, response):
		self.status_code, self.headers, self.text = response.status_code, response.headers, ""


def kind_for(doctype: str) -> str:
	"""Every record is one class, the User included: another customer's user answers like an address
	without an account (request_guards.guard_named_records)."""
	return "idor"


def _fill(values: dict, name: str) -> dict:
	"""`values` with "{n}" replaced by the probed name ("{list}": a one-name list), nested too."""

	def fill(value):
		if value == "{n}":
			return name
		if value == "{list}":
			return json.dumps([name])
		if isinstance(value, dict):
			return json.dumps({k: fill(v) for k, v in value.items()})
		if isinstance(value, list):
			return json.dumps([fill(v) for v in value])
		return value

	return {key: fill(value) for key, value in values.items()}
