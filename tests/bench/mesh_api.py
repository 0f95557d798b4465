"""MESH API benchmark: the same mesh-client workload against this portal and against NHS Digital's
mesh-sandbox, both started here on this machine in this run, both over plain HTTP on loopback.

Workload, per server: SMALL messages of 1 KB sent from X26ABC1 to X26ABC2, then listed
(iterate_message_ids), downloaded and acknowledged; then LARGE messages of 20 MB sent in 5 MB
chunks, downloaded and acknowledged. `--clients N` runs N such workers at once (each its own
sender and receiver pair's share of the messages), so that the servers, not one Python client,
are what is measured. Prints messages per second and MB/s for both servers and the ratios.

Run with `make bench-mesh` (after `make build` and `make test-tools`)."""

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesh_sandbox
import requests
from mesh_client import MeshClient

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("MESH_PORTAL_BIN", ROOT / "target" / "release" / "mesh-portal"))
SHARED_KEY = "BenchSharedKey"
SANDBOX_DATA = Path(mesh_sandbox.__file__).parent / "store" / "data"
SENDER, RECEIVER, PASSWORD, WORKFLOW = "X26ABC1", "X26ABC2", "password", "TEST_WORKFLOW"
MB = 1_000_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up:\n{Path(log).read_text()}")


def start_portal(work):
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "MESH_PORTAL_LISTEN_ADDR": f"127.0.0.1:{port}",
            "MESH_PORTAL_DATA_DIR": str(work / "portal"),
            "MESH_PORTAL_SEED_DIR": str(ROOT / "seed-data"),
            "MESH_PORTAL_SANDBOX": "true",
            "MESH_PORTAL_MESH_SHARED_KEY": SHARED_KEY,
            "MESH_PORTAL_LOG": "warn",
        }
    )
    # mesh-sandbox's own mailbox and workflow files, as they ship in its package.
    subprocess.run(
        [str(BINARY), "sandbox", "load", str(SANDBOX_DATA / "mailboxes.jsonl"), str(SANDBOX_DATA / "workflows.jsonl")],
        env=env, check=True, capture_output=True, timeout=120,
    )
    log = work / "portal.log"
    process = subprocess.Popen([str(BINARY), "serve"], env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/messageexchange/_ping", process, log)
    return url, process


def start_sandbox(work):
    port = free_port()
    env = dict(os.environ)
    # Full authentication, as the portal does; the memory store, mesh-sandbox's fastest.
    env.update({"AUTH_MODE": "full", "STORE_MODE": "memory", "SHARED_KEY": SHARED_KEY, "ENV": "bench"})
    log = work / "sandbox.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mesh_sandbox.api:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/messageexchange/_ping", process, log)
    return url, process


