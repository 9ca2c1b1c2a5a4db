"""The least-privilege matrix, second half: every whitelisted function of every installed app, and every
route of Frappe's REST API (`frappe.api`'s v1 and v2 `url_rules`), called by a customer admin, a member
and a website user linked to no customer. Both lists are read from the running code, not written here.

Each function is called through each of its routes (`/api/method/...`, `/api/v2/method/...`, and for a
doctype module's functions `/api/v2/method/<doctype>/<function>`) with every parameter filled in and the
record parameters aimed at something the user must not reach: staff's internal public Event and another
customer's order. Each document route is tried on every doctype, with a record of it where one exists.
No answer may show either record; every function that is not the app's, not open to guests and not in
`permissions.PORTAL_FUNCTIONS` must be refused; and no table gains or loses a row.
"""

import json
import unittest
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from portal_client import signed_in_user, site_connection

from customer_portal.permissions import PORTAL_FUNCTIONS
from security.least_privilege import (
	changed_counts,
	refused,
	restricted_users,
	row_counts,
	signed_in,
)
from security.surface import DOCTYPE_PARAMS, LIST_PARAMS, NAME_PARAMS, whitelisted

# functions that end the caller's own session, left out (each is open to them: PORTAL_FUNCTIONS)
SIGNS_OUT = frozenset({"frappe.handler.logout", "frappe.handler.web_logout"})
# parameters filled with something other than the target record
PARAM_VALUES = {
	"filters": "{}",
	"or_filters": "[]",
	"fields": '["*"]',
	"fieldname": '["*"]',
	"txt": "",
	"user": "Administrator",
	"email": "admin@example.com",
	"limit": "20",
	"start": "0",
	"page_length": "20",
	"as_dict": "1",
	"args": "{}",
	"data": "{}",
	"values": "{}",
}


class LeastPrivilegeFunctions(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.users = restricted_users("lpf")
		cls.clients = signed_in(cls.users)
		cls.marker = f"INTERNAL-{uuid.uuid4().hex[:10]}"
		with site_connection() as frappe:
			cls.apps = frappe.get_installed_apps()
			cls.functions = whitelisted(tuple(f"{app}." for app in cls.apps))
			cls.doctype_modules = {
				f"{frappe.scrub(row.module_app)}.{frappe.scrub(row.module)}.doctype.{frappe.scrub(row.name)}."
				f"{frappe.scrub(row.name)}": row.name
				for row in cls._doctypes(frappe)
			}
			cls.all_doctypes = frappe.get_all("DocType", pluck="name")
			# staff's internal public event, and an order of another customer
			event = frappe.get_doc(
				{
					"doctype": "Event",
					"subject": cls.marker,
					"description": cls.marker,
					"event_type": "Public",
					"starts_on": "2030-01-01 10:00:00",
				}
			).insert(ignore_permissions=True)
			order = frappe.get_all(
				"Order", filters={"customer": "Globex Manufacturing"}, fields=["name", "title"], limit=1
			)[0]
			frappe.db.set_value("Order", order.name, "title", f"{cls.marker} {order.title}")
			cls.targets = [("Event", event.name), ("Order", order.name)]
		cls.tally = Counter()

	@classmethod
	def tearDownClass(cls):
		with site_connection() as frappe:
			order = cls.targets[1][1]
			title = frappe.db.get_value("Order", order, "title")
			frappe.db.set_value("Order", order, "title", title.replace(f"{cls.marker} ", ""))
		print(f"\nleast-privilege functions and routes: {sum(cls.tally.values())} attempts", flush=True)
		for kind, count in sorted(cls.tally.items()):
			print(f"  {kind:<34} {count:>7}", flush=True)

	@staticmethod
	def _doctypes(frappe):
		modules = dict(frappe.get_all("Module Def", fields=["name", "app_name"], as_list=True))
		rows = frappe.get_all("DocType", filters={"custom": 0}, fields=["name", "module"])
		for row in rows:
			row.module_app = modules.get(row.module, "")
		return rows

	def params(self, endpoint, target) -> dict:
		"""Every parameter of `endpoint` filled in, its record parameters aimed at `target`."""
		doctype, name = target
		values = {}
		for param in endpoint.params:
			if param in DOCTYPE_PARAMS:
				values[param] = doctype
			elif param in NAME_PARAMS:
				values[param] = json.dumps([name]) if param in LIST_PARAMS else name
			elif param in ("doc", "document"):
				values[param] = json.dumps({"doctype": doctype, "name": name})
			elif param in ("docs", "items"):
				values[param] = json.dumps([{"doctype": doctype, "name": name}])
			else:
				values[param] = PARAM_VALUES.get(param, "x")
		return values

	def routes(self, endpoint) -> list[str]:
		"""The paths that call `endpoint`: Frappe's v1 and v2 method routes, and v2's doctype-module one."""
		paths = [f"/api/method/{endpoint.path}", f"/api/v2/method/{endpoint.path}"]
		module, _, function = endpoint.path.rpartition(".")
		if module in self.doctype_modules:
			paths.append(f"/api/v2/method/{self.doctype_modules[module]}/{function}")
		return paths

	@staticmethod
	def open_to_them(endpoint) -> bool:
		"""The app's functions, Frappe's public ones, and those of Frappe the portal lets them call."""
		return (
			endpoint.path.startswith("customer_portal.")
			or endpoint.guest
			or endpoint.path in PORTAL_FUNCTIONS
		)

	def judge(self, endpoint, response) -> str | None:
		"""What is wrong with an answer, if anything."""
		if self.marker in response.text:
			return "shows staff's event or another customer's order"
		if self.open_to_them(endpoint):
			return None
		return None if refused(response) else "not refused"

	def test_every_whitelisted_function_is_refused_or_finds_nothing(self):
		self.assertGreater(len(self.functions), 300, "every installed app's whitelisted functions")
		before = row_counts(self.all_doctypes, self.users.values())
		functions = [e for e in self.functions if e.path not in SIGNS_OUT and not e.bound]

		def run(kind):
			client, found = self.clients[kind], []
			for endpoint in functions:
				targets = self.targets if DOCTYPE_PARAMS & set(endpoint.params) else self.targets[:1]
				for target in targets:
					params = self.params(endpoint, target)
					for path in self.routes(endpoint):
						self.tally[
							f"function {'open' if self.open_to_them(endpoint) else 'refused'} "
							f"({'v2' if path.startswith('/api/v2/') else 'v1'})"
						] += 1
						if endpoint.method == "GET":
							response = client.get(path, params=params, timeout=60)
						else:
							response = client.request(endpoint.method, path, data=params, timeout=60)
						problem = self.judge(endpoint, response)
						if problem:
							found.append(
								f"{kind} {endpoint.path} via {path} -> {response.status_code} {problem}: "
								f"{response.text[:160]}"
							)
			# a call that ended the session would have made every later one a guest's
			if signed_in_user(client.session) != self.users[kind]:
				found.append(f"{kind}: signed out during the run")
			return found

		with ThreadPoolExecutor(len(self.clients)) as pool:
			findings = sorted(set(f for found in pool.map(run, self.clients) for f in found))
		changed = changed_counts(before, row_counts(self.all_doctypes, self.users.values()))
		self.assertEqual(findings, [], f"{len(findings)} findings:\n" + "\n".join(findings[:200]))
		self.assertEqual(changed, {}, "rows added or removed")
