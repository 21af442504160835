"""Chalice's `WebsocketAPI`, able to take its management endpoint from settings.

Chalice derives the endpoint from each websocket event (`https://{api_id}.execute-api.
{region}.amazonaws.com/{stage}`) and passes it to boto3 explicitly, so the usual
`AWS_ENDPOINT_URL_*` variables cannot redirect it. Two callers need another endpoint:
workers (stream / SQS handlers) that push without ever seeing a websocket event, and the
local stack, whose WebSocket stand-in speaks plain http. Both set `WEBSOCKET_MANAGEMENT_URL`
(the CDK stack sets it to the deployed API's URL); when it is empty Chalice's own
derivation applies, unchanged.

`app.py` installs the one instance (`websocket_api`) as `app.websocket_api` before it
registers the websocket handlers, which capture it at registration.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import WebsocketAPI

from chalicelib.settings import get_settings


class ConfigurableWebsocketAPI(WebsocketAPI):
    def configure(self, domain_name: str, stage: str) -> None:
        if not self._use_setting():
            super().configure(domain_name, stage)

    def configure_from_api_id(self, api_id: str, stage: str) -> None:
        if not self._use_setting():
            super().configure_from_api_id(api_id, stage)

    def _use_setting(self) -> bool:
        url = get_settings().websocket_management_url
        if url and self._endpoint is None:
            self._endpoint = url.rstrip("/")
        return bool(url)

    # The live fan-out posts from a few threads at once; boto3 sessions must not build
    # clients concurrently, so the first ones to need the client wait for one to build it.
    _building = threading.Lock()

    def _get_client(self) -> Any:
        if self._client is not None:
            return self._client
        with self._building:
            return self._build_client()

    def _build_client(self) -> Any:
        # Imported here: boto3 (with s3transfer) is ~100 ms of a cold start (issue 15).
        import boto3
        from botocore.config import Config

        if self._client is None:
            if self._endpoint is None:
                self._use_setting()
            if self.session is None:
                self.session = boto3.Session()
            if self._endpoint is None:
                raise ValueError(
                    "no websocket endpoint: set WEBSOCKET_MANAGEMENT_URL or call configure()"
                )
            self._client = self.session.client(
                "apigatewaymanagementapi",
                endpoint_url=self._endpoint,
                config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2}),
            )
        return self._client

    def reset(self) -> None:
        """Forget the endpoint and client (tests change settings between cases)."""
        self._endpoint = None
        self._client = None
        self.session = None


websocket_api = ConfigurableWebsocketAPI()
