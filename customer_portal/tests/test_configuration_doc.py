"""docs/configuration.md lists every setting the code reads: each `customer_portal_*` site-config key, each
field of Customer Portal Settings and each environment variable of `./dev` and the test suites."""

import ast
import json
import re
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

APP = Path(frappe.get_app_path("customer_portal"))
ROOT = APP.parent
PREFIX = "customer_portal_"
LAYOUT = frozenset({"Section Break", "Column Break", "Tab Break"})
ENV_NAME = re.compile(r"\b(CP_[A-Z0-9_]+)\b")
# ./dev reads these with a default: ${NAME:-...} or ${NAME:+...}
DEV_ENV = re.compile(r"\$\{((?:CP|FRAPPE)_[A-Z0-9_]+)[:}]")


def documentation() -> str:
	return (ROOT / "docs" / "configuration.md").read_text()


def site_config_keys(source: str) -> set[str]:
	"""The site-config keys a module reads: `<...>.conf.get(KEY)` and `<...>.conf.KEY`, KEY a string or a
	module-level constant holding one."""
	tree = ast.parse(source)
	constants = {
		target.id: node.value.value
		for node in tree.body
		if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
		for target in node.targets
		if isinstance(target, ast.Name) and isinstance(node.value.value, str)
	}
	keys = set()
	for node in ast.walk(tree):
		if not isinstance(node, ast.Attribute):
			continue
		owner = node.value
		if not (isinstance(owner, ast.Attribute) and owner.attr == "conf") and not (
			isinstance(owner, ast.Name) and owner.id == "conf"
		):
			continue
		keys.add(node.attr)
	for node in ast.walk(tree):
		if (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Attribute)
			and node.func.attr == "get"
			and isinstance(node.func.value, ast.Attribute)
			and node.func.value.attr == "conf"
			and node.args
		):
			arg = node.args[0]
			if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
				keys.add(arg.value)
			elif isinstance(arg, ast.Name) and arg.id in constants:
				keys.add(constants[arg.id])
	return keys


class TestConfigurationDoc(FrappeTestCase):
	def test_every_site_config_key_the_code_reads_is_documented(self):
		keys = set()
		for path in APP.rglob("*.py"):
			if "tests" not in path.relative_to(APP).parts:
				keys |= {key for key in site_config_keys(path.read_text()) if key.startswith(PREFIX)}
		# the reader finds what it must: keys read directly and through a module's constant
		self.assertIn("customer_portal_upload_rate_limit", keys)
		self.assertIn("customer_portal_storage", keys)
		doc = documentation()
		self.assertEqual({key for key in keys if f"`{key}`" not in doc}, set())

	def test_every_settings_field_is_documented(self):
		path = next(APP.rglob("customer_portal_settings.json"))
		fields = [f for f in json.loads(path.read_text())["fields"] if f["fieldtype"] not in LAYOUT]
		self.assertGreater(len(fields), 30)
		doc = documentation()
		self.assertEqual([f["label"] for f in fields if f"| {f['label']} |" not in doc], [])

	def test_every_environment_variable_is_documented(self):
		names = set(DEV_ENV.findall((ROOT / "dev").read_text()))
		self.assertIn("FRAPPE_PATH", names)
		for path in [*ROOT.joinpath("tests").rglob("*.py"), *APP.rglob("*.py")]:
			names |= set(ENV_NAME.findall(path.read_text()))
		self.assertIn("CP_PROBES", names)
		doc = documentation()
		self.assertEqual(sorted(name for name in names if f"`{name}`" not in doc), [])
