import csv
import io
import json

import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.api import exports as exports_api
from customer_portal.exports import invoices as exports
from customer_portal.portal.context import set_active_customer
from customer_portal.tests.fixtures import make_customer, make_invoice, make_user


def file_text(export) -> str:
	content = frappe.get_doc("File", {"file_url": export.file}).get_content()
	return (content if isinstance(content, str) else content.decode("utf-8")).lstrip("\ufeff")


class TestInvoiceExports(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("exports-user@example.com")
		cls.colleague = make_user("exports-colleague@example.com")
		cls.customer = make_customer("Exports Co", {cls.user: "Member", cls.colleague: "Member"})
		cls.other = make_customer("Exports Other Co")
		cls.mine = [make_invoice(cls.customer, rate=100 + i).name for i in range(3)]
		make_invoice(cls.customer, submit=False)  # a draft: never exported
		cls.theirs = make_invoice(cls.other, rate=999).name

	def setUp(self):
		frappe.set_user(self.user)
		set_active_customer(self.customer)

	def tearDown(self):
		frappe.set_user("Administrator")

	def run_export(self, kind, names=None, filters=None):
		export = exports.start(kind, names, filters)
		progress = []
		exports.produce(export, report=lambda doc, percent: progress.append(percent))  # the worker's work
		self.assertEqual(progress[0], 0)
		frappe.set_user(self.user)
		export.reload()
		self.assertEqual((export.status, export.progress), ("Done", 100))
		return export

	def test_csv_holds_the_customers_invoices_only(self):
		export = self.run_export(exports.CSV, filters={})
		rows = list(csv.reader(io.StringIO(file_text(export))))
		self.assertEqual(rows[0][0], "Invoice")
		names = [row[0] for row in rows[1:]]
		self.assertEqual(sorted(names), sorted(self.mine))
		totals = {row[0]: float(row[5]) for row in rows[1:]}
		for name in self.mine:
			self.assertEqual(totals[name], frappe.db.get_value("Invoice", name, "total"))

	def test_the_ticked_invoices_only(self):
		# (the ZIP of PDFs is checked end to end, where the print format's assets are served)
		export = self.run_export(exports.CSV, names=self.mine[:2])
		rows = list(csv.reader(io.StringIO(file_text(export))))
		self.assertEqual(sorted(row[0] for row in rows[1:]), sorted(self.mine[:2]))
		self.assertTrue(
			frappe.db.exists(
				"Portal Activity", {"reference_doctype": "Portal Export", "reference_name": export.name}
			)
		)

	def test_another_customers_invoice_is_not_found_and_nothing_is_queued(self):
		before = frappe.db.count("Portal Export")
		self.assertRaises(frappe.DoesNotExistError, exports.start, exports.ZIP, [self.mine[0], self.theirs])
		self.assertEqual(frappe.db.count("Portal Export"), before)

	def test_only_the_user_who_asked_downloads(self):
		export = self.run_export(exports.CSV, filters={})
		frappe.set_user(self.colleague)
		self.assertRaises(frappe.DoesNotExistError, exports_api.download, export.name)
		self.assertEqual(frappe.get_list("File", filters={"attached_to_name": export.name}), [])

	def test_limits_and_bad_input(self):
		self.assertRaises(frappe.ValidationError, exports.start, "Everything (XLS)", self.mine)
		self.assertRaises(
			frappe.ValidationError,
			exports.start,
			exports.CSV,
			None,
			{"status": "Paid", "from_date": "2000-01-01", "to_date": "2000-01-02"},
		)
		limits = dict(exports.MAX_INVOICES)
		exports.MAX_INVOICES[exports.ZIP] = 2
		try:
			self.assertRaisesRegex(frappe.ValidationError, "at most 2", exports.start, exports.ZIP, self.mine)
		finally:
			exports.MAX_INVOICES.update(limits)

	def test_cells_never_start_a_formula(self):
		self.assertEqual(exports._csv_safe("=HYPERLINK(1)"), "'=HYPERLINK(1)")
		self.assertEqual(exports._csv_safe("-12.5"), "-12.5")
		self.assertEqual(exports._csv_safe("@SUM"), "'@SUM")
		self.assertEqual(json.loads(json.dumps(exports.clean_filters({"status": "bogus"}))), {})
