# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _

from customer_portal.permissions import ScopedDocument
from customer_portal.records import validate_order_customer


class Document(ScopedDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		customer: DF.Link
		customer_name: DF.Data | None
		description: DF.SmallText | None
		document_type: DF.Link
		file: DF.Attach
		naming_series: DF.Literal["DOC-.YYYY.-"]
		order: DF.Link | None
		title: DF.Data
		version: DF.Int

	# end: auto-generated types
	def validate(self):
		validate_order_customer(self)
		self.validate_file_is_private()
		self.set_version()

	def validate_file_is_private(self):
		if self.file and not self.file.startswith("/private/files/"):
			frappe.throw(
				_("Customer documents are stored privately. Attach the file again with 'Is Private' ticked."),
				title=_("Public File"),
			)

	def set_version(self):
		if self.is_new():
			self.version = 1
		elif self.has_value_changed("file"):
			self.version = (self.get_doc_before_save().version or 0) + 1


def on_doctype_update():
	frappe.db.add_index("Document", ["customer", "modified"])
	frappe.db.add_index("Document", ["customer", "document_type"])
