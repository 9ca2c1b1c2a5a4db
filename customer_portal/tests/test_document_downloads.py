"""Document versions, short-lived single-use download links and the append-only access log."""

import hashlib

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from customer_portal.api.documents import request_download, safe_filename
from customer_portal.customer_portal.report.document_downloads.document_downloads import execute
from customer_portal.documents.links import issue_link, redeem_link
from customer_portal.documents.storage import LocalStorage
from customer_portal.tests.fixtures import make_customer, make_document, make_private_file, make_user


def log_rows(**filters):
	return frappe.get_all(
		"Document Access Log",
		filters=filters,
		fields=["event", "outcome", "reason", "user", "customer", "document", "version"],
		order_by="creation asc",
	)


class TestDocumentDownloads(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("downloads-a@example.com")
		cls.colleague = make_user("downloads-a2@example.com")
		cls.other_user = make_user("downloads-b@example.com")
		cls.customer = make_customer("Downloads A", {cls.user: "Member", cls.colleague: "Member"})
		cls.other = make_customer("Downloads B", {cls.other_user: "Member"})
		cls.first = b"first version of the certificate"
		cls.document = make_document(cls.customer, "Q3 report", file=make_private_file("q3.txt", cls.first))
		cls.foreign = make_document(cls.other, "Not yours")

	def setUp(self):
		frappe.set_user(self.user)
		frappe.session.sid = "session-one"

	def tearDown(self):
		frappe.set_user("Administrator")

	def issue(self, name=None, version=None):
		return issue_link(frappe.get_doc("Document", name or self.document), version)[0]

	def test_versions_record_who_when_size_and_checksum(self):
		frappe.set_user("Administrator")
		document = frappe.get_doc(
			"Document", make_document(self.customer, "Versioned", file=make_private_file("v1.txt", b"one"))
		)
		document.version_note = "Signed copy"
		document.file = make_private_file("v2.txt", b"second")
		document.save()
		rows = [(r.version, r.file_size, r.sha256, r.note, r.uploaded_by) for r in document.versions]
		self.assertEqual(
			rows,
			[
				(1, 3, hashlib.sha256(b"one").hexdigest(), None, "Administrator"),
				(2, 6, hashlib.sha256(b"second").hexdigest(), "Signed copy", "Administrator"),
			],
		)
		self.assertEqual((document.version, document.version_note), (2, None))
		frappe.set_user(self.user)
		link, _document = redeem_link(self.issue(document.name, version=1))
		self.assertEqual(link.file, document.versions[0].file)
		link, _document = redeem_link(self.issue(document.name))
		self.assertEqual(link.version, 2)

	def test_link_works_once(self):
		token = self.issue()
		link, document = redeem_link(token)
		self.assertEqual((link.document, document.name), (self.document, self.document))
		with self.assertRaises(frappe.DoesNotExistError):
			redeem_link(token)
		self.assertEqual(log_rows(document=self.document, event="Download")[-1].reason, "already used")

	def test_only_a_hash_of_the_token_is_stored(self):
		token = self.issue()
		stored = frappe.get_all(
			"Document Download Link", filters={"document": self.document}, pluck="token_hash"
		)
		self.assertIn(hashlib.sha256(token.encode()).hexdigest(), stored)
		self.assertNotIn(token, stored)

	def test_expired_link_fails(self):
		token = self.issue()
		frappe.db.set_value(
			"Document Download Link",
			{"token_hash": hashlib.sha256(token.encode()).hexdigest()},
			"expires_on",
			add_to_date(now_datetime(), seconds=-1),
		)
		with self.assertRaises(frappe.DoesNotExistError):
			redeem_link(token)

	def test_link_is_bound_to_its_session_and_user(self):
		token = self.issue()
		frappe.session.sid = "session-two"
		with self.assertRaises(frappe.DoesNotExistError):
			redeem_link(token)
		frappe.set_user(self.colleague)
		frappe.session.sid = "session-one"
		with self.assertRaises(frappe.DoesNotExistError):
			redeem_link(token)
		frappe.set_user(self.user)
		frappe.session.sid = "session-one"
		self.assertEqual(redeem_link(token)[0].document, self.document)

	def test_lifetime_is_configurable_between_1_and_15_minutes(self):
		frappe.set_user("Administrator")
		for minutes, expected in ((1, 60), (10, 600), (60, 900)):
			frappe.db.set_single_value("Customer Portal Settings", "download_link_minutes", minutes)
			frappe.set_user(self.user)
			self.assertEqual(issue_link(frappe.get_doc("Document", self.document))[1], expected)
			frappe.set_user("Administrator")

	def test_another_customers_document_is_refused_and_logged(self):
		for name in (self.foreign, "DOC-2099-99999"):
			with self.assertRaisesRegex(frappe.DoesNotExistError, f"Document {name} not found"):
				request_download(name)
		refused = log_rows(user=self.user, event="Download Link", outcome="Refused")
		self.assertGreaterEqual(len(refused), 2)
		# a refused probe records who tried, never which record: it might not exist, or not be theirs
		self.assertFalse(any(row.customer or row.document for row in refused))

	def test_unknown_version_is_not_found(self):
		with self.assertRaises(frappe.DoesNotExistError):
			self.issue(version=99)

	def test_every_outcome_is_logged(self):
		token = self.issue()
		redeem_link(token)
		with self.assertRaises(frappe.DoesNotExistError):
			redeem_link(token)
		with self.assertRaises(frappe.DoesNotExistError):
			redeem_link("forged-token")
		rows = log_rows(user=self.user, document=self.document)[-3:]
		self.assertEqual(
			[(r.event, r.outcome, r.reason) for r in rows],
			[
				("Download Link", "Allowed", None),
				("Download", "Allowed", None),
				("Download", "Refused", "already used"),
			],
		)
		self.assertFalse(log_rows(user=self.user, reason="unknown link")[-1].document)

	def test_access_log_is_append_only_for_everyone(self):
		redeem_link(self.issue())
		frappe.set_user("Administrator")
		name = frappe.get_all(
			"Document Access Log", filters={"document": self.document}, pluck="name", limit=1
		)[0]
		entry = frappe.get_doc("Document Access Log", name)
		entry.outcome = "Refused"
		with self.assertRaises(frappe.PermissionError):
			entry.save()
		with self.assertRaises(frappe.PermissionError):
			frappe.delete_doc("Document Access Log", name)
		self.assertTrue(frappe.db.exists("Document Access Log", name))
		self.assertEqual(frappe.db.get_value("Document Access Log", name, "outcome"), "Allowed")
		frappe.set_user(self.user)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list("Document Access Log")

	def test_safe_filename(self):
		self.assertEqual(safe_filename("Q3 report", "/private/files/q3.pdf"), "Q3 report.pdf")
		self.assertEqual(safe_filename("../../etc/passwd\x00", "/private/files/x.txt"), "etc passwd.txt")
		self.assertEqual(safe_filename("", "/private/files/noext"), "document")

	def test_downloads_report_answers_who_downloaded_what(self):
		redeem_link(self.issue())
		frappe.set_user("Administrator")

		_columns, data = execute({"customer": self.customer, "document": self.document, "outcome": "Allowed"})
		self.assertTrue(data)
		self.assertEqual({(row.user, row.title) for row in data}, {(self.user, "Q3 report")})
		_columns, data = execute({"customer": self.other, "outcome": "Allowed"})
		self.assertFalse([row for row in data if row.document == self.document])

	def test_storage_never_leaves_the_private_files_folder(self):
		storage = LocalStorage()
		for url in (
			"/private/files/../../site_config.json",
			"/private/files/%2e%2e/%2e%2e/site_config.json",
			"/files/x.txt",
		):
			with self.assertRaises(frappe.DoesNotExistError):
				storage.path(url)
		self.assertTrue(storage.path("/private/files/q3.txt").endswith("/private/files/q3.txt"))
