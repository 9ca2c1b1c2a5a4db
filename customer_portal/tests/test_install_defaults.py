import frappe
from frappe.model.rename_doc import rename_doc
from frappe.tests.utils import FrappeTestCase

from customer_portal.demo.stages import STAGES, demo_stages
from customer_portal.documents.uploads import upload_choices
from customer_portal.portal.timeline import stage_timeline
from customer_portal.setup.order_stages import (
	DEFAULT_STAGES,
	create_stages,
	ensure_default_stages,
	remove_unused_default_stages,
)
from customer_portal.setup.ticket_categories import DEFAULT_CATEGORIES, ensure_ticket_categories
from customer_portal.tests.fixtures import (
	make_customer,
	make_document,
	make_document_type,
	make_order,
	make_stages,
)


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

	def test_the_demo_keeps_the_default_stages_an_order_has_been_at(self):
		frappe.db.delete("Order Stage")  # rolled back with the test class
		ensure_default_stages()
		(first, *_rest), (second, *_rest) = DEFAULT_STAGES[:2]
		order = frappe.get_doc("Order", make_order(make_customer("Default Flow Co"), "Moved on", stage=first))
		order.stage = second
		order.save()
		removed = remove_unused_default_stages()  # raised LinkExistsError for the first stage
		self.assertNotIn(first, removed)  # the order's history names it
		self.assertNotIn(second, removed)  # the order is there
		self.assertTrue(frappe.db.exists("Order Stage", first))
		self.assertTrue(frappe.db.exists("Order Stage", second))
		self.assertEqual(frappe.get_doc("Order", order.name).stage_history[0].stage, first)
		# the demo's own flow fits beside them (its first stage took the first default's position)
		created = create_stages(demo_stages())
		self.assertEqual(created, [name for name, *_rest in STAGES])
		self.assertTrue(all(frappe.db.exists("Order Stage", name) for name in created))

	def test_ticket_categories(self):
		frappe.db.delete("Ticket Category")
		ensure_ticket_categories()
		names = frappe.get_all("Ticket Category", pluck="name", order_by="sort_order asc")
		self.assertEqual(names, [name for name, _description in DEFAULT_CATEGORIES])


class TestRenamingConfiguration(FrappeTestCase):
	"""Admins rename stages and document types in desk; the records that use them follow."""

	def test_renaming_a_stage_moves_its_orders_and_history(self):
		stage = make_stages("Rename")[0]
		order = make_order(make_customer("Rename Co"), "Renamed stage order", stage=stage)
		rename_doc("Order Stage", stage, "Rename Artwork Check", force=True)
		doc = frappe.get_doc("Order", order)
		self.assertEqual(doc.stage, "Rename Artwork Check")
		self.assertEqual(doc.stage_history[-1].stage, "Rename Artwork Check")
		self.assertEqual(
			frappe.db.get_value("Order Stage", "Rename Artwork Check", "stage_name"), "Rename Artwork Check"
		)


class TestRetiringConfiguration(FrappeTestCase):
	"""Admins retire stages and document types: nothing new uses them, what used them keeps them."""

	def test_a_retired_stage_takes_no_more_orders_and_leaves_other_timelines(self):
		first, middle, last = make_stages("Retire")
		customer = make_customer("Retire Co")
		at_middle = make_order(customer, "At the middle stage", stage=middle)
		frappe.db.set_value("Order Stage", middle, "retired", 1)
		order = frappe.get_doc("Order", make_order(customer, "Before the middle stage", stage=first))
		order.stage = middle
		self.assertRaisesRegex(frappe.ValidationError, "retired", order.save)
		order.reload()
		self.assertNotIn(middle, [step["stage"] for step in stage_timeline(order)])
		# an order already there keeps it, in its timeline too
		kept = frappe.get_doc("Order", at_middle)
		self.assertIn(middle, [step["stage"] for step in stage_timeline(kept)])
		kept.stage = last
		kept.save()

	def test_a_retired_document_type_takes_no_new_documents(self):
		kind = make_document_type("Retire Certificate")
		frappe.db.set_value("Document Type", kind, {"retired": 1, "allow_customer_upload": 1})
		self.assertNotIn(kind, [choice["name"] for choice in upload_choices()])
		self.assertRaisesRegex(
			frappe.ValidationError,
			"retired",
			make_document,
			make_customer("Retire Docs Co"),
			document_type=kind,
		)
