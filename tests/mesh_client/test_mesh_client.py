"""NHS England's mesh-client (pinned in tests/requirements.txt) against the portal over HTTPS with
client certificates: what an integrator's code does, end to end, including the web pages."""

import datetime as dt
import hashlib
import hmac
import os
import re
import uuid

import pytest
import requests
from mesh_client import AuthTokenGenerator, MeshError

from conftest import SHARED_KEY

SENDER, RECEIVER, BYSTANDER = "X26PY001", "X26PY002", "X26PY003"


def send(client, data, **headers):
    headers.setdefault("workflow_id", "PYTEST_FLOW")
    return client.send_message(RECEIVER, data, **headers)


def test_ping_and_handshake(portal):
    with portal.client(SENDER) as client:
        assert client.ping()["status"] == "running"
        assert client.handshake() == b"hello"


def test_a_small_message_round_trips_with_every_header(portal):
    with portal.client(SENDER) as sender, portal.client(RECEIVER) as receiver:
        message_id = send(
            sender,
            b"nhs_number,result\n9000000009,normal\n",
            subject="March results",
            local_id="lab-42",
            partner_id="subscription|tag",
            filename="results.csv",
            content_type="text/csv",
            checksum="md5:0123abcd",
            encrypted=True,
        )
        assert receiver.list_messages() == [message_id]
        with pytest.deprecated_call():
            assert receiver.count_messages() == 1
        message = receiver.retrieve_message(message_id)
        assert message.read() == b"nhs_number,result\n9000000009,normal\n"
        assert message.sender == SENDER
        assert message.recipient == RECEIVER
        assert message.workflow_id == "PYTEST_FLOW"
        assert message.subject == "March results"
        assert message.local_id == "lab-42"
        assert message.partner_id == "subscription|tag"
        assert message.filename == "results.csv"
        assert message.content_type == "text/csv"
        assert message.checksum == "md5:0123abcd"
        assert message.encrypted is True
        assert message.message_type == "DATA"
        message.acknowledge()
        assert receiver.list_messages() == []


@pytest.mark.parametrize("size,chunk", [(200, 7), (1_000_000, 37_000), (64, 1)])
def test_chunked_messages_arrive_whole(portal, size, chunk):
    data = os.urandom(size)
    with portal.client(SENDER) as sender, portal.client(RECEIVER) as receiver:
        message_id = send(sender, data, max_chunk_size=chunk, filename="big.bin")
        chunks = -(-size // chunk)
        assert chunks >= 25
        first = receiver.retrieve_message_chunk(message_id, 1)
        assert first.status_code == 206
        assert first.headers["Mex-Chunk-Range"] == f"1:{chunks}"
        first.close()
        last = receiver.retrieve_message_chunk(message_id, chunks)
        assert last.status_code == 200
        last.close()
        with receiver.retrieve_message(message_id) as message:
            assert message.read() == data
            assert message.filename == "big.bin"
        assert receiver.list_messages() == [], "acknowledged on leaving the with block"


def test_gzip_both_ways(portal):
    text = b"a line that compresses well\n" * 5000
    with portal.client(SENDER) as sender, portal.client(RECEIVER) as receiver:
        compressed_id = send(sender, text, compress=True, max_chunk_size=40_000)
        plain_id = send(sender, text)
        for message_id in (compressed_id, plain_id):
            raw = receiver.retrieve_message_chunk(message_id, 1)
            assert raw.headers["Content-Encoding"] == "gzip", "gzip to a client that accepts it"
            raw.close()
            message = receiver.retrieve_message(message_id)
            assert message.read() == text
            assert message.compressed is True, "the flag MESH sets on gzip it sends"
    # A client that does not take gzip gets the message decoded.
    token = AuthTokenGenerator(SHARED_KEY, RECEIVER, portal.passwords[RECEIVER])
    plain = requests.get(
        f"{portal.url}/messageexchange/{RECEIVER}/inbox/{compressed_id}",
        headers={"Authorization": token(), "Accept": "application/vnd.mesh.v2+json", "Accept-Encoding": "identity"},
        cert=portal.client_cert,
        verify=portal.ca_path,
        timeout=30,
    )
    assert plain.status_code == 206
    assert "Content-Encoding" not in plain.headers
    assert plain.content == text[:40_000]


def test_paging_through_iterate_message_ids(portal):
    with portal.client(SENDER) as sender, portal.client(RECEIVER) as receiver:
        sent = [send(sender, f"message {i}".encode()) for i in range(25)]
        assert receiver.list_messages(max_results=10) == sent[:10]
        assert list(receiver.iterate_message_ids(batch_size=10)) == sent
        assert list(receiver.iterate_message_ids()) == sent


def test_workflow_filter(portal):
    with portal.client(SENDER) as sender, portal.client(RECEIVER) as receiver:
        flow = send(sender, b"1")
        other = send(sender, b"2", workflow_id="PYTEST_OTHER")
        assert receiver.list_messages(workflow_filter="PYTEST_FLOW") == [flow]
        assert receiver.list_messages(workflow_filter="!PYTEST_FLOW") == [other]
        assert receiver.list_messages(workflow_filter="PYTEST_*") == [flow, other]
        assert receiver.list_messages(workflow_filter="*OTHER*") == [other]
        assert list(receiver.iterate_message_ids(workflow_filter="!*OTHER*", batch_size=10)) == [flow]


def test_tracking_before_and_after_acknowledgement(portal):
    with portal.client(SENDER) as sender, portal.client(RECEIVER) as receiver:
        message_id = send(sender, b"tracked", local_id="track-1", filename="t.txt")
        before = sender.track_message(message_id)
        assert before["status"] == "accepted"
        assert before["recipient"] == RECEIVER
        assert before["local_id"] == "track-1"
        assert before["filename"] == "t.txt"
        receiver.acknowledge_message(message_id)
        after = sender.track_message(message_id)
        assert after["status"] == "acknowledged"
        with pytest.raises(requests.HTTPError) as refused:
            receiver.track_message(message_id)
        assert refused.value.response.status_code == 404


def test_endpoint_lookup(portal):
    with portal.client(SENDER) as client:
        found = client.lookup_endpoint("X26", "PYTEST_FLOW")
        assert [r["mailbox_id"] for r in found["results"]] == [RECEIVER]
        assert client.lookup_endpoint("X26", "NO_SUCH_FLOW")["results"] == []


def test_errors_an_integrator_meets(portal):
    with portal.client(SENDER) as sender:
        with pytest.raises(MeshError) as empty:
            send(sender, b"")
        assert "missing" in str(empty.value)
        with pytest.raises(MeshError) as unknown:
            sender.send_message("NOSUCH99", b"x", workflow_id="PYTEST_FLOW")
        assert "NOSUCH99" in str(unknown.value)
    for client in (
        portal.client(SENDER, password="not-the-password"),
        portal.client(SENDER, shared_key=b"not-the-shared-key"),
    ):
        with client, pytest.raises(requests.HTTPError) as refused:
            client.handshake()
        assert refused.value.response.status_code == 403


def handshake_with(portal, token):
    return requests.post(
        f"{portal.url}/messageexchange/{SENDER}",
        headers={"Authorization": token, "Accept": "application/vnd.mesh.v2+json"},
        cert=portal.client_cert,
        verify=portal.ca_path,
        timeout=30,
    ).status_code


def test_a_replayed_token_and_a_stale_one_are_refused(portal):
    token = AuthTokenGenerator(SHARED_KEY, SENDER, portal.passwords[SENDER])()
    assert handshake_with(portal, token) == 200
    assert handshake_with(portal, token) == 403
    stale = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)).strftime("%Y%m%d%H%M")
    nonce = uuid.uuid4()
    signed = f"{SENDER}:{nonce}:0:{portal.passwords[SENDER]}:{stale}"
    digest = hmac.new(SHARED_KEY, signed.encode(), hashlib.sha256).hexdigest()
    assert handshake_with(portal, f"NHSMESH {SENDER}:{nonce}:0:{stale}:{digest}") == 403


