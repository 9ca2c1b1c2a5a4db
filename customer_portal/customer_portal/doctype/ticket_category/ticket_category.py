# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

from frappe.model.document import Document


class TicketCategory(Document):
	pass
