import frappe
from frappe import _

from customer_portal.portal.context import load_record, portal_context

no_cache = 1


def get_context(context):
	"""One export's progress (the page refreshes itself while the job runs) and its download."""
	customer = portal_context(context, "/portal/invoices")
	context.page_title = _("Export")
	if not customer:
		return
	context.export = load_record("Portal Export", frappe.form_dict.name)
	context.running = context.export.status in ("Queued", "Running")
