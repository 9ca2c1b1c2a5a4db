import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.tests.fixtures import (
	make_customer,
	make_invoice,
	make_outgoing_email_account,
	make_user,
)


class TestAccountDetails(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_outgoing_email_account()
		cls.admin = make_user("details-admin@example.com")
		cls.manager = make_user("details-manager@example.com")
		frappe.get_doc("User", cls.manager).add_roles("Customer Portal Staff")
		cls.invoiced = make_customer("Details Invoiced", {cls.admin: "Customer Admin"})
		cls.fresh = make_customer("Details Fresh", {cls.admin: "Customer Admin"})
		frappe.db.set_value("Customer", cls.invoiced, "account_manager", cls.manager)
		make_invoice(cls.invoiced)

	def tearDown(self):
		frappe.set_user("Administrator")

	def save_as_admin(self, customer: str, **values):
		frappe.set_user(self.admin)
		doc = frappe.get_doc("Customer", customer)
		doc.update(values)
		doc.save()

	def test_invoice_details_lock_once_an_invoice_is_issued(self):
		self.assertRaises(frappe.ValidationError, self.save_as_admin, self.invoiced, tax_id="NEW-1")
		self.assertRaises(
			frappe.ValidationError, self.save_as_admin, self.invoiced, billing_address="1 New Street"
		)
		frappe.set_user("Administrator")
		self.assertNotEqual(frappe.db.get_value("Customer", self.invoiced, "tax_id"), "NEW-1")
		# no invoice yet: free to change; and staff may always change them
		self.save_as_admin(self.fresh, tax_id="FRESH-1")
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Customer", self.invoiced)
		doc.tax_id = "STAFF-1"
		doc.save()

	def test_the_account_manager_hears_of_changes_with_before_and_after(self):
		before = frappe.db.get_value("Customer", self.invoiced, "contact_phone") or ""
		self.save_as_admin(self.invoiced, contact_phone="+1 555 0199")
		frappe.set_user("Administrator")
		mail = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Customer", "reference_name": self.invoiced},
			fields=["name", "message"],
			order_by="creation desc",
			limit=1,
		)
		self.assertTrue(mail, "no email to the account manager")
		recipients = frappe.get_all(
			"Email Queue Recipient", filters={"parent": mail[0].name}, pluck="recipient"
		)
		self.assertEqual(recipients, [self.manager])
		self.assertIn("+1 555 0199", mail[0].message)
		if before:
			self.assertIn(before, mail[0].message)
