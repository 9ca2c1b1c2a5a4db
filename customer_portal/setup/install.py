import frappe

from customer_portal.permissions import PORTAL_ADMIN_ROLE, PORTAL_ROLE, STAFF_ROLE
from customer_portal.portal.invoice_pdf import ensure_print_format
from customer_portal.portal.web_forms import ensure_web_forms
from customer_portal.setup.notification_defaults import ensure_notification_defaults

# role -> whether it opens the desk; portal roles are website-only
ROLES = {STAFF_ROLE: 1, PORTAL_ROLE: 0, PORTAL_ADMIN_ROLE: 0}


def after_install() -> None:
	ensure_roles()
	ensure_print_format()
	ensure_web_forms()
	ensure_notification_defaults()
	# the portal faces the public internet: error pages must not show tracebacks (admins may re-enable
	# "Show Full Error" in System Settings on a private site)
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 0)


def after_migrate() -> None:
	ensure_roles()
	ensure_print_format()
	ensure_web_forms()
	ensure_notification_defaults()


def ensure_roles() -> None:
	for role_name, desk_access in ROLES.items():
		if frappe.db.exists("Role", role_name):
			if frappe.db.get_value("Role", role_name, "desk_access") != desk_access:
				frappe.db.set_value("Role", role_name, "desk_access", desk_access)
			continue
		frappe.get_doc({"doctype": "Role", "role_name": role_name, "desk_access": desk_access}).insert(
			ignore_permissions=True
		)
