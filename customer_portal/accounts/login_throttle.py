"""Sign-in throttling with exponential backoff, per account and per client IP, then a temporary lockout.

Frappe's `LoginAttemptTracker` locks an account for a fixed window after N failures, and keys its IP tracker
on an address the client chooses (see `client_ip.py`). This extends it, through Frappe's own hook points:

- every failed sign-in (Frappe's Activity Log row, `after_insert`) counts against the account and against
  the client's trusted IP, in Redis;
- past the free attempts, each further attempt must wait 1, 2, 4, 8 ... seconds (capped) after the last
  failure; past *Lock After* failures the account is locked for *Lockout Minutes*, and its owner gets an
  email with a link that unlocks it (staff can unlock it from the User form too);
- while an account or IP is throttled, a sign-in with the right password is refused by the `on_login` hook
  with exactly the answer a wrong one gets, so the throttle is not a password oracle. The answer names the
  wait, and `Retry-After` carries it.

A success clears the account's count, not the IP's: an attacker's own valid account cannot reset the
counter of the address they guess from. IP counts expire an hour after their last failure.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.auth import LoginAttemptTracker, get_login_attempt_tracker
from frappe.core.doctype.activity_log.activity_log import add_authentication_log
from frappe.utils import cint, get_url
from frappe.utils.verified_command import get_secret

from customer_portal.notifications.account_emails import send_account_email
from customer_portal.web.client_ip import client_ip

MAX_DELAY_SECONDS = 15 * 60
IP_MEMORY_SECONDS = 60 * 60
UNLOCK_PURPOSE = "customer-portal-unlock"


@dataclass(frozen=True)
class Policy:
	account_free: int = 5
	ip_free: int = 20
	lock_after: int = 15
	lockout_minutes: int = 30


def policy() -> Policy:
	settings = frappe.get_cached_doc("Customer Portal Settings")
	default = Policy()
	return Policy(
		account_free=cint(settings.get("login_free_attempts")) or default.account_free,
		ip_free=cint(settings.get("login_ip_free_attempts")) or default.ip_free,
		lock_after=cint(settings.get("login_lock_after")) or default.lock_after,
		lockout_minutes=cint(settings.get("login_lockout_minutes")) or default.lockout_minutes,
	)


def _key(kind: str, value: str) -> str:
	return frappe.cache.make_key(f"customer_portal:login:{kind}:{(value or '').strip().lower()}")


class Counter:
	"""Failures of one account or IP: a count, the time of the last failure, and a lock deadline."""

	def __init__(self, kind: str, value: str):
		self.kind = kind
		self.value = (value or "").strip().lower()
		self.key = _key(kind, value)

	def state(self) -> tuple[int, float, float, str]:
		count, last, locked_until, locked_since = frappe.cache.hmget(
			self.key, ["count", "last", "locked_until", "locked_since"]
		)
		return int(count or 0), float(last or 0), float(locked_until or 0), (locked_since or b"").decode()

	def fail(self, now: float) -> int:
		# raw Redis commands (a pipeline): RedisWrapper.hset pickles values and caches them per request
		pipe = frappe.cache.pipeline()
		pipe.hincrby(self.key, "count", 1)
		pipe.hset(self.key, "last", now)
		if self.kind == "ip":
			pipe.expire(self.key, IP_MEMORY_SECONDS)
		return int(pipe.execute()[0])

	def lock(self, now: float, until: float) -> bool:
		"""Lock until `until`; True when this starts a lockout (none since the last unlock)."""
		pipe = frappe.cache.pipeline()
		pipe.hset(self.key, "locked_until", until)
		pipe.hsetnx(self.key, "locked_since", f"{now:.6f}")
		return bool(pipe.execute()[1])

	def clear(self) -> None:
		frappe.cache.delete(self.key)

	def wait(self, free: int, now: float) -> int:
		"""Seconds until the next attempt may be tried (0: now)."""
		count, last, locked_until, _since = self.state()
		if locked_until > now:
			return int(locked_until - now + 0.999)
		if count <= free:
			return 0
		delay = min(2 ** (count - free - 1), MAX_DELAY_SECONDS)
		return max(0, int(last + delay - now + 0.999))


def counters(user: str, ip: str) -> tuple[Counter, Counter]:
	return Counter("account", user), Counter("ip", ip)


def wait_seconds(user: str | None, ip: str) -> int:
	rules, now = policy(), time.time()
	account, address = counters(user or "", ip)
	waits = [address.wait(rules.ip_free, now)]
	if user:
		waits.append(account.wait(rules.account_free, now))
	return max(waits)


def refusal_message(seconds: int) -> str:
	if seconds >= 120:
		return _("Too many failed sign-in attempts. Try again in {0} minutes.").format((seconds + 59) // 60)
	return _("Too many failed sign-in attempts. Try again in {0} seconds.").format(seconds)


def answer_throttled(seconds: int) -> None:
	"""The answer of a throttled attempt, right password or wrong."""
	frappe.local.response["message"] = refusal_message(seconds)
	frappe.local.flags.login_retry_after = seconds


def login_failed(user: str | None) -> None:
	"""A failed sign-in: Frappe logged one (wrong password, unknown or disabled user), or refused it
	before any password check (its own lock)."""
	if frappe.local.flags.get("login_refused_by_throttle") or frappe.local.flags.get("login_failure_counted"):
		return  # our own refusal, or counted already: not another failure
	frappe.local.flags.login_failure_counted = True
	rules, now = policy(), time.time()
	ip = client_ip()
	account, address = counters(user or "", ip)
	address.fail(now)
	count = account.fail(now) if user else 0
	# locked again whenever the failures go on past the threshold; the owner hears of it once per lockout
	if user and count >= rules.lock_after and account.state()[2] <= now:
		if account.lock(now, now + rules.lockout_minutes * 60):
			# now, not after commit: a refusal before any password check rolls its request back
			frappe.enqueue("customer_portal.accounts.login_throttle.send_unlock_email", user=user)
	seconds = wait_seconds(user, ip)
	if seconds:
		answer_throttled(seconds)


def on_login(login_manager) -> None:
	"""`on_login` hook: the password was right, but the account or this IP must wait."""
	if frappe.local.flags.get("sign_in_method") == "single sign-on":
		return  # the company's identity provider authenticated the user: the throttle guards passwords
	seconds = wait_seconds(login_manager.user, client_ip())
	if not seconds:
		account, _address = counters(login_manager.user, client_ip())
		account.clear()
		return
	frappe.local.flags.login_refused_by_throttle = True

	add_authentication_log(
		_("Sign-in refused: too many failed attempts"), login_manager.user, status="Failed"
	)
	frappe.db.commit()
	answer_throttled(seconds)
	raise frappe.AuthenticationError


def is_sign_in(request) -> bool:
	return request.path == "/api/method/login" or frappe.form_dict.get("cmd") == "login"


def after_sign_in(response=None, request=None) -> None:
	"""`after_request`: a sign-in Frappe refused before logging it (its own lock) counts too, and every
	refused sign-in tells the client when it may try again."""
	if response is None or request is None or response.status_code < 400 or not is_sign_in(request):
		return
	if response.status_code == 503:
		# an outage answered the sign-in: nothing was checked, so nothing was refused
		return
	user = frappe.form_dict.get("usr") or None
	login_failed(user)
	seconds = frappe.local.flags.get("login_retry_after") or wait_seconds(user, client_ip(request))
	if not seconds and _refused_by_frappes_lock(response):
		seconds = cint(frappe.get_system_settings("allow_login_after_fail")) or 60
	if seconds:
		# one answer for every attempt that must wait, whatever its password was and whichever lock
		# refused it (Frappe answers its own with a 500): nothing in it tells a right password from a wrong
		message = refusal_message(seconds)
		response.status_code = 429
		response.headers["Retry-After"] = str(seconds)
		response.set_data(
			json.dumps(
				{
					"message": message,
					"_server_messages": json.dumps([json.dumps({"message": message, "indicator": "red"})]),
				}
			)
		)
		response.mimetype = "application/json"


def _refused_by_frappes_lock(response) -> bool:
	if response.status_code != 500 or response.mimetype != "application/json":
		return False
	try:
		return frappe.parse_json(response.get_data(as_text=True)).get("exc_type") == "SecurityException"
	except Exception:
		return False


def move_frappe_ip_failure(frappe_ip: str | None, real_ip: str) -> None:
	"""Frappe's own IP tracker counted this failure against the address the client wrote in
	X-Forwarded-For; move it to the trusted address, so that forged headers can neither lock another
	address out of Frappe's tracker nor dodge it."""
	if not frappe_ip or frappe_ip == real_ip:
		return

	forged = get_login_attempt_tracker(frappe_ip, raise_locked_exception=False)
	count = forged.login_failed_count or 0
	if count > 1:
		forged.login_failed_count = count - 1
	elif count:
		forged.add_success_attempt()
	get_login_attempt_tracker(real_ip, raise_locked_exception=False).add_failure_attempt()


