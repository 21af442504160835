"""Entry points of docker-compose.yml's app services (the Docker route, for people with Docker).

    python -m infra.local.container init
        waits for DynamoDB Local and the moto server, creates the topology's resources
        (infra/provision.py, as `make run` does), keeps one SECRET_KEY in the state volume and
        prints the first-admin setup token (`docker compose logs init`).
    python -m infra.local.container serve <module> [args...]
        runs `python -m infra.local.<module> args...` with that SECRET_KEY, so every service
        signs and reads tokens with the same key without the key being in the compose file.

The endpoints come from the same variables `make run` gives its children
(infra/local/config.py `child_env`); tests/unit/test_docker_compose.py checks they match.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from infra.local import probes
from infra.local.appload import load_topology
from infra.local.bootstrap import bootstrap
from infra.local.secret import data_dir_secret

STATE_DIR = Path(os.environ.get("RESERVER_STATE_DIR", "/state"))
TOPOLOGY_REF = "chalicelib.topology:TOPOLOGY"
WAIT_S = 120.0


def _wait(name: str, url: str) -> None:
    deadline = time.monotonic() + WAIT_S
    check = probes.dynamodb if name == "dynamodb" else probes.moto
    while not check(url):
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} at {url} did not answer within {WAIT_S:.0f} s")
        time.sleep(0.5)


def init() -> int:
    dynamodb, aws = os.environ["AWS_ENDPOINT_URL_DYNAMODB"], os.environ["AWS_ENDPOINT_URL"]
    _wait("dynamodb", dynamodb)
    _wait("moto", aws)
    bootstrap(load_topology(TOPOLOGY_REF), dynamodb_url=dynamodb, aws_url=aws)
    os.environ["SECRET_KEY"] = data_dir_secret(STATE_DIR)
    from infra import setup_token

    # A restarted init against a stack whose first admin exists is not a failure.
    code = setup_token.main()
    return 0 if code == setup_token.ALREADY_COMPLETE else code


def serve(module: str, args: list[str]) -> None:
    env = {**os.environ, "SECRET_KEY": data_dir_secret(STATE_DIR)}
    argv = [sys.executable, "-m", f"infra.local.{module}", *args]
    os.execve(sys.executable, argv, env)  # noqa: S606 - our own module, no shell wanted


def main(argv: list[str]) -> int:
    if argv[:1] == ["init"]:
        return init()
    if argv[:1] == ["serve"] and len(argv) >= 2:
        serve(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
