from frappe import _, form_dict

from customer_portal.notifications.emails import verify_unsubscribe
from customer_portal.portal.context import use_shell

no_cache = 1


def get_context(context):
	"""The page an email's unsubscribe link opens: no login; one button, so that a mail scanner that
	follows links unsubscribes nobody."""
	use_shell(context)
	context.page_title = _("Unsubscribe")
	context.user = (form_dict.get("user") or "")[:140]
	context.event_type = (form_dict.get("type") or "")[:140]
	context.token = (form_dict.get("token") or "")[:128]
	context.valid = verify_unsubscribe(context.user, context.event_type, context.token)
