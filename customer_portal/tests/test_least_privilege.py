"""Deny by default, tried from inside Frappe as a customer's users would try it: every doctype of every
installed app, every permission type, Frappe's own write paths that skip permission checks (files, desk
actions), and what staff keep.

Each control is tried on its own: the permission hooks through Frappe's permission functions, the file
and desk-action rules through inserts made with `ignore_permissions`, as Frappe's endpoints make them, and
the request guard as a request meets it (`fixtures.called`).
"""

import frappe
import frappe.client
import frappe.share
from frappe.desk.doctype.tag.tag import add_tag
from frappe.desk.form.assign_to import add as assign
from frappe.desk.form.document_follow import follow_document
from frappe.desk.form.utils import add_comment
from frappe.desk.like import toggle_like
from frappe.tests.utils import FrappeTestCase

from customer_portal.permissions import (
	ALLOWED_DOCTYPES,
	PORTAL_FUNCTIONS,
	SCOPED_DOCTYPES,
	is_restricted,
	portal_write,
)
from customer_portal.tests.fixtures import called, make_customer, make_order, make_user
from customer_portal.web.request_guards import guard_functions, may_call

PTYPES = (
	"read",
	"select",
	"create",
	"write",
	"delete",
	"submit",
	"cancel",
	"print",
	"email",
	"report",
	"export",
	"share",
	"import",
)
HTML = b"<html><script>alert(document.cookie)</script></html>"


