# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from customer_portal.documents.uploads import parse_kinds


class DocumentType(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		document_type_name: DF.Data

	# end: auto-generated types
	def validate(self):
		if self.allow_customer_upload:
			# normalised to the canonical names; an unknown name is refused with the supported list
			self.allowed_file_types = ", ".join(parse_kinds(self.allowed_file_types)) or "pdf, png, jpg"
		if self.max_upload_mb is not None and not 0 <= self.max_upload_mb <= 100:
			frappe.throw(_("Size Limit must be between 1 and 100 MB."), title=_("Invalid Size Limit"))
