import io

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime
from werkzeug.datastructures import FileStorage

from customer_portal.api import overrides
from customer_portal.documents.uploads import UploadRejected
from customer_portal.tests.fixtures import (
	make_customer,
	make_order,
	make_outgoing_email_account,
	make_stages,
	make_user,
)
from customer_portal.tickets import lifecycle
from customer_portal.tickets.lifecycle import TicketClosed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes) -> FileStorage:
	return FileStorage(stream=io.BytesIO(content), filename=name)


class TestTickets(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_outgoing_email_account()
		cls.stages = make_stages("Ticket Test")
		cls.user = make_user("ticket-user@example.com")
		cls.other_user = make_user("ticket-other@example.com")
		cls.manager = make_user("ticket-manager@example.com")
		cls.customer = make_customer("Ticket Co", {cls.user: "Member"})
		frappe.db.set_value("Customer", cls.customer, "account_manager", cls.manager)
		cls.other = make_customer("Ticket Other Co", {cls.other_user: "Member"})
		cls.order = make_order(cls.customer, "Ticket order", stage=cls.stages[1])
		cls.foreign_order = make_order(cls.other, "Foreign order")

	def tearDown(self):
		frappe.set_user("Administrator")

	def open_as_user(self, **kwargs):
		frappe.set_user(self.user)
		return lifecycle.open_ticket(
			kwargs.pop("subject", "Where is my order?"), kwargs.pop("message", "Hello,\nany news?"), **kwargs
		)

	def test_a_ticket_about_an_order_carries_what_support_needs(self):
		ticket = self.open_as_user(reference_doctype="Order", reference_name=self.order)
		self.assertEqual(
			(ticket.customer, ticket.status, ticket.raised_by), (self.customer, "Open", self.user)
		)
		self.assertIn(self.stages[1], ticket.reference_context)
		messages = frappe.get_all(
			"Support Ticket Message", filters={"ticket": ticket.name}, fields=["author", "from_customer"]
		)
		self.assertEqual([(m.author, m.from_customer) for m in messages], [(self.user, 1)])
		frappe.set_user("Administrator")
		self.assertTrue(
			frappe.db.exists("Portal Activity", {"action": "Ticket Submitted", "reference_name": ticket.name})
		)
		# the account manager hears of the customer's message
		self.assertTrue(
			frappe.db.exists(
				"Email Queue", {"reference_doctype": "Support Ticket", "reference_name": ticket.name}
			)
		)

	def test_another_customers_record_is_not_found_and_nothing_is_created(self):
		before = frappe.db.count("Support Ticket")
		frappe.set_user(self.user)
		for doctype, name in (("Order", self.foreign_order), ("Order", "ORD-NO-SUCH"), ("User", self.user)):
			with self.subTest(doctype=doctype, name=name):
				self.assertRaises(
					frappe.DoesNotExistError,
					lifecycle.open_ticket,
					"Subject",
					"Message",
					reference_doctype=doctype,
					reference_name=name,
				)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Support Ticket"), before)

	def test_staff_reply_answers_and_internal_notes_stay_with_staff(self):
		ticket = self.open_as_user()
		frappe.set_user("Administrator")
		lifecycle.staff_reply(ticket, "It ships on Thursday.")
		self.assertEqual(frappe.db.get_value("Support Ticket", ticket.name, "status"), "Answered")
		self.assertTrue(
			frappe.db.exists("Portal Event", {"event_type": "Ticket Reply", "reference_name": ticket.name})
		)
		note = lifecycle.staff_reply(
			ticket, "Customer is on credit hold; do not promise dates.", internal=True
		)
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "credit-check.txt",
				"content": b"internal",
				"is_private": 1,
				"attached_to_doctype": "Support Ticket Message",
				"attached_to_name": note.name,
			}
		).insert()
		frappe.set_user(self.user)
		seen = frappe.get_list("Support Ticket Message", filters={"ticket": ticket.name}, pluck="message")
		self.assertEqual(len(seen), 2)
		self.assertNotIn("credit hold", " ".join(seen))
		self.assertRaises(frappe.DoesNotExistError, frappe.get_doc, "Support Ticket Message", note.name)
		self.assertFalse(
			frappe.get_list("File", filters={"attached_to_name": note.name}),
			"an internal note's file is listed",
		)
		self.assertEqual(frappe.get_list("Support Ticket Message", filters={"internal": 1}, pluck="name"), [])

	def test_customers_write_threads_only_through_the_app(self):
		ticket = self.open_as_user()
		frappe.set_user(self.user)
		message = frappe.get_doc(
			{
				"doctype": "Support Ticket Message",
				"ticket": ticket.name,
				"customer": self.customer,
				"message": "x",
			}
		)
		self.assertRaises(frappe.PermissionError, message.insert)
		ticket.status = "Closed"
		self.assertRaises(frappe.PermissionError, ticket.save)

	def test_close_reply_refused_reopen_within_the_window(self):
		ticket = self.open_as_user()
		lifecycle.close(ticket)
		self.assertEqual(frappe.db.get_value("Support Ticket", ticket.name, "status"), "Closed")
		self.assertRaises(TicketClosed, lifecycle.reply, ticket, "One more thing")
		lifecycle.reopen(ticket)
		ticket.reload()
		self.assertEqual((ticket.status, ticket.closed_on), ("Open", None))
		lifecycle.close(ticket)
		frappe.db.set_value("Support Ticket", ticket.name, "closed_on", add_days(now_datetime(), -8))
		ticket.reload()
		self.assertRaises(TicketClosed, lifecycle.reopen, ticket)

	def test_attachments_are_checked_like_document_uploads(self):
		# a name no earlier run left on disk (Frappe renames a file whose name is taken there)
		name = f"photo-{frappe.generate_hash(length=8)}.pdf"
		ticket = self.open_as_user(files=[upload(name, PDF)])
		frappe.set_user(self.user)
		files = frappe.get_list(
			"File",
			filters={"attached_to_doctype": "Support Ticket Message"},
			fields=["file_name", "is_private"],
		)
		self.assertIn((name, 1), [(f.file_name, f.is_private) for f in files])
		count = frappe.db.count("Support Ticket Message")
		for name, content in (("page.html", b"<html><script>alert(1)</script></html>"), ("empty.pdf", b"")):
			with self.subTest(name):
				self.assertRaises(
					UploadRejected, lifecycle.reply, ticket, "see file", [upload(name, content)]
				)
		self.assertEqual(frappe.db.count("Support Ticket Message"), count)

	def test_a_file_another_customer_also_has_is_stored_apart(self):
		"""Frappe would reuse the other customer's stored file (loading its File, which a customer user
		may not): the upload failed."""
		content = PDF + frappe.generate_hash().encode()
		other = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "theirs.pdf",
				"is_private": 1,
				"content": content,
				"attached_to_doctype": "Order",
				"attached_to_name": make_order(make_customer("Tickets Same File Co"), "Theirs"),
			}
		).insert()
		ticket = self.open_as_user(files=[upload("mine.pdf", content)])
		frappe.set_user("Administrator")
		messages = frappe.get_all("Support Ticket Message", filters={"ticket": ticket.name}, pluck="name")
		mine = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Support Ticket Message", "attached_to_name": ("in", messages)},
			fields=["file_url", "content_hash"],
		)
		self.assertEqual([row.content_hash for row in mine], [other.content_hash])
		self.assertNotEqual(mine[0].file_url, other.file_url)

	def test_a_retired_category_takes_no_new_tickets(self):
		if not frappe.db.exists("Ticket Category", "Retired Unit"):
			frappe.get_doc(
				{"doctype": "Ticket Category", "category_name": "Retired Unit", "retired": 1}
			).insert()
		self.assertNotIn("Retired Unit", [row.name for row in lifecycle.categories()])
		self.assertRaises(frappe.ValidationError, self.open_as_user, category="Retired Unit")

	def test_the_desk_timeline_does_not_reach_customers(self):
		frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Comment",
				"reference_doctype": "Order",
				"reference_name": self.order,
				"content": "Staff only: this customer pays late",
			}
		).insert(ignore_permissions=True)
		frappe.set_user(self.user)
		frappe.local.response = frappe._dict(docs=[])
		overrides.getdoc("Order", self.order)
		self.assertEqual(frappe.response.docs[0].name, self.order)
		self.assertNotIn("docinfo", frappe.response)
		self.assertIsNone(overrides.get_docinfo(doctype="Order", name=self.order))
		self.assertNotIn("docinfo", frappe.response)
		self.assertRaises(
			frappe.DoesNotExistError, overrides.get_docinfo, doctype="Order", name=self.foreign_order
		)
