import frappe
from frappe.utils.file_manager import get_file_path

from customer_portal.permissions import raise_not_found


@frappe.whitelist(methods=["GET"])
def download(name: str) -> None:
	"""Send a document's current file as an attachment, after the scoping policy allowed the document."""
	document = frappe.get_doc("Document", name)
	document.check_permission("read")
	if not (document.file or "").startswith("/private/files/"):
		raise_not_found("Document", name)
	with open(get_file_path(document.file), "rb") as f:
		content = f.read()
	frappe.local.response.filename = document.file.rsplit("/", 1)[-1]
	frappe.local.response.filecontent = content
	frappe.local.response.type = "download"
