"""Invitations to a customer's portal, and what accepting one does.

Staff invite a contact to any customer (Portal Invitation in desk, or *Invite to Portal* on the Customer
form); a customer admin invites colleagues to their own customer (`/portal/users`). An invitation is a link
with a random token that is kept only as its SHA-256, works once, expires (Customer Portal Settings,
*Invitation Link Lifetime*, 72 h by default) and can be revoked; inviting the same address to the same
customer again revokes the earlier link.

Accepting links the invited address to the customer with the invited role, on the inviter's authority:
the change is made as the inviter, through the scoping policy, so an invitation from someone who has since
lost their admin rights grants nothing. A new address sets its password there, checked by Frappe's password
policy (with a floor for portal accounts); an existing account accepts while signed in as itself.
"""

import hashlib
import secrets
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.auth import MAX_PASSWORD_SIZE
from frappe.core.doctype.user.user import handle_password_test_fail
from frappe.utils import add_to_date, cint, get_datetime, get_url, now_datetime
from frappe.utils.password_strength import test_password_strength

from customer_portal.activity.log import record
from customer_portal.notifications.account_emails import send_account_email
from customer_portal.notifications.dispatch import flush_email_queue
from customer_portal.permissions import (
	get_permitted_customers,
	is_unrestricted,
	portal_write,
	raise_not_found,
)

DEFAULT_HOURS = 72
# portal accounts face the public internet: at least this zxcvbn score, whatever System Settings say
MINIMUM_PASSWORD_SCORE = 2
INVALID = "This invitation link is not valid any more: it was used, revoked, replaced by a newer one or has expired. Ask for a new invitation."


class InvitationInvalid(frappe.ValidationError):
	http_status_code = 410


def token_hash(token: str) -> str:
	return hashlib.sha256((token or "").encode()).hexdigest()


def lifetime_hours() -> int:
	return cint(frappe.get_cached_doc("Customer Portal Settings").get("invitation_hours")) or DEFAULT_HOURS


def can_invite(customer: str, user: str | None = None) -> bool:
	user = user or frappe.session.user
	return is_unrestricted(user) or customer in (get_permitted_customers(user, admin=True) or ())


def invite(customer: str, email: str, portal_role: str = "Member"):
	"""A new invitation (and its email); a customer user may invite only to a customer they administer."""
	if not can_invite(customer):
		raise_not_found("Customer", customer)
	if portal_role not in ("Member", "Customer Admin"):
		frappe.throw(_("Choose Member or Customer Admin."), title=_("Invalid Role"))
	with portal_write("Portal Invitation"):
		return frappe.get_doc(
			{"doctype": "Portal Invitation", "customer": customer, "email": email, "portal_role": portal_role}
		).insert()


def prepare(doc) -> None:
	"""`before_insert`: the token (kept in memory for the email only), its hash, the expiry."""
	if frappe.db.exists(
		"Customer Portal User", {"parent": doc.customer, "parenttype": "Customer", "user": doc.email}
	):
		frappe.throw(
			_("{0} already has access to {1}.").format(doc.email, doc.customer), title=_("Already a User")
		)
	token = secrets.token_urlsafe(32)
	doc.flags.token = token
	doc.token_hash = token_hash(token)
	doc.status = "Pending"
	doc.invited_by = frappe.session.user
	doc.expires_on = add_to_date(now_datetime(), hours=lifetime_hours())


def send(doc) -> None:
	"""`after_insert`: earlier pending invitations of this address to this customer stop working, and
	the new link goes out."""
	for name in frappe.get_all(
		"Portal Invitation",
		filters={"customer": doc.customer, "email": doc.email, "status": "Pending", "name": ("!=", doc.name)},
		pluck="name",
	):
		frappe.get_doc("Portal Invitation", name).revoke()
	customer_name = frappe.db.get_value("Customer", doc.customer, "customer_name") or doc.customer
	inviter = frappe.utils.get_fullname(doc.invited_by)
	send_account_email(
		"customer_portal_invitation",
		[doc.email],
		{
			"link": get_url(f"/portal/invitation?token={doc.flags.token}"),
			"customer_name": customer_name,
			"inviter": inviter,
			"role": _(doc.portal_role),
			"hours": lifetime_hours(),
		},
		reference_doctype=doc.doctype,
		reference_name=doc.name,
	)
	# out now, not at the scheduler's next tick
	flush_email_queue()
	record(
		"User Management",
		"Portal Invitation",
		doc.name,
		details={"invited": doc.email, "role": doc.portal_role},
		customer=doc.customer,
	)


