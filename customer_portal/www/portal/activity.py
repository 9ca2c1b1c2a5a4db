import frappe
from frappe import _, form_dict

from customer_portal.permissions import get_permitted_customers
from customer_portal.portal.context import page_not_found, page_size, portal_context
from customer_portal.portal.listing import choice_arg, fetch_page, list_args, page_start
from customer_portal.portal.locale import format_local

no_cache = 1


def get_context(context):
	"""What the people of the active customer did in the portal: for its customer admins."""
	customer = portal_context(context, "/portal/activity")
	context.page_title = _("Activity")
	if not customer:
		return
	if customer not in (get_permitted_customers(admin=True) or ()):
		page_not_found()  # as for anything that is not theirs
	activity = frappe.qb.DocType("Portal Activity")
	# renames are staff's entries (activity/log.py), never a customer's
	context.actions = [
		action
		for action in frappe.get_meta("Portal Activity").get_field("action").options.split("\n")
		if action != "Rename"
	]
	context.users = frappe.get_all(
		"Customer Portal User",
		filters={"parent": customer, "parenttype": "Customer"},
		pluck="user",
		order_by="user asc",
	)
	context.action = choice_arg("action", context.actions)
	context.who = choice_arg("user", context.users)
	conditions = []
	if context.action:
		conditions.append(activity.action == context.action)
	if context.who:
		conditions.append(activity.user == context.who)
	page = fetch_page(
		"Portal Activity",
		customer,
		["action", "user", "reference_doctype", "reference_name", "details", "ip_address", "creation"],
		conditions,
		"creation",
		form_dict.get("after"),
		page_size(),
		page_start(),
	)
	for row in page.rows:
		row.when = format_local(row.creation)
		row.changes = _changes(row.details)
	context.page = page
	context.base_args = list_args("action", "user")


def _changes(details: str | None) -> list[tuple[str, str, str]]:
	"""Before/after pairs of a settings change, as text."""
	values = frappe.parse_json(details or "{}")
	if not isinstance(values, dict):
		return []
	return [
		(field, str(pair[0] or ""), str(pair[1] or ""))
		for field, pair in values.items()
		if isinstance(pair, list) and len(pair) == 2
	]
