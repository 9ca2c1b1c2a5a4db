"""The app's other emails (invitations, account locked, details changed, ticket messages), rendered from
Email Templates that admins edit in desk, like the notification emails. A fresh install (and a migrate,
for a template not there yet) creates each from the text in `templates/emails/<name>.html`; an existing
template is never overwritten. Subject and body are Jinja with the email's values; `_()` translates, and
every value is escaped (`| e`): Frappe's Jinja does not autoescape."""

from pathlib import Path

import frappe

from customer_portal.notifications.rendering import render_string

EMAILS = Path(__file__).resolve().parents[1] / "templates" / "emails"
# template file -> (Email Template name, subject)
ACCOUNT_EMAILS = {
	"customer_portal_invitation": (
		"Customer Portal: Invitation",
		'{{ _("{0} invites you to the {1} portal").format(inviter, customer_name) }}',
	),
	"customer_portal_account_locked": (
		"Customer Portal: Account Locked",
		'{{ _("Your portal account was locked") }}',
	),
	"customer_portal_details_changed": (
		"Customer Portal: Details Changed",
		'{{ _("{0}: details changed by {1}").format(customer_name, user) }}',
	),
	"customer_portal_ticket_message": (
		"Customer Portal: Ticket Message",
		'{{ _("[{0}] {1}: {2}").format(ticket, customer, subject) }}',
	),
}


def ensure_account_email_templates() -> None:
	for file_name, (name, subject) in ACCOUNT_EMAILS.items():
		if frappe.db.exists("Email Template", name):
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": name,
				"subject": subject,
				"use_html": 1,
				"response_html": (EMAILS / f"{file_name}.html").read_text(),
			}
		).insert(ignore_permissions=True)


def render_account_email(file_name: str, args: dict) -> tuple[str, str]:
	"""(subject, HTML body) of one of the app's account emails, from its Email Template."""
	name, _subject = ACCOUNT_EMAILS[file_name]
	if not frappe.db.exists("Email Template", name):
		ensure_account_email_templates()
	template = frappe.get_cached_doc("Email Template", name)
	body = template.response_html if template.use_html else template.response
	return render_string(template.subject, args).strip(), render_string(body, args)


def send_account_email(file_name: str, recipients: list[str], args: dict, **kwargs) -> None:
	subject, message = render_account_email(file_name, args)
	frappe.sendmail(recipients=recipients, subject=subject, message=message, **kwargs)
