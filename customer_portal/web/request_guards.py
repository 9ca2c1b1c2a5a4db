"""Request guards that make a record a user may not reach answer exactly like a missing one.

Frappe's paths check existence and permission in differing orders, and differently from one v15 release
to the next, so each could tell "missing" from "not yours" (a 404 against a 403, or an empty answer):
- a record named in a request (a doctype and a name in its parameters, a document in `doc`, a REST
  path): for a restricted user, a record of a scoped doctype outside their scope or a User other than
  themselves is not found, before Frappe looks. This one rule covers every whitelisted function and
  route, Frappe's and any added later;
- a doctype named in a request: for a restricted user, a doctype outside the policy's and the allowlist's
  does not exist, with or without a record named. Its lists would otherwise show what staff share with
  everyone: Frappe's lists OR a user's shared records into what the permission hooks admit
  (`DatabaseQuery.build_match_conditions`) when a role reads only its own rows ("All" on Contact and
  Address), and `has_permission` grants a shared record after the `"*"` hook refused it;
- a whitelisted function: a restricted user calls only the app's, those Frappe lets guests call, and the
  few of Frappe's listed in `permissions.PORTAL_FUNCTIONS`; any other answers "Not permitted";
- a private file URL: Frappe answers 403 for a missing file and for a file it may not serve;
- a Web Form record page (/<route>/<name>[/edit]): Frappe shows its 404 page for a missing name and an
  error page for a record it may not load.
"""

import json
import re
from urllib.parse import unquote

import frappe
from frappe import _
from frappe.api import API_URL_MAP
from frappe.api.v2 import get_meta
from frappe.core.doctype.file.utils import find_file_by_url
from frappe.core.doctype.server_script.server_script_utils import get_server_script_map
from frappe.modules.utils import load_doctype_module
from werkzeug.exceptions import HTTPException

from customer_portal.hooks import app_name as APP
from customer_portal.permissions import (
	ALLOWED_DOCTYPES,
	CUSTOMER_FIELD,
	PORTAL_FUNCTIONS,
	SCOPED_DOCTYPES,
	is_restricted,
	is_unrestricted,
	is_visible,
	raise_not_found,
	visible_names,
)

PRIVATE_FILES = "/private/files/"
WEB_FORM_ROUTES = "customer_portal:web_form_routes"
# a call of a whitelisted function: /api/method/<function>, /api/v1/method/..., /api/v2/method/<function>
# and /api/v2/method/<doctype>/<function> (a function of the doctype's module)
FUNCTION_CALL = re.compile(
	r"^/api/(?:(?:v1/)?method/(?P<v1>[^/]+)|v2/method/(?:(?P<doctype>[^/]+)/)?(?P<v2>[^/]+))/?$"
)
# the names Frappe's v2 API answers itself, before any function: signing in, signing out, ping
V2_BUILT_IN = frozenset({"login", "logout", "ping"})
USER = "User"
# the parameters Frappe's and the app's whitelisted functions take a doctype and a record's name in
DOCTYPE_PARAMS = ("doctype", "dt", "reference_doctype", "ref_doctype", "parenttype")
NAME_PARAMS = ("name", "docname", "dn", "reference_name", "ref_docname", "docnames", "names", "old_name")


def guard_request() -> None:
	request = getattr(frappe.local, "request", None)
	if not request or frappe.session.user == "Guest":
		return
	guard_functions(request.path)
	guard_named_records(rest_records(request))
	if request.path.startswith(PRIVATE_FILES):
		guard_private_file_url(request.path)
	elif not request.path.startswith(("/api/", "/assets/", "/app")):
		guard_web_form_record(request.path)


def guard_functions(path: str) -> None:
	"""Deny by default for whitelisted functions: a restricted user calling one they may not gets
	Frappe's own "Not permitted"."""
	call = FUNCTION_CALL.match(path)
	if not call or (call["v1"] or call["v2"] or "").startswith(f"{APP}."):
		return  # no function, or one of the app's: each checks for itself
	if not is_restricted():
		return
	if call["doctype"]:
		try:
			function = f"{load_doctype_module(unquote(call['doctype'])).__name__}.{unquote(call['v2'])}"
		except Exception:  # not a doctype: Frappe's own answer, as for a function that does not exist
			return
	else:
		function = unquote(call["v1"] or call["v2"])
		if call["v2"] in V2_BUILT_IN:
			return
	if not may_call(function):
		frappe.throw(_("Not permitted"), frappe.PermissionError)  # Frappe's answer to a guest


