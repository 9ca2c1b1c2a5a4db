from frappe import _, form_dict

from customer_portal.accounts.login_throttle import verify_unlock
from customer_portal.portal.context import use_shell

no_cache = 1


def get_context(context):
	"""The page an account-locked email links to: no login; one button (a POST), so that a mail scanner
	that follows links unlocks nothing."""
	use_shell(context)
	context.page_title = _("Unlock your account")
	context.user = (form_dict.get("user") or "")[:140]
	context.token = (form_dict.get("token") or "")[:128]
	context.valid = verify_unlock(context.user, context.token)
