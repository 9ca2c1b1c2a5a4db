"""Private file URLs answer "not found" for files the user may not reach, exactly as for missing files.

Frappe answers 403 for a private file URL that does not exist (or that the user may not read), and its
permission check raises our not-found error for a file on another customer's record. Both become one
uniform 404 here, so a probe cannot tell another customer's file from a file that was never uploaded.
"""

import frappe
from frappe.core.doctype.file.utils import find_file_by_url

PRIVATE_PREFIX = "/private/files/"


def guard_private_file_url() -> None:
	request = getattr(frappe.local, "request", None)
	if not request or not request.path.startswith(PRIVATE_PREFIX) or frappe.session.user == "Guest":
		return
	try:
		file = find_file_by_url(request.path, name=frappe.form_dict.fid)
	except frappe.DoesNotExistError:
		file = None
	if not file:
		frappe.clear_messages()
		raise frappe.PageDoesNotExistError
