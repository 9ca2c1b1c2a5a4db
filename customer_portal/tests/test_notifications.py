from datetime import datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import frappe
import redis
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.email.email_body import get_formatted_html
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from customer_portal.notifications import dispatch
from customer_portal.notifications.catalogue import EVENT_TYPES, ORDER_STAGE_CHANGED
from customer_portal.notifications.digests import digest_moment
from customer_portal.notifications.dispatch import dispatch_event
from customer_portal.notifications.emails import (
	local_time,
	unsubscribe_token,
	user_locale,
	verify_unsubscribe,
)
from customer_portal.notifications.preferences import Preference, preferences_for, set_preferences
from customer_portal.notifications.rendering import formatted_html, render_string
from customer_portal.tests.fixtures import make_customer, make_order, make_stages, make_user


class TestNotifications(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Notify")
		cls.alice = make_user("notify-alice@example.com")
		cls.bob = make_user("notify-bob@example.com")
		cls.eve = make_user("notify-eve@example.com")
		cls.customer = make_customer("Notify A", {cls.alice: "Customer Admin", cls.bob: "Member"})
		cls.other = make_customer("Notify B", {cls.eve: "Member"})

	def tearDown(self):
		frappe.set_user("Administrator")

	def move(self, order: str, stage: str) -> str:
		doc = frappe.get_doc("Order", order)
		doc.stage = stage
		doc.save()
		return frappe.get_all(
			"Portal Event",
			filters={"reference_name": order, "event_type": ORDER_STAGE_CHANGED},
			pluck="name",
			order_by="creation desc",
			limit=1,
		)[0]

	def test_event_types_match_the_doctypes(self):
		for doctype in ("Portal Event", "Portal Notification", "Portal Notification Preference"):
			options = frappe.get_meta(doctype).get_field("event_type").options.split("\n")
			self.assertEqual(tuple(options), EVENT_TYPES, doctype)

	def test_a_stage_change_is_raised_once_and_reaches_each_user_of_the_customer(self):
		order = make_order(self.customer, stage=self.stages[0])
		self.assertFalse(
			frappe.db.exists("Portal Event", {"reference_name": order}), "creation is not a move"
		)
		event = self.move(order, self.stages[1])
		doc = frappe.get_doc("Order", order)
		doc.title = "renamed"
		doc.save()  # no stage change: no second event
		self.assertEqual(frappe.db.count("Portal Event", {"reference_name": order}), 1)

		set_preferences(self.bob, {ORDER_STAGE_CHANGED: Preference("Daily", False)})
		self.assertEqual(dispatch_event(event), 2)
		rows = {
			row.user: row
			for row in frappe.get_all(
				"Portal Notification",
				filters={"event": event},
				fields=["user", "customer", "in_portal", "email_mode", "email_status"],
			)
		}
		self.assertEqual(set(rows), {self.alice, self.bob})
		self.assertEqual(rows[self.bob].email_mode, "Daily")
		self.assertEqual(rows[self.bob].in_portal, 0)
		self.assertEqual(rows[self.bob].email_status, "Pending")
		self.assertEqual(frappe.db.get_value("Portal Event", event, "status"), "Dispatched")
		# a second run (a retried job) changes nothing
		self.assertEqual(dispatch_event(event), 0)
		self.assertEqual(frappe.db.count("Portal Notification", {"event": event}), 2)

	def test_a_redis_outage_queues_nothing_and_fails_no_save(self):
		refused = redis.exceptions.ConnectionError("Error 111 connecting. Connection refused.")
		with (
			patch.object(frappe.cache, "set", side_effect=refused),
			patch.object(frappe, "enqueue") as enqueue,
			patch.object(frappe, "logger") as logger,
		):
			dispatch.schedule_dispatch()  # runs after the commit of a save that raised events
			dispatch._queue_flush()  # runs after the commit that queued emails
		enqueue.assert_not_called()
		self.assertEqual(logger.return_value.warning.call_count, 2)
		# the events stay Pending rows: the five-minute sweep queues them
		event = self.move(make_order(self.customer, stage=self.stages[0]), self.stages[1])
		self.assertEqual(frappe.db.get_value("Portal Event", event, "status"), "Pending")

	def test_the_customer_user_who_made_the_change_is_not_notified(self):
		order = make_order(self.customer, stage=self.stages[0])
		event = self.move(order, self.stages[1])
		details = frappe.parse_json(frappe.db.get_value("Portal Event", event, "details"))
		frappe.db.set_value(
			"Portal Event", event, "details", frappe.as_json({**details, "actor": self.alice})
		)
		dispatch_event(event)
		self.assertEqual(
			frappe.get_all("Portal Notification", filters={"event": event}, pluck="user"), [self.bob]
		)

	def test_users_see_only_their_own_notifications(self):
		order = make_order(self.customer, stage=self.stages[0])
		event = self.move(order, self.stages[2])
		dispatch_event(event)
		mine = frappe.db.get_value("Portal Notification", {"event": event, "user": self.alice})
		frappe.set_user(self.bob)
		self.assertEqual(
			{row.user for row in frappe.get_list("Portal Notification", fields=["user"], limit=0)}, {self.bob}
		)
		with self.assertRaises(frappe.DoesNotExistError):
			frappe.get_doc("Portal Notification", mine)
		frappe.set_user(self.eve)
		self.assertFalse(frappe.get_list("Portal Notification", filters={"event": event}))

	def test_preferences_fall_back_to_the_defaults_and_refuse_bad_values(self):
		user = make_user("notify-prefs@example.com")
		default = preferences_for([user], "New Invoice")[user]
		self.assertIn(default.email, ("Immediately", "Daily", "Weekly", "Off"))
		changed = set_preferences(user, {"New Invoice": Preference("Weekly", True)})
		self.assertEqual(changed["New Invoice"][1], {"email": "Weekly", "in_portal": True})
		self.assertEqual(preferences_for([user], "New Invoice")[user], Preference("Weekly", True))
		for bad in ({"New Invoice": Preference("Hourly", True)}, {"Nonsense": Preference("Off", True)}):
			with self.assertRaises(frappe.ValidationError):
				set_preferences(user, bad)
		self.assertEqual(preferences_for([user], "New Invoice")[user], Preference("Weekly", True))

	def test_unsubscribe_tokens_are_bound_to_user_and_event_type(self):
		token = unsubscribe_token(self.alice, "New Invoice")
		self.assertTrue(verify_unsubscribe(self.alice, "New Invoice", token))
		self.assertFalse(verify_unsubscribe(self.bob, "New Invoice", token))
		self.assertFalse(verify_unsubscribe(self.alice, "Invoice Overdue", token))
		self.assertFalse(
			verify_unsubscribe(self.alice, "New Invoice", token[:-1] + ("1" if token[-1] == "0" else "0"))
		)
		self.assertFalse(verify_unsubscribe(self.alice, "New Invoice", ""))


class TestRecipientLocale(FrappeTestCase):
	def test_emails_render_in_the_users_language_and_time_zone(self):
		user = frappe._dict(name="x@example.com", language="de", time_zone="Asia/Tokyo")
		before = frappe.local.lang
		with user_locale(user) as zone:
			self.assertEqual(frappe.local.lang, "de")
			system = frappe.utils.get_system_timezone()
			stored = get_datetime("2026-01-15 12:00:00")
			shown = local_time(stored, zone)

			expected = stored.replace(tzinfo=ZoneInfo(system)).astimezone(ZoneInfo("Asia/Tokyo"))
			self.assertEqual(shown, expected.replace(tzinfo=None))
		self.assertEqual(frappe.local.lang, before)


class TestDigestSchedule(FrappeTestCase):
	"""The moment a digest is due: Digest Hour in the recipient's zone (system times in, system times out)."""

	def moment(self, now: str, zone: str, hour: int = 7, weekday: int | None = None) -> datetime:
		system = ZoneInfo(frappe.utils.get_system_timezone())
		# `now` is given in `zone`'s wall-clock time, converted to system time as the job sees it
		now_system = get_datetime(now).replace(tzinfo=ZoneInfo(zone)).astimezone(system).replace(tzinfo=None)
		moment = digest_moment(now_system, ZoneInfo(zone), hour, weekday)
		return moment.replace(tzinfo=system).astimezone(ZoneInfo(zone)).replace(tzinfo=None)

	def test_daily_moment_is_the_latest_digest_hour_in_the_users_zone(self):
		for zone in ("Asia/Tokyo", "America/New_York", "UTC"):
			self.assertEqual(self.moment("2026-03-10 08:30", zone), get_datetime("2026-03-10 07:00"))
			self.assertEqual(self.moment("2026-03-10 06:59", zone), get_datetime("2026-03-09 07:00"))
			self.assertEqual(self.moment("2026-03-10 07:00", zone), get_datetime("2026-03-10 07:00"))

	def test_weekly_moment_falls_on_the_chosen_day(self):
		# 2026-03-11 is a Wednesday; Monday = 0
		self.assertEqual(self.moment("2026-03-11 12:00", "UTC", weekday=0), get_datetime("2026-03-09 07:00"))
		self.assertEqual(self.moment("2026-03-09 06:00", "UTC", weekday=0), get_datetime("2026-03-02 07:00"))
		self.assertEqual(self.moment("2026-03-11 12:00", "UTC", weekday=2), get_datetime("2026-03-11 07:00"))

	def test_a_daylight_saving_change_keeps_the_wall_clock_hour(self):
		# New York moved its clocks on 2026-03-08; a week later the digest is still at 07:00 local time
		self.assertEqual(
			self.moment("2026-03-09 08:00", "America/New_York", weekday=6), get_datetime("2026-03-08 07:00")
		)
		self.assertEqual(
			self.moment("2026-03-08 08:00", "America/New_York", weekday=6), get_datetime("2026-03-08 07:00")
		)

	def test_settings_refuse_an_hour_outside_the_day(self):
		settings = frappe.get_doc("Customer Portal Settings")
		settings.digest_hour = 24
		self.assertRaises(frappe.ValidationError, settings.save)


class TestEmailRendering(FrappeTestCase):
	def test_emails_render_exactly_as_frappes_standard_email(self):
		account = EmailAccount.find_outgoing()
		message = '<p>Order <a class="btn btn-primary" href="/portal/orders/X">X</a> moved.</p>'
		expected = get_formatted_html("Subject", message, email_account=account)
		# the second message reuses the stylesheet rules parsed for the first
		self.assertEqual(formatted_html("Subject", message, email_account=account), expected)
		self.assertEqual(formatted_html("Subject", message, email_account=account), expected)
		# Frappe's standard email around the message (15.55 inlines its stylesheet here, 15.74 at sending)
		self.assertIn('class="email-container"', expected)
		self.assertIn("/portal/orders/X", expected)

	def test_templates_are_compiled_once_and_guarded(self):
		self.assertEqual(render_string("Hi {{ name | e }}", {"name": "<b>"}), "Hi &lt;b&gt;")
		self.assertEqual(render_string("Hi {{ name | e }}", {"name": "Ann"}), "Hi Ann")
		self.assertRaises(frappe.ValidationError, render_string, "{{ ''.__class__ }}", {})
		self.assertRaises(frappe.ValidationError, render_string, "{% if %}", {})
