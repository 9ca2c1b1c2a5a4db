"""Compiled templates kept between requests (`update_website_context`).

Frappe builds a new Jinja environment for every request (`frappe.utils.jinja.get_jenv` keeps it on
`frappe.local`), so each page view parsed and compiled every template it uses again, the portal's shell
and macros included: about 40% of `/portal/orders`' time under pyinstrument (`tests/profile_page.py`).

A bytecode cache is Jinja's own answer: the compiled code of a template, stored under its name and file
and checked against a checksum of its source when loaded, so an edited template compiles again. Only code
is shared between requests; each request still renders with its own environment (its globals hold that
request's user), and the sandbox still applies, because it acts when the code runs, not when it is
compiled.
"""

import frappe
from jinja2 import BytecodeCache


class ProcessBytecodeCache(BytecodeCache):
	"""Compiled template code in this worker process's memory."""

	def __init__(self):
		self.code: dict[str, bytes] = {}

	def load_bytecode(self, bucket) -> None:
		code = self.code.get(bucket.key)
		if code is not None:
			bucket.bytecode_from_string(code)  # discarded by Jinja if the source's checksum changed

	def dump_bytecode(self, bucket) -> None:
		self.code[bucket.key] = bucket.bytecode_to_string()

	def clear(self) -> None:
		self.code.clear()


CACHE = ProcessBytecodeCache()


def use_compiled_templates(context=None) -> None:
	"""The request's Jinja environment loads templates through the worker's bytecode cache."""
	frappe.get_jenv().bytecode_cache = CACHE
