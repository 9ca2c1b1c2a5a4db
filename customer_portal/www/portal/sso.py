from frappe import _, form_dict

from customer_portal.accounts.single_sign_on import safe_redirect
from customer_portal.portal.context import use_shell

no_cache = 1


def get_context(context):
	"""Single sign-on: the user gives their work email and goes to their company's identity provider
	(api/sso.py start); no login needed."""
	use_shell(context)
	context.page_title = _("Sign in with single sign-on")
	context.unknown = bool(form_dict.get("unknown"))
	context.redirect_to = safe_redirect(form_dict.get("redirect-to") or form_dict.get("redirect_to"))
