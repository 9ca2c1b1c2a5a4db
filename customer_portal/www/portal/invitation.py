from urllib.parse import urlencode

import frappe
from frappe import _, form_dict

from customer_portal.accounts.invitations import find
from customer_portal.portal.context import use_shell

no_cache = 1


def get_context(context):
	"""Where an invitation email leads: no login needed to see it. A new address chooses a name and a
	password; an existing account signs in first and comes back here."""
	use_shell(context)
	context.page_title = _("Invitation")
	# a website session makes its CSRF token only when asked; the accept form needs it
	frappe.sessions.get_csrf_token()
	context.token = (form_dict.get("token") or "")[:100]
	context.invitation = find(context.token)
	if not context.invitation:
		return
	context.customer_name = frappe.db.get_value("Customer", context.invitation.customer, "customer_name")
	existing = frappe.db.exists("User", context.invitation.email)
	context.new_account = not existing
	context.needs_sign_in = bool(existing) and frappe.session.user != existing
	back = f"/portal/invitation?{urlencode({'token': context.token})}"
	context.sign_in_url = f"/login?{urlencode({'redirect-to': back})}"
