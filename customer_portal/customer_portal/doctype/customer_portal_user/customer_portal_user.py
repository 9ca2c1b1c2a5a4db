# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

from customer_portal.permissions import ScopedDocument


class CustomerPortalUser(ScopedDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		full_name: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		portal_role: DF.Literal["Member", "Customer Admin"]
		user: DF.Link
	# end: auto-generated types
	pass