def may_call(function: str) -> bool:
	"""Whether a restricted user may call the whitelisted function a request names `function`. A Frappe
	function the app overrides is judged as Frappe's: the override shapes its answer, it opens nothing."""
	if function == "login":
		return True
	if "." not in function:
		function = f"frappe.handler.{function}"  # Frappe's shorthand
	if function.startswith(f"{APP}.") or function in PORTAL_FUNCTIONS:
		return True
	if function in get_server_script_map().get("_api", {}):
		return True  # an API server script an admin wrote decides for itself
	try:
		return frappe.get_attr(function) in frappe.guest_methods
	except Exception:  # a name that is no function: Frappe's own answer
		return True


def guard_private_file_url(path: str) -> None:
	try:
		file = find_file_by_url(path, name=frappe.form_dict.fid)
	except frappe.DoesNotExistError:
		file = None
	if not file:
		frappe.clear_messages()
		raise frappe.PageDoesNotExistError


def guard_named_records(rest: dict[str, list[str]]) -> None:
	"""A user confined by the policy naming a record they may not reach, or a doctype they may not use,
	gets the answer for a missing one. The request's parameters are read first: most requests name no
	record and cost no look-up of the user's roles; the names of one doctype are looked up in one query."""
	named = named_records(rest, frappe.form_dict)
	if not named or is_unrestricted():
		return
	restricted = is_restricted()
	for doctype, names in named.items():
		if restricted and doctype not in ALLOWED_DOCTYPES and doctype not in SCOPED_DOCTYPES:
			raise_not_found("DocType", doctype)  # no record of it, and no list, exists for them
		if doctype == USER:
			unreachable = [name for name in names if not _reachable_user(name)]
		elif doctype in SCOPED_DOCTYPES:
			unreachable = sorted(set(names) - visible_names(doctype, names)) if names else []
		else:
			continue
		if unreachable:
			raise_not_found(doctype, unreachable[0])


def _reachable_user(name: str) -> bool:
	return name == frappe.session.user or bool(
		frappe.db.exists(USER, name) and frappe.has_permission(USER, "read", doc=name)
	)


def rest_records(request) -> dict[str, list[str]]:
	"""The doctype, and the record if any, that a route of Frappe's REST API works on, read with Frappe's
	own route map (`frappe.api.API_URL_MAP`): a list, a count, a new record, a record and its copy or
	method. A doctype's schema names its DocType record; a function call names none."""
	if not request.path.startswith("/api/"):
		return {}
	try:
		endpoint, args = API_URL_MAP.bind_to_environ(request.environ).match()
	except HTTPException:  # no route: Frappe's own answer
		return {}
	if "doctype" not in args or ("method" in args and "name" not in args):
		return {}
	if endpoint is get_meta:
		return {"DocType": [args["doctype"]]}
	return {args["doctype"]: [args["name"]] if "name" in args else []}


def named_records(rest: dict[str, list[str]], form: dict) -> dict[str, list[str]]:
	"""Doctype -> the names a request gives as the records it reads or changes (none: it names the doctype
	alone): in its REST route (`rest`), as a doctype and name parameter, or as a document in `doc`."""
	named = {doctype: list(names) for doctype, names in rest.items()}
	doctypes = {form.get(param) for param in DOCTYPE_PARAMS} - {None, ""}
	for doctype in doctypes:
		if isinstance(doctype, str):
			for param in NAME_PARAMS:
				named.setdefault(doctype, []).extend(_names(form.get(param)))
	doc = _parsed(form.get("doc"), "{")
	if isinstance(doc, dict) and isinstance(doc.get("doctype"), str):
		named.setdefault(doc["doctype"], []).append(doc.get("name"))
	return {doctype: [str(name) for name in names if name] for doctype, names in named.items()}


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
