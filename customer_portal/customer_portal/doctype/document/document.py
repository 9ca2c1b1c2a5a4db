# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.utils import now_datetime

from customer_portal.activity.log import record
from customer_portal.documents.audit import log_access
from customer_portal.documents.file_hooks import attach_stored_file
from customer_portal.documents.storage import is_private_url, storage_for
from customer_portal.infra.records import validate_order_customer
from customer_portal.permissions import ScopedDocument


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
		if self.is_new() and frappe.get_cached_value("Document Type", self.document_type, "retired"):
			frappe.throw(
				_("The document type {0} is retired: no new documents of it.").format(self.document_type),
				title=_("Retired Document Type"),
			)
		validate_order_customer(self)
		self.validate_file_is_private()
		self.set_version()

	def on_update(self):
		attach_stored_file(self, "file")

	def validate_file_is_private(self):
		if self.file and not is_private_url(self.file):
			frappe.throw(
				_("Customer documents are stored privately. Attach the file again with 'Is Private' ticked."),
				title=_("Public File"),
			)

	def set_version(self):
		"""A new file is a new version: recorded with who, when, its size and SHA-256, and the note."""
		if not self.is_new() and not self.has_value_changed("file"):
			return
		storage = storage_for(self.file)
		version = max((row.version for row in self.versions), default=0) + 1
		self.append(
			"versions",
			{
				"version": version,
				"file": self.file,
				"file_size": storage.size(self.file),
				"sha256": storage.sha256(self.file),
				"uploaded_by": frappe.session.user,
				"uploaded_on": now_datetime(),
				"note": self.version_note,
			},
		)
		self.version = version
		self.version_note = None
		log_access("Upload", "Allowed", self.name, self.customer, version)
		record("Upload", "Document", self.name, {"version": version}, customer=self.customer)


def on_doctype_update():
	frappe.db.add_index("Document", ["customer", "modified"])
	frappe.db.add_index("Document", ["customer", "document_type"])
