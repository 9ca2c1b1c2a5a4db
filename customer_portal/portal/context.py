"""What every portal page starts from: a logged-in customer user, their active customer, branding."""

from urllib.parse import urlencode

import frappe
import frappe.sessions
from frappe import _

from customer_portal.activity.log import record
from customer_portal.notifications.inbox import unread_count
from customer_portal.permissions import (
	ACTIVE_CUSTOMER_DEFAULT,
	CUSTOMER_FIELD,
	get_active_customer,
	get_permitted_customers,
	load_scoped,
	raise_not_found,
)

NAVIGATION = (
	("/portal", "Dashboard"),
	("/portal/orders", "Orders"),
	("/portal/invoices", "Invoices"),
	("/portal/documents", "Documents"),
	("/portal/tickets", "Support"),
	("/portal/analytics", "Analytics"),
	("/portal/account", "Account"),
)
# customer admins also manage their company's users and see its activity
ADMIN_NAVIGATION = (("/portal/users", "Users"), ("/portal/activity", "Activity"))
# sections admins can turn off (Customer Portal Settings): their pages and links go
SECTION_SETTINGS = {
	"/portal/orders": "show_orders",
	"/portal/invoices": "show_invoices",
	"/portal/documents": "show_documents",
	"/portal/tickets": "show_tickets",
}


def section_on(route: str) -> bool:
	field = SECTION_SETTINGS.get(route)
	return not field or bool(frappe.get_cached_doc("Customer Portal Settings").get(field))


def require_login() -> None:
	"""Send a guest to the login page, and back to the page they asked for afterwards."""
	if frappe.session.user == "Guest":
		request = frappe.local.request
		target = request.full_path.rstrip("?") if request else "/portal"
		frappe.local.flags.redirect_location = "/login?" + urlencode({"redirect-to": target})
		raise frappe.Redirect


def set_active_customer(customer: str, user: str | None = None) -> None:
	if customer not in (get_permitted_customers(user) or ()):
		raise_not_found("Customer", customer)
	frappe.defaults.set_user_default(ACTIVE_CUSTOMER_DEFAULT, customer, user)


def get_branding() -> dict:
	settings = frappe.get_cached_doc("Customer Portal Settings")
	return {
		"portal_name": settings.portal_name or _("Customer Portal"),
		"logo": settings.logo,
		"primary_color": settings.primary_color or "#2563eb",
		"support_email": settings.support_email,
	}


def use_shell(context) -> None:
	"""The page renders in the portal's own shell (templates/portal/shell.html), which has no inline
	script: a successful answer gets the script-strict Content-Security-Policy (web/security_headers.py)."""
	frappe.local.flags.portal_shell = True
	context.portal = get_branding()


def page_size() -> int:
	return frappe.get_cached_doc("Customer Portal Settings").page_size or 20


def portal_context(context, active: str) -> str | None:
	"""Fill the context every portal page shares; returns the active customer (None: nothing to show)."""
	require_login()
	if not section_on(active):
		page_not_found()
	# Frappe checks the CSRF token of every state-changing request once the session has one; desk makes
	# one at boot, a website session only when asked: every portal page makes sure it exists
	frappe.sessions.get_csrf_token()
	context.no_cache = 1
	context.show_sidebar = False
	use_shell(context)
	context.portal_active = active
	customers = get_permitted_customers() or ()
	context.customers = customers
	context.customer = get_active_customer()
	navigation = NAVIGATION
	if context.customer and context.customer in (get_permitted_customers(admin=True) or ()):
		navigation = (*NAVIGATION, *ADMIN_NAVIGATION)
	context.portal_nav = [(route, _(label)) for route, label in navigation if section_on(route)]
	context.show_tickets = section_on("/portal/tickets")
	context.unread = unread_count(context.customer) if context.customer else 0
	context.title = context.portal["portal_name"]
	return context.customer


def page_not_found() -> None:
	"""The site's 404 page, with status 404: Frappe renders its not-found page for a page's
	PageDoesNotExistError with the request's status (200); `answer_not_found` sets it after rendering."""
	frappe.local.flags.portal_page_not_found = True
	frappe.local.flags.portal_shell = False  # Frappe's own 404 page
	raise frappe.PageDoesNotExistError


def answer_not_found(response=None, request=None) -> None:
	"""`after_request`: a portal page that answered "not found" says so in its status too."""
	if response is not None and frappe.local.flags.get("portal_page_not_found"):
		response.status_code = 404


def load_record(doctype: str, name: str | None):
	"""A record through the scoping policy; anything the user may not see is the site's 404 page."""
	doc = load_scoped(doctype, name)
	if doc is None:
		page_not_found()
	record("View", doctype, doc.name, customer=doc.get(CUSTOMER_FIELD[doctype]))
	return doc
