"""Support tickets over HTTP: the lifecycle as a customer does it, and the attacks: attaching another
customer's record, reading another customer's ticket or attachment, reading staff's internal notes (REST,
frappe.client, the desk's getdoc, the ticket page, the attachment endpoint), writing a thread around the
app's endpoints."""

import json
import unittest

from portal_client import PortalClient, make_portal_user, observed, site_connection

OPEN = "/api/method/customer_portal.api.tickets.open_ticket"
REPLY = "/api/method/customer_portal.api.tickets.reply"
ATTACHMENT = "/api/method/customer_portal.api.tickets.attachment"
JSON = {"Accept": "application/json"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INTERNAL = "Internal: credit hold, do not promise a date"


class TicketsTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.alice = PortalClient("alice@acme.example.com")
		cls.admin = PortalClient("Administrator")
		cls.staff = PortalClient("staff@portal.example.com")
		cls.stranger = PortalClient(make_portal_user("tickets-globex", "Globex Manufacturing"))
		cls.order = cls.admin.first("Order", {"customer": "Acme Logistics"})
		cls.foreign_order = cls.admin.first("Order", {"customer": "Globex Manufacturing"})

	def open_ticket(self, client, **data) -> dict:
		response = client.post(
			OPEN,
			data={"subject": "Delivery date", "message": "When does it ship?", **data},
			files=data.pop("files", None),
			headers=JSON,
		)
		self.assertEqual(response.status_code, 200, response.text[:500])
		return response.json()["message"]

	def test_a_ticket_from_an_order_page_through_its_whole_life(self):
		ticket = self.open_ticket(self.alice, reference_doctype="Order", reference_name=self.order)
		page = self.alice.get(ticket["url"])
		self.assertEqual(page.status_code, 200)
		stage = self.admin.get(f"/api/resource/Order/{self.order}").json()["data"]["stage"]
		self.assertIn(f"stage {stage}", page.text)
		# staff answer in desk, and keep a note for themselves
		for message, internal in (("It ships on Thursday.", 0), (INTERNAL, 1)):
			answer = self.staff.post(
				"/api/method/customer_portal.api.tickets.staff_reply",
				data={"ticket": ticket["name"], "message": message, "internal": internal},
			)
			self.assertEqual(answer.status_code, 200, answer.text[:300])
		page = self.alice.get(ticket["url"]).text
		self.assertIn("It ships on Thursday.", page)
		self.assertNotIn(INTERNAL, page)
		status = self.alice.get(f"/api/resource/Support Ticket/{ticket['name']}").json()["data"]["status"]
		self.assertEqual(status, "Answered")
		# the customer replies with a file, closes, reopens
		reply = self.alice.post(
			REPLY,
			data={"ticket": ticket["name"], "message": "Thanks, the drawing is attached."},
			files={"attachments": ("drawing.pdf", PDF, "application/pdf")},
			headers=JSON,
		)
		self.assertEqual(reply.status_code, 200, reply.text[:300])
		for action, expected in (("close", "Closed"), ("reopen", "Open")):
			answer = self.alice.post(
				f"/api/method/customer_portal.api.tickets.{action}",
				data={"ticket": ticket["name"]},
				headers=JSON,
			)
			self.assertEqual(answer.json()["message"]["status"], expected, answer.text[:300])

	def test_another_customers_record_cannot_be_attached(self):
		before = len(
			self.alice.get("/api/resource/Support Ticket", params={"limit_page_length": 0}).json()["data"]
		)
		foreign, missing = (
			self.alice.post(
				OPEN,
				data={"subject": "x", "message": "y", "reference_doctype": "Order", "reference_name": name},
				headers=JSON,
			)
			for name in (self.foreign_order, "ORD-2026-99999")
		)
		self.assertEqual(foreign.status_code, 404)
		self.assertEqual(observed(foreign, self.foreign_order), observed(missing, "ORD-2026-99999"))
		page = self.alice.get(
			"/portal/tickets/new", params={"reference_doctype": "Order", "reference_name": self.foreign_order}
		)
		self.assertEqual(page.status_code, 404)
		after = len(
			self.alice.get("/api/resource/Support Ticket", params={"limit_page_length": 0}).json()["data"]
		)
		self.assertEqual(after, before)

	def test_internal_notes_and_other_customers_tickets_answer_like_missing_ones(self):
		ticket = self.open_ticket(self.alice, files={"attachments": ("spec.pdf", PDF, "application/pdf")})
		self.staff.post(
			"/api/method/customer_portal.api.tickets.staff_reply",
			data={"ticket": ticket["name"], "message": INTERNAL, "internal": 1},
		)
		with site_connection() as frappe:
			note = frappe.db.get_value("Support Ticket Message", {"ticket": ticket["name"], "internal": 1})
			note_file = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": "credit.txt",
					"content": b"internal",
					"is_private": 1,
					"attached_to_doctype": "Support Ticket Message",
					"attached_to_name": note,
				}
			).insert(ignore_permissions=True)
			customer_file = frappe.db.get_value(
				"File",
				{"attached_to_doctype": "Support Ticket Message", "file_name": "spec.pdf"},
				order_by="creation desc",
			)
		missing_message, missing_file = "0000000000", "0000000000"
		# the note, through every read path, is what a missing message is
		for label, probe in {
			"REST": lambda n: self.alice.get(f"/api/resource/Support Ticket Message/{n}"),
			"frappe.client.get": lambda n: self.alice.call(
				"frappe.client.get", doctype="Support Ticket Message", name=n
			),
			"getdoc": lambda n: self.alice.call(
				"frappe.desk.form.load.getdoc", doctype="Support Ticket Message", name=n
			),
		}.items():
			with self.subTest(label):
				self.assertEqual(
					observed(probe(note), note), observed(probe(missing_message), missing_message)
				)
		listed = self.alice.call(
			"frappe.client.get_list",
			doctype="Support Ticket Message",
			filters={"ticket": ticket["name"]},
			fields=["message"],
		).json()["message"]
		self.assertNotIn(INTERNAL, json.dumps(listed))
		# the ticket's page: the customer's message and file, never the note or the note's file
		page = self.alice.get(ticket["url"])
		self.assertEqual(page.status_code, 200)
		self.assertIn("When does it ship?", page.text)
		self.assertEqual(page.text.count("customer_portal.api.tickets.attachment?name="), 1)
		self.assertNotIn(INTERNAL, page.text)
		self.assertNotIn(note_file.name, page.text)
		getdoc = self.alice.call(
			"frappe.desk.form.load.getdoc", doctype="Support Ticket", name=ticket["name"]
		).json()
		self.assertNotIn("docinfo", getdoc)
		self.assertNotIn(INTERNAL, json.dumps(getdoc))
		# attachments: the customer's own downloads; the note's file and a stranger's attempt are missing
		own = self.alice.get(ATTACHMENT, params={"name": customer_file})
		self.assertEqual(own.status_code, 200)
		self.assertEqual(own.content, PDF)
		self.assertIn("attachment", own.headers["Content-Disposition"])
		for client, name in ((self.alice, note_file.name), (self.stranger, customer_file)):
			with self.subTest(client=client.user, file=name):
				self.assertEqual(
					observed(client.get(ATTACHMENT, params={"name": name}), name),
					observed(client.get(ATTACHMENT, params={"name": missing_file}), missing_file),
				)
		# the note's file by its private URL (file names are guessable) is what a missing file is
		self.assertEqual(self.alice.get(note_file.file_url).status_code, 404)
		self.assertEqual(
			observed(self.alice.get(note_file.file_url), note_file.file_url),
			observed(self.alice.get("/private/files/no-such-file.txt"), "/private/files/no-such-file.txt"),
		)
		# another customer's user: the ticket page, the REST record and a reply are "not found"
		self.assertEqual(self.stranger.get(ticket["url"]).status_code, 404)
		for probe in (
			lambda n: self.stranger.get(f"/api/resource/Support Ticket/{n}"),
			lambda n: self.stranger.post(REPLY, data={"ticket": n, "message": "hi"}, headers=JSON),
		):
			self.assertEqual(
				observed(probe(ticket["name"]), ticket["name"]), observed(probe("TKT-0000"), "TKT-0000")
			)

	def test_colleagues_see_each_others_attachments_on_the_ticket_page(self):
		bob = PortalClient("bob@acme.example.com")
		ticket = self.open_ticket(bob, files={"attachments": ("packing-list.pdf", PDF, "application/pdf")})
		reply = self.alice.post(
			REPLY,
			data={"ticket": ticket["name"], "message": "And the invoice."},
			files={"attachments": ("invoice-copy.pdf", PDF, "application/pdf")},
			headers=JSON,
		)
		self.assertEqual(reply.status_code, 200, reply.text[:300])
		with site_connection() as frappe:
			files = frappe.get_all(
				"File",
				filters={"attached_to_doctype": "Support Ticket Message"},
				or_filters=[["file_name", "like", "packing-list%"], ["file_name", "like", "invoice-copy%"]],
				fields=["name", "owner"],
				order_by="creation desc",
				limit=2,
			)
		self.assertEqual({row.owner for row in files}, {"bob@acme.example.com", "alice@acme.example.com"})
		# the customer's ticket, whoever of its users attached the file: both users see both files
		for client in (self.alice, bob):
			page = client.get(ticket["url"])
			self.assertEqual(page.status_code, 200)
			for row in files:
				with self.subTest(user=client.user, file=row.name):
					self.assertIn(f"attachment?name={row.name}", page.text)
					self.assertEqual(client.get(ATTACHMENT, params={"name": row.name}).status_code, 200)
		self.assertEqual(self.stranger.get(ticket["url"]).status_code, 404)

	def test_threads_are_written_only_through_the_app(self):
		ticket = self.open_ticket(self.alice)
		for doctype, data in (
			("Support Ticket", {"customer": "Acme Logistics", "subject": "REST ticket"}),
			(
				"Support Ticket Message",
				{"ticket": ticket["name"], "customer": "Acme Logistics", "message": "x"},
			),
			("Support Ticket Message", {"ticket": ticket["name"], "message": "x", "internal": 1}),
		):
			with self.subTest(doctype=doctype, data=data):
				response = self.alice.post(f"/api/resource/{doctype}", data=json.dumps(data))
				self.assertIn(response.status_code, (403, 404), response.text[:300])
		update = self.alice.request(
			"PUT", f"/api/resource/Support Ticket/{ticket['name']}", data=json.dumps({"status": "Closed"})
		)
		self.assertEqual(update.status_code, 403, update.text[:300])
