"""Portal sessions over HTTP: a new id at sign-in (fixation), the idle timeout and the absolute lifetime,
the simultaneous-session limit, remember me, and a user's own list of sessions."""

import time
import unittest
from datetime import timedelta

import requests
from portal_client import (
	BASE_URL,
	DEMO_PASSWORD,
	csrf_token_in,
	make_portal_user,
	signed_in_user,
	site_connection,
)


def make_user(sessions: int = 2) -> str:
	return make_portal_user("sessions", simultaneous_sessions=sessions)


def sign_in(user: str, session: requests.Session | None = None, remember: bool = False) -> requests.Session:
	session = session or requests.Session()
	if remember:
		session.cookies.set("cp_remember_me", "1")
	response = session.post(f"{BASE_URL}/api/method/login", data={"usr": user, "pwd": DEMO_PASSWORD})
	response.raise_for_status()
	return session


def age_session(sid: str, **shift) -> None:
	"""Move a session's recorded times into the past, in Frappe's cache and in the Sessions table."""
	with site_connection() as frappe:
		data = frappe._dict(frappe.cache.hget("session", sid))
		inner = frappe._dict(data["data"])
		if "idle" in shift:
			inner["last_updated"] = str(frappe.utils.now_datetime() - timedelta(seconds=shift["idle"]))
		if "age" in shift:
			inner["portal_session"] = {**inner["portal_session"], "started": time.time() - shift["age"]}
		data["data"] = inner
		frappe.cache.hset("session", sid, data)
		frappe.db.sql("update tabSessions set sessiondata = %s where sid = %s", (str(inner), sid))


class SessionsTest(unittest.TestCase):
	def test_signing_in_gives_a_new_session_id(self):
		user = make_user()
		# an id the attacker chose, and the attacker's own valid session id, planted before sign-in
		attacker = sign_in(make_user())
		for planted in ("fixated0123456789abcdef", attacker.cookies["sid"]):
			victim = requests.Session()
			victim.cookies.set("sid", planted)
			response = victim.post(f"{BASE_URL}/api/method/login", data={"usr": user, "pwd": DEMO_PASSWORD})
			self.assertEqual(response.status_code, 200)
			issued = response.cookies["sid"]
			self.assertNotEqual(issued, planted)
			check = requests.Session()
			check.cookies.set("sid", issued)
			self.assertEqual(signed_in_user(check), user)
		self.assertNotEqual(signed_in_user(attacker), user)

	def test_an_idle_session_ends(self):
		user = make_user()
		session = sign_in(user)
		self.assertEqual(signed_in_user(session), user)
		age_session(session.cookies["sid"], idle=29 * 60)
		self.assertEqual(signed_in_user(session), user)  # within the 30 minutes
		age_session(session.cookies["sid"], idle=31 * 60)
		self.assertEqual(signed_in_user(session), "Guest")

	def test_a_session_ends_at_its_lifetime_however_active(self):
		user = make_user()
		session = sign_in(user)
		age_session(session.cookies["sid"], age=12 * 3600 + 60)
		response = session.get(f"{BASE_URL}/api/method/frappe.auth.get_logged_user")
		self.assertEqual(response.status_code, 401)
		self.assertEqual(signed_in_user(session), "Guest")
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("Sessions", {"sid": session.cookies["sid"]}))

	def test_sessions_over_the_users_limit_end_oldest_first(self):
		user = make_user(sessions=2)
		first, second, third = (sign_in(user) for _ in range(3))
		self.assertEqual([signed_in_user(s) for s in (first, second, third)], ["Guest", user, user])

	def test_remember_me_keeps_the_cookie_past_the_browser_session(self):
		user = make_user(sessions=5)
		plain, remembered = sign_in(user), sign_in(user, remember=True)
		for session, persistent in ((plain, False), (remembered, True)):
			response = session.get(f"{BASE_URL}/portal")
			cookie = next(c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("sid="))
			self.assertIn("HttpOnly", cookie)
			self.assertEqual("Max-Age=" in cookie, persistent, cookie)
			if persistent:
				max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
				self.assertGreater(max_age, 13 * 86400)

	def test_users_see_their_sessions_and_sign_out_the_others(self):
		user = make_user(sessions=5)
		here, phone, laptop = sign_in(user), sign_in(user), sign_in(user)
		page = here.get(f"{BASE_URL}/portal/account").text
		self.assertIn("This device", page)
		for session in (here, phone, laptop):
			self.assertNotIn(session.cookies["sid"], page)  # ids are credentials: never shown
		token = csrf_token_in(here.get(f"{BASE_URL}/portal").text)
		handles = [chunk.split('"')[0] for chunk in page.split('name="session" value="')[1:]]
		self.assertEqual(len(handles), 2)
		response = here.post(
			f"{BASE_URL}/api/method/customer_portal.api.account.sign_out_session",
			data={"session": handles[0]},
			headers={"X-Frappe-CSRF-Token": token},
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(sorted(signed_in_user(s) for s in (phone, laptop)), ["Guest", user])
		response = here.post(
			f"{BASE_URL}/api/method/customer_portal.api.account.sign_out_other_sessions",
			headers={"X-Frappe-CSRF-Token": token},
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual([signed_in_user(s) for s in (here, phone, laptop)], [user, "Guest", "Guest"])
