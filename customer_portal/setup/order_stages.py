"""The production flow a fresh install starts with, so the portal looks complete before admins configure
their own (they rename, reorder, add and retire stages in desk; these are only created on a site that has
no stage at all)."""

import frappe

# (stage, sequence, what customers read, final)
DEFAULT_STAGES = (
	("Order received", 10, "We have your order and are preparing it.", 0),
	("Artwork approved", 20, "Your artwork is approved; production can start.", 0),
	("In production", 30, "Your order is being made.", 0),
	("Quality check", 40, "We are checking your order before it leaves.", 0),
	("Dispatched", 50, "Your order is on its way.", 1),
)


def ensure_default_stages() -> None:
	if not frappe.db.count("Order Stage"):
		create_stages(DEFAULT_STAGES)


def create_stages(stages) -> list[str]:
	"""Order Stages from (stage, sequence, customer text, final) rows, skipping those that exist (install,
	the demo and the tests' fixtures); returns their names."""
	for stage_name, sequence, text, is_final in stages:
		if not frappe.db.exists("Order Stage", stage_name):
			# configuration written by install, the demo command or a test, as Administrator
			frappe.get_doc(
				{
					"doctype": "Order Stage",
					"stage_name": stage_name,
					"sequence": sequence,
					"customer_text": text,
					"is_final": is_final,
				}
			).insert(ignore_permissions=True)
	return [stage_name for stage_name, *_rest in stages]


def remove_unused_default_stages() -> list[str]:
	"""The defaults no order is at or has passed through (the demo replaces them with its own flow; a
	stage an order's history names stays, as Frappe refuses to delete a linked record); returns those
	removed."""
	removed = []
	for stage_name, *_rest in DEFAULT_STAGES:
		if not frappe.db.exists("Order Stage", stage_name):
			continue
		frappe.db.savepoint("remove_default_stage")
		try:
			frappe.delete_doc("Order Stage", stage_name, ignore_permissions=True)
		except frappe.LinkExistsError:
			frappe.db.rollback(save_point="remove_default_stage")
			frappe.clear_last_message()
			continue
		removed.append(stage_name)
	return removed
