// An operator running the binary: help, and a clear refusal of bad configuration.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runBinary } from "./harness.mjs";

test("--help lists the commands", async () => {
  const { code, stdout } = await runBinary(["--help"]);

  assert.equal(code, 0);
  for (const command of ["serve", "migrate", "seed"]) {
    assert.match(stdout, new RegExp(`^\\s+${command}\\s`, "m"));
  }
});

test("a bad value stops start-up with a message naming the variable", async () => {
  const { code, stderr } = await runBinary(["serve"], { MESH_PORTAL_LISTEN_ADDR: "not-an-address" });

  assert.equal(code, 2);
  assert.match(stderr, /configuration error: MESH_PORTAL_LISTEN_ADDR: ‘not-an-address’ is not an address and port/);
});

test("migrate and seed run on their own and report what they did", async () => {
  const data = mkdtempSync(join(tmpdir(), "mesh-portal-cli-"));
  const env = { MESH_PORTAL_DATA_DIR: data, MESH_PORTAL_LOG: "warn" };

  const migrate = await runBinary(["migrate"], env);
  const seed = await runBinary(["seed"], env);
  const again = await runBinary(["seed"], env);

  assert.equal(migrate.code, 0);
  assert.match(migrate.stdout, /Database is up to date/);
  assert.equal(seed.code, 0);
  assert.match(seed.stdout, /\d+ added, 0 updated, 0 unchanged/);
  assert.match(again.stdout, /0 added, 0 updated, \d+ unchanged/);
});
