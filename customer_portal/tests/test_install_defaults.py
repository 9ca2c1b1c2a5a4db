import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.setup.order_stages import DEFAULT_STAGES, ensure_default_stages
from customer_portal.setup.ticket_categories import DEFAULT_CATEGORIES, ensure_ticket_categories


class TestInstallDefaults(FrappeTestCase):
	"""A fresh install looks complete: a production flow and ticket categories, never added twice or over
	what admins configured."""

	def test_a_site_without_stages_gets_the_production_flow_once(self):
		frappe.db.delete("Order Stage")  # rolled back with the test class
		ensure_default_stages()
		stages = frappe.get_all("Order Stage", fields=["name", "is_final"], order_by="sequence asc")
		self.assertEqual([s.name for s in stages], [name for name, *_rest in DEFAULT_STAGES])
		self.assertEqual([s.is_final for s in stages], [0, 0, 0, 0, 1])
		ensure_default_stages()
		self.assertEqual(frappe.db.count("Order Stage"), len(DEFAULT_STAGES))

	def test_configured_stages_are_left_alone(self):
		before = frappe.db.count("Order Stage")
		if before:
			ensure_default_stages()
			self.assertEqual(frappe.db.count("Order Stage"), before)

	def test_ticket_categories(self):
		frappe.db.delete("Ticket Category")
		ensure_ticket_categories()
		names = frappe.get_all("Ticket Category", pluck="name", order_by="sort_order asc")
		self.assertEqual(names, [name for name, _description in DEFAULT_CATEGORIES])
