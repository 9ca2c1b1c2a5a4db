"""Attacks on the scoping policy from inside Frappe: every path a portal user can call.

Customer A's user probes customer B's records. Each probe must answer exactly as it answers for a name
that does not exist, while the same probe on A's own record works.
"""

import json

import frappe
import frappe.client
from frappe.core.doctype.file.utils import find_file_by_url
from frappe.desk.form.load import getdoc
from frappe.desk.reportview import get as reportview_get
from frappe.tests.utils import FrappeTestCase
from frappe.utils.print_format import download_pdf
from frappe.www.printview import get_html_and_style

from customer_portal.permissions import (
	CHILD_PARENT,
	CUSTOMER_FIELD,
	PORTAL_ROLE,
	USER_FIELD,
	Scope,
	get_permitted_customers,
)
from customer_portal.tests.fixtures import (
	called,
	make_customer,
	make_document,
	make_document_type,
	make_invoice,
	make_order,
	make_stages,
	make_user,
	share_written_in_the_database,
	whitelisted,
)

MISSING = {
	"Customer": "No Such Customer Ltd",
	"Order": "ORD-2026-99999",
	"Invoice": "INV-2026-99999",
	"Document": "DOC-2026-99999",
}
# a writable field of each doctype, and a value for it
WRITABLE = {"Customer": "tax_id", "Order": "title", "Invoice": "due_date", "Document": "title"}
NEW_VALUE = {"tax_id": "HACKED", "title": "HACKED", "due_date": "2030-01-01"}


def outcome(probe, name: str):
	"""What a caller observes from a probe: the result or the error, with the probed name masked."""
	frappe.clear_messages()
	frappe.local.response = frappe._dict({"docs": []})
	try:
		result = probe(name)
		observed = ("ok", result, frappe.local.response.get("docs"))
	except Exception as e:
		# each raised error carries a random id; it identifies the error, not the record
		messages = [{k: v for k, v in m.items() if k != "__frappe_exc_id"} for m in frappe.get_message_log()]
		observed = (type(e).__name__, str(e), messages)
	return json.loads(json.dumps(observed, default=str).replace(name, "<name>"))


