"""A portal user's own data: a JSON download, and a request to deactivate the account, through Frappe's
*Personal Data Download Request* and *Personal Data Deletion Request*.

Download: Frappe collects the rows of every doctype in the `user_data_fields` hook (the app adds its
notifications, notification settings and API token records) and emails the user a signed link to a private
JSON file. Deactivation: Frappe emails a confirmation link; once confirmed, System Managers are told and
approve it in desk (*Personal Data Deletion Request*), which disables the account and anonymises the
listed records. The activity log is not listed: it is an append-only audit record whose hash chain must
keep verifying.
"""

import frappe
from frappe import _

from customer_portal.activity.log import record


def _user() -> str:
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Sign in first."), frappe.PermissionError)
	return user


def request_download() -> str:
	user = _user()
	doc = frappe.get_doc({"doctype": "Personal Data Download Request", "user": user})
	# the user's own request about themselves: Frappe's doctype has no role for website users
	doc.insert(ignore_permissions=True)
	record("Settings Change", "User", user, details={"personal data": "download requested"})
	return doc.name


def request_deactivation() -> str:
	user = _user()
	if frappe.db.exists(
		"Personal Data Deletion Request",
		{"email": user, "status": ("in", ("Pending Verification", "Pending Approval", "On Hold"))},
	):
		frappe.throw(_("Your request is already waiting. Check your email."), title=_("Already Requested"))
	doc = frappe.get_doc({"doctype": "Personal Data Deletion Request", "email": user})
	doc.insert(ignore_permissions=True)
	record("Settings Change", "User", user, details={"account": "deactivation requested"})
	return doc.name