class TestLeastPrivilege(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.admin = make_user("lp-admin@example.com")
		cls.member = make_user("lp-member@example.com")
		cls.stranger = make_user("lp-stranger@example.com")  # a website user linked to no customer
		cls.customer = make_customer(
			"Least Privilege Ltd", {cls.admin: "Customer Admin", cls.member: "Member"}
		)
		cls.order = make_order(cls.customer, "LP order")
		cls.staff = make_user("lp-staff@example.com")
		staff = frappe.get_doc("User", cls.staff)
		staff.user_type = "System User"
		staff.save()
		staff.add_roles("Customer Portal Staff", "System Manager")
		cls.restricted = (cls.admin, cls.member, cls.stranger)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_who_is_restricted(self):
		for user in self.restricted:
			self.assertTrue(is_restricted(user), user)
		for user in (self.staff, "Administrator", "Guest"):
			self.assertFalse(is_restricted(user), user)

	def test_every_other_doctype_is_refused_for_every_permission_type(self):
		doctypes = frappe.get_all(
			"DocType", filters={"istable": 0, "is_virtual": 0}, fields=["name", "issingle"]
		)
		denied = [d for d in doctypes if d.name not in SCOPED_DOCTYPES and d.name not in ALLOWED_DOCTYPES]
		self.assertGreater(len(denied), 100, "every installed app's doctypes")
		attempts = 0
		for user in self.restricted:
			frappe.set_user(user)
			for doctype in denied:
				doc = frappe.new_doc(doctype.name)
				for ptype in PTYPES:
					attempts += 1
					self.assertFalse(
						frappe.has_permission(doctype.name, ptype, doc=doc, user=user),
						f"{user} {ptype} {doctype.name}",
					)
				if not doctype.issingle:
					attempts += 2
					shared = set(frappe.share.get_shared(doctype.name, user))
					try:
						listed = frappe.get_list(doctype.name, pluck="name", limit_page_length=10)
					except frappe.PermissionError:
						listed = []
					# the permission layer lists nothing but what Frappe's lists OR in as shared with
					# the user (where a role reads only its own rows): no hook reaches that OR ...
					self.assertEqual(set(listed) - shared, set(), f"{user} lists {doctype.name}")
					# ... and no request lists the doctype at all: it does not exist for them
					with self.assertRaises(frappe.DoesNotExistError, msg=f"{user} lists {doctype.name}"):
						called("frappe.client.get_list", doctype=doctype.name)
					frappe.clear_messages()
		self.assertGreater(attempts, 5_000)

	def test_generic_inserts_of_frappe_records_are_refused(self):
		for user in self.restricted:
			frappe.set_user(user)
			for values in (
				{
					"doctype": "Event",
					"subject": "Free lunch",
					"event_type": "Public",
					"starts_on": "2030-01-01",
				},
				{"doctype": "Contact", "first_name": "Mallory"},
				{"doctype": "Address", "address_line1": "1 Road", "city": "X", "country": "India"},
				{"doctype": "Tag", "name": f"tag-{user}"},
				{"doctype": "Note", "title": "note", "public": 1},
			):
				with self.subTest(user=user, doctype=values["doctype"]):
					with self.assertRaises(frappe.PermissionError):
						frappe.client.insert(dict(values))
					self.assertFalse(frappe.db.exists(values["doctype"], {"owner": user}))

	def test_nothing_staff_write_is_listed_to_customers(self):
		frappe.set_user(self.staff)
		event = frappe.get_doc(
			{
				"doctype": "Event",
				"subject": "INTERNAL: pricing review",
				"event_type": "Public",
				"starts_on": "2030-01-01 10:00:00",
			}
		).insert()
		self.assertIn(event.name, frappe.get_list("Event", pluck="name"))  # staff keep Frappe's lists
		# shared with everyone: Frappe ORs it into the lists of a role that reads only its own Contacts
		contact = frappe.get_doc({"doctype": "Contact", "first_name": "INTERNAL: buyer"}).insert()
		frappe.share.add_docshare("Contact", contact.name, everyone=1)
		for user in self.restricted:
			frappe.set_user(user)
			self.assertEqual(frappe.get_list("Event", pluck="name"), [], user)
			with self.assertRaises(frappe.PermissionError):
				frappe.client.get("Event", event.name)
			# Frappe's has_permission grants a shared record after the "*" hook refused it
			# (false_if_not_shared): the request guard answers it like a missing record
			with self.assertRaises(frappe.DoesNotExistError):
				called("frappe.client.get", doctype="Contact", name=contact.name)
			frappe.clear_messages()
			for doctype in ("Event", "Contact"):
				for function, params in (
					("frappe.client.get_list", {}),
					("frappe.client.get_count", {}),
					("frappe.desk.reportview.get", {"fields": '["name"]'}),
					("frappe.desk.search.search_link", {"txt": "INTERNAL"}),
				):
					with self.subTest(user=user, doctype=doctype, function=function):
						with self.assertRaises(frappe.DoesNotExistError):
							called(function, doctype=doctype, **params)
						frappe.clear_messages()

	def test_own_user_only(self):
		frappe.set_user(self.member)
		self.assertEqual(frappe.get_list("User", pluck="name"), [self.member])
		self.assertTrue(frappe.has_permission("User", "write", doc=self.member))
		for other in (self.admin, self.staff):
			self.assertFalse(frappe.has_permission("User", "read", doc=other), other)
		self.assertFalse(frappe.has_permission("User", "delete", doc=self.member))

	# --- files ------------------------------------------------------------------------------------

	def file(self, **values):
		return frappe.get_doc({"doctype": "File", "file_name": "page.html", "content": HTML, **values})

	def test_a_customers_file_is_stored_only_by_the_portals_uploads(self):
		for user in self.restricted:
			frappe.set_user(user)
			for label, values in (
				("public", {"is_private": 0}),
				("private", {"is_private": 1}),
				(
					"on own order",
					{"is_private": 1, "attached_to_doctype": "Order", "attached_to_name": self.order},
				),
			):
				with self.subTest(user=user, file=label):
					# Frappe's upload_file, uploadfile and REST inserts all come down to this insert
					with self.assertRaises(frappe.PermissionError):
						self.file(**values).insert(ignore_permissions=True)
					self.assertFalse(frappe.db.exists("File", {"owner": user, "file_name": "page.html"}))

	def test_inside_the_upload_window_files_stay_private_and_in_scope(self):
		frappe.set_user(self.member)
		with portal_write("File"):
			with self.assertRaises(frappe.PermissionError):
				self.file(is_private=0).insert()
			stored = self.file(
				is_private=1, attached_to_doctype="Order", attached_to_name=self.order
			).insert()
		self.assertTrue(stored.is_private)
		# once stored, the customer's user cannot make it public, or change it, outside the window
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("File", stored.name, "is_private", 0)
		stored.reload()
		stored.is_private = 0
		with self.assertRaises(frappe.PermissionError):
			stored.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("File", stored.name, "is_private"), 1)

	# --- desk actions -----------------------------------------------------------------------------

	def test_desk_actions_on_an_own_record_are_refused(self):
		actions = {
			"comment": lambda: add_comment("Order", self.order, "hi", self.member, "M"),
			"like": lambda: toggle_like("Order", self.order, "Yes"),
			"assign": lambda: assign({"doctype": "Order", "name": self.order, "assign_to": [self.staff]}),
			"tag": lambda: add_tag("urgent", "Order", self.order),
			"follow": lambda: follow_document("Order", self.order, self.member),
			"share": lambda: frappe.share.add("Order", self.order, self.staff, read=1),
		}
		counts = {
			doctype: frappe.db.count(doctype)
			for doctype in ("Comment", "ToDo", "Tag Link", "Document Follow", "DocShare")
		}
		frappe.set_user(self.member)
		# Frappe makes a follow only for users who asked for follow emails
		frappe.db.set_value("User", self.member, {"follow_liked_documents": 0, "document_follow_notify": 1})
		for label, action in actions.items():
			with self.subTest(label):
				with self.assertRaises(frappe.PermissionError):
					action()
		frappe.set_user("Administrator")
		self.assertEqual(
			{doctype: frappe.db.count(doctype) for doctype in counts}, counts, "nothing was written"
		)

	def test_staff_keep_desk_actions(self):
		frappe.set_user(self.staff)
		add_comment("Order", self.order, "staff note", self.staff, "Staff")
		assign({"doctype": "Order", "name": self.order, "assign_to": [self.staff]})
		self.assertTrue(frappe.db.exists("ToDo", {"reference_name": self.order, "allocated_to": self.staff}))
		self.assertTrue(
			frappe.db.exists("Comment", {"reference_name": self.order, "comment_type": "Comment"})
		)

	def test_only_the_portals_functions_are_callable(self):
		# every whitelisted function of Frappe loaded so far: the app's, guests' and PORTAL_FUNCTIONS open
		frappe.get_attr("frappe.core.doctype.module_def.module_def.get_installed_apps")
		refused = [
			f"{fn.__module__}.{fn.__name__}"
			for fn in frappe.whitelisted
			if fn.__module__.startswith("frappe.")
			and fn not in frappe.guest_methods
			and f"{fn.__module__}.{fn.__name__}" not in PORTAL_FUNCTIONS
			and "." not in fn.__qualname__
		]
		self.assertIn("frappe.core.doctype.module_def.module_def.get_installed_apps", refused)
		open_ = ["customer_portal.api.orders.apply_action", "frappe.auth.get_logged_user", "login"]
		open_ += [f"{fn.__module__}.{fn.__name__}" for fn in frappe.guest_methods[:20]]
		for user in (self.admin, self.member, self.stranger):
			frappe.set_user(user)
			self.assertEqual([f for f in refused if may_call(f)], [], user)
			self.assertEqual([f for f in open_ if not may_call(f)], [], user)
			with self.assertRaises(frappe.PermissionError):
				guard_functions("/api/v2/method/Module Def/get_installed_apps")
			guard_functions("/api/method/frappe.auth.get_logged_user")
		frappe.set_user(self.staff)
		guard_functions("/api/method/frappe.core.doctype.module_def.module_def.get_installed_apps")
