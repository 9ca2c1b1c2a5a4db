# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.tests.fixtures import (
	make_customer,
	make_document,
	make_order,
	make_private_file,
	make_stages,
)


class TestDocument(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_stages("Document Test")
		cls.customer = make_customer("Document Test Customer")
		cls.other_customer = make_customer("Document Test Other")

	def test_new_file_bumps_version_and_file_is_attached_privately(self):
		document = frappe.get_doc("Document", make_document(self.customer, "Certificate"))
		self.assertEqual(document.version, 1)
		attached = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Document", "attached_to_name": document.name},
			fields=["file_url", "is_private"],
		)
		self.assertEqual([(row.file_url, row.is_private) for row in attached], [(document.file, 1)])

		document.file = make_private_file("certificate-v2.txt", b"second version")
		document.save()
		self.assertEqual(document.version, 2)
		document.description = "No new file"
		document.save()
		self.assertEqual(document.version, 2)

	def test_public_file_is_refused(self):
		public = frappe.get_doc(
			{"doctype": "File", "file_name": "public.txt", "content": b"oops", "is_private": 0}
		).insert()
		with self.assertRaisesRegex(frappe.ValidationError, "stored privately"):
			make_document(self.customer, "Public", file=public.file_url)

	def test_order_of_another_customer_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "belongs to customer"):
			make_document(self.customer, "Wrong order", order=make_order(self.other_customer))
