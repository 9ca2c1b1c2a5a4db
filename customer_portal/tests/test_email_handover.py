import email
import subprocess
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import frappe
import pymysql
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_bench_path, now_datetime

from customer_portal.notifications import email_handover
from customer_portal.notifications.dispatch import email_flush_lock
from customer_portal.tests.fixtures import site_connection, unused_port

ACCOUNT = "Email Handover Tests"


class TestEmailHandover(FrappeTestCase):
	"""Emails a lost database or a killed worker left "Sending" are finished once: sent through a real
	SMTP server on loopback (the suites' mail sink), with the database connection really killed by
	MariaDB between the server's acceptance and Frappe's record of it."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.folder = Path(tempfile.mkdtemp(prefix="handover-mail-"))
		port = unused_port()
		sink = Path(frappe.get_app_path("customer_portal")).parent / "tests" / "mail_sink.py"
		python = Path(get_bench_path()) / "test-tools" / "venv" / "bin" / "python"
		cls.sink = subprocess.Popen(
			[str(python), str(sink), "--port", str(port), "--dir", str(cls.folder)],
			stdout=subprocess.PIPE,
			text=True,
		)
		cls.sink.stdout.readline()  # "mail sink on ..." once it listens
		frappe.delete_doc("Email Account", ACCOUNT, force=True, ignore_missing=True)
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": ACCOUNT,
				"email_id": "handover-tests@example.com",
				"enable_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": port,
				"no_smtp_authentication": 1,
			}
		)
		account.flags.ignore_validate = True
		account.insert(ignore_permissions=True)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cls.sink.terminate()
		cls.sink.wait(timeout=10)
		frappe.db.delete("Email Queue", {"email_account": ACCOUNT})
		frappe.delete_doc("Email Account", ACCOUNT, force=True, ignore_missing=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.flags.testing_email = True
		self.addCleanup(setattr, frappe.flags, "testing_email", False)

	def queued_email(self) -> frappe._dict:
		"""An email in Frappe's queue for one recipient, with a Message-Id of its own."""
		message_id = f"{frappe.generate_hash(length=16)}@handover.test"
		message = EmailMessage()
		message["From"] = "handover-tests@example.com"
		message["To"] = "client@example.com"
		message["Subject"] = "Your order has shipped"
		message["Message-Id"] = f"<{message_id}>"
		message.set_content("Shipped.")
		queue = frappe.get_doc(
			{
				"doctype": "Email Queue",
				"sender": "handover-tests@example.com",
				"email_account": ACCOUNT,
				"message": message.as_string(),
				"message_id": message_id,
				"recipients": [{"recipient": "client@example.com", "status": "Not Sent"}],
			}
		)
		queue.insert(ignore_permissions=True)
		frappe.db.commit()
		return frappe._dict(name=queue.name, message_id=message_id)

	def received(self, message_id: str) -> int:
		time.sleep(0.2)  # the sink writes each message as it is accepted
		count = 0
		for path in self.folder.glob("*.eml"):
			message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
			count += str(message["Message-Id"]).strip("<> ") == message_id
		return count

	def status(self, name: str) -> tuple[str, str]:
		frappe.db.rollback()  # a fresh snapshot
		return (
			frappe.db.get_value("Email Queue", name, "status"),
			frappe.db.get_value("Email Queue Recipient", {"parent": name}, "status"),
		)

	def test_an_email_the_server_accepted_before_mariadb_was_lost_is_not_sent_again(self):
		sent = self.queued_email()
		doomed = site_connection()
		kept = frappe.local.db
		self.addCleanup(setattr, frappe.local, "db", kept)
		connection_id = doomed.sql("select connection_id()")[0][0]

		def lose_the_database():
			kept.sql("kill %s", connection_id)

		# "Sending" is committed; the next commit, Frappe's record that the recipient was sent, is the
		# one MariaDB ends the connection before
		doomed.after_commit.add(lambda: doomed.before_commit.add(lose_the_database))
		frappe.local.db = doomed
		with self.assertRaises((pymysql.err.InterfaceError, pymysql.err.OperationalError)):
			frappe.get_doc("Email Queue", sent.name).send()
		frappe.local.db = kept

		self.assertEqual(self.received(sent.message_id), 1)
		self.assertEqual(self.status(sent.name), ("Sending", "Not Sent"))  # Frappe's flush skips it
		self.assertEqual(email_handover.release_stalled_emails(older_than_seconds=0), 0)
		self.assertEqual(self.status(sent.name), ("Sent", "Sent"))
		frappe.get_doc("Email Queue", sent.name).send()  # what a flush would do: nothing
		self.assertEqual(self.received(sent.message_id), 1)

	def test_an_email_a_second_flush_read_as_unsent_is_not_sent_again(self):
		"""Frappe's scheduled flush runs beside the portal's: one that read the queue before the other
		sent an email still sees it unsent."""
		email = self.queued_email()
		frappe.get_doc("Email Queue", email.name).send()
		self.assertEqual(self.received(email.message_id), 1)
		# what the second flush read
		frappe.db.set_value("Email Queue", email.name, "status", "Not Sent")
		frappe.db.set_value("Email Queue Recipient", {"parent": email.name}, "status", "Not Sent")
		frappe.db.commit()
		frappe.get_doc("Email Queue", email.name).send()
		self.assertEqual(self.received(email.message_id), 1)
		self.assertEqual(self.status(email.name), ("Sent", "Sent"))

	def test_a_flush_that_waited_for_the_lock_reads_what_the_other_sent(self):
		"""A flush job's transaction began before it waited for the lock; the emails the flush it waited
		for sent must not look unsent to it (a load run sent one twice, 0.7 s apart)."""
		email = self.queued_email()
		self.assertEqual(frappe.db.get_value("Email Queue", email.name, "status"), "Not Sent")
		other_flush = site_connection()
		other_flush.sql("update `tabEmail Queue` set status = 'Sent' where name = %s", email.name)
		other_flush.commit()
		other_flush.close()
		# this transaction's snapshot still has it unsent
		self.assertEqual(frappe.db.get_value("Email Queue", email.name, "status"), "Not Sent")
		with email_flush_lock() as locked:
			self.assertTrue(locked)
			self.assertEqual(frappe.db.get_value("Email Queue", email.name, "status"), "Sent")

	def test_an_email_whose_worker_died_before_handing_it_over_is_sent_once(self):
		stalled = self.queued_email()
		# the sender marked it and was killed before the SMTP server saw it
		frappe.db.set_value("Email Queue", stalled.name, "status", "Sending")
		frappe.db.commit()
		self.assertEqual(email_handover.release_stalled_emails(older_than_seconds=0), 1)
		self.assertEqual(self.status(stalled.name), ("Not Sent", "Not Sent"))
		self.assertEqual(frappe.db.get_value("Email Queue", stalled.name, "retry"), 1)
		frappe.get_doc("Email Queue", stalled.name).send()
		self.assertEqual(self.received(stalled.message_id), 1)
		self.assertEqual(self.status(stalled.name), ("Sent", "Sent"))

	def test_an_email_being_sent_now_is_left_to_its_sender(self):
		sending = self.queued_email()
		frappe.db.set_value("Email Queue", sending.name, "status", "Sending")
		frappe.db.commit()
		email_handover.release_stalled_emails()
		self.assertEqual(self.status(sending.name), ("Sending", "Not Sent"))
		# a sender that finished meanwhile keeps its own answer
		frappe.db.set_value(
			"Email Queue",
			sending.name,
			{"status": "Sent", "modified": add_to_date(now_datetime(), minutes=-10)},
			update_modified=False,
		)
		frappe.db.commit()
		email_handover.release_stalled_emails()
		self.assertEqual(self.status(sending.name)[0], "Sent")
