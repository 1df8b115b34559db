"""Run the playground on its own: python -m playground [--host H] [--port P] [--token T].

--local-webhooks lets setWebhook name a local address or any port, which Telegram refuses.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from playground.server import Playground


async def _serve(host: str, port: int, token: str | None, local_webhooks: bool) -> None:
    playground = Playground(token=token, local_webhooks=local_webhooks)
    url = await playground.start(host, port)
    print(f"playground listening on {url}", flush=True)
    print(f"  Bot API:  {url}/bot<token>/<method>", flush=True)
    print(f"  control:  {url}/control/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await playground.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument(
        "--local-webhooks",
        action="store_true",
        help="let setWebhook name a local address or any port (Telegram refuses them)",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.token, args.local_webhooks))


if __name__ == "__main__":
    main()