def test_without_a_client_certificate_the_api_refuses(portal):
    token = AuthTokenGenerator(SHARED_KEY, SENDER, portal.passwords[SENDER])()
    response = requests.post(
        f"{portal.url}/messageexchange/{SENDER}",
        headers={"Authorization": token, "Accept": "application/vnd.mesh.v2+json"},
        verify=portal.ca_path,
        timeout=30,
    )
    assert response.status_code == 403


def test_sent_through_the_api_downloaded_on_the_web_page(portal, web):
    data = os.urandom(300_000)
    with portal.client(SENDER) as sender:
        message_id = send(sender, data, filename="from-the-api.bin", compress=True, max_chunk_size=100_000)
    inbox = web.get(f"{portal.url}/mailboxes/{RECEIVER}/inbox", timeout=30)
    assert inbox.status_code == 200
    assert "from-the-api.bin" in inbox.text
    download = web.get(f"{portal.url}/mailboxes/{RECEIVER}/inbox/{message_id}/download", timeout=30)
    assert download.status_code == 200
    assert download.content == data
    with portal.client(RECEIVER) as receiver:
        assert receiver.list_messages() == [], "downloaded on the page: collected"
    with portal.client(SENDER) as sender:
        assert sender.track_message(message_id)["status"] == "acknowledged"


def test_sent_from_the_web_page_received_through_the_api(portal, web):
    sent = web.post(
        f"{portal.url}/mailboxes/{RECEIVER}/new",
        data={
            "message_type": "data",
            "workflow_id": "PYTEST_FLOW_ACK",
            "recipient": SENDER,
            "subject": "Sent from the page",
            "reference": "web-1",
        },
        files={"file": ("page.txt", b"typed on a page", "text/plain")},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 303, sent.text
    message_id = re.search(r"/sent/([^/?#]+)", sent.headers["location"]).group(1)
    with portal.client(SENDER) as client:
        assert client.list_messages() == [message_id]
        with client.retrieve_message(message_id) as message:
            assert message.read() == b"typed on a page"
            assert message.filename == "page.txt"
            assert message.subject == "Sent from the page"
            assert message.local_id == "web-1"
            assert message.sender == RECEIVER
    page = web.get(f"{portal.url}/mailboxes/{RECEIVER}/sent/{message_id}", timeout=30)
    assert "Downloaded" in page.text
