// A file half uploaded when the portal dies leaves nothing: a mailbox user starts sending a file,
// the portal is killed (SIGKILL) with part of it written, it starts again on the same data, and
// there is no message, no stored content and no partial file; the next send works.
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { filesUnder, launchBrowser, startServer } from "./harness.mjs";
import { mailboxUser } from "./people.mjs";

const env = {};

before(async () => {
  env.server = await startServer();
  env.browser = await launchBrowser();
  for (const [mailbox, ods, workflow] of [
    ["X26OT005", "X26", "PATH_MEDRPT_V3:send"],
    ["RR8TR007", "RR8", "PATH_MEDRPT_V3:receive"],
  ]) {
    const added = await env.server.command(["add-mailbox", mailbox, "--ods-code", ods, "--environment", "integration", "--workflow", workflow]);
    assert.equal(added.code, 0, added.stderr);
  }
});

after(async () => {
  await env.browser?.close();
  await env.server?.stop();
});

test("a send cut short by a crash leaves no message and no content", async () => {
  const person = await mailboxUser(env, "sender", "X26OT005", false);
  const cookie = (await person.page.context().cookies())
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
  const objects = join(env.server.dataDir, "data", "objects");

  // A multipart upload of a 20 MB file whose first 5 MB are sent, then nothing more.
  const boundary = "----mesh-portal-crash-test";
  const field = (name, value) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head =
    field("message_type", "data") +
    field("workflow_id", "PATH_MEDRPT_V3") +
    field("recipient", "RR8TR007") +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const url = new URL(`${env.server.url}/mailboxes/X26OT005/new`);
  const upload = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: "POST",
    headers: {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": Buffer.byteLength(head) + 20_000_000 + `\r\n--${boundary}--\r\n`.length,
      cookie,
      origin: env.server.url,
    },
  });
  const ended = new Promise((resolve) => {
    upload.on("error", resolve);
    upload.on("response", resolve);
  });
  upload.write(head);
  upload.write(Buffer.alloc(5_000_000, 120));

  // Once part of it is written to disk, the portal dies.
  const deadline = Date.now() + 30_000;
  while (!filesUnder(objects).some((f) => f.includes(".incoming"))) {
    assert.ok(Date.now() < deadline, "the upload never reached the disk");
    await new Promise((r) => setTimeout(r, 50));
  }
  await env.server.crash();
  await ended;
  assert.ok(filesUnder(objects).length > 0, "the crash left a partial file");

  // It starts again on the same data: nothing of the upload is left.
  env.server = await startServer({}, { dataDir: env.server.dataDir });
  assert.deepEqual(filesUnder(objects), [], "no partial file and no content");
  // (The restarted portal has a new port, which this test's browser pages are not let out to:
  // the rest goes with the session cookie over plain HTTP.)
  const sentItems = await fetch(`${env.server.url}/mailboxes/X26OT005/sent`, { headers: { cookie } });
  assert.equal(sentItems.status, 200, "the session outlived the crash");
  assert.match(await sentItems.text(), /This mailbox has not sent any files/);

  // And sending works again.
  const form = new FormData();
  form.append("message_type", "data");
  form.append("workflow_id", "PATH_MEDRPT_V3");
  form.append("recipient", "RR8TR007");
  form.append("file", new Blob(["after the crash"]), "after.txt");
  const sent = await fetch(`${env.server.url}/mailboxes/X26OT005/new`, {
    method: "POST",
    body: form,
    headers: { cookie, origin: env.server.url },
    redirect: "manual",
  });
  assert.equal(sent.status, 303);
  assert.equal(filesUnder(join(objects, "messages")).length, 1);
  await person.page.context().close();
});
