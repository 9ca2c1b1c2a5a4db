"""Values formatted for display, in the site's number, date and currency settings."""

from frappe.utils import fmt_money, format_date


def money(value) -> str:
	return fmt_money(value or 0, precision=2)


def day(value) -> str:
	return format_date(value) if value else ""


def quantity(value) -> str:
	value = float(value or 0)
	return fmt_money(value, precision=0 if value.is_integer() else 2)
