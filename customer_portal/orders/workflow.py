"""Frappe Workflow driving an order's stage, and the actions customers may take in it.

When admins make a Workflow for Order active, its states are Order Stages and its transitions (each
allowed to one role, optionally with a condition) are the only way an order's stage changes: Frappe checks
every save against them (`frappe.model.workflow.validate_workflow`), for staff in desk and for customers
alike. The Workflow's state field should be *stage*; a Workflow that keeps its own state field (Frappe's
default `workflow_state`) still drives the stage, through states named like Order Stages. Either way each
change appends to the order's stage history, so the portal's timeline shows it.

Customers act through `apply_action` (api/orders.py): the order is loaded through the scoping policy,
the action must be one of the transitions the Workflow offers the user's own roles (Customer Portal User /
Customer Portal Admin) from the current state, and Frappe's `apply_workflow` makes the change server-side,
inside a write window: a customer can change an order in no other way.
"""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow, get_transitions, get_workflow_name

from customer_portal.activity.log import record
from customer_portal.permissions import get_scoped_doc, portal_write


def active_workflow():
	name = get_workflow_name("Order")
	return frappe.get_cached_doc("Workflow", name) if name else None


def sync_stage(doc) -> None:
	"""Order.validate: a Workflow with a state field of its own moves the stage to the state's name."""
	workflow = active_workflow()
	if not workflow or workflow.workflow_state_field == "stage":
		return
	state = doc.get(workflow.workflow_state_field)
	if state and state != doc.stage and frappe.db.exists("Order Stage", state):
		doc.stage = state


def customer_actions(doc) -> list[str]:
	"""The actions the Workflow offers the session user on this order now (none without a Workflow)."""
	if not active_workflow():
		return []
	return list(dict.fromkeys(t.action for t in get_transitions(doc)))


def apply_action(name: str, action: str):
	"""A customer's workflow action on one of their orders."""
	doc = get_scoped_doc("Order", name)
	if action not in customer_actions(doc):
		frappe.throw(
			_("{0} is not something you can do on order {1} at its current stage.").format(action, doc.name),
			frappe.PermissionError,
			title=_("Not Allowed"),
		)
	before = doc.stage
	with portal_write("Order"):
		doc = apply_workflow(doc, action)
	record("Order Action", "Order", doc.name, details={"action": action, "from": before, "to": doc.stage})
	return doc


def validate_order_workflow(doc, method=None) -> None:
	"""Workflow.validate: a Workflow for Order that writes the stage field uses Order Stages as states."""
	if doc.document_type != "Order" or doc.workflow_state_field != "stage":
		return
	missing = [row.state for row in doc.states if not frappe.db.exists("Order Stage", row.state)]
	if missing:
		frappe.throw(
			_(
				"These states are not Order Stages: {0}. Create the stages first (or name the states after them)."
			).format(", ".join(missing)),
			title=_("States Must Be Order Stages"),
		)
