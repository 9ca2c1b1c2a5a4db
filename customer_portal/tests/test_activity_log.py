import gzip
import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from customer_portal.activity.log import archive_old_entries, record, seal_entries, verify
from customer_portal.documents.storage import LocalStorage
from customer_portal.tests.fixtures import make_customer, make_user


class TestActivityLog(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# the sealer commits: a fresh user and customer per run keep reruns on one site independent
		run = frappe.generate_hash(length=6)
		cls.user = make_user(f"activity-{run}@example.com")
		cls.customer = make_customer(f"Activity {run}", {cls.user: "Customer Admin"})

	def tearDown(self):
		frappe.set_user("Administrator")

	def entries(self, count: int) -> list[int]:
		frappe.set_user(self.user)
		for index in range(count):
			record("View", "Customer", self.customer, details={"n": index})
		frappe.set_user("Administrator")
		seal_entries(settle_seconds=0)
		return frappe.get_all(
			"Portal Activity", filters={"user": self.user}, pluck="name", order_by="name desc", limit=count
		)[::-1]

	def test_entries_chain_and_verify(self):
		names = self.entries(3)
		rows = frappe.get_all(
			"Portal Activity",
			filters={"name": ("in", names)},
			fields=["name", "customer", "previous_hash", "entry_hash"],
			order_by="name asc",
		)
		self.assertEqual({row.customer for row in rows}, {self.customer})
		self.assertEqual(rows[1].previous_hash, rows[0].entry_hash)
		self.assertEqual(rows[2].previous_hash, rows[1].entry_hash)
		self.assertTrue(verify().intact, verify().problems)

	def test_changes_in_the_database_are_detected(self):
		names = self.entries(3)
		original = frappe.db.sql(
			"select * from `tabPortal Activity` where name = %s", names[1], as_dict=True
		)[0]
		try:
			frappe.db.sql(
				"update `tabPortal Activity` set details = %s where name = %s",
				(json.dumps({"n": 99}), names[1]),
			)
			problems = verify().problems
			self.assertTrue(any(f"entry {names[1]} was changed" in problem for problem in problems), problems)
			frappe.db.sql("delete from `tabPortal Activity` where name = %s", names[1])
			problems = verify().problems
			self.assertTrue(
				any(f"entry {names[2]} does not follow" in problem for problem in problems), problems
			)
		finally:
			# put the entry back as it was, for the tests after this one
			frappe.db.sql("delete from `tabPortal Activity` where name = %s", names[1])
			frappe.db.bulk_insert("Portal Activity", list(original), [tuple(original.values())])
		self.assertTrue(verify().intact, verify().problems)

	def test_renames_and_merges_keep_the_chain_verifiable(self):
		"""Staff renaming a customer, merging one into another and renaming a user rewrite the links of
		sealed entries: the chain still verifies, and a change made in the database after them is reported."""
		run = frappe.generate_hash(length=6)
		user = make_user(f"renamed-{run}@example.com")
		first = make_customer(f"Renamed {run}", {user: "Customer Admin"})
		second = make_customer(f"Merged {run}", {user: "Member"})
		frappe.set_user(user)
		record("View", "Customer", first, customer=first)
		record("View", "Customer", second, customer=second)
		frappe.set_user("Administrator")
		while seal_entries(settle_seconds=0):
			pass
		renamed = frappe.rename_doc("Customer", first, f"Renamed Again {run}")
		frappe.rename_doc("Customer", second, renamed, merge=True)
		moved = frappe.rename_doc("User", user, f"moved-{run}@example.com")
		rows = frappe.get_all(
			"Portal Activity",
			filters={"user": moved, "action": "View"},
			fields=["name", "customer", "reference_name"],
			order_by="name asc",
		)
		# Frappe rewrote every link of both entries
		self.assertEqual([(row.customer, row.reference_name) for row in rows], [(renamed, renamed)] * 2)
		renames = frappe.get_all(
			"Portal Activity", filters={"action": "Rename", "reference_name": ("in", (renamed, moved))}
		)
		self.assertEqual(len(renames), 3)
		while seal_entries(settle_seconds=0):
			pass
		self.assertTrue(verify().intact, verify().problems)

		frappe.db.sql(
			"update `tabPortal Activity` set reference_name = %s where name = %s",
			("Someone Else", rows[0].name),
		)
		try:
			problems = verify().problems
			self.assertIn(f"entry {rows[0].name} was changed after it was recorded", problems)
		finally:
			frappe.db.sql(
				"update `tabPortal Activity` set reference_name = %s where name = %s", (renamed, rows[0].name)
			)
		self.assertTrue(verify().intact, verify().problems)

	def test_nobody_edits_or_deletes_entries(self):
		name = self.entries(1)[0]
		for user in ("Administrator", self.user):
			frappe.set_user(user)
			doc = frappe.get_doc("Portal Activity", name)
			doc.action = "Login"
			with self.assertRaises(frappe.PermissionError):
				doc.save(ignore_permissions=True)
			with self.assertRaises((frappe.PermissionError, frappe.DoesNotExistError)):
				frappe.delete_doc("Portal Activity", name, ignore_permissions=True)

	def test_archiving_keeps_the_chain_verifiable(self):
		while seal_entries(settle_seconds=0):  # a site the HTTP suites ran on holds more than one batch
			pass
		frappe.set_user(self.user)
		for index in range(4):
			record("Download", "Document", f"DOC-OLD-{index}")
		frappe.set_user("Administrator")
		old = frappe.get_all("Portal Activity", filters={"entry_hash": ("is", "not set")}, pluck="name")
		# entries from long ago (made old before they are sealed: the hash covers the time)
		frappe.db.sql(
			"update `tabPortal Activity` set creation = %s where name in %s",
			(add_days(now_datetime(), -400), old),
		)
		while seal_entries(settle_seconds=0):
			pass
		frappe.db.set_single_value("Customer Portal Settings", "activity_retention_days", 365)
		archived = archive_old_entries()
		self.assertGreaterEqual(archived, 4)
		self.assertFalse(frappe.db.exists("Portal Activity", {"name": ("in", old)}))
		# this archive (the site may hold others, from the HTTP suites' runs): it ends on the newest old entry
		archive = frappe.get_doc("Portal Activity Archive", {"last_entry": max(old, key=int)})
		self.assertEqual(archive.entries, archived)

		with open(LocalStorage().path(archive.file), "rb") as f:
			lines = gzip.decompress(f.read()).decode().splitlines()
		self.assertEqual(len(lines), archived)
		self.assertEqual(json.loads(lines[-1])["entry_hash"], archive.last_hash)
		self.entries(2)
		self.assertTrue(verify().intact, verify().problems)
