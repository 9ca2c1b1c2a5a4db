"""Brute force over HTTP against the live site: exponential backoff per account and per client address,
a lockout with an emailed unlock link, and an X-Forwarded-For that a client writes changing nothing.

The run trusts 127.0.0.1 as a reverse proxy (tests/run.py), so this suite plays the proxy: it appends the
attacker's "real" address to whatever X-Forwarded-For the attacker sent, as nginx's
`$proxy_add_x_forwarded_for` does.
"""

import re
import time
import unittest

import requests
from portal_client import BASE_URL, DEMO_PASSWORD, make_portal_user
from received_mail import require_mail_services, to, wait_for

ATTACKER = "203.0.113.7"
DAVE = "dave@globex.example.com"


def sign_in(user: str, password: str, client: str, forged: str | None = None) -> requests.Response:
	forwarded = f"{forged}, {client}" if forged else client
	return requests.post(
		f"{BASE_URL}/api/method/login",
		data={"usr": user, "pwd": password},
		headers={"X-Forwarded-For": forwarded, "Accept": "application/json"},
		allow_redirects=False,
	)


def signed_in(response: requests.Response) -> bool:
	return response.status_code == 200 and response.cookies.get("sid") not in (None, "", "Guest")


class SignInThrottleTest(unittest.TestCase):
	def test_200_guesses_from_one_address_behind_forged_headers_never_get_in(self):
		victim = make_portal_user("victim")
		results = []
		for attempt in range(200):
			# forged: random addresses, loopback, garbage; the last 3 guesses are the right password
			forged = [f"198.51.100.{attempt % 250}", "127.0.0.1", "not-an-ip", None][attempt % 4]
			password = DEMO_PASSWORD if attempt >= 197 else f"wrong-{attempt}"
			response = sign_in(victim, password, ATTACKER, forged)
			results.append(response)
		self.assertEqual([r for r in results if signed_in(r)], [], "a guess got in")
		# wrong passwords answer 401; once attempts must wait, every answer is 429 with Retry-After
		statuses = [r.status_code for r in results]
		self.assertEqual(set(statuses[:5]), {401}, statuses)
		self.assertEqual(set(statuses[20:]), {429}, statuses)
		waits = [int(r.headers.get("Retry-After") or 0) for r in results]
		# free attempts first, then waits that grow (1, 2, 4 ... s) up to the lockout (30 min)
		self.assertEqual(waits[:4], [0, 0, 0, 0])
		growing = [w for w in waits[5:20] if w]
		self.assertEqual(growing, sorted(growing), waits[:25])
		self.assertGreaterEqual(len(set(growing)), 5, waits[:25])
		self.assertGreater(waits[-1], 25 * 60)

		# the right password, during the lockout, gets exactly the answer of a wrong one
		def answer(response):
			return response.status_code, re.sub(r"\d+", "N", response.text)

		self.assertEqual(answer(results[-1]), answer(results[-4]))
		wrong, right = (sign_in(victim, password, ATTACKER) for password in ("wrong", DEMO_PASSWORD))
		self.assertEqual(answer(wrong), answer(right))
		self.assertIn("Too many failed sign-in attempts", right.json()["message"])
		# another user, from another address, is unaffected; and from the attacker's address, no one
		self.assertTrue(signed_in(sign_in(DAVE, DEMO_PASSWORD, "198.51.100.200")))
		self.assertFalse(signed_in(sign_in(DAVE, DEMO_PASSWORD, ATTACKER)))
		# the lockout also holds from a fresh address with the right password
		self.assertFalse(signed_in(sign_in(victim, DEMO_PASSWORD, "192.0.2.55")))

	def test_guessing_many_accounts_from_one_address_is_throttled_by_address(self):
		client = "203.0.113.21"
		answers = [sign_in(f"nobody-{i}@example.com", "guess", client) for i in range(24)]
		self.assertFalse(any(signed_in(a) for a in answers))
		self.assertTrue(answers[-1].headers.get("Retry-After"))
		# a real account's right password from that address must wait too; from another it is fine
		self.assertFalse(signed_in(sign_in(DAVE, DEMO_PASSWORD, client)))
		self.assertTrue(signed_in(sign_in(DAVE, DEMO_PASSWORD, "203.0.113.22")))

	def test_a_locked_owner_unlocks_with_the_emailed_link_once(self):
		require_mail_services()
		victim = make_portal_user("locked")
		for attempt in range(15):
			# each guess from its own address, so only the account's count locks it
			sign_in(victim, f"wrong-{attempt}", f"192.0.2.{100 + attempt}")
		self.assertFalse(signed_in(sign_in(victim, DEMO_PASSWORD, "192.0.2.200")))
		message = wait_for(lambda: to(victim, "/portal/unlock?"))
		self.assertTrue(message, "no unlock email arrived")
		link = re.search(r'href="([^"]*/portal/unlock\?[^"]*)"', message[0]["body"]).group(1)
		link = link.replace("&amp;", "&").replace(BASE_URL, "")
		self.assertIn("Unlock", requests.get(f"{BASE_URL}{link}").text)
		query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
		from urllib.parse import unquote_plus

		data = {key: unquote_plus(value) for key, value in query.items()}
		# a GET of the endpoint (a mail scanner) unlocks nothing
		unlock = f"{BASE_URL}/api/method/customer_portal.api.sign_in.unlock_account"
		self.assertNotEqual(requests.get(unlock, params=data).status_code, 200)
		self.assertFalse(signed_in(sign_in(victim, DEMO_PASSWORD, "192.0.2.201")))
		# another account's address in the link does not take the token
		self.assertEqual(requests.post(unlock, data={**data, "user": DAVE}).status_code, 400)
		self.assertEqual(requests.post(unlock, data=data).status_code, 200)
		time.sleep(1.1)  # past the last backoff second
		self.assertTrue(signed_in(sign_in(victim, DEMO_PASSWORD, "192.0.2.202")))
		# used once: the same link is refused
		self.assertEqual(requests.post(unlock, data=data).status_code, 400)
