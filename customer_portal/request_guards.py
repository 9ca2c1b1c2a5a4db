"""Request guards that make an out-of-scope record answer exactly like a missing one.

Three Frappe paths check existence before they check permissions, with a different answer for "missing"
than the scoping policy gives for "not yours":
- a private file URL: Frappe answers 403 for a missing file and for a file it may not serve;
- a delete: Frappe raises a bare "does not exist" for a missing name, before loading the record;
- a Web Form record page (/<route>/<name>[/edit]): Frappe shows its 404 page for a missing name and an
  error page for a record it may not load.
All three are answered here, before Frappe looks, from the same policy.
"""

import re
from urllib.parse import unquote

import frappe
from frappe.core.doctype.file.utils import find_file_by_url

from customer_portal.permissions import CUSTOMER_FIELD, SCOPED_DOCTYPES, is_visible, raise_not_found

PRIVATE_FILES = "/private/files/"
WEB_FORM_ROUTES = "customer_portal:web_form_routes"
REST_DOCUMENT = re.compile(r"^/api/(?:resource|v1/document)/(?P<doctype>[^/]+)/(?P<name>.+)$")


def guard_request() -> None:
	request = getattr(frappe.local, "request", None)
	if not request or frappe.session.user == "Guest":
		return
	if request.path.startswith(PRIVATE_FILES):
		guard_private_file_url(request.path)
	elif request.method == "DELETE" and (match := REST_DOCUMENT.match(request.path)):
		guard_delete(unquote(match["doctype"]), unquote(match["name"]))
	elif not request.path.startswith(("/api/", "/assets/", "/app")):
		guard_web_form_record(request.path)


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
	if doctype in SCOPED_DOCTYPES and not is_visible(doctype, name):
		raise_not_found(doctype, name)


def guard_web_form_record(path: str) -> None:
	parts = [unquote(part) for part in path.strip("/").split("/")]
	if parts and parts[-1] == "edit":
		parts.pop()
	if len(parts) < 2 or parts[-1] in ("new", "list"):
		return
	doctype = web_form_routes().get("/".join(parts[:-1]))
	if doctype and not is_visible(doctype, parts[-1]):
		raise frappe.PageDoesNotExistError


def web_form_routes() -> dict[str, str]:
	"""Route -> doctype of the Web Forms on customer-owned doctypes (cached until a Web Form changes)."""
	return frappe.cache.get_value(
		WEB_FORM_ROUTES,
		generator=lambda: dict(
			frappe.get_all(
				"Web Form",
				filters={"doc_type": ("in", list(CUSTOMER_FIELD))},
				fields=["route", "doc_type"],
				as_list=True,
			)
		),
	)


def clear_web_form_routes(doc=None, method=None) -> None:
	frappe.cache.delete_value(WEB_FORM_ROUTES)
