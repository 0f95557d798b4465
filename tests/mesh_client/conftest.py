"""The MESH API suite's fixtures: one portal for the run, started from the release binary over
HTTPS with certificates made for the run (the server's from one CA, the client's from another,
which the server requires as the real MESH does), in sandbox mode with mailboxes loaded from
mesh-sandbox-format files, and a web user for the pages."""

import base64
import hashlib
import hmac
import os
import re
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import trustme
from mesh_client import MeshClient

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("MESH_PORTAL_BIN", ROOT / "target" / "release" / "mesh-portal"))
SHARED_KEY = b"PytestSharedKey"
WEB_EMAIL = "web.user@nhs.net"
WEB_PIN = "482913"

MAILBOXES = [
    ("X26PY001", "Pytest sender", "password-1"),
    ("X26PY002", "Pytest receiver", "password-2"),
    ("X26PY003", "Pytest bystander", "password-3"),
]
WORKFLOWS = [
    ("PYTEST_FLOW", ["X26PY001"], ["X26PY002"]),
    ("PYTEST_FLOW_ACK", ["X26PY002"], ["X26PY001"]),
    ("PYTEST_OTHER", ["X26PY001"], ["X26PY002"]),
]


@dataclass
class Portal:
    url: str
    ca_path: str
    client_cert: tuple
    passwords: dict
    setup_path: str
    data_dir: str

    def client(self, mailbox, password=None, shared_key=SHARED_KEY, **options):
        return MeshClient(
            self.url,
            mailbox,
            password if password is not None else self.passwords[mailbox],
            shared_key=shared_key,
            cert=self.client_cert,
            verify=self.ca_path,
            max_retries=0,
            **options,
        )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jsonl(rows):
    import json

    return "\n".join(json.dumps(row) for row in rows) + "\n"


@pytest.fixture(scope="session")
def portal():
    assert BINARY.exists(), f"build the server first ({BINARY} is missing): make build"
    work = tempfile.mkdtemp(prefix="mesh-client-suite-")
    server_ca, client_ca = trustme.CA(), trustme.CA()
    server_cert = server_ca.issue_cert("localhost", "127.0.0.1")
    client_cert = client_ca.issue_cert("SERVER001.X26.api.mesh-client.nhs.uk")
    paths = {}
    for name, blob in [
        ("server.pem", b"".join(b.bytes() for b in server_cert.cert_chain_pems)),
        ("server.key", server_cert.private_key_pem.bytes()),
        ("server-ca.pem", server_ca.cert_pem.bytes()),
        ("clients-ca.pem", client_ca.cert_pem.bytes()),
        ("client.pem", b"".join(b.bytes() for b in client_cert.cert_chain_pems)),
        ("client.key", client_cert.private_key_pem.bytes()),
    ]:
        paths[name] = os.path.join(work, name)
        Path(paths[name]).write_bytes(blob)
    mailboxes = os.path.join(work, "mailboxes.jsonl")
    Path(mailboxes).write_text(
        jsonl(
            {"mailbox_id": m, "mailbox_name": n, "ods_code": "X26", "org_code": "X26", "password": p}
            for m, n, p in MAILBOXES
        )
    )
    workflows = os.path.join(work, "workflows.jsonl")
    Path(workflows).write_text(
        jsonl({"workflow_id": w, "senders": s, "receivers": r} for w, s, r in WORKFLOWS)
    )
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "MESH_PORTAL_LISTEN_ADDR": f"127.0.0.1:{port}",
            "MESH_PORTAL_BASE_URL": f"https://localhost:{port}",
            "MESH_PORTAL_DATA_DIR": os.path.join(work, "data"),
            "MESH_PORTAL_SEED_DIR": str(ROOT / "seed-data"),
            "MESH_PORTAL_TLS_CERT": paths["server.pem"],
            "MESH_PORTAL_TLS_KEY": paths["server.key"],
            "MESH_PORTAL_TLS_CLIENT_CA": paths["clients-ca.pem"],
            "MESH_PORTAL_SANDBOX": "true",
            "MESH_PORTAL_MESH_SHARED_KEY": SHARED_KEY.decode(),
            "MESH_PORTAL_LOG": "warn",
        }
    )
    if (ROOT / "target" / "site" / "pkg").is_dir():
        env["MESH_PORTAL_SITE_DIR"] = str(ROOT / "target" / "site")
    run = lambda *args: subprocess.run(  # noqa: E731
        [str(BINARY), *args], env=env, check=True, capture_output=True, text=True, timeout=120
    )
    run("sandbox", "load", mailboxes, workflows)
    created = run(
        "admin", "create-user", "--email", WEB_EMAIL, "--name", "Web User",
        "--role", "mailbox_user", "--mailbox", "X26PY002",
    ).stdout
    setup_path = re.search(r"https?://[^/\s]+(/activate/\S+)", created).group(1)
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([str(BINARY), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"https://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/health", verify=paths["server-ca.pem"], timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the portal did not start: " + Path(log.name).read_text())
        time.sleep(0.2)
    try:
        yield Portal(
            url=url,
            ca_path=paths["server-ca.pem"],
            client_cert=(paths["client.pem"], paths["client.key"]),
            passwords={m: p for m, _, p in MAILBOXES},
            setup_path=setup_path,
            data_dir=work,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(autouse=True)
def empty_mailboxes(portal):
    """Every test starts with empty mailboxes (the sandbox's own reset endpoint)."""
    response = requests.delete(
        f"{portal.url}/messageexchange/admin/reset", cert=portal.client_cert, verify=portal.ca_path, timeout=30
    )
    assert response.status_code == 200, response.text


def totp(key_base32, step):
    key = base64.b32decode(key_base32 + "=" * (-len(key_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.fixture(scope="session")
def web(portal):
    """A browser-like session of the web user (X26PY002), set up and signed in through the pages
    with a PIN and an authenticator app code, as a person would."""
    session = requests.Session()
    # Not the environment's CA bundle (requests would let it override the session's own).
    session.trust_env = False
    session.verify = portal.ca_path
    base = portal.url

    def post(path, data):
        return session.post(f"{base}{path}", data=data, allow_redirects=False, timeout=30)

    chosen = post(portal.setup_path, {"pin": WEB_PIN, "pin_confirmation": WEB_PIN, "factor": "app"})
    assert chosen.status_code == 303, chosen.text
    app_page = chosen.headers["location"]
    page = session.get(f"{base}{app_page}", timeout=30).text
    shown = re.search(r"app-secret-key.*?<code>(.*?)</code>", page, re.S).group(1)
    key = re.sub(r"[^A-Za-z0-9]", "", shown)
    step = int(time.time()) // 30
    done = post(app_page, {"code": totp(key, step)})
    assert done.headers.get("location") == "/sign-in/set-up-complete", done.text
    pin = post("/sign-in/pin", {"email": WEB_EMAIL, "pin": WEB_PIN})
    assert pin.headers.get("location") == "/sign-in/code", pin.text
    # The next step's code: the server takes one step either side, and never a step twice.
    signed_in = post("/sign-in/code", {"code": totp(key, step + 1)})
    assert signed_in.status_code == 303, signed_in.text
    return session
