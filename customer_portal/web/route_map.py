"""Website paths resolved against route rules compiled once per worker (the `website_path_resolver` hook).

Frappe resolves every website request's path (`frappe.website.path_resolver.resolve_path`) by building a
werkzeug `Map` of the site's route rules (the apps' `website_route_rules` and the DocTypes' web routes)
and matching the path against it. Building the Map compiles every rule: profiled, a fifth of a portal
page's time (`tests/profile_page.py`, /portal/orders). The rules change only with a deploy or a DocType's
route, so the Map is kept per worker for as long as the rules Frappe returns stay the same; the
resolution is otherwise Frappe's, step by step, for every website path (Frappe's pages included).

Frappe keeps the answer of the last app that declares a `website_path_resolver`. Where another installed
app declares one (its own routing: SAML, a storefront, a multi-site web), this one answers what that
app's resolver answers, so the site routes exactly as it would without the portal installed.
"""

import threading

import frappe
import werkzeug.routing.exceptions
from frappe.website.path_resolver import get_website_rules
from frappe.website.utils import get_home_page
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

# rules (as a hashable key) -> their compiled Map; a handful at most (a rule added or removed)
_MAPS: dict[tuple, Map] = {}
_MAPS_MAX = 8
# one thread of a worker builds a Map at a time: werkzeug compiles each rule with `ast`, and CPython 3.11's
# parser fails when threads do that at once ("AST constructor recursion depth mismatch", cpython#106905)
_BUILDING = threading.Lock()


THIS_RESOLVER = "customer_portal.web.route_map.resolve_path"


def resolve_path(path: str) -> str:
	"""`frappe.website.path_resolver.resolve_path`: the endpoint that renders `path` (or another app's
	resolver's answer, see above)."""
	if others := [hook for hook in frappe.get_hooks("website_path_resolver") if hook != THIS_RESOLVER]:
		return frappe.get_attr(others[-1])(path)
	if not path:
		path = "index"
	if path.endswith(".html"):
		path = path[:-5]
	if path == "index":
		path = get_home_page()
	frappe.local.path = path
	if path != "index":
		path = resolve_from_map(path)
	return path


def resolve_from_map(path: str) -> str:
	"""`frappe.website.path_resolver.resolve_from_map` and `frappe.website.router.evaluate_dynamic_routes`,
	with the compiled Map kept. A path a rule wants with a trailing slash is redirected, as Frappe does."""
	request = getattr(frappe.local, "request", None)
	if not (request and request.environ):
		return path
	adapter = route_map(get_website_rules()).bind_to_environ(request.environ)
	try:
		endpoint, args = adapter.match("/" + path)
	except NotFound:
		return path
	except werkzeug.routing.exceptions.RequestRedirect as e:
		frappe.flags.redirect_location = e.new_url
		raise frappe.Redirect(e.code) from e
	if args:
		frappe.local.no_cache = 1  # as Frappe: a page of a dynamic route is never cached
		frappe.local.form_dict.update(args)
	return endpoint or path


def route_map(rules: list[dict]) -> Map:
	key = tuple((rule["from_route"], rule["to_route"], repr(rule.get("defaults"))) for rule in rules)
	if key not in _MAPS:
		with _BUILDING:
			if key not in _MAPS:
				if len(_MAPS) >= _MAPS_MAX:
					_MAPS.clear()
				_MAPS[key] = Map(
					[
						Rule(rule["from_route"], endpoint=rule["to_route"], defaults=rule.get("defaults"))
						for rule in rules
					]
				)
	return _MAPS[key]
