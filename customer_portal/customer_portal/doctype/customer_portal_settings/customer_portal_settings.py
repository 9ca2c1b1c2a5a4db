# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


class CustomerPortalSettings(Document):
	def validate(self):
		if self.primary_color and not HEX_COLOUR.match(self.primary_color):
			frappe.throw(
				_("Primary Colour must be a hex colour such as #2563eb, not {0}.").format(self.primary_color),
				title=_("Invalid Colour"),
			)
		if not 5 <= (self.page_size or 0) <= 100:
			frappe.throw(_("Rows per Page must be between 5 and 100."), title=_("Invalid Page Size"))
