import frappe

from customer_portal.notifications.account_emails import ensure_account_email_templates
from customer_portal.permissions import PORTAL_ADMIN_ROLE, PORTAL_ROLE, STAFF_ROLE
from customer_portal.portal.invoice_pdf import ensure_print_format
from customer_portal.portal.web_forms import ensure_web_forms
from customer_portal.setup.notification_defaults import ensure_notification_defaults
from customer_portal.setup.order_stages import ensure_default_stages
from customer_portal.setup.ticket_categories import ensure_ticket_categories

# role -> whether it opens the desk; portal roles are website-only
ROLES = {STAFF_ROLE: 1, PORTAL_ROLE: 0, PORTAL_ADMIN_ROLE: 0}


def after_install() -> None:
	ensure_settings_defaults()
	ensure_roles()
	ensure_two_factor_method()
	ensure_print_format()
	ensure_web_forms()
	ensure_notification_defaults()
	ensure_account_email_templates()
	ensure_ticket_categories()
	ensure_default_stages()
	# the portal faces the public internet: error pages must not show tracebacks (admins may re-enable
	# "Show Full Error" in System Settings on a private site)
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 0)
	# sign-up is closed until admins open it in Customer Portal Settings (accounts/sign_up.py)
	frappe.db.set_single_value("Website Settings", "disable_signup", 1)
	# Frappe's "Login with Email Link" tells whether an address has an account and signs in with the
	# mailbox alone; admins may turn it back on (two-factor users are still refused it: two_factor.py)
	frappe.db.set_single_value("System Settings", "login_with_email_link", 0)


def after_migrate() -> None:
	ensure_settings_defaults()
	ensure_roles()
	ensure_two_factor_method()
	ensure_print_format()
	ensure_web_forms()
	ensure_notification_defaults()
	ensure_account_email_templates()


def ensure_settings_defaults() -> None:
	"""Store the default of every Customer Portal Settings field that has none yet. Frappe fills a single
	doctype's defaults only when it has no values at all, so a field added by an upgrade would read empty
	(and an hour of 0 is a valid, different setting)."""
	doctype = "Customer Portal Settings"
	stored = set(frappe.db.sql("select field from `tabSingles` where doctype = %s", doctype, pluck=True))
	for field in frappe.get_meta(doctype).fields:
		if field.default is not None and field.default != "" and field.fieldname not in stored:
			frappe.db.set_single_value(doctype, field.fieldname, field.default)
	frappe.clear_document_cache(doctype, doctype)


def ensure_two_factor_method() -> None:
	"""The second factor portal users can turn on (accounts/two_factor.py) uses Frappe's 2FA method; an
	authenticator app unless admins chose another. This does not turn Frappe's 2FA on for anyone."""
	if not frappe.db.get_single_value("System Settings", "two_factor_method"):
		frappe.db.set_single_value("System Settings", "two_factor_method", "OTP App")
	if not frappe.db.get_single_value("System Settings", "otp_issuer_name"):
		frappe.db.set_single_value("System Settings", "otp_issuer_name", "Customer Portal")


def ensure_roles() -> None:
	for role_name, desk_access in ROLES.items():
		if frappe.db.exists("Role", role_name):
			if frappe.db.get_value("Role", role_name, "desk_access") != desk_access:
				frappe.db.set_value("Role", role_name, "desk_access", desk_access)
			continue
		frappe.get_doc({"doctype": "Role", "role_name": role_name, "desk_access": desk_access}).insert(
			ignore_permissions=True
		)
