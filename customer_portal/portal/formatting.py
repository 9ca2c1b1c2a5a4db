"""Values formatted for display, in the site's number, date and currency settings."""

from frappe.utils import fmt_money, format_date


def money(value) -> str:
	return fmt_money(value or 0, precision=2)


def day(value) -> str:
	return format_date(value) if value else ""


def quantity(value) -> str:
	value = float(value or 0)
	return fmt_money(value, precision=0 if value.is_integer() else 2)


def item_rows(doc) -> list[dict]:
	"""A document's item rows with their quantity, rate and amount formatted for display."""
	return [
		dict(
			item.as_dict(),
			qty_display=quantity(item.qty),
			rate_display=money(item.rate),
			amount_display=money(item.amount),
		)
		for item in doc.items
	]
