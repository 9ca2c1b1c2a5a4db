import email
import re

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from customer_portal.accounts import invitations, members
from customer_portal.accounts.invitations import InvitationInvalid, find, token_hash
from customer_portal.tests.fixtures import make_customer, make_outgoing_email_account, make_user


def sent_token(invitation: str) -> str:
	"""The token in the invitation's email (the only place it exists in clear)."""
	message = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Portal Invitation", "reference_name": invitation},
		pluck="message",
	)[0]
	body = "".join(
		part.get_payload(decode=True).decode()
		for part in email.message_from_string(message).walk()
		if part.get_content_type() == "text/html"
	)
	return re.search(r"invitation\?token=([\w-]+)", body).group(1)


class TestInvitations(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_outgoing_email_account()
		cls.admin = make_user("invite-admin@example.com")
		cls.member = make_user("invite-member@example.com")
		cls.other_admin = make_user("invite-other-admin@example.com")
		cls.existing = make_user("invite-existing@example.com")
		cls.customer = make_customer("Invite A", {cls.admin: "Customer Admin", cls.member: "Member"})
		cls.other = make_customer("Invite B", {cls.other_admin: "Customer Admin"})

	def tearDown(self):
		frappe.set_user("Administrator")

	def invite(self, email: str, role: str = "Member", as_user: str | None = None):
		frappe.set_user(as_user or self.admin)
		doc = invitations.invite(self.customer, email, role)
		frappe.set_user("Administrator")
		return doc

	def test_the_link_is_stored_hashed_and_a_new_invitation_replaces_the_old(self):
		first = self.invite("newcomer-1@example.com")
		token = sent_token(first.name)
		self.assertEqual(first.token_hash, token_hash(token))
		self.assertNotIn(token, frappe.as_json(frappe.get_doc("Portal Invitation", first.name).as_dict()))
		self.assertEqual(find(token).name, first.name)
		second = self.invite("newcomer-1@example.com", "Customer Admin")
		self.assertIsNone(find(token))
		self.assertEqual(frappe.db.get_value("Portal Invitation", first.name, "status"), "Revoked")
		self.assertEqual(find(sent_token(second.name)).name, second.name)
		# expired
		frappe.db.set_value(
			"Portal Invitation", second.name, "expires_on", add_to_date(now_datetime(), hours=-1)
		)
		self.assertIsNone(find(sent_token(second.name)))

	def test_only_admins_of_the_customer_and_staff_invite(self):
		for outsider in (self.member, self.other_admin):
			frappe.set_user(outsider)
			self.assertRaises(frappe.DoesNotExistError, invitations.invite, self.customer, "x@example.com")
		frappe.set_user("Administrator")
		self.assertTrue(invitations.invite(self.customer, "staff-invite@example.com").name)

	def test_an_existing_account_accepts_signed_in_as_itself(self):
		doc = self.invite(self.existing, "Customer Admin")
		token = sent_token(doc.name)
		frappe.set_user(self.member)
		self.assertRaises(frappe.PermissionError, invitations.accept, token)
		frappe.set_user(self.existing)
		self.assertEqual(invitations.accept(token), self.existing)
		frappe.set_user("Administrator")
		roles = {row.user: row.portal_role for row in frappe.get_doc("Customer", self.customer).portal_users}
		self.assertEqual(roles[self.existing], "Customer Admin")
		self.assertEqual(frappe.db.get_value("Portal Invitation", doc.name, "status"), "Accepted")
		frappe.set_user(self.existing)
		self.assertRaises(InvitationInvalid, invitations.accept, token)

	def test_an_invitation_grants_nothing_once_its_sender_is_no_longer_admin(self):
		sender = make_user("invite-former-admin@example.com")
		invitee = make_user("invite-late@example.com")
		customer = make_customer("Invite C", {sender: "Customer Admin", self.admin: "Customer Admin"})
		frappe.set_user(sender)
		token = sent_token(invitations.invite(customer, invitee).name)
		frappe.set_user(self.admin)
		members.set_role(customer, sender, "Member")
		frappe.set_user(invitee)
		self.assertRaises(InvitationInvalid, invitations.accept, token)
		frappe.set_user("Administrator")
		users = {row.user for row in frappe.get_doc("Customer", customer).portal_users}
		self.assertNotIn(invitee, users)

	def test_weak_passwords_are_refused_and_create_nothing(self):
		self.assertRaises(
			frappe.ValidationError, invitations.create_user, "weak@example.com", "Weak One", "password1"
		)
		self.assertFalse(frappe.db.exists("User", "weak@example.com"))


class TestMembers(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.admin = make_user("members-admin@example.com")
		cls.member = make_user("members-member@example.com")
		cls.customer = make_customer("Members A", {cls.admin: "Customer Admin", cls.member: "Member"})

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_last_admin_stays(self):
		frappe.set_user(self.admin)
		self.assertRaises(frappe.ValidationError, members.set_role, self.customer, self.admin, "Member")
		self.assertRaises(frappe.ValidationError, members.remove, self.customer, self.admin)
		members.set_role(self.customer, self.member, "Customer Admin")
		members.set_role(self.customer, self.admin, "Member")
		frappe.set_user(self.member)
		members.set_role(self.customer, self.admin, "Customer Admin")
		frappe.set_user(self.admin)
		members.set_role(self.customer, self.member, "Member")

	def test_members_cannot_manage_users_anywhere(self):
		frappe.set_user(self.member)
		self.assertRaises(
			frappe.DoesNotExistError, members.set_role, self.customer, self.member, "Customer Admin"
		)
		self.assertRaises(frappe.DoesNotExistError, members.remove, self.customer, self.admin)

	def test_portal_users_change_only_through_the_endpoints(self):
		frappe.set_user(self.admin)
		doc = frappe.get_doc("Customer", self.customer)
		doc.append("portal_users", {"user": "intruder@example.com", "portal_role": "Customer Admin"})
		self.assertRaises(frappe.PermissionError, doc.save)
