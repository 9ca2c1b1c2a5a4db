# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.permissions import PORTAL_ADMIN_ROLE, PORTAL_ROLE, get_permitted_customers
from customer_portal.tests.fixtures import make_customer, make_user


def user_permissions(user: str) -> set[str]:
	return set(
		frappe.get_all("User Permission", filters={"user": user, "allow": "Customer"}, pluck="for_value")
	)


class TestCustomer(FrappeTestCase):
	def setUp(self):
		self.user = make_user(f"link-{frappe.generate_hash(length=8)}@example.com")

	def test_linking_grants_portal_role_and_user_permission(self):
		customer = make_customer(f"Link Test {self.user}", {self.user: "Member"})
		self.assertIn(PORTAL_ROLE, frappe.get_roles(self.user))
		self.assertNotIn(PORTAL_ADMIN_ROLE, frappe.get_roles(self.user))
		self.assertEqual(user_permissions(self.user), {customer})
		self.assertEqual(get_permitted_customers(self.user), (customer,))
		self.assertEqual(frappe.db.get_value("User", self.user, "user_type"), "Website User")

	def test_customer_admin_role_follows_the_row(self):
		customer = frappe.get_doc(
			"Customer", make_customer(f"Admin Test {self.user}", {self.user: "Customer Admin"})
		)
		self.assertIn(PORTAL_ADMIN_ROLE, frappe.get_roles(self.user))
		customer.portal_users[0].portal_role = "Member"
		customer.save()
		self.assertNotIn(PORTAL_ADMIN_ROLE, frappe.get_roles(self.user))
		self.assertIn(PORTAL_ROLE, frappe.get_roles(self.user))

	def test_unlinking_revokes_role_and_user_permission(self):
		first = frappe.get_doc("Customer", make_customer(f"Unlink A {self.user}", {self.user: "Member"}))
		second = make_customer(f"Unlink B {self.user}", {self.user: "Member"})
		self.assertEqual(user_permissions(self.user), {first.name, second})

		first.portal_users = []
		first.save()
		self.assertEqual(user_permissions(self.user), {second})
		self.assertIn(PORTAL_ROLE, frappe.get_roles(self.user))

		frappe.delete_doc("Customer", second)
		self.assertEqual(user_permissions(self.user), set())
		self.assertNotIn(PORTAL_ROLE, frappe.get_roles(self.user))
		self.assertEqual(get_permitted_customers(self.user), ())

	def test_inactive_customer_is_out_of_scope(self):
		customer = frappe.get_doc("Customer", make_customer(f"Inactive {self.user}", {self.user: "Member"}))
		customer.status = "Inactive"
		customer.save()
		self.assertEqual(get_permitted_customers(self.user), ())

	def test_duplicate_and_reserved_portal_users_are_refused(self):
		duplicate = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": f"Dup {self.user}",
				"portal_users": [{"user": self.user}, {"user": self.user}],
			}
		)
		with self.assertRaisesRegex(frappe.ValidationError, "already linked"):
			duplicate.insert()
		with self.assertRaisesRegex(frappe.ValidationError, "cannot be a portal user"):
			make_customer(f"Admin link {self.user}", {"Administrator": "Member"})
		self.assertFalse(frappe.db.exists("Customer", f"Dup {self.user}"))
		self.assertEqual(user_permissions(self.user), set())
