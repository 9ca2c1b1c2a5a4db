import frappe
from frappe import _, form_dict

from customer_portal.accounts.invitations import can_invite
from customer_portal.accounts.members import ROLES, members
from customer_portal.portal.context import page_not_found, portal_context
from customer_portal.portal.locale import format_local

no_cache = 1
DONE = {
	"invited": "Invitation sent.",
	"revoked": "Invitation revoked.",
	"changed": "Role changed.",
	"removed": "Access removed.",
	"two-factor": "Two-factor sign-in setting saved.",
}


def get_context(context):
	"""The active customer's portal users and open invitations: for its customer admins. Anyone else
	gets the site's 404 page, as for anything that is not theirs."""
	customer = portal_context(context, "/portal/users")
	context.page_title = _("Users")
	if not customer:
		return

	if not can_invite(customer):
		page_not_found()
	context.members = members(customer)
	for row in context.members:
		row.last_seen = format_local(row.last_login)
		row.is_self = row.user == frappe.session.user
	context.invitations = frappe.get_all(
		"Portal Invitation",
		filters={"customer": customer, "status": "Pending", "expires_on": (">", frappe.utils.now_datetime())},
		fields=["name", "email", "portal_role", "invited_by", "expires_on"],
		order_by="creation desc",
	)
	for row in context.invitations:
		row.expires = format_local(row.expires_on)
	context.roles = [(role, _(role)) for role in ROLES]
	context.require_two_factor = bool(frappe.db.get_value("Customer", customer, "require_two_factor"))
	context.done = _(DONE[form_dict.done]) if form_dict.get("done") in DONE else ""
