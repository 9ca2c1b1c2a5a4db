"""The probe suite's machinery: a signed-in client safe to share between threads, the comparison of an
answer about another customer's record with the answer about a record that does not exist, the checks
every response gets, and the tally printed at the end."""

import itertools
import json
import re
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, quote_plus

import requests
from portal_client import BASE_URL, PortalClient

# what a database error looks like when it reaches a client
SQL_ERROR = re.compile(
	r"SQL syntax|Syntax error in query|pymysql|MySQLdb|OperationalError|ProgrammingError|InternalError|"
	r"MariaDB server|Unknown column|check the manual that corresponds|SELECT\s+.+\s+FROM\s+`tab",
	re.I | re.S,
)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")
_addresses = itertools.count(1)
# a row named <name> among search results (search_link's value, search_widget's first column, a list's name)
FOUND = re.compile(r'"(?:value|name)":\s*"?<name>"?[,}]|\[\s*"?<name>"?\s*[,\]]')


def fresh_address() -> str:
	"""A new client address for X-Forwarded-For (the test server trusts loopback as its proxy), so that
	per-address rate limits answer a probe, not the probes before it."""
	n = next(_addresses)
	return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class Tally:
	"""Probes and findings per class, printed as the suite's summary table."""

	def __init__(self):
		self.probes = defaultdict(int)
		self.findings = defaultdict(list)
		self.lock = threading.Lock()

	def probe(self, kind: str, count: int = 1) -> None:
		with self.lock:
			self.probes[kind] += count

	def finding(self, kind: str, text: str) -> None:
		with self.lock:
			self.findings[kind].append(text)

	def table(self) -> str:
		rows = [("class", "probes", "findings")]
		kinds = sorted(set(self.probes) | set(self.findings))
		rows += [(k, str(self.probes[k]), str(len(self.findings[k]))) for k in kinds]
		rows.append(
			(
				"total",
				str(sum(self.probes.values())),
				str(sum(len(f) for f in self.findings.values())),
			)
		)
		widths = [max(len(r[i]) for r in rows) for i in range(3)]
		lines = [
			"  ".join(
				c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
			)
			for r in rows
		]
		lines.insert(1, "  ".join("-" * w for w in widths))
		return "\n".join(lines)


tally = Tally()


def check_response(response: requests.Response, portal_page: bool = False) -> None:
	"""What every response must be: sniff-proof, no stack trace or database error, and portal pages under
	the portal's policy."""
	tally.probe("headers")
	where = f"{response.request.method} {response.request.url[len(BASE_URL) :][:120]}"
	if response.headers.get("X-Content-Type-Options") != "nosniff":
		tally.finding("headers", f"{where}: no X-Content-Type-Options: nosniff")
	if portal_page and response.headers.get("Content-Type", "").startswith("text/html"):
		policy = response.headers.get("Content-Security-Policy", "")
		for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
			if directive not in policy:
				tally.finding("headers", f"{where}: CSP without {directive}")
		if response.headers.get("X-Frame-Options") != "DENY":
			tally.finding("headers", f"{where}: no X-Frame-Options: DENY")
	if TRACEBACK.search(response.text):
		tally.finding("headers", f"{where}: a stack trace reached the client")


class Attacker:
	"""A signed-in portal user whose requests may run on several threads (one session per thread, all
	with the same cookies and CSRF token)."""

	def __init__(self, user: str, password: str | None = None):
		self.user = user
		self.client = PortalClient(user, password)
		self.local = threading.local()

	@property
	def token(self) -> str:
		return self.client.session.headers["X-Frappe-CSRF-Token"]

	@property
	def session(self) -> requests.Session:
		if not hasattr(self.local, "session"):
			session = requests.Session()
			session.cookies.update(self.client.session.cookies)
			session.headers.update(self.client.session.headers)
			self.local.session = session
		return self.local.session

	def send(self, method: str, path: str, address: str, **kwargs) -> requests.Response:
		headers = {**kwargs.pop("headers", {}), "X-Forwarded-For": address}
		response = self.session.request(
			method, f"{BASE_URL}{path}", headers=headers, allow_redirects=False, timeout=60, **kwargs
		)
		check_response(response, portal_page=path.startswith("/portal"))
		return response


def call_kwargs(method: str, params: dict) -> dict:
	"""requests arguments for a whitelisted call: query string for GET, form body otherwise."""
	params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
	return {"params": params} if method == "GET" else {"data": params}


def masked(text: str, name: str) -> str:
	"""`text` with every spelling of `name` (as a whole word) replaced by <name>."""
	variants = {name, quote(name), quote_plus(name), quote(name, safe=""), json.dumps(name)[1:-1]}
	pattern = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
	# a number as a JSON value ("raise_exception": 1) is not the name of a record named 1
	number_value = r'(?<!": )' if name.isdigit() else ""
	return re.sub(rf"(?<![\w-]){number_value}(?:{pattern})(?![\w-])", "<name>", text, flags=re.I)


