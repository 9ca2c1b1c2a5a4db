"""Where customer actions enter the activity log, apart from the app's own endpoints and pages."""

import frappe
from frappe import _
from frappe.email.doctype.email_account.email_account import EmailAccount

from customer_portal.accounts.login_throttle import login_failed, move_frappe_ip_failure
from customer_portal.activity.log import record
from customer_portal.notifications.account_emails import send_account_email
from customer_portal.notifications.dispatch import flush_email_queue
from customer_portal.permissions import get_permitted_customers
from customer_portal.web.client_ip import client_ip

AUTHENTICATION = {
	("Login", "Success"): "Login",
	("Login", "Failed"): "Failed Login",
	("Logout", "Success"): "Logout",
}
# the account details a customer may change, and whose before/after values are kept
CUSTOMER_SETTINGS = ("contact_email", "contact_phone", "billing_address", "tax_id")


def use_client_address(doc, method=None) -> None:
	"""`before_insert` of Frappe's Activity Log: sign-ins are logged before `before_request` hooks run, so
	Frappe would record the address a client wrote in X-Forwarded-For; record the trusted one."""
	if getattr(frappe.local, "request", None) is None:
		return
	frappe_ip, real_ip = getattr(frappe.local, "request_ip", None), client_ip()
	if doc.operation == "Login" and doc.status == "Failed":
		move_frappe_ip_failure(frappe_ip, real_ip)
	frappe.local.request_ip = doc.ip_address = real_ip


def authentication_logged(doc, method=None) -> None:
	"""`after_insert` of Frappe's Activity Log: logins, logouts and failed logins of customer users; a
	failed sign-in also counts towards the sign-in throttle."""
	if doc.operation == "Login" and doc.status == "Failed" and getattr(frappe.local, "request", None):
		login_failed(doc.user if doc.user not in (None, "", _("Unknown User")) else None)
	action = AUTHENTICATION.get((doc.operation, doc.status))
	if not action or not doc.user or doc.user in ("Guest", "Administrator"):
		return
	if get_permitted_customers(doc.user) is None:
		return  # staff
	details = {"subject": doc.subject}
	if frappe.local.flags.get("sign_in_method"):
		details["method"] = frappe.local.flags.sign_in_method
	record(action, "User", doc.user, details=details, user=doc.user)


def customer_updated(doc, method=None) -> None:
	"""`on_update` of Customer: account settings a customer user changed, with before and after values."""
	if get_permitted_customers() is None:
		return
	before = doc.get_doc_before_save()
	if not before:
		return
	changes = {
		field: [before.get(field), doc.get(field)]
		for field in CUSTOMER_SETTINGS
		if (before.get(field) or "") != (doc.get(field) or "")
	}
	if changes:
		record("Settings Change", "Customer", doc.name, details=changes, customer=doc.name)
		tell_account_manager(doc, changes)


def tell_account_manager(doc, changes: dict) -> None:
	"""Email the staff member who owns the customer what its portal user changed, before and after."""
	recipient = doc.account_manager or doc.owner
	if (
		not recipient
		or recipient in ("Administrator", "Guest")
		or get_permitted_customers(recipient) is not None
	):
		return  # no staff member to tell (a customer created by a customer user has none)

	if not EmailAccount.find_default_outgoing():
		return  # no outgoing mail set up: the activity log still has the change

	send_account_email(
		"customer_portal_details_changed",
		[frappe.db.get_value("User", recipient, "email") or recipient],
		{
			"user": frappe.session.user,
			"customer_name": doc.customer_name,
			"changes": [
				(_(doc.meta.get_label(field)), before, after) for field, (before, after) in changes.items()
			],
		},
		reference_doctype="Customer",
		reference_name=doc.name,
	)
	flush_email_queue()
