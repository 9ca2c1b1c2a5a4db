"""Orders: the workflow actions a customer may take on their own orders (orders/workflow.py)."""

import frappe

from customer_portal.orders import workflow
from customer_portal.web.answers import answer


@frappe.whitelist(methods=["POST"])
def apply_action(order: str, action: str):
	doc = workflow.apply_action(order, action)
	url = f"/portal/orders/{doc.name}"
	return answer(url, {"name": doc.name, "stage": doc.stage, "url": url})
