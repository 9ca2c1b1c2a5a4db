"""Customer A's portal user attacks customer B's records over HTTP, on every path Frappe exposes.

The demo data gives two customers: Acme Logistics (alice = customer admin, bob = member) and Globex
Manufacturing (carol, dave). Every probe of a Globex record must answer exactly as the same probe of a
name that does not exist; the same probe of an Acme record must work.
"""

import json
import unittest

from portal_client import PortalClient, observed

OWN, FOREIGN = "Acme Logistics", "Globex Manufacturing"
MISSING = {
	"Customer": "No Such Customer Ltd",
	"Order": "ORD-2099-99999",
	"Invoice": "INV-2099-99999",
	"Document": "DOC-2099-99999",
}
TITLE_FIELD = {"Customer": "tax_id", "Order": "title", "Invoice": "due_date", "Document": "title"}


class HttpScopingTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		admin = PortalClient("Administrator")
		cls.records = {OWN: {"Customer": OWN}, FOREIGN: {"Customer": FOREIGN}}
		for customer in (OWN, FOREIGN):
			for doctype in ("Order", "Invoice", "Document"):
				filters = {"customer": customer}
				if doctype == "Invoice":
					filters["docstatus"] = 1
				cls.records[customer][doctype] = admin.first(doctype, filters)
			cls.records[customer]["file"] = admin.first(
				"File",
				{"attached_to_doctype": "Document", "attached_to_name": cls.records[customer]["Document"]},
			)
			cls.records[customer]["file_url"] = admin.get(
				f"/api/resource/File/{cls.records[customer]['file']}"
			).json()["data"]["file_url"]
		cls.alice = PortalClient("alice@acme.example.com")
		cls.admin = admin

	def assert_same_as_missing(self, probe, doctype: str, label: str):
		foreign_name, missing_name = self.records[FOREIGN][doctype], MISSING[doctype]
		foreign, missing = (
			observed(probe(foreign_name), foreign_name),
			observed(probe(missing_name), missing_name),
		)
		self.assertEqual(foreign, missing, f"{label} on {doctype}")
		return foreign

	def own(self, doctype):
		return self.records[OWN][doctype]

	def test_rest_and_whitelisted_reads(self):
		c = self.alice
		for doctype in MISSING:
			probes = {
				"GET /api/resource/{doctype}/{name}": lambda n, dt=doctype: c.get(f"/api/resource/{dt}/{n}"),
				"GET /api/resource/{doctype}?filters": lambda n, dt=doctype: c.get(
					f"/api/resource/{dt}", params={"filters": json.dumps({"name": n})}
				),
				"frappe.client.get": lambda n, dt=doctype: c.call("frappe.client.get", doctype=dt, name=n),
				"frappe.client.get_list": lambda n, dt=doctype: c.call(
					"frappe.client.get_list", doctype=dt, filters={"name": n}
				),
				"frappe.client.get_value": lambda n, dt=doctype: c.call(
					"frappe.client.get_value", doctype=dt, fieldname="name", filters=n
				),
				"frappe.client.get_count": lambda n, dt=doctype: c.call(
					"frappe.client.get_count", doctype=dt, filters={"name": n}
				),
				"frappe.client.validate_link": lambda n, dt=doctype: c.call(
					"frappe.client.validate_link", doctype=dt, docname=n
				),
				"frappe.desk.reportview.get": lambda n, dt=doctype: c.call(
					"frappe.desk.reportview.get",
					http="POST",
					doctype=dt,
					fields=["name"],
					filters={"name": n},
				),
				"frappe.desk.search.search_link": lambda n, dt=doctype: c.call(
					"frappe.desk.search.search_link", doctype=dt, txt=n, ignore_user_permissions=1
				),
				"frappe.desk.form.load.getdoc": lambda n, dt=doctype: c.call(
					"frappe.desk.form.load.getdoc", doctype=dt, name=n
				),
			}
			for label, probe in probes.items():
				self.assert_same_as_missing(probe, doctype, label)
				own = probe(self.own(doctype))
				self.assertEqual(own.status_code, 200, f"{label} on own {doctype}: {own.text[:300]}")
				missing = probe(MISSING[doctype])
				self.assertNotEqual(
					observed(own, self.own(doctype)),
					observed(missing, MISSING[doctype]),
					f"{label} on own {doctype}",
				)

	def test_print_view_and_pdf(self):
		c = self.alice
		for doctype in ("Order", "Invoice", "Document"):
			printview = lambda n, dt=doctype: c.get("/printview", params={"doctype": dt, "name": n})
			pdf = lambda n, dt=doctype: c.call("frappe.utils.print_format.download_pdf", doctype=dt, name=n)
			for label, probe in (("printview", printview), ("download_pdf", pdf)):
				status, _type, body = self.assert_same_as_missing(probe, doctype, label)
				self.assertEqual(status, 404, f"{label} on {doctype}")
				self.assertNotIn("Traceback", str(body))
			own = printview(self.own(doctype))
			self.assertEqual(own.status_code, 200)
			self.assertIn(self.own(doctype), own.text)
		response = c.call(
			"frappe.utils.print_format.download_pdf", doctype="Invoice", name=self.own("Invoice")
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(response.content[:4], b"%PDF")

	def test_private_file_urls(self):
		c = self.alice
		foreign_url, own_url = self.records[FOREIGN]["file_url"], self.records[OWN]["file_url"]
		missing_url = foreign_url.rsplit("/", 1)[0] + "/doc-2099-99999-report.txt"
		foreign, missing = c.get(foreign_url), c.get(missing_url)
		self.assertEqual(
			observed(foreign, foreign_url.rsplit("/", 1)[1]), observed(missing, missing_url.rsplit("/", 1)[1])
		)
		self.assertEqual(foreign.status_code, 404)
		own = c.get(own_url)
		self.assertEqual(own.status_code, 200)
		self.assertIn(OWN.encode(), own.content)
		# the File rows themselves
		self.assert_same_as_missing_file()

	def assert_same_as_missing_file(self):
		probe = lambda n: self.alice.get(f"/api/resource/File/{n}")
		name = self.records[FOREIGN]["file"]
		self.assertEqual(observed(probe(name), name), observed(probe("0123456789"), "0123456789"))

	def test_writes(self):
		c = self.alice
		for doctype in MISSING:
			field = TITLE_FIELD[doctype]
			value = "2099-01-01" if field == "due_date" else "PWNED"
			probes = {
				"PUT /api/resource": lambda n, dt=doctype, f=field, v=value: c.request(
					"PUT", f"/api/resource/{dt}/{n}", json={f: v, "customer": OWN}
				),
				"DELETE /api/resource": lambda n, dt=doctype: c.request("DELETE", f"/api/resource/{dt}/{n}"),
				"frappe.client.set_value": lambda n, dt=doctype, f=field, v=value: c.call(
					"frappe.client.set_value", http="POST", doctype=dt, name=n, fieldname=f, value=v
				),
				"frappe.client.delete": lambda n, dt=doctype: c.call(
					"frappe.client.delete", http="POST", doctype=dt, name=n
				),
				"frappe.client.rename_doc": lambda n, dt=doctype: c.call(
					"frappe.client.rename_doc", http="POST", doctype=dt, old_name=n, new_name=n + "-x"
				),
			}
			for label, probe in probes.items():
				status = self.assert_same_as_missing(probe, doctype, label)[0]
				self.assertGreaterEqual(status, 400, f"{label} on {doctype}")
		for doctype in MISSING:
			record = self.admin.get(f"/api/resource/{doctype}/{self.records[FOREIGN][doctype]}").json()[
				"data"
			]
			self.assertNotIn(record.get(TITLE_FIELD[doctype]), ("PWNED", "2099-01-01"))

	def test_create_for_another_customer(self):
		c = self.alice
		bodies = {
			"Order": {"title": "Sneaky", "items": [{"item_name": "x", "qty": 1, "rate": 1}]},
			"Invoice": {"due_date": "2099-01-01", "items": [{"item_name": "x", "qty": 1, "rate": 1}]},
			"Document": {"title": "Sneaky", "document_type": "Report", "file": "/private/files/x.txt"},
		}
		for doctype, body in bodies.items():
			probe = lambda customer, dt=doctype, b=body: c.post(
				f"/api/resource/{dt}", json={**b, "customer": customer}
			)
			foreign, missing = probe(FOREIGN), probe(MISSING["Customer"])
			self.assertEqual(observed(foreign, FOREIGN), observed(missing, MISSING["Customer"]), doctype)
			self.assertGreaterEqual(foreign.status_code, 400)

	def test_web_form_is_bound_to_the_active_customer(self):
		accept = lambda name: self.alice.call(
			"frappe.website.doctype.web_form.web_form.accept",
			http="POST",
			web_form="account-details",
			data=json.dumps({"name": name, "tax_id": "PWNED"}),
		)
		foreign, missing = accept(FOREIGN), accept(MISSING["Customer"])
		self.assertEqual(observed(foreign, FOREIGN), observed(missing, MISSING["Customer"]))
		self.assertEqual(foreign.status_code, 404)
		self.assertNotEqual(
			self.admin.get(f"/api/resource/Customer/{FOREIGN}").json()["data"]["tax_id"], "PWNED"
		)
		# the record page of the Web Form: another customer's is the same page as a missing one
		page = lambda name: self.alice.get(f"/portal/account-details/{name}/edit")
		self.assertEqual(
			observed(page(FOREIGN), FOREIGN), observed(page(MISSING["Customer"]), MISSING["Customer"])
		)
		self.assertEqual(page(OWN).status_code, 200)

	def test_lists_only_show_own_records(self):
		for doctype in MISSING:
			response = self.alice.get(f"/api/resource/{doctype}", params={"limit_page_length": 0})
			names = {row["name"] for row in response.json()["data"]}
			self.assertIn(self.own(doctype), names)
			self.assertNotIn(self.records[FOREIGN][doctype], names)

	def test_portal_record_pages(self):
		for doctype, route in (("Order", "orders"), ("Invoice", "invoices"), ("Document", "documents")):
			probe = lambda n, r=route: self.alice.get(f"/portal/{r}/{n}")
			status = self.assert_same_as_missing(probe, doctype, f"/portal/{route}/<name>")[0]
			self.assertEqual(status, 404)
			own = probe(self.own(doctype))
			self.assertEqual(own.status_code, 200)
			self.assertIn(self.own(doctype), own.text)

	def test_draft_invoices_stay_with_staff(self):
		draft = self.admin.first("Invoice", {"customer": OWN, "docstatus": 0})
		probe = lambda n: self.alice.get(f"/api/resource/Invoice/{n}")
		self.assertEqual(
			observed(probe(draft), draft), observed(probe(MISSING["Invoice"]), MISSING["Invoice"])
		)
		listed = self.alice.get("/api/resource/Invoice", params={"limit_page_length": 0}).text
		self.assertNotIn(draft, listed)

	def test_guest_is_refused(self):
		guest = PortalClient()
		for doctype in MISSING:
			response = guest.get(f"/api/resource/{doctype}/{self.own(doctype)}")
			self.assertIn(response.status_code, (401, 403, 404), doctype)
			self.assertNotIn('"data"', response.text)
			listed = guest.get(f"/api/resource/{doctype}")
			self.assertNotIn(self.own(doctype), listed.text)
		self.assertEqual(guest.get(self.records[OWN]["file_url"]).status_code, 403)
