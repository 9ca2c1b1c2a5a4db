"""Realistic demo data, from two customers up to 1,000 customers / 100,000 orders / 200,000 invoices.

Configuration records (stages, document types, the staff user) go through the document API. The volume
records are written with `frappe.db.bulk_insert` in chunks, with the values the controllers would compute
(item amounts, totals, stage history, invoice status and outstanding amount, private files on disk) so
that the demo site looks exactly like one filled through desk.

- `sizes`: how much to make; `generator`: the seeded generator and `generate`, its entry point;
- `stages`: the stage flow and document types; `users`: staff, customers and their portal users, and
  the demo logins; `data`: orders, invoices, documents and tickets; `rows`: the bulk-insert helpers.
"""
