"""The attack surface, found from the code rather than listed by hand, so that a new doctype, page or
endpoint is probed without anyone remembering to add it:

- the doctypes the scoping policy guards (`customer_portal.permissions` and the app's permission hooks);
- the portal's routes (`www/` and `website_route_rules`) and the query parameters each page reads;
- every whitelisted function of the app, and Frappe's generic ones that take a doctype and a record name.
"""

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "customer_portal"
WWW = APP / "www"
# parameter names that carry a doctype, and those that carry a record name, in Frappe's and the app's
# whitelisted functions and pages
DOCTYPE_PARAMS = frozenset({"doctype", "dt", "reference_doctype", "ref_doctype", "parenttype"})
NAME_PARAMS = frozenset(
	{"name", "docname", "dn", "reference_name", "ref_docname", "docnames", "names", "old_name"}
)
LIST_PARAMS = frozenset({"docnames", "names"})
# Frappe's packages with generic whitelisted functions a signed-in website user can call
FRAPPE_PACKAGES = (
	"frappe.client",
	"frappe.handler",
	"frappe.desk",
	"frappe.model",
	"frappe.utils.print_format",
	"frappe.www",
	"frappe.website",
	"frappe.email",
	"frappe.core.doctype.file",
	"frappe.core.doctype.communication",
)
FORM_DICT_READ = re.compile(r"""form_dict(?:\.get\(\s*["']([\w-]+)["']|\[\s*["']([\w-]+)["']\s*\]|\.(\w+))""")


@dataclass
class Endpoint:
	"""A whitelisted function: its dotted path, its parameters and the HTTP methods it answers."""

	path: str
	params: list[str]
	methods: list[str]
	takes_anything: bool = False  # **kwargs
	bound: bool = False  # a method of a class (a document's, called through run_doc_method)
	guest: bool = False  # Frappe lets guests call it

	@property
	def method(self) -> str:
		return "POST" if "POST" in self.methods else self.methods[0]


@dataclass
class Route:
	path: str  # /portal/orders or /portal/orders/<name>
	params: list[str] = field(default_factory=list)


def _import_all(package: str) -> None:
	try:
		root = importlib.import_module(package)
	except Exception:
		return
	for module in pkgutil.walk_packages(getattr(root, "__path__", []), package + "."):
		name = module.name
		if any(part in name for part in (".tests", ".test_", ".patches", "hooks")):
			continue
		try:
			importlib.import_module(name)
		except Exception:  # a module that needs a site or an optional package: not reachable anyway
			continue


def whitelisted(prefixes: tuple[str, ...]) -> list[Endpoint]:
	"""Whitelisted functions whose module starts with one of `prefixes`, with their parameters."""
	import frappe

	for package in prefixes:
		_import_all(package.rstrip("."))
	endpoints = {}
	for function in frappe.whitelisted:
		module = function.__module__ or ""
		if not module.startswith(prefixes):
			continue
		signature = inspect.signature(inspect.unwrap(function))
		params = [
			p.name
			for p in signature.parameters.values()
			if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in ("self", "args")
		]
		takes_anything = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
		methods = frappe.allowed_http_methods_for_whitelisted_func.get(function) or ["GET", "POST"]
		path = f"{module}.{function.__name__}"
		bound = "." in function.__qualname__.replace("<locals>.", "")
		guest = function in frappe.guest_methods
		endpoints[path] = Endpoint(path, params, list(methods), takes_anything, bound, guest)
	return sorted(endpoints.values(), key=lambda e: e.path)


def app_endpoints() -> list[Endpoint]:
	return whitelisted(("customer_portal.",))


def state_changing(endpoints: list[Endpoint]) -> list[Endpoint]:
	return [e for e in endpoints if "POST" in e.methods or "PUT" in e.methods or "DELETE" in e.methods]


def frappe_record_endpoints() -> list[Endpoint]:
	"""Frappe's whitelisted functions that take a doctype and a record name: each one is a way to read or
	change one record, and each must treat another customer's record as one that does not exist."""
	return [
		e
		for e in whitelisted(FRAPPE_PACKAGES)
		if DOCTYPE_PARAMS & set(e.params) and NAME_PARAMS & set(e.params)
	]


def scoped_doctypes() -> list[str]:
	"""Every doctype the scoping policy guards: customer- and user-owned ones, child tables, files."""
	from customer_portal import hooks, permissions

	doctypes = {
		*permissions.CUSTOMER_FIELD,
		*permissions.USER_FIELD,
		*permissions.CHILD_PARENT,
		*hooks.permission_query_conditions,
		*hooks.has_permission,
	}
	doctypes.discard("*")  # the deny-by-default hooks, for every doctype
	return sorted(doctypes)


def _page_params(page: Path) -> list[str]:
	source = page.read_text()
	found = {next(g for g in match.groups() if g) for match in FORM_DICT_READ.finditer(source)}
	return sorted(found - {"get", "update", "pop", "setdefault", "items", "keys"})


def portal_routes() -> tuple[list[Route], list[Route]]:
	"""(static routes, routes with a <name> part): every page of www/portal and every route rule, each with
	the query parameters its page reads."""
	from customer_portal import hooks

	pages = {}
	for page in sorted(WWW.rglob("*.py")):
		if page.name == "__init__.py":
			continue
		parts = list(page.relative_to(WWW).with_suffix("").parts)
		if parts[-1] == "index":
			parts = parts[:-1]
		pages["/".join(parts)] = _page_params(page)
	dynamic, targets = [], set()
	for rule in hooks.website_route_rules:
		target = rule["to_route"].strip("/")
		if "<" in rule["from_route"]:
			targets.add(target)
			dynamic.append(Route(rule["from_route"], [p for p in pages.get(target, []) if p != "name"]))
	static = [Route("/" + route, params) for route, params in pages.items() if route not in targets]
	return static, dynamic
