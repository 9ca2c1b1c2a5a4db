import frappe
from frappe import _, form_dict

from customer_portal.portal.context import page_not_found, portal_context
from customer_portal.tickets.lifecycle import PRIORITIES, categories, load_reference, reference_context

no_cache = 1


def get_context(context):
	"""A new ticket; from an order, invoice or document page it is about that record (shown with what
	support will see of it). Another customer's record is the 404 page."""
	customer = portal_context(context, "/portal/tickets")
	context.page_title = _("New support ticket")
	if not customer:
		return
	try:
		reference = load_reference(form_dict.get("reference_doctype"), form_dict.get("reference_name"))
	except frappe.DoesNotExistError:
		frappe.clear_messages()
		page_not_found()
	context.reference = reference
	context.reference_context = reference_context(reference) if reference else None
	context.categories = categories()
	context.priorities = PRIORITIES