# unlocking -------------------------------------------------------------------------------------------


def unlock(user: str) -> None:
	Counter("account", user).clear()

	LoginAttemptTracker(user).add_success_attempt()  # Frappe's own window too


def _lockout_id(user: str) -> str:
	return Counter("account", user).state()[3]


def unlock_token(user: str) -> str:
	"""Bound to the user and to this lockout: once the account is unlocked it works no more."""
	message = f"{UNLOCK_PURPOSE}\n{user.lower()}\n{_lockout_id(user)}".encode()
	return hmac.new(get_secret().encode(), message, hashlib.sha256).hexdigest()


def verify_unlock(user: str, token: str) -> bool:
	if not user or not token or not _lockout_id(user):
		return False
	return hmac.compare_digest(unlock_token(user), token)


def unlock_url(user: str) -> str:
	return get_url(f"/portal/unlock?{urlencode({'user': user, 'token': unlock_token(user)})}")


def send_unlock_email(user: str) -> None:
	"""RQ job: tell the account's owner it was locked, with a link that unlocks it."""
	email = frappe.db.get_value("User", {"name": user, "enabled": 1}, "email")
	if not email:
		return  # an unknown or disabled account: nobody to tell
	rules = policy()
	send_account_email(
		"customer_portal_account_locked",
		[email],
		{
			"unlock_url": unlock_url(user),
			"minutes": rules.lockout_minutes,
			"attempts": rules.lock_after,
		},
		delayed=False,
	)
