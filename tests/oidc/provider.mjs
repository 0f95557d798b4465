// A real OpenID Connect provider (npm's oidc-provider) set up as NHS Care Identity Service 2 is,
// for mesh-portal's tests: Authorization Code Flow with PKCE only, clients that authenticate with
// private_key_jwt (RS512) or a secret, an `acr` per login (AAL3_ANY for a smartcard, AAL2_OR_ABOVE
// for an authenticator app), and the person's RBAC roles with their activity codes in the
// `nhsid_nrbac_roles` claim of UserInfo. It listens on 127.0.0.1 only.
//
// Started as `node provider.mjs CONFIG.json`; prints one line, `listening http://127.0.0.1:PORT`,
// when it is ready. CONFIG:
//   port                 0 for a free one, or a port to take again (a restart with new keys)
//   people               [{ sub, uid, email, name, given_name, family_name, roles: [{ org_code,
//                          role_code, role_name, activity_codes: [..] }] }]
//   client               { client_id, redirect_uri, post_logout_redirect_uri, key_id, and
//                          either key_file (private_key_jwt: the client's RSA private key, made
//                          there in PEM when the file does not exist yet) or client_secret }
//   id_token_seconds     how long an ID token lasts (default 600)
//   hide_signing_key     publish a decoy key but not the one that signs (a forged token)
//   backchannel_logout_uri  where to post logout tokens when someone logs out here
//
// The login page lists the people; the test picks one and how they authenticate.

import { generateKeyPairSync, createPublicKey, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const people = new Map(config.people.map((person) => [person.sub, person]));

/** A fresh RSA private key as a JWK, for signing ID tokens. */
function signingKey() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" };
}

const signing = signingKey();
const decoy = signingKey();

const LEVELS = {
  3: "AAL3_ANY",
  2: "AAL2_OR_ABOVE",
  1: "AAL1_USERPASS",
};

function clientMetadata() {
  const client = config.client;
  const metadata = {
    client_id: client.client_id,
    redirect_uris: [client.redirect_uri],
    post_logout_redirect_uris: [client.post_logout_redirect_uri],
    response_types: ["code"],
    grant_types: ["authorization_code"],
  };
  if (config.backchannel_logout_uri) {
    metadata.backchannel_logout_uri = config.backchannel_logout_uri;
    metadata.backchannel_logout_session_required = true;
  }
  if (client.key_file) {
    if (!existsSync(client.key_file)) {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      writeFileSync(client.key_file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    }
    const jwk = createPublicKey(readFileSync(client.key_file, "utf8")).export({ format: "jwk" });
    metadata.token_endpoint_auth_method = "private_key_jwt";
    metadata.token_endpoint_auth_signing_alg = "RS512";
    metadata.jwks = { keys: [{ ...jwk, use: "sig", alg: "RS512", kid: client.key_id ?? "mesh-portal" }] };
  } else {
    metadata.token_endpoint_auth_method = "client_secret_basic";
    metadata.client_secret = client.client_secret;
  }
  return metadata;
}

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function loginPage(uid) {
  const choices = [...people.values()]
    .map(
      (p, i) =>
        `<div><input type="radio" id="p${i}" name="person" value="${escape(p.sub)}"${i === 0 ? " checked" : ""}>` +
        `<label for="p${i}">${escape(p.name)}</label></div>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Care Identity (test)</title></head>
<body><main><h1>Care Identity (test provider)</h1>
<form method="post" action="/interaction/${uid}/login">
<fieldset><legend>Who are you</legend>${choices}</fieldset>
<fieldset><legend>How you authenticate</legend>
<div><input type="radio" id="l3" name="level" value="3" checked><label for="l3">Smartcard</label></div>
<div><input type="radio" id="l2" name="level" value="2"><label for="l2">Authenticator app</label></div>
</fieldset>
<button type="submit">Log in</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
</main></body></html>`;
}

const server = createServer();
await new Promise((ok) => server.listen(config.port ?? 0, "127.0.0.1", ok));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [clientMetadata()],
  jwks: { keys: [signing, decoy] },
  cookies: { keys: ["test-provider-cookie-key"] },
  scopes: ["openid"],
  claims: {
    openid: ["sub"],
    profile: ["name", "given_name", "family_name", "uid"],
    email: ["email"],
    nationalrbacaccess: ["nhsid_nrbac_roles"],
    associatedorgs: ["nhsid_user_orgs"],
  },
  acrValues: Object.values(LEVELS),
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true },
  },
  enabledJWA: {
    clientAuthSigningAlgValues: ["RS256", "RS512", "PS256", "ES256"],
  },
  pkce: { required: () => true },
  responseTypes: ["code"],
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: config.id_token_seconds ?? 600,
    Interaction: 600,
    Session: 600,
    Grant: 600,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // Its outgoing calls (back-channel logouts) go to a portal on loopback, which the provider's
  // protection against requests to special-use addresses would refuse: a test's provider only.
  fetch: (url, options) => {
    delete options.dispatcher;
    return globalThis.fetch(url, options);
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    // Care Identity asks no consent of its users: every scope the client asks for is granted.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid profile email nationalrbacaccess associatedorgs");
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const person = people.get(sub);
    if (!person) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          uid: person.uid,
          name: person.name,
          given_name: person.given_name,
          family_name: person.family_name,
          email: person.email,
          nhsid_nrbac_roles: person.roles ?? [],
          nhsid_user_orgs: [...new Set((person.roles ?? []).map((r) => r.org_code))].map((org_code) => ({ org_code })),
        };
      },
    };
  },
});

// A forged token: signed with a key the issuer does not publish.
if (config.hide_signing_key) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/jwks" && ctx.body?.keys) {
      ctx.body = { keys: ctx.body.keys.filter((key) => key.kid !== signing.kid) };
    }
  });
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login|\/abort)?$/);
  if (!match) return next();
  const [, uid, action] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, "wrong interaction");
  if (!action && ctx.method === "GET") {
    ctx.type = "html";
    ctx.body = loginPage(uid);
    return undefined;
  }
  if (ctx.method !== "POST") ctx.throw(405);
  ctx.respond = false;
  if (action === "/abort") {
    return provider.interactionFinished(ctx.req, ctx.res, {
      error: "access_denied",
      error_description: "The person cancelled the login",
    });
  }
  const form = await formBody(ctx.req);
  const level = LEVELS[form.get("level")] ?? LEVELS[3];
  return provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: form.get("person"), acr: level, amr: level === LEVELS[3] ? ["sc"] : ["otp"] },
  });
});

// What happened to each back-channel logout, for a test's output when it fails.
provider.on("backchannel.error", (ctx, error, client) =>
  process.stderr.write(`back-channel logout to ${client.clientId} failed: ${error.message} (${error.cause?.code ?? error.cause?.message ?? ""})\n`),
);
provider.on("backchannel.success", (ctx, client) =>
  process.stderr.write(`back-channel logout sent to ${client.clientId}\n`),
);
provider.on("end_session.success", () => process.stderr.write("session ended\n"));
provider.on("end_session.error", (ctx, error) => process.stderr.write(`end session failed: ${error.message}\n`));

server.on("request", provider.callback());
process.stdout.write(`listening ${issuer}\n`);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
