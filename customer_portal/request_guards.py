"""Request guards that make an out-of-scope record answer exactly like a missing one.

Two Frappe paths check existence before they check permissions, with a different answer for "missing"
than the scoping policy gives for "not yours":
- a private file URL: Frappe answers 403 for a missing file and for a file it may not serve;
- a delete: Frappe raises a bare "does not exist" for a missing name, before loading the record.
Both are answered here, before Frappe looks, from the same policy.
"""

import re
from urllib.parse import unquote

import frappe
from frappe.core.doctype.file.utils import find_file_by_url

from customer_portal.permissions import CUSTOMER_FIELD, get_scope, raise_not_found

PRIVATE_FILES = "/private/files/"
REST_DOCUMENT = re.compile(r"^/api/(?:resource|v1/document)/(?P<doctype>[^/]+)/(?P<name>.+)$")


def guard_request() -> None:
	request = getattr(frappe.local, "request", None)
	if not request or frappe.session.user == "Guest":
		return
	if request.path.startswith(PRIVATE_FILES):
		guard_private_file_url(request.path)
	elif request.method == "DELETE" and (match := REST_DOCUMENT.match(request.path)):
		guard_delete(unquote(match["doctype"]), unquote(match["name"]))


def guard_private_file_url(path: str) -> None:
	try:
		file = find_file_by_url(path, name=frappe.form_dict.fid)
	except frappe.DoesNotExistError:
		file = None
	if not file:
		frappe.clear_messages()
		raise frappe.PageDoesNotExistError


def guard_delete(doctype: str, name: str) -> None:
	"""A restricted user deleting a record outside their scope, or a missing one, gets one answer."""
	if doctype not in CUSTOMER_FIELD or get_scope(doctype) is None:
		return
	if not frappe.get_list(doctype, filters={"name": name}, pluck="name", limit_page_length=1):
		raise_not_found(doctype, name)
