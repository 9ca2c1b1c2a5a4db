#!/usr/bin/env python3
"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives as a .eml file.

    python tests/mail_sink.py --port PORT --dir DIR

The end-to-end suites point the test site's outgoing Email Account at it and read what arrived.
"""

import argparse
import asyncio
import os
import time
import uuid

from aiosmtpd.controller import Controller


class Keep:
	def __init__(self, folder: str):
		self.folder = folder

	async def handle_DATA(self, server, session, envelope):
		name = f"{time.time():.6f}-{uuid.uuid4().hex[:8]}.eml"
		temporary = os.path.join(self.folder, f".{name}")
		with open(temporary, "wb") as f:
			f.write(envelope.original_content or envelope.content)
		os.rename(temporary, os.path.join(self.folder, name))  # readers never see half a message
		return "250 Message accepted"


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--port", type=int, required=True)
	parser.add_argument("--dir", required=True)
	args = parser.parse_args()
	os.makedirs(args.dir, exist_ok=True)
	controller = Controller(Keep(args.dir), hostname="127.0.0.1", port=args.port)
	controller.start()
	print(f"mail sink on 127.0.0.1:{args.port}, keeping messages in {args.dir}", flush=True)
	try:
		asyncio.new_event_loop().run_forever()
	finally:
		controller.stop()


if __name__ == "__main__":
	main()