class TestScoping(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_stages("Scope")
		make_document_type()
		cls.a_member = make_user("scope-a-member@example.com")
		cls.a_admin = make_user("scope-a-admin@example.com")
		cls.b_member = make_user("scope-b-member@example.com")
		cls.both = make_user("scope-both@example.com")
		cls.unlinked = make_user("scope-unlinked@example.com")
		frappe.get_doc("User", cls.unlinked).add_roles(PORTAL_ROLE)

		cls.customer_a = make_customer(
			"Scope Customer A", {cls.a_member: "Member", cls.a_admin: "Customer Admin", cls.both: "Member"}
		)
		cls.customer_b = make_customer("Scope Customer B", {cls.b_member: "Member", cls.both: "Member"})
		cls.records = {"A": {"Customer": cls.customer_a}, "B": {"Customer": cls.customer_b}}
		for key, customer in (("A", cls.customer_a), ("B", cls.customer_b)):
			order = make_order(customer, f"Order of {key}")
			cls.records[key]["Order"] = order
			cls.records[key]["Invoice"] = make_invoice(customer, order=order).name
			cls.records[key]["Document"] = make_document(customer, f"Report of {key}", order=order)
		cls.draft_invoice_a = make_invoice(cls.customer_a, submit=False).name

	def tearDown(self):
		frappe.set_user("Administrator")

	def as_user(self, user):
		frappe.set_user(user)

	def assert_same_as_missing(self, probe, doctype: str, label: str):
		foreign = outcome(probe, self.records["B"][doctype])
		missing = outcome(probe, MISSING[doctype])
		self.assertEqual(foreign, missing, f"{label} on {doctype}: B's record differs from a missing one")
		return foreign

	# --- the policy itself --------------------------------------------------------------------------

	def test_policy_answers_which_customers(self):
		self.assertEqual(get_permitted_customers(self.a_member), (self.customer_a,))
		self.assertEqual(set(get_permitted_customers(self.both)), {self.customer_a, self.customer_b})
		self.assertEqual(get_permitted_customers(self.unlinked), ())
		self.assertIsNone(get_permitted_customers("Administrator"))

	def test_the_sql_conditions_are_the_criterion(self):
		"""Frappe's lists read the scope as SQL, the app's own queries as a criterion and a loaded record
		is judged by `admits`: all three select the same rows of every scoped doctype, and a customer name written to break out of its quotes (MariaDB
		reads a backslash as an escape) stays a value."""
		breakout = "x\\' or 1=1 -- "
		for doctype in sorted({*CUSTOMER_FIELD, *USER_FIELD}):
			table = frappe.qb.DocType(doctype)
			for customers, user in (
				((self.customer_a,), self.a_member),
				((self.customer_a, self.customer_b), self.both),
				((), self.unlinked),
				((breakout, "b'c", "100%"), breakout),
			):
				scope = Scope(doctype, customers, user)
				through_sql = frappe.db.sql(
					f"select name from `tab{doctype}` where {scope.sql()}", pluck=True
				)
				through_criterion = (
					frappe.qb.from_(table).select(table.name).where(scope.criterion()).run(pluck=True)
				)
				self.assertEqual(sorted(through_sql), sorted(through_criterion), f"{doctype} for {customers}")
				# and a row loaded in memory is judged the same way
				admitted = [row.name for row in frappe.get_all(doctype, fields=["*"]) if scope.admits(row)]
				self.assertEqual(sorted(admitted), sorted(through_criterion), f"{doctype} for {customers}")
				if breakout in customers:
					self.assertEqual(through_sql, [], f"{doctype}: the quoted name selected rows")
		mine = Scope("Order", (self.customer_a,), self.a_member)
		through_sql = frappe.db.sql(f"select name from `tabOrder` where {mine.sql()}", pluck=True)
		self.assertIn(self.records["A"]["Order"], through_sql)
		self.assertNotIn(self.records["B"]["Order"], through_sql)

	def test_records_are_never_shared_past_the_scope(self):
		"""A DocShare widens Frappe's lists beside the policy's conditions: staff cannot share a customer's
		record with a portal user or with everyone, and a user linked to a customer keeps no such share."""
		theirs = self.records["B"]["Invoice"]
		for share in ({"user": self.a_member}, {"user": self.unlinked}, {"everyone": 1}):
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc(
					{
						"doctype": "DocShare",
						"share_doctype": "Invoice",
						"share_name": theirs,
						"read": 1,
						**share,
					}
				).insert(ignore_permissions=True)
		self.assertFalse(frappe.db.exists("DocShare", {"share_doctype": "Invoice", "share_name": theirs}))
		# staff share with staff as before
		staff = make_user("scope-staff@example.com")
		frappe.get_doc("User", staff).add_roles("Customer Portal Staff")
		frappe.share.add_docshare("Invoice", theirs, staff, read=1, flags={"ignore_share_permission": True})

		# a share made before the user was linked (or written in the database) goes when they are linked
		share = share_written_in_the_database(self.a_member, "Invoice", theirs)
		self.as_user(self.a_member)
		self.assertIn(theirs, frappe.get_list("Invoice", pluck="name"))  # what a share does to a list
		frappe.set_user("Administrator")
		frappe.get_doc("Customer", self.customer_a).save()  # the user's access is synced
		self.assertFalse(frappe.db.exists("DocShare", share))
		self.as_user(self.a_member)
		self.assertNotIn(theirs, frappe.get_list("Invoice", pluck="name"))

	# --- reads --------------------------------------------------------------------------------------

	def test_get_and_form_load(self):
		self.as_user(self.a_member)
		for doctype in MISSING:
			for label, probe in (
				("frappe.client.get", lambda name, dt=doctype: frappe.client.get(dt, name)),
				("getdoc", lambda name, dt=doctype: getdoc(dt, name)),
				("frappe.get_doc", lambda name, dt=doctype: frappe.get_doc(dt, name).name),
			):
				foreign = self.assert_same_as_missing(probe, doctype, label)
				self.assertIn(foreign[0], ("DoesNotExistError", "ok"), f"{label} {doctype}")
				own = outcome(probe, self.records["A"][doctype])
				self.assertEqual(own[0], "ok", f"{label} on own {doctype}: {own}")
			self.assertEqual(
				frappe.client.get(doctype, self.records["A"][doctype])["name"], self.records["A"][doctype]
			)

	def test_lists_counts_values_reports_and_link_search(self):
		self.as_user(self.a_member)
		for doctype in MISSING:
			own, foreign = self.records["A"][doctype], self.records["B"][doctype]
			probes = {
				"get_list": lambda name, dt=doctype: frappe.client.get_list(dt, filters={"name": name}),
				"get_value": lambda name, dt=doctype: frappe.client.get_value(dt, "name", name),
				"get_count": lambda name, dt=doctype: whitelisted("frappe.client.get_count")(
					dt, filters={"name": name}
				),
				"reportview.get": lambda name, dt=doctype: self.reportview(dt, name),
				"validate_link": lambda name, dt=doctype: called(
					"frappe.client.validate_link", doctype=dt, docname=name
				),
				"search_link": lambda name, dt=doctype: whitelisted("frappe.desk.search.search_link")(
					dt, name, ignore_user_permissions=True
				),
			}
			for label, probe in probes.items():
				self.assert_same_as_missing(probe, doctype, label)
				self.assertNotEqual(
					outcome(probe, own), outcome(probe, MISSING[doctype]), f"{label} on own {doctype}"
				)

			listed = set(frappe.get_list(doctype, pluck="name", limit_page_length=0))
			self.assertIn(own, listed)
			self.assertNotIn(foreign, listed)
			self.assertEqual(
				whitelisted("frappe.client.get_count")(doctype),
				frappe.db.count(doctype, self.own_filters(doctype)),
			)

	def reportview(self, doctype, name):
		frappe.local.form_dict = frappe._dict(
			doctype=doctype, fields=json.dumps([f"`tab{doctype}`.`name`"]), filters=json.dumps({"name": name})
		)
		return reportview_get()

	def own_filters(self, doctype):
		field = "name" if doctype == "Customer" else "customer"
		filters = {field: self.customer_a}
		if doctype == "Invoice":
			filters["docstatus"] = ("!=", 0)
		return filters

	def test_hooks_cover_every_scoped_doctype_and_its_child_tables(self):
		conditions = frappe.get_hooks("permission_query_conditions")
		permission = frappe.get_hooks("has_permission")
		for doctype in CUSTOMER_FIELD:
			self.assertIn(doctype, conditions)
			self.assertIn(doctype, permission)
			for table in frappe.get_meta(doctype).get_table_fields():
				self.assertEqual(CHILD_PARENT.get(table.options), doctype, table.options)
				self.assertIn(table.options, conditions)
		for doctype in frappe.get_all(
			"DocType", filters={"module": "Customer Portal", "istable": 0}, pluck="name"
		):
			if frappe.get_meta(doctype).has_field("customer"):
				self.assertIn(doctype, CUSTOMER_FIELD, f"{doctype} has a customer field but no scope")

	def test_child_rows_follow_their_parent(self):
		self.as_user(self.a_member)
		for child, parent in (
			("Order Item", "Order"),
			("Order Stage History", "Order"),
			("Invoice Item", "Invoice"),
			("Customer Portal User", "Customer"),
		):
			parents = {
				row["parent"] for row in frappe.client.get_list(child, fields=["parent"], parent=parent)
			}
			self.assertIn(self.records["A"][parent], parents)
			self.assertNotIn(self.records["B"][parent], parents)

	def test_a_child_row_or_file_loaded_on_its_own_follows_its_parent(self):
		"""Frappe judges a child row by its parent doctype's role permissions only (and a File by its
		hook after loading it): another customer's row does not even load, like a missing one."""
		foreign_item = frappe.get_all(
			"Order Item", filters={"parent": self.records["B"]["Order"]}, pluck="name"
		)[0]
		own_item = frappe.get_all("Order Item", filters={"parent": self.records["A"]["Order"]}, pluck="name")[
			0
		]
		foreign_file = frappe.get_all(
			"File", filters={"attached_to_name": self.records["B"]["Document"]}, pluck="name"
		)[0]
		self.as_user(self.a_member)
		for doctype, name, missing in (
			("Order Item", foreign_item, "0000000000"),
			("File", foreign_file, "x1"),
		):
			foreign = outcome(lambda n, dt=doctype: frappe.get_doc(dt, n).name, name)
			self.assertEqual(foreign, outcome(lambda n, dt=doctype: frappe.get_doc(dt, n).name, missing))
			self.assertEqual(foreign[0], "DoesNotExistError")
			check = outcome(
				lambda n, dt=doctype: called("frappe.client.has_permission", doctype=dt, docname=n), name
			)
			self.assertEqual(check[0], "DoesNotExistError")
		self.assertEqual(frappe.get_doc("Order Item", own_item).parent, self.records["A"]["Order"])
		title = outcome(
			lambda n: called("frappe.desk.search.get_link_title", doctype="Order", docname=n),
			self.records["B"]["Order"],
		)
		self.assertEqual(title[0], "DoesNotExistError")

	def test_draft_invoices_stay_with_staff(self):
		self.as_user(self.a_member)
		self.assertNotIn(self.draft_invoice_a, frappe.get_list("Invoice", pluck="name"))
		with self.assertRaises(frappe.DoesNotExistError):
			frappe.client.get("Invoice", self.draft_invoice_a)

	# --- print ------------------------------------------------------------------------------------

	def test_print_view_and_pdf(self):
		self.as_user(self.a_member)
		for doctype in ("Order", "Invoice", "Document"):
			html = lambda name, dt=doctype: bool(get_html_and_style(dt, name=name)["html"])
			pdf = lambda name, dt=doctype: download_pdf(dt, name) or frappe.local.response.filecontent[:4]
			for label, probe in (("printview", html), ("download_pdf", pdf)):
				foreign = self.assert_same_as_missing(probe, doctype, label)
				self.assertEqual(foreign[0], "DoesNotExistError")
			self.assertTrue(html(self.records["A"][doctype]))
		# the PDF of an own record is rendered over HTTP in tests/ (wkhtmltopdf needs a live server)

	# --- attachments --------------------------------------------------------------------------------

	def test_attachment_rows_and_files(self):
		def file_of(document):
			return frappe.get_all(
				"File",
				filters={"attached_to_doctype": "Document", "attached_to_name": document},
				fields=["name", "file_url"],
			)[0]

		own_file, foreign_file = (
			file_of(self.records["A"]["Document"]),
			file_of(self.records["B"]["Document"]),
		)
		self.as_user(self.a_member)
		listed = set(frappe.get_list("File", pluck="name", limit_page_length=0))
		self.assertNotIn(foreign_file.name, listed)

		foreign = outcome(lambda name: frappe.client.get("File", name), foreign_file.name)
		missing = outcome(lambda name: frappe.client.get("File", name), "no-such-file")
		self.assertEqual(foreign, missing)
		self.assertEqual(frappe.client.get("File", own_file.name)["file_url"], own_file.file_url)

		self.assertTrue(find_file_by_url(own_file.file_url))
		self.assertIsNone(find_file_by_url(foreign_file.file_url))

	# --- writes -------------------------------------------------------------------------------------

	def test_update_delete_and_rename(self):
		for user in (self.a_member, self.a_admin):
			self.as_user(user)
			for doctype in MISSING:
				field = WRITABLE[doctype]
				probes = {
					"set_value": lambda name, dt=doctype, f=field: frappe.client.set_value(
						dt, name, f, NEW_VALUE[f]
					),
					"save": lambda name, dt=doctype, f=field: frappe.client.save(
						{
							"doctype": dt,
							"name": name,
							f: NEW_VALUE[f],
							"customer": self.customer_a,
							"modified": "2099-01-01",
						}
					),
					"delete": lambda name, dt=doctype: called("frappe.client.delete", doctype=dt, name=name),
					"rename": lambda name, dt=doctype: frappe.client.rename_doc(dt, name, name + " renamed"),
				}
				for label, probe in probes.items():
					frappe.db.savepoint("probe")
					try:
						foreign = self.assert_same_as_missing(probe, doctype, label)
					finally:
						frappe.db.rollback(save_point="probe")
					self.assertNotEqual(foreign[0], "ok", f"{label} on {doctype} succeeded")
		frappe.set_user("Administrator")
		for doctype in MISSING:
			doc = frappe.get_doc(doctype, self.records["B"][doctype])
			self.assertNotEqual(doc.get(WRITABLE[doctype]), NEW_VALUE[WRITABLE[doctype]])
			if doctype != "Customer":
				self.assertEqual(doc.customer, self.customer_b)

	def test_create_for_another_customer(self):
		self.as_user(self.a_admin)
		templates = {
			"Order": {"title": "Sneaky", "items": [{"item_name": "x", "qty": 1, "rate": 1}]},
			"Invoice": {"due_date": "2030-01-01", "items": [{"item_name": "x", "qty": 1, "rate": 1}]},
			"Document": {
				"title": "Sneaky",
				"document_type": make_document_type(),
				"file": "/private/files/x.txt",
			},
		}
		for doctype, fields in templates.items():
			probe = lambda customer, dt=doctype, f=fields: frappe.client.insert(
				{"doctype": dt, "customer": customer, **f}
			)
			foreign = outcome(probe, self.customer_b)
			missing = outcome(probe, MISSING["Customer"])
			self.assertEqual(foreign, missing, doctype)
			self.assertNotEqual(foreign[0], "ok")
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists("Order", {"title": "Sneaky"}))

	def test_cannot_join_a_customer_or_move_own_record(self):
		self.as_user(self.a_admin)
		# joining B's portal users: B does not exist for this user
		frappe.db.savepoint("probe")
		probe = lambda name: frappe.client.save(
			{
				"doctype": "Customer",
				"name": name,
				"portal_users": [{"user": self.a_admin, "portal_role": "Customer Admin"}],
			}
		)
		try:
			self.assertEqual(outcome(probe, self.customer_b), outcome(probe, MISSING["Customer"]))
		finally:
			frappe.db.rollback(save_point="probe")
		# on its own customer a customer admin may edit contact details, never the status (kept as it
		# was), the access list (refused: it changes only through /portal/users) or, once invoiced, the
		# invoice details (test_account_details.py)
		own = frappe.client.get("Customer", self.customer_a)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.save(
				{**own, "portal_users": [{"user": self.b_member, "portal_role": "Customer Admin"}]}
			)
		frappe.client.save({**own, "contact_phone": "+1 555 0123", "status": "Inactive"})
		self.as_user(self.a_member)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("Customer", self.customer_a, "tax_id", "X")
		frappe.set_user("Administrator")
		stored = frappe.get_doc("Customer", self.customer_a)
		self.assertEqual((stored.contact_phone, stored.status), ("+1 555 0123", "Active"))
		self.assertNotIn(self.b_member, [row.user for row in stored.portal_users])
		self.as_user(self.a_admin)
		# moving an own order to B looks like naming a customer that does not exist
		order = self.records["A"]["Order"]
		move = lambda customer: frappe.client.set_value("Order", order, "customer", customer)
		self.assertEqual(outcome(move, self.customer_b)[0], outcome(move, MISSING["Customer"])[0])
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Order", order, "customer"), self.customer_a)
		self.assertNotIn(
			self.a_admin, [row.user for row in frappe.get_doc("Customer", self.customer_b).portal_users]
		)

	# --- who sees what ------------------------------------------------------------------------------

	def test_multi_customer_user_sees_both_and_unlinked_user_sees_nothing(self):
		self.as_user(self.both)
		for doctype in MISSING:
			listed = set(frappe.get_list(doctype, pluck="name"))
			self.assertTrue({self.records["A"][doctype], self.records["B"][doctype]} <= listed, doctype)
			frappe.client.get(doctype, self.records["B"][doctype])
		self.as_user(self.unlinked)
		for doctype in MISSING:
			self.assertEqual(frappe.get_list(doctype), [], doctype)
			self.assertEqual(whitelisted("frappe.client.get_count")(doctype), 0)
			with self.assertRaises(frappe.DoesNotExistError):
				frappe.client.get(doctype, self.records["A"][doctype])

	def test_staff_see_everything(self):
		staff = make_user("scope-staff@example.com")
		frappe.get_doc("User", staff).add_roles("Customer Portal Staff")
		self.as_user(staff)
		for doctype in MISSING:
			listed = set(frappe.get_list(doctype, pluck="name", limit_page_length=0))
			self.assertTrue({self.records["A"][doctype], self.records["B"][doctype]} <= listed, doctype)