def client_environment():
    """Leaves the worker processes only the environment they need. On every request `requests`
    walks the whole environment looking for proxy settings; with the few dozen variables of a
    developer's shell or a CI runner, that walk cost the client about a fifth of its CPU per
    message here, for both servers alike. The servers keep the full environment."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    for name in list(os.environ):
        if name not in keep:
            del os.environ[name]


def client(url, mailbox):
    return MeshClient(url, mailbox, PASSWORD, shared_key=SHARED_KEY.encode(), max_retries=0)


def small_worker(args):
    """Sends `count` small messages, then lists, downloads and acknowledges them; returns the IDs
    received (checked by the caller)."""
    url, count, tag = args
    body = (tag * 1000)[:1000].encode()
    with client(url, SENDER) as sender:
        sent = [sender.send_message(RECEIVER, body, workflow_id=WORKFLOW, local_id=f"{tag}-{i}") for i in range(count)]
    return sent, body


def receive_all(url, expected, body):
    """Lists the inbox, downloads and acknowledges each expected message, checking its content;
    returns how many of them were there."""
    seen = 0
    with client(url, RECEIVER) as receiver:
        ids = list(receiver.iterate_message_ids(batch_size=500))
        wanted = set(expected)
        for message_id in ids:
            if message_id not in wanted:
                continue
            message = receiver.retrieve_message(message_id)
            content = message.read()
            message.close()
            assert content == body[message_id], f"{message_id}: wrong content"
            receiver.acknowledge_message(message_id)
            seen += 1
    return seen


def receive_worker(args):
    url, ids, bodies = args
    return receive_all(url, ids, bodies)


def large_worker(args):
    url, count, size, chunk = args
    data = os.urandom(size)
    with client(url, SENDER) as sender:
        sent = [sender.send_message(RECEIVER, data, workflow_id=WORKFLOW, max_chunk_size=chunk) for _ in range(count)]
    return sent, data


def cpu_seconds(pid):
    """User and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_workload(url, small, large, clients, pool):
    # Small messages: send (clients at once), then receive (clients at once, each its share).
    per = [small // clients + (1 if i < small % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    results = pool.map(small_worker, [(url, n, f"w{i}") for i, n in enumerate(per)])
    bodies = {mid: body for ids, body in results for mid in ids}
    ids = list(bodies)
    shares = [ids[i::clients] for i in range(clients)]
    # Each receiver lists the inbox and collects its share.
    small_received = sum(pool.map(receive_worker, [(url, share, {m: bodies[m] for m in share}) for share in shares]))
    small_seconds = time.perf_counter() - started
    # Large messages: 20 MB each in 5 MB chunks.
    per = [large // clients + (1 if i < large % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    results = pool.map(large_worker, [(url, n, 20 * MB, 5 * MB) for n in per if n])
    bodies = {mid: data for sent, data in results for mid in sent}
    ids = list(bodies)
    shares = [ids[i::clients] for i in range(clients)]
    large_received = sum(
        pool.map(receive_worker, [(url, share, {m: bodies[m] for m in share}) for share in shares if share])
    )
    large_seconds = time.perf_counter() - started
    return {
        # Messages a server accepted (202) but never listed: lost.
        "lost": small - small_received + large - large_received,
        "small_messages": small,
        "small_seconds": small_seconds,
        "messages_per_second": small_received / small_seconds,
        "large_messages": large,
        "large_seconds": large_seconds,
        # Each large message is sent and downloaded: 2 x 20 MB through the server.
        "mb_per_second": 2 * 20 * large_received / large_seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--large", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mesh-bench-"))
    results = {}
    processes = []
    try:
        with multiprocessing.get_context("spawn").Pool(args.clients, client_environment) as pool:
            workers = [worker.pid for worker in pool._pool]
            for name, start in (("mesh-portal", start_portal), ("mesh-sandbox", start_sandbox)):
                url, process = start(work)
                processes.append(process)
                # One uncounted round of a few messages, so that both are warm.
                lost = run_workload(url, args.clients * 2, 0, args.clients, pool)["lost"]
                server_before = cpu_seconds(process.pid)
                clients_before = sum(cpu_seconds(pid) for pid in workers)
                small_only = run_workload(url, args.small, 0, args.clients, pool)
                server_cpu = cpu_seconds(process.pid) - server_before
                client_cpu = sum(cpu_seconds(pid) for pid in workers) - clients_before
                lost += small_only["lost"]
                results[name] = run_workload(url, args.small, args.large, args.clients, pool)
                results[name]["lost"] += lost
                # CPU per small message, measured on a run of its own (no large messages).
                results[name]["server_cpu_ms_per_message"] = 1000 * server_cpu / args.small
                results[name]["client_cpu_ms_per_message"] = 1000 * client_cpu / args.small
                results[name]["small_only_messages_per_second"] = small_only["messages_per_second"]
                process.terminate()
                process.wait(timeout=30)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    portal, sandbox = results["mesh-portal"], results["mesh-sandbox"]
    # The portal must deliver every message it accepted; mesh-sandbox's memory store is known here
    # to drop one now and then when several clients send to one mailbox at once (reported below).
    assert portal["lost"] == 0, f"the portal lost {portal['lost']} messages it had accepted"
    print(f"MESH API benchmark: {args.small} messages of 1 KB sent, listed, downloaded and acknowledged; "
          f"{args.large} messages of 20 MB in 5 MB chunks sent, downloaded and acknowledged; "
          f"{args.clients} mesh-client workers at once; both servers on this machine, plain HTTP")
    for name, r in results.items():
        print(f"  {name:13} {r['messages_per_second']:8.1f} messages/s ({r['small_seconds']:.2f} s)   "
              f"{r['mb_per_second']:8.1f} MB/s ({r['large_seconds']:.2f} s)")
    for name, r in results.items():
        if r["lost"]:
            print(f"  {name} accepted {r['lost']} messages (202) that never reached the inbox")
    ratio_messages = portal["messages_per_second"] / sandbox["messages_per_second"]
    ratio_mb = portal["mb_per_second"] / sandbox["mb_per_second"]
    print(f"  ratio (portal / mesh-sandbox): messages/s {ratio_messages:.2f}x (target >= 5x), "
          f"MB/s {ratio_mb:.2f}x (target > 1x)")
    # Where the time goes: the servers' CPU per small message, and the mesh-client workers' own,
    # measured on a second run of the small messages alone.
    cores = os.cpu_count()
    for name, r in results.items():
        print(f"  {name:13} CPU per small message: server {r['server_cpu_ms_per_message']:.2f} ms, "
              f"mesh-client workers {r['client_cpu_ms_per_message']:.2f} ms "
              f"({r['small_only_messages_per_second']:.1f} messages/s on that run)")
    client_ms = portal["client_cpu_ms_per_message"]
    print(f"  server CPU per message, mesh-sandbox / portal: "
          f"{sandbox['server_cpu_ms_per_message'] / portal['server_cpu_ms_per_message']:.2f}x; "
          f"the clients alone use {client_ms:.2f} ms a message, so on {cores} cores no server could "
          f"pass {1000 * cores / client_ms:.0f} messages/s "
          f"({1000 * cores / client_ms / sandbox['messages_per_second']:.2f}x mesh-sandbox) with this client")
    # What the target asks of the server, on this machine, where the clients share its cores.
    target = 5 * sandbox["messages_per_second"]
    budget = 1000 * cores / target
    print(f"  5x mesh-sandbox is {target:.0f} messages/s: on {cores} cores, {budget:.2f} ms of CPU a "
          f"message for clients and server together; the clients use {client_ms:.2f} ms, leaving "
          f"the server {budget - client_ms:.2f} ms (the portal uses "
          f"{portal['server_cpu_ms_per_message']:.2f} ms, mesh-sandbox "
          f"{sandbox['server_cpu_ms_per_message']:.2f} ms)")
    print(json.dumps({"ratio_messages": ratio_messages, "ratio_mb": ratio_mb, **{k: v for k, v in results.items()}}))
    missed = [name for name, met in (("messages/s", ratio_messages >= 5), ("MB/s", ratio_mb > 1)) if not met]
    if missed:
        print(f"  TARGET MISSED: {', '.join(missed)}")
    # `--strict` fails the run on a missed target; `make test` reports it and goes on.
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
