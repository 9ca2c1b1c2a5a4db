"""Orders: the workflow actions a customer may take on their own orders (orders/workflow.py)."""

import frappe

from customer_portal.orders import workflow


@frappe.whitelist(methods=["POST"])
def apply_action(order: str, action: str):
	doc = workflow.apply_action(order, action)
	url = f"/portal/orders/{doc.name}"
	if "application/json" in (frappe.get_request_header("Accept") or ""):
		return {"name": doc.name, "stage": doc.stage, "url": url}
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = url
