"""The catalogue of portal events: the kinds of change a customer hears about, and where each record's
portal page is. Read by the events that raise them, their fan-out, emails and preferences."""

from urllib.parse import quote

import frappe

ORDER_STAGE_CHANGED = "Order Stage Changed"
NEW_INVOICE = "New Invoice"
INVOICE_OVERDUE = "Invoice Overdue"
PAYMENT_RECORDED = "Payment Recorded"
NEW_DOCUMENT = "New Document"
NEW_DOCUMENT_VERSION = "New Document Version"
TICKET_REPLY = "Ticket Reply"
EVENT_TYPES = (
	ORDER_STAGE_CHANGED,
	NEW_INVOICE,
	INVOICE_OVERDUE,
	PAYMENT_RECORDED,
	NEW_DOCUMENT,
	NEW_DOCUMENT_VERSION,
	TICKET_REPLY,
)
# where a customer sees each kind of record in the portal
PORTAL_ROUTES = {
	"Order": "/portal/orders",
	"Invoice": "/portal/invoices",
	"Document": "/portal/documents",
	"Support Ticket": "/portal/tickets",
}


def portal_path(reference_doctype: str, reference_name: str) -> str:
	"""Where a customer sees a record in the portal."""
	if reference_doctype not in PORTAL_ROUTES or not reference_name:
		return "/portal"
	return f"{PORTAL_ROUTES[reference_doctype]}/{quote(reference_name)}"


def portal_url(reference_doctype: str, reference_name: str) -> str:
	"""The full URL of a record's portal page (customers log in to follow it: no token in it)."""
	return frappe.utils.get_url(portal_path(reference_doctype, reference_name))
