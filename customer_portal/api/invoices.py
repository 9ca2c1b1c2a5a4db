import frappe
from frappe.rate_limiter import rate_limit
from frappe.utils.pdf import get_pdf

from customer_portal.activity.log import record
from customer_portal.payments import statement
from customer_portal.permissions import get_active_customer, raise_not_found
from customer_portal.portal.context import get_branding
from customer_portal.portal.formatting import day, money
from customer_portal.portal.invoice_pdf import invoice_pdf


@frappe.whitelist(methods=["GET"])
def download_pdf(name: str) -> None:
	"""The invoice as a PDF, rendered with the print format chosen in Customer Portal Settings."""
	invoice = frappe.get_doc("Invoice", name)
	invoice.check_permission("print")
	frappe.local.response.filename = f"{invoice.name}.pdf"
	frappe.local.response.filecontent = invoice_pdf(invoice)
	frappe.local.response.type = "download"


@frappe.whitelist(methods=["GET"])
@rate_limit(limit=20, seconds=60)
def statement_pdf(from_date: str | None = None, to_date: str | None = None) -> None:
	"""The active customer's statement of account for a date range, as a PDF."""
	customer = get_active_customer()
	if not customer:
		raise_not_found("Customer", "")
	start, end = statement.parse_range(from_date, to_date)
	built = statement.build(customer, start, end)
	details = frappe.get_doc("Customer", customer)  # through the scoping policy
	html = frappe.render_template(
		"templates/portal/statement_pdf.html",
		{
			"statement": built,
			"portal_name": get_branding()["portal_name"],
			"customer_name": details.customer_name,
			"billing_address": details.billing_address,
			"tax_id": details.tax_id,
			"start_display": day(start),
			"end_display": day(end),
			"money": money,
			"day": day,
		},
	)
	record("Download", "Customer", customer, details={"statement": f"{start}..{end}"}, customer=customer)
	frappe.db.commit()  # a GET: the activity log row is kept
	frappe.local.response.filename = f"statement-{frappe.scrub(customer)}-{start}-{end}.pdf"
	frappe.local.response.filecontent = get_pdf(html)
	frappe.local.response.type = "download"
