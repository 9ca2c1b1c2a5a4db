from frappe import _, form_dict, session

from customer_portal.notifications.catalogue import EVENT_TYPES
from customer_portal.notifications.preferences import EMAIL_MODES, user_preferences
from customer_portal.portal.context import portal_context

no_cache = 1
EMAIL_LABELS = {
	"Immediately": "Immediately",
	"Daily": "Daily digest",
	"Weekly": "Weekly digest",
	"Off": "Off",
}


def get_context(context):
	customer = portal_context(context, "/portal/notifications")
	context.page_title = _("Notification settings")
	if not customer:
		return
	preferences = user_preferences(session.user)
	context.rows = [
		{
			"index": index,
			"event_type": event_type,
			"email": preferences[event_type].email,
			"in_portal": preferences[event_type].in_portal,
		}
		for index, event_type in enumerate(EVENT_TYPES)
	]
	context.email_modes = [(mode, _(EMAIL_LABELS[mode])) for mode in EMAIL_MODES]
	context.saved = form_dict.get("saved") == "1"
