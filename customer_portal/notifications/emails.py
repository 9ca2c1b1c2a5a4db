"""Notification emails: rendered from Email Templates admins edit in desk, in each recipient's language
and time zone, queued through Frappe's Email Queue, each with a one-click unsubscribe link.

The link in an email is the record's normal portal page (the customer logs in to follow it); the
unsubscribe link carries a token that is an HMAC of (purpose, user, event type) under the site's secret,
so it unsubscribes that user from that event type and nothing else.
"""

import hashlib
import hmac
from contextlib import contextmanager
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import frappe
from frappe.email.doctype.email_queue.email_queue import QueueBuilder
from frappe.utils import get_system_timezone, get_url
from frappe.utils.verified_command import get_secret

from customer_portal.notifications.catalogue import EVENT_TYPES, portal_url
from customer_portal.notifications.rendering import formatted_html, render_string
from customer_portal.portal.locale import local_time

TEMPLATE_PREFIX = "Customer Portal: "
DIGEST_TEMPLATE = f"{TEMPLATE_PREFIX}Digest"
UNSUBSCRIBE_PURPOSE = "customer-portal-unsubscribe"


RECIPIENT_FIELDS = ["name", "email", "full_name", "language", "time_zone"]


def recipients(users) -> dict:
	"""The enabled users among `users`, with what their emails are rendered in, by name."""
	return {
		user.name: user
		for user in frappe.get_all(
			"User", filters={"name": ("in", list(users)), "enabled": 1}, fields=RECIPIENT_FIELDS
		)
	}


def customer_names(customers) -> dict:
	return dict(
		frappe.get_all(
			"Customer",
			filters={"name": ("in", list(customers))},
			fields=["name", "customer_name"],
			as_list=True,
		)
	)


def template_name(event_type: str) -> str:
	return f"{TEMPLATE_PREFIX}{event_type}"


def send_event_email(event, user, customer_name: str) -> None:
	"""Queue the email for one event to one user (inside the caller's transaction)."""
	template = frappe.get_cached_doc("Email Template", template_name(event.event_type))
	with user_locale(user):
		context = {
			"event_type": event.event_type,
			"subject": event.subject,
			"reference_doctype": event.reference_doctype,
			"reference_name": event.reference_name,
			"details": frappe._dict(frappe.parse_json(event.details or "{}")),
			"link": portal_url(event.reference_doctype, event.reference_name),
			"user_name": user.full_name or user.name,
			"customer_name": customer_name,
			"unsubscribe_url": unsubscribe_url(user.name, event.event_type),
			"preferences_url": get_url("/portal/notifications/preferences"),
		}
		subject, message = render(template, context)
	queue_email(
		user,
		subject,
		message,
		event.reference_doctype,
		event.reference_name,
		list_unsubscribe=one_click_unsubscribe_url(user.name, event.event_type),
	)


def send_digest_email(user, mode: str, groups: list[dict]) -> None:
	"""Queue one digest: `groups` of (customer_name, event_type, items of subject/link/when)."""
	template = frappe.get_cached_doc("Email Template", DIGEST_TEMPLATE)
	with user_locale(user) as zone:
		for group in groups:
			group["unsubscribe_url"] = unsubscribe_url(user.name, group["event_type"])
			for item in group["items"]:
				item["when"] = frappe.utils.format_datetime(local_time(item["creation"], zone), "medium")
		context = {
			"mode": mode,
			"groups": groups,
			"count": sum(len(group["items"]) for group in groups),
			"user_name": user.full_name or user.name,
			"preferences_url": get_url("/portal/notifications/preferences"),
		}
		subject, message = render(template, context)
	queue_email(user, subject, message, "User", user.name)


def render(template, context: dict) -> tuple[str, str]:
	body = template.response_html if template.use_html else template.response
	return render_string(template.subject, context).strip(), render_string(body or "", context)


class PortalEmail(QueueBuilder):
	"""Frappe's Email Queue builder, with the app's faster HTML rendering (`rendering.py`) and RFC 8058
	one-click unsubscribe headers: mail clients show their own "Unsubscribe" button and POST
	`List-Unsubscribe=One-Click` to the URL, which turns off that event type for that user."""

	def __init__(self, *, list_unsubscribe: str | None = None, **kwargs):
		super().__init__(**kwargs)
		self.list_unsubscribe = list_unsubscribe

	def email_html_content(self):
		return formatted_html(
			self.subject,
			self._message,
			email_account=self.get_outgoing_email_account(),
			header=self.header,
			with_container=self.with_container,
		)

	def prepare_email_content(self):
		mail = super().prepare_email_content()
		if self.list_unsubscribe:
			mail.set_header("List-Unsubscribe", f"<{self.list_unsubscribe}>")
			mail.set_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		return mail


def queue_email(
	user,
	subject: str,
	message: str,
	reference_doctype: str,
	reference_name: str,
	list_unsubscribe: str | None = None,
) -> None:
	PortalEmail(
		recipients=[user.email or user.name],
		subject=subject,
		message=message,
		reference_doctype=reference_doctype,
		reference_name=reference_name,
		# the template carries the app's own one-click link; Frappe's would unsubscribe from the record
		add_unsubscribe_link=0,
		list_unsubscribe=list_unsubscribe,
	).process()


@contextmanager
def user_locale(user):
	"""Render in the user's language; yields their time zone."""
	previous = frappe.local.lang
	frappe.local.lang = user.language or frappe.db.get_default("lang") or "en"
	try:
		yield ZoneInfo(user.time_zone or get_system_timezone())
	finally:
		frappe.local.lang = previous


def unsubscribe_token(user: str, event_type: str) -> str:
	message = f"{UNSUBSCRIBE_PURPOSE}\n{user}\n{event_type}".encode()
	return hmac.new(get_secret().encode(), message, hashlib.sha256).hexdigest()


def verify_unsubscribe(user: str, event_type: str, token: str) -> bool:
	if event_type not in EVENT_TYPES or not user or not token:
		return False
	return hmac.compare_digest(unsubscribe_token(user, event_type), token)


def unsubscribe_query(user: str, event_type: str) -> str:
	return urlencode({"user": user, "type": event_type, "token": unsubscribe_token(user, event_type)})


def unsubscribe_url(user: str, event_type: str) -> str:
	"""The link in the email's text: a page with one button (mail scanners follow links, never POST)."""
	return get_url(f"/portal/unsubscribe?{unsubscribe_query(user, event_type)}")


def one_click_unsubscribe_url(user: str, event_type: str) -> str:
	"""The List-Unsubscribe header's URL: the endpoint itself, which only answers POST."""
	method = "/api/method/customer_portal.api.notifications.unsubscribe"
	return get_url(f"{method}?{unsubscribe_query(user, event_type)}")
