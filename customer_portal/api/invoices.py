import frappe

from customer_portal.portal.invoice_pdf import invoice_pdf


@frappe.whitelist(methods=["GET"])
def download_pdf(name: str) -> None:
	"""The invoice as a PDF, rendered with the print format chosen in Customer Portal Settings."""
	invoice = frappe.get_doc("Invoice", name)
	invoice.check_permission("print")
	frappe.local.response.filename = f"{invoice.name}.pdf"
	frappe.local.response.filecontent = invoice_pdf(invoice)
	frappe.local.response.type = "download"
