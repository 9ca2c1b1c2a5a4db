# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class OrderStage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		customer_text: DF.SmallText
		is_final: DF.Check
		retired: DF.Check
		sequence: DF.Int
		stage_name: DF.Data

	# end: auto-generated types
	def validate(self):
		if frappe.db.exists("Order Stage", {"sequence": self.sequence, "name": ("!=", self.name)}):
			frappe.throw(
				_("Another stage already has sequence {0}. Give each stage its own position.").format(
					self.sequence
				),
				title=_("Duplicate Sequence"),
			)


def get_stages() -> list[dict]:
	"""All configured stages in the order customers see them (retired ones too: orders may be at them)."""
	return frappe.get_all(
		"Order Stage",
		fields=["name", "stage_name", "sequence", "customer_text", "is_final", "retired"],
		order_by="sequence asc",
	)
