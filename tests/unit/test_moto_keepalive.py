"""The local moto server keeps connections open (issue 16).

werkzeug's development server closed the connection after every answer, so each call of the
pump paid a TCP connection and a server thread. These tests run the real server (moto's app,
our handler) on the loopback and talk to it over real sockets."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import boto3
import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from infra.local.moto_server import KeepAliveHandler, build_app, memoize_module_list

SQS_TARGET = "AmazonSQS.CreateQueue"


@pytest.fixture(scope="module")
def server() -> Iterator[BaseWSGIServer]:
    served = make_server(
        "127.0.0.1",
        0,
        build_app(loopback_only=True),
        threaded=True,
        request_handler=KeepAliveHandler,
    )
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def _headers(target: str = SQS_TARGET) -> dict[str, str]:
    # moto routes by the SigV4 credential scope, as boto3 signs it.
    scope = "Credential=x/20261205/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0"
    return {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": target,
        "Authorization": f"AWS4-HMAC-SHA256 {scope}",
    }


def _connect(server: BaseWSGIServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)


def _start_post(connection: http.client.HTTPConnection, **framing: str) -> None:
    """A POST's request line and headers (SQS's, plus `framing`); the body is the caller's."""
    connection.putrequest("POST", "/")
    for name, value in {**_headers(), **framing}.items():
        connection.putheader(name, value)
    connection.endheaders()


def test_two_requests_share_one_connection(server: BaseWSGIServer) -> None:
    connection = _connect(server)
    try:
        # Given a first request on a fresh connection
        connection.request("POST", "/", json.dumps({"QueueName": "kept-1"}), _headers())
        first = connection.getresponse()
        body = json.loads(first.read())
        socket_after_first = connection.sock
        # Then it is answered with a length and without closing
        assert first.status == 200, body
        assert first.getheader("Connection") is None
        assert int(first.getheader("Content-Length") or -1) > 0
        assert "kept-1" in body["QueueUrl"]
        # And a second request goes out on the same socket and is answered
        connection.request("POST", "/", json.dumps({"QueueName": "kept-2"}), _headers())
        second = connection.getresponse()
        assert second.status == 200
        assert "kept-2" in json.loads(second.read())["QueueUrl"]
        assert connection.sock is socket_after_first
    finally:
        connection.close()


def test_a_chunked_body_is_read_whole_and_the_next_request_still_parses(
    server: BaseWSGIServer,
) -> None:
    connection = _connect(server)
    try:
        payload = json.dumps({"QueueName": "chunked-1"}).encode()
        _start_post(connection, **{"Transfer-Encoding": "chunked"})
        half = len(payload) // 2
        for piece in (payload[:half], payload[half:]):
            connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        connection.send(b"0\r\n\r\n")
        answer = connection.getresponse()
        assert answer.status == 200
        assert "chunked-1" in json.loads(answer.read())["QueueUrl"]
        connection.request("POST", "/", json.dumps({"QueueName": "after-chunked"}), _headers())
        assert "after-chunked" in json.loads(connection.getresponse().read())["QueueUrl"]
    finally:
        connection.close()


def test_a_bad_content_length_is_refused_and_the_connection_closed(
    server: BaseWSGIServer,
) -> None:
    connection = _connect(server)
    try:
        _start_post(connection, **{"Content-Length": "-5"})
        answer = connection.getresponse()
        assert answer.status == 400
        assert answer.getheader("Connection") == "close"
        answer.read()
    finally:
        connection.close()


def test_a_client_that_asks_to_close_gets_its_connection_closed(server: BaseWSGIServer) -> None:
    connection = _connect(server)
    try:
        headers = {**_headers(), "Connection": "close"}
        connection.request("POST", "/", json.dumps({"QueueName": "closing"}), headers)
        answer = connection.getresponse()
        assert answer.status == 200
        assert answer.getheader("Connection") == "close"
    finally:
        connection.close()


def test_boto3_round_trips_through_the_kept_connections(server: BaseWSGIServer) -> None:
    sqs = boto3.client(
        "sqs",
        endpoint_url=f"http://127.0.0.1:{server.server_port}",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    url = sqs.create_queue(QueueName="round-trip")["QueueUrl"]
    for n in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=f"message {n}")
    bodies: list[str] = []
    while len(bodies) < 20:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        assert messages, "every message sent must come back"
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
    assert sorted(bodies) == sorted(f"message {n}" for n in range(20))


def test_the_module_list_is_read_once_and_unchanged() -> None:
    import moto.backends

    listed = list(moto.backends.list_of_moto_modules())
    memoize_module_list()
    memoize_module_list()
    assert list(moto.backends.list_of_moto_modules()) == listed
    assert "sqs" in moto.backends.list_of_moto_modules()
    assert getattr(moto.backends.list_of_moto_modules, "cache_info")().misses <= 1  # noqa: B009