def find(token: str, for_update: bool = False):
	"""The open invitation a token names, as stored values; None for any token that does not work."""
	if not token or len(token) > 100:
		return None
	row = frappe.db.get_value(
		"Portal Invitation",
		{"token_hash": token_hash(token)},
		["name", "customer", "email", "portal_role", "status", "expires_on", "invited_by"],
		as_dict=True,
		for_update=for_update,
	)
	if not row or row.status != "Pending" or get_datetime(row.expires_on) <= now_datetime():
		return None
	return row


def accept(token: str, full_name: str | None = None, new_password: str | None = None) -> str:
	"""Accept an invitation; returns the user now linked. A new address gets an account with
	`new_password`; an existing one must be the signed-in user."""
	invitation = find(token, for_update=True)
	if not invitation:
		frappe.throw(_(INVALID), InvitationInvalid, title=_("Invitation Not Valid"))
	user = frappe.db.get_value("User", {"name": invitation.email}) or frappe.db.get_value(
		"User", {"email": invitation.email}
	)
	created = False
	if user:
		if frappe.session.user != user:
			frappe.throw(
				_("Sign in as {0} to accept this invitation.").format(invitation.email),
				frappe.PermissionError,
				title=_("Sign In First"),
			)
	else:
		user = create_user(invitation.email, full_name, new_password)
		created = True
	link_invited_user(invitation, user)
	if created:
		frappe.local.login_manager.login_as(user)
	return user


def pending_for(customer: str, email: str):
	"""The open invitation of `email` to `customer`, as stored values (None when there is none)."""
	return frappe.db.get_value(
		"Portal Invitation",
		{"customer": customer, "email": email, "status": "Pending", "expires_on": (">", now_datetime())},
		["name", "customer", "email", "portal_role", "status", "expires_on", "invited_by"],
		as_dict=True,
		for_update=True,
	)


def link_invited_user(invitation, user: str) -> None:
	"""Link `user` to the invitation's customer with the invited role, as the inviter, and close it."""
	with acting_as(invitation.invited_by):
		if not can_invite(invitation.customer):
			frappe.throw(
				_("The person who invited you can no longer give access to this customer."),
				InvitationInvalid,
				title=_("Invitation Not Valid"),
			)
		with portal_write("Customer"), portal_write("Portal Invitation"):
			customer = frappe.get_doc("Customer", invitation.customer)
			if not any(row.user == user for row in customer.portal_users):
				customer.append("portal_users", {"user": user, "portal_role": invitation.portal_role})
				customer.save()
			doc = frappe.get_doc("Portal Invitation", invitation.name)
			doc.status = "Accepted"
			doc.accepted_by = user
			doc.closed_on = now_datetime()
			doc.save()
	record(
		"User Management",
		"Portal Invitation",
		invitation.name,
		details={"accepted": user, "role": invitation.portal_role},
		customer=invitation.customer,
		user=user,
	)


def create_user(email: str, full_name: str | None, new_password: str | None, sso: bool = False) -> str:
	"""The account an invitation was sent to; `sso`: signed in by the company's identity provider, so
	without a password of its own."""
	full_name = (full_name or "").strip()[:140]
	if not full_name:
		frappe.throw(_("Enter your name."), title=_("Name Missing"))
	if not sso:
		check_password(new_password, (full_name, email))
	first, _space, last = full_name.partition(" ")
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first,
			"last_name": last or None,
			"user_type": "Website User",
			"send_welcome_email": 0,
			"enabled": 1,
			"new_password": None if sso else new_password,
		}
	)
	# a guest creates the account the invitation was sent to, as Frappe's own sign-up does
	user.insert(ignore_permissions=True)
	return user.name


def check_password(new_password: str | None, user_inputs: tuple) -> None:
	"""Frappe's password policy (System Settings), and at least MINIMUM_PASSWORD_SCORE for portal users."""
	if not new_password or len(new_password) > MAX_PASSWORD_SIZE:
		frappe.throw(_("Choose a password."), title=_("Password Missing"))
	result = test_password_strength(new_password, user_inputs=user_inputs)
	minimum = MINIMUM_PASSWORD_SCORE
	if frappe.get_system_settings("enable_password_policy"):
		minimum = max(minimum, cint(frappe.get_system_settings("minimum_password_score")))
	if (result.get("score") or 0) < minimum:
		result["feedback"]["password_policy_validation_passed"] = False
		handle_password_test_fail(result["feedback"])


@contextmanager
def acting_as(user: str):
	"""Run as `user` (permission checks included) and come back to the request's own user and session
	unchanged. `frappe.set_user` also resets the session's id and the form dict; both are restored."""
	local = frappe.local
	session, form_dict = frappe._dict(local.session), local.form_dict
	session_data = frappe._dict(local.session.data or {})
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(session.user)
		local.session.update(session)
		local.session.data = session_data
		local.form_dict = form_dict
