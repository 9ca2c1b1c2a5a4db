"""Request guards that make an out-of-scope record answer exactly like a missing one.

Three Frappe paths check existence before they check permissions, with a different answer for "missing"
than the scoping policy gives for "not yours":
- a private file URL: Frappe answers 403 for a missing file and for a file it may not serve;
- a delete: Frappe raises a bare "does not exist" for a missing name, before loading the record;
- a Web Form record page (/<route>/<name>[/edit]): Frappe shows its 404 page for a missing name and an
  error page for a record it may not load.
All three are answered here, before Frappe looks, from the same policy.

A fourth is the User, which no customer owns: Frappe loads a named user before it checks permissions, so a
customer's user asking for someone else's account would learn whether the address has one (403 against
404). A request that names a User its restricted user may not read answers like a missing one, on every
path that takes a record by name: REST, a doctype and name in the parameters, a document in `doc`.
"""

import json
import re
from urllib.parse import unquote

import frappe
from frappe.core.doctype.file.utils import find_file_by_url

from customer_portal.permissions import (
	CUSTOMER_FIELD,
	SCOPED_DOCTYPES,
	is_unrestricted,
	is_visible,
	raise_not_found,
)

PRIVATE_FILES = "/private/files/"
WEB_FORM_ROUTES = "customer_portal:web_form_routes"
# a record in Frappe's REST API: /api/resource/<doctype>/<name>, the same under /api/v1/document, and
# /api/v2/document/<doctype>/<name>/ (optionally /method/<method>/)
REST_DOCUMENT = re.compile(
	r"^/api/(?:resource|v1/document|v2/document)/(?P<doctype>[^/]+)/(?P<name>.+?)(?:/method/[^/]+)?/?$"
)
USER = "User"
# the parameters Frappe's and the app's whitelisted functions take a doctype and a record's name in
DOCTYPE_PARAMS = ("doctype", "dt", "reference_doctype", "ref_doctype", "parenttype")
NAME_PARAMS = ("name", "docname", "dn", "reference_name", "ref_docname", "docnames", "names", "old_name")


def guard_request() -> None:
	request = getattr(frappe.local, "request", None)
	if not request or frappe.session.user == "Guest":
		return
	record = REST_DOCUMENT.match(request.path)
	guard_named_users(record)
	if request.path.startswith(PRIVATE_FILES):
		guard_private_file_url(request.path)
	elif request.method == "DELETE" and record:
		guard_delete(unquote(record["doctype"]), unquote(record["name"]))
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


def guard_named_users(record: re.Match | None) -> None:
	"""A restricted user naming a User they may not read (or none at all) gets one answer. The request's
	parameters are read first: most requests name no User and cost no look-up of the user's roles."""
	names = named_users(record, frappe.form_dict)
	if not names or is_unrestricted():
		return
	for name in names:
		if name != frappe.session.user and not (
			frappe.db.exists(USER, name) and frappe.has_permission(USER, "read", doc=name)
		):
			raise_not_found(USER, name)


def named_users(record: re.Match | None, form: dict) -> list[str]:
	"""The User names a request gives as the record it reads or changes (`record`: its REST path's match)."""
	names = []
	if record and unquote(record["doctype"]) == USER:
		names.append(unquote(record["name"]))
	if any(form.get(param) == USER for param in DOCTYPE_PARAMS):
		for param in NAME_PARAMS:
			names.extend(_names(form.get(param)))
	doc = _parsed(form.get("doc"), "{")
	if isinstance(doc, dict) and doc.get("doctype") == USER and doc.get("name"):
		names.append(doc["name"])
	return [str(name) for name in names if name]


def _names(value) -> list:
	"""One name, or the names of a list given as a list, JSON or comma-separated text."""
	if not value:
		return []
	value = _parsed(value, "[")
	if isinstance(value, str) and "," in value:
		value = value.split(",")
	return [v.strip() if isinstance(v, str) else v for v in value] if isinstance(value, list) else [value]


def _parsed(value, opening: str):
	"""JSON text opening with `opening`, parsed; anything else (a malformed one too: Frappe answers for
	it) as it came."""
	if isinstance(value, str) and value.lstrip().startswith(opening):
		try:
			return json.loads(value)
		except ValueError:
			return None
	return value


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
