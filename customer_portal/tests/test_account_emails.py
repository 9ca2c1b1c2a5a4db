import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.notifications.account_emails import ACCOUNT_EMAILS, render_account_email


class TestAccountEmails(FrappeTestCase):
	"""The app's account emails come from Email Templates that admins edit in desk."""

	def test_every_account_email_has_its_template(self):
		for file_name, (name, _subject) in ACCOUNT_EMAILS.items():
			with self.subTest(name):
				self.assertTrue(frappe.db.exists("Email Template", name))
				subject, body = render_account_email(
					file_name,
					{
						"inviter": "Ann",
						"customer_name": "Acme",
						"role": "Member",
						"link": "https://x",
						"hours": 72,
						"unlock_url": "https://y",
						"minutes": 30,
						"attempts": 15,
						"user": "u@example.com",
						"changes": [("Tax ID", "A", "B")],
						"ticket": "TKT-1",
						"customer": "Acme",
						"subject": "Help",
						"author": "Bo",
						"message": "Hi",
					},
				)
				self.assertTrue(subject)
				self.assertTrue(body.strip().startswith("<"))

	def test_an_edit_in_desk_is_what_goes_out_and_values_stay_escaped(self):
		template = frappe.get_doc("Email Template", "Customer Portal: Invitation")
		template.subject = "{{ customer_name }}: your invitation"
		template.response_html = "<p>Welcome, {{ inviter | e }}</p>"
		template.save()
		subject, body = render_account_email(
			"customer_portal_invitation", {"customer_name": "Acme", "inviter": "<b>Ann</b>"}
		)
		self.assertEqual(subject, "Acme: your invitation")
		self.assertEqual(body, "<p>Welcome, &lt;b&gt;Ann&lt;/b&gt;</p>")
