# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

from customer_portal.permissions import ScopedDocument


class OrderStageHistory(ScopedDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reached_by: DF.Link | None
		reached_on: DF.Datetime
		stage: DF.Link
	# end: auto-generated types
	pass
