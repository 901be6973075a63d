"""`python3 -m fake_qbo --port 8765 …`: run the fake QuickBooks Online server in the foreground."""
import argparse
import logging
import time

from . import webhooks
from .server import FakeQBO


def _webhook_url(value):
    try:
        return webhooks.check_url(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m fake_qbo", description="Fake QuickBooks Online server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--client-id", default="fake-client-id")
    p.add_argument("--client-secret", default="fake-client-secret")
    p.add_argument("--verifier-token", default="fake-verifier-token")
    p.add_argument("--webhook-url", type=_webhook_url)
    p.add_argument("--webhook-format", choices=("legacy", "cloudevents"), default="legacy")
    p.add_argument("--seed", type=int, help="seed N customers and proportional data")
    p.add_argument("--country", choices=("US", "CA", "GB", "AU"), default="US")
    p.add_argument("--multicurrency", action="store_true")
    p.add_argument("--throttle", action="store_true", help="enforce QuickBooks' rate limits")
    p.add_argument("--auto-approve", action="store_true", help="skip the consent page")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    srv = FakeQBO(client_id=args.client_id, client_secret=args.client_secret,
                  verifier_token=args.verifier_token, webhook_url=args.webhook_url,
                  webhook_format=args.webhook_format, seed=args.seed, country=args.country,
                  multicurrency=args.multicurrency, throttle=args.throttle,
                  auto_approve=args.auto_approve, host=args.host, port=args.port).start()
    print(f"fake QuickBooks Online on {srv.url}\n  discovery: {srv.discovery_url}\n"
          f"  API base:  {srv.api_base}\n  realm id:  {srv.realm_id}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