def answer(response: requests.Response, name: str, with_body: bool = True) -> tuple:
	"""What an attacker can tell from a response: status, kind, redirect, error class and (optionally)
	the body, with the probed name masked and per-request ids and tracebacks dropped."""
	location = masked(response.headers.get("Location", ""), name)
	kind = response.headers.get("Content-Type", "").split(";")[0]
	try:
		data = json.loads(response.text)
	except ValueError:
		text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", response.text, flags=re.S)
		return (
			response.status_code,
			kind,
			location,
			masked(" ".join(text.split()), name) if with_body else None,
		)
	exc_type = data.get("exc_type") if isinstance(data, dict) else None
	if isinstance(data, dict):
		data.pop("exc", None)
		data.pop("exception", None)
		if "_server_messages" in data:
			messages = [json.loads(m) for m in json.loads(data["_server_messages"])]
			data["_server_messages"] = [
				{k: v for k, v in m.items() if k != "__frappe_exc_id"} for m in messages
			]
	body = masked(json.dumps(data, sort_keys=True), name) if with_body else None
	return response.status_code, kind, location, exc_type, body


def difference(theirs, foreign: str, nobodys, missing: str) -> str:
	"""Where the two answers part: statuses and the text around the first difference."""
	a, b = str(answer(theirs, foreign)), str(answer(nobodys, missing))
	at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
	start = max(at - 60, 0)
	return (
		f"other {theirs.status_code} ...{a[start : at + 140]!r} vs missing {nobodys.status_code} "
		f"...{b[start : at + 140]!r}"
	)


class Matrix:
	"""Runs (foreign, missing) pairs on a few threads and records a finding whenever another customer's
	record answers differently from a record that does not exist, or shows anything of that customer."""

	def __init__(self, kind: str, canaries: list[str], threads: int = 3):
		self.kind = kind
		self.canaries = canaries
		self.threads = threads
		self.pairs = []

	def add(
		self, label: str, probe, foreign: str, missing: str, kind: str | None = None, search: bool = False
	) -> None:
		"""`probe(name, address)` sends one request about the record called `name`. A `search` (a text
		matched anywhere in the rows) answers with whatever of the caller's own rows contain the text, which
		differs with the text: there a finding is the other customer's row itself among the results."""
		self.pairs.append((label, probe, foreign, missing, kind or self.kind, search))

	def _run_all(self, pairs) -> None:
		for pair in pairs:
			try:
				self._run(*pair)
			except requests.RequestException as error:
				tally.finding(pair[4], f"{pair[0]}: {error.__class__.__name__} {error}")

	def _pair(self, probe, foreign: str, missing: str):
		address = fresh_address()
		theirs, nobodys = probe(foreign, address), probe(missing, address)
		return theirs, nobodys, answer(theirs, foreign) != answer(nobodys, missing)

	def _run(self, label, probe, foreign, missing, kind, search) -> None:
		tally.probe(kind)
		if search:
			theirs = probe(foreign, fresh_address())
			if FOUND.search(masked(theirs.text, foreign)):
				tally.finding(kind, f"{label}: the search returns the other customer's row")
			return
		# a difference must hold on three tries: a page showing the latest activity, or a count of rows
		# other probes are adding, may change between two requests of one pair
		for _attempt in range(3):
			theirs, nobodys, differs = self._pair(probe, foreign, missing)
			if not differs:
				break
		if differs and answer(probe(missing, fresh_address()), missing) != answer(nobodys, missing):
			# an answer that differs between two calls about the same missing record (a new token each
			# time) is compared on status, error class and redirect only
			differs = answer(theirs, foreign, False) != answer(nobodys, missing, False)
		if differs:
			tally.finding(kind, f"{label}: {difference(theirs, foreign, nobodys, missing)}")
			return
		shown = masked(theirs.text, foreign)
		leaked = [c for c in self.canaries if c in shown and c not in masked(nobodys.text, missing)]
		if leaked:
			tally.finding(kind, f"{label}: the answer shows {leaked}")

	def run(self) -> int:
		"""Every pair; pairs about the same record run one after the other (two requests deleting the
		same row at once would answer "locked" to each other, whoever owns it)."""
		by_record = defaultdict(list)
		for pair in self.pairs:
			by_record[pair[2]].append(pair)
		with ThreadPoolExecutor(self.threads) as pool:
			list(pool.map(self._run_all, by_record.values()))
		return len(self.pairs)


def form_params(html: str) -> set[str]:
	"""The query parameters a page offers: its forms' field names and the keys of its own links."""
	from html import unescape
	from urllib.parse import parse_qsl, urlsplit

	names = set(re.findall(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", html))
	for href in re.findall(r"href=\"([^\"]*\?[^\"]*)\"", html):
		parts = urlsplit(unescape(href))
		if not parts.netloc:
			names.update(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
	return names - {"csrf_token", "cmd"}
