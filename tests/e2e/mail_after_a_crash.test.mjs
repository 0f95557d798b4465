// An email decided before a crash still goes, once: the service desk approves a workflow ID
// request while the mail server is down, the portal is killed (SIGKILL) before it could send
// anything, the mail server comes back, the portal starts again on the same data, and the email
// arrives exactly once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freePort, launchBrowser, startServer, startSmtp } from "./harness.mjs";
import { approve, serviceDesk } from "./people.mjs";

const env = {};
let smtpPort;

before(async () => {
  smtpPort = await freePort();
  env.serverEnv = { MESH_PORTAL_SMTP_URL: `smtp://127.0.0.1:${smtpPort}` };
  env.server = await startServer(env.serverEnv);
  env.browser = await launchBrowser();
});

after(async () => {
  await env.browser?.close();
  await env.server?.stop();
  env.smtp?.stop();
});

test("an approval's email survives a crash and goes once after the restart", async () => {
  // Someone asks for a workflow ID (a form posted without JavaScript).
  const form = new URLSearchParams({
    proposed_id: "CRASH_TEST_PHOTO",
    group: "new",
    new_group: "Tissue viability",
    description: "Photographs of wounds for the tissue viability team",
    sending_organisations: "District nursing teams",
    receiving_organisations: "Tissue viability services",
    requester_email: "ada@nhs.net",
    requester_name: "Ada Lovelace",
  });
  const sent = await fetch(`${env.server.url}/workflows/request`, { method: "POST", body: form, redirect: "manual" });
  assert.equal(sent.status, 303);

  // The service desk approves it; the mail server is down, so nothing can go yet.
  const desk = await serviceDesk(env, "crash", false);
  await desk.page.goto(`${env.server.url}/service-desk`);
  const reference = (await desk.page.getByRole("link", { name: /^WFR-/ }).first().innerText()).trim();
  await approve(env, desk, reference, "crash");
  await desk.page.context().close();

  // The portal dies before it could send; the mail server comes back; the portal restarts.
  await env.server.crash();
  env.smtp = await startSmtp({ port: smtpPort });
  env.server = await startServer(env.serverEnv, { dataDir: env.server.dataDir });

  // The retry (30 seconds after the failed attempt, at most) delivers it, and only once.
  const subject = "Subject: Workflow ID added: CRASH_TEST_PHOTO";
  await env.smtp.waitFor((m) => m.includes(subject), 90_000);
  await new Promise((r) => setTimeout(r, 7_000));
  const copies = env.smtp.messages().filter((m) => m.includes(subject));
  assert.equal(copies.length, 1, "sent exactly once");
});
