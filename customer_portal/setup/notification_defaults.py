"""What a fresh install notifies by: an Email Template per event type and one for digests (admins edit
them in desk; an existing template is never overwritten), and default preferences in Customer Portal
Settings. Templates escape every value (`| e`): Frappe's Jinja does not autoescape."""

import frappe

from customer_portal.notifications.catalogue import (
	EVENT_TYPES,
	INVOICE_OVERDUE,
	NEW_DOCUMENT,
	NEW_DOCUMENT_VERSION,
	NEW_INVOICE,
	ORDER_STAGE_CHANGED,
	PAYMENT_RECORDED,
	TICKET_REPLY,
)
from customer_portal.notifications.emails import DIGEST_TEMPLATE, template_name

# event type -> (subject, the sentence that opens the email); both Jinja, translated per recipient
TEXTS = {
	ORDER_STAGE_CHANGED: (
		'{{ _("Order {0} is now {1}").format(reference_name, _(details.stage)) }}',
		'{{ _("Your order {0} ({1}) moved from {2} to {3}.").format(reference_name | e, details.title | e,'
		" _(details.previous_stage) | e, _(details.stage) | e) }}",
	),
	NEW_INVOICE: (
		'{{ _("New invoice {0}").format(reference_name) }}',
		'{{ _("Invoice {0} has been issued, due on {1}.").format(reference_name | e,'
		" frappe.format(details.due_date, 'Date') | e) }}",
	),
	INVOICE_OVERDUE: (
		'{{ _("Invoice {0} is overdue").format(reference_name) }}',
		'{{ _("Invoice {0} was due on {1}; {2} is still outstanding.").format(reference_name | e,'
		" frappe.format(details.due_date, 'Date') | e, frappe.format(details.outstanding_amount, 'Currency') | e) }}",
	),
	PAYMENT_RECORDED: (
		'{{ _("Payment recorded on invoice {0}").format(reference_name) }}',
		'{{ _("We recorded a payment of {0} on invoice {1}; {2} is outstanding.").format('
		"frappe.format(details.amount, 'Currency') | e, reference_name | e,"
		" frappe.format(details.outstanding_amount, 'Currency') | e) }}",
	),
	NEW_DOCUMENT: (
		'{{ _("New document: {0}").format(details.title) }}',
		'{{ _("{0} has been added to your documents.").format(details.title | e) }}',
	),
	NEW_DOCUMENT_VERSION: (
		'{{ _("New version of {0}").format(details.title) }}',
		'{{ _("Version {0} of {1} is available.").format(details.version | e, details.title | e) }}',
	),
	TICKET_REPLY: (
		'{{ _("New reply on ticket {0}").format(reference_name) }}',
		'{{ _("There is a new reply on your ticket {0}.").format(reference_name | e) }}',
	),
}

EVENT_BODY = """<p>{{ _("Hello {0},").format(user_name | e) }}</p>
<p>%s</p>
<p><a href="{{ link | e }}">{{ _("Open it in the portal") }}</a> {{ _("(you will be asked to log in)") }}</p>
<hr>
<p style="font-size: 12px; color: #6b7280;">{{ _("You receive this because of your notification settings for {0}.").format(customer_name | e) }}
<a href="{{ preferences_url | e }}">{{ _("Change them") }}</a> &middot;
<a href="{{ unsubscribe_url | e }}">{{ _("Unsubscribe from these emails") }}</a></p>
"""

DIGEST_SUBJECT = '{{ _("Your {0} portal summary").format(_(mode).lower()) }}'
DIGEST_BODY = """<p>{{ _("Hello {0},").format(user_name | e) }}</p>
<p>{{ _("Here is what changed since your last summary.") }}</p>
{% for group in groups %}
<h3 style="margin-bottom: 4px;">{{ group.customer_name | e }}: {{ _(group.event_type) | e }}</h3>
<ul>
{% for item in group["items"] %}<li><a href="{{ item.link | e }}">{{ item.subject | e }}</a> <span style="color: #6b7280;">{{ item.when | e }}</span></li>
{% endfor %}</ul>
<p style="font-size: 12px;"><a href="{{ group.unsubscribe_url | e }}">{{ _("Unsubscribe from {0} emails").format(_(group.event_type)) | e }}</a></p>
{% endfor %}
<hr>
<p style="font-size: 12px; color: #6b7280;"><a href="{{ preferences_url | e }}">{{ _("Change your notification settings") }}</a></p>
"""

# sensible defaults: the things clients act on arrive at once, the rest once a day
DEFAULT_EMAIL = {
	ORDER_STAGE_CHANGED: "Immediately",
	NEW_INVOICE: "Immediately",
	INVOICE_OVERDUE: "Immediately",
	PAYMENT_RECORDED: "Daily",
	NEW_DOCUMENT: "Daily",
	NEW_DOCUMENT_VERSION: "Daily",
	TICKET_REPLY: "Immediately",
}


def ensure_notification_defaults() -> None:
	for event_type, (subject, sentence) in TEXTS.items():
		_ensure_template(template_name(event_type), subject, EVENT_BODY % sentence)
	_ensure_template(DIGEST_TEMPLATE, DIGEST_SUBJECT, DIGEST_BODY)
	settings = frappe.get_single("Customer Portal Settings")
	present = {row.event_type for row in settings.notification_defaults}
	missing = [event_type for event_type in EVENT_TYPES if event_type not in present]
	if missing:
		for event_type in missing:
			settings.append(
				"notification_defaults",
				{"event_type": event_type, "email": DEFAULT_EMAIL[event_type], "in_portal": 1},
			)
		settings.flags.ignore_mandatory = True
		settings.save(ignore_permissions=True)


def _ensure_template(name: str, subject: str, body: str) -> None:
	if frappe.db.exists("Email Template", name):
		return
	frappe.get_doc(
		{"doctype": "Email Template", "name": name, "subject": subject, "use_html": 1, "response_html": body}
	).insert(ignore_permissions=True)
