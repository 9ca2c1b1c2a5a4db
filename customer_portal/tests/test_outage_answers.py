import json

import frappe
import frappe.app
import redis
from frappe.tests.utils import FrappeTestCase
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from customer_portal.tests.fixtures import site_connection, unused_port
from customer_portal.web import error_answers

OUTAGE_MESSAGE = "one of its services is restarting"
# a row of Frappe's defaults table the write tests insert (and remove)
SCRATCH = "customer-portal-outage-test"


class TestOutageAnswers(FrappeTestCase):
	"""Frappe's error handling needs the database: while MariaDB cannot be reached, a failed request
	left Frappe's handler with a second exception and gunicorn answered a bare 500 (the soak's MariaDB
	restarts). These drive the handler Frappe calls with a connection that really cannot answer."""

	def setUp(self):
		self.kept = {name: getattr(frappe.local, name, None) for name in ("db", "request", "response")}
		self.addCleanup(setattr, frappe.app, "handle_exception", frappe.app.handle_exception)
		self.addCleanup(setattr, frappe.app, "sync_database", frappe.app.sync_database)
		error_answers.use_outage_handlers()

	def tearDown(self):
		for name, value in self.kept.items():
			setattr(frappe.local, name, value)
		frappe.local.flags.pop("writes_not_kept", None)
		frappe.clear_messages()

	def lost_connection(self):
		"""A connection of the site's that MariaDB ended (as a restart ends every connection)."""
		lost = site_connection()
		connection_id = lost.sql("select connection_id()")[0][0]
		self.kept["db"].sql("kill %s", connection_id)
		return lost

	def scratch_row_stored(self) -> bool:
		"""Whether the scratch row is committed (a new connection: this test's own reads an older
		snapshot)."""
		reader = site_connection()
		try:
			return bool(reader.sql("select name from `tabDefaultValue` where name = %s", SCRATCH))
		finally:
			reader.close()

	def remove_scratch_row(self):
		cleaner = site_connection()
		cleaner.sql("delete from `tabDefaultValue` where name = %s", SCRATCH)
		cleaner.commit()
		cleaner.close()

	def end_of_request(self, method: str, answer: Response) -> Response:
		"""What Frappe does after a request that succeeded: its commit or rollback, then the
		after_request hooks on the answer."""
		frappe.local.request = Request(
			EnvironBuilder(path="/api/method/customer_portal.api.account.whoami", method=method).get_environ()
		)
		frappe.local.flags.writes_not_kept = None
		self.assertFalse(frappe.app.sync_database(True))
		error_answers.answer_outages(response=answer)
		return answer

	def answer_to_a_failed_query(self, path: str, accept: str):
		"""What Frappe's request handler answers when a query of the request fails."""
		frappe.local.request = Request(EnvironBuilder(path=path, headers={"Accept": accept}).get_environ())
		frappe.local.is_ajax = False
		frappe.local.response = frappe._dict(docs=[])
		try:
			frappe.db.sql("select name from tabUser limit 1")
		except Exception as failure:
			return frappe.app.handle_exception(failure)
		self.fail("the query answered")

	def test_frappe_calls_the_portals_handler_once_installed(self):
		error_answers.use_outage_handlers()  # a second request of the same worker
		self.assertIs(frappe.app.handle_exception, error_answers.handle_exception)
		self.assertIsNot(error_answers.frappes_handle_exception, error_answers.handle_exception)
		self.assertIs(frappe.app.sync_database, error_answers.sync_database)
		self.assertIsNot(error_answers.frappes_sync_database, error_answers.sync_database)

	def test_a_page_while_mariadb_is_down_is_the_outage_page(self):
		frappe.local.db = site_connection(port=unused_port())
		response = self.answer_to_a_failed_query("/portal/orders", "text/html")
		self.assertEqual(response.status_code, 503)
		self.assertEqual(response.headers["Retry-After"], "30")
		self.assertEqual(response.mimetype, "text/html")
		page = response.get_data(as_text=True)
		self.assertIn(OUTAGE_MESSAGE, page)
		self.assertNotIn("Traceback", page)
		# nothing left for Frappe to roll back over the connection that cannot answer
		self.assertIsNone(frappe.local.db)

	def test_an_api_call_over_a_lost_connection_is_the_outage_answer(self):
		"""MariaDB shutting down ends the connections of requests in flight; the request's own
		connection is gone even when the server answers again."""
		frappe.local.db = self.lost_connection()
		response = self.answer_to_a_failed_query("/api/method/customer_portal.api.account.whoami", "*/*")
		self.assertEqual(response.status_code, 503)
		self.assertEqual(response.mimetype, "application/json")
		answer = json.loads(response.get_data())
		self.assertEqual(answer["exc_type"], "ServiceUnavailable")
		self.assertIn(OUTAGE_MESSAGE, answer["_server_messages"])
		self.assertIsNone(frappe.local.db)
		self.assertTrue(self.kept["db"].sql("select 1"))  # the server itself still answers

	def test_a_redis_failure_is_the_outage_answer_even_once_redis_answers_again(self):
		"""Redis restarted between the failure and the answer: the client should still try again."""
		frappe.local.request = Request(EnvironBuilder(path="/api/method/ping").get_environ())
		try:
			redis.Redis(host="127.0.0.1", port=unused_port()).ping()
		except redis.exceptions.ConnectionError as failure:
			response = frappe.app.handle_exception(failure)
		self.assertEqual(response.status_code, 503)
		self.assertEqual(json.loads(response.get_data())["exc_type"], "ServiceUnavailable")
		self.assertIs(frappe.local.db, self.kept["db"])  # the database answers: Frappe rolls back as usual

	def test_frappes_answer_stands_while_the_database_answers(self):
		frappe.local.request = Request(EnvironBuilder(path="/api/resource/Order/missing").get_environ())
		frappe.local.is_ajax = False
		frappe.local.response = frappe._dict(docs=[])
		try:
			frappe.get_doc("Order", "missing")
		except frappe.DoesNotExistError as failure:
			response = frappe.app.handle_exception(failure)
		self.assertEqual(response.status_code, 404)
		self.assertEqual(json.loads(response.get_data())["exc_type"], "DoesNotExistError")
		self.assertIs(frappe.local.db, self.kept["db"])

	def test_a_read_whose_connection_is_lost_after_its_answer_keeps_its_answer(self):
		"""MariaDB restarting after a page was made: Frappe's closing rollback failed outside any handler
		(gunicorn's bare 500); the page is what was asked for, and nothing was written."""
		frappe.local.db = self.lost_connection()
		answer = self.end_of_request("GET", Response('{"message": "ok"}', mimetype="application/json"))
		self.assertEqual(answer.status_code, 200)
		self.assertEqual(json.loads(answer.get_data()), {"message": "ok"})
		self.assertIsNone(frappe.local.db)  # nothing left for Frappe to roll back over it

	def test_a_write_mariadb_lost_before_its_commit_is_the_outage_answer(self):
		lost = site_connection()
		lost.sql(
			"insert into `tabDefaultValue` (name, parent, defkey, defvalue) values (%s, %s, %s, %s)",
			(SCRATCH, "__default", SCRATCH, "lost"),
		)
		self.kept["db"].sql("kill %s", lost.sql("select connection_id()")[0][0])
		frappe.local.db = lost
		answer = self.end_of_request("POST", Response('{"message": "saved"}', mimetype="application/json"))
		self.assertEqual(answer.status_code, 503)
		self.assertEqual(answer.headers["Retry-After"], "30")
		self.assertEqual(json.loads(answer.get_data())["exc_type"], "ServiceUnavailable")
		self.assertIsNone(frappe.local.db)
		self.assertFalse(self.scratch_row_stored())

	def test_a_write_whose_follow_up_job_redis_refuses_is_kept_and_answered(self):
		"""Frappe queues jobs after its commit; Redis refusing one raised from the commit, past Frappe's
		error handling."""

		def queue_a_job():
			redis.Redis(host="127.0.0.1", port=unused_port()).ping()

		writer = site_connection()
		self.addCleanup(self.remove_scratch_row)
		writer.sql(
			"insert into `tabDefaultValue` (name, parent, defkey, defvalue) values (%s, %s, %s, %s)",
			(SCRATCH, "__default", SCRATCH, "kept"),
		)
		writer.after_commit.add(queue_a_job)
		frappe.local.db = writer
		answer = self.end_of_request("POST", Response('{"message": "saved"}', mimetype="application/json"))
		self.assertEqual(answer.status_code, 200)
		self.assertIs(frappe.local.db, writer)  # still answers: Frappe goes on with it
		self.assertTrue(self.kept["db"].sql("select name from `tabDefaultValue` where name = %s", SCRATCH))
