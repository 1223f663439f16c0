import { expect, test, type Page } from "@playwright/test";
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { cardNumbers, orderId, PASSWORD, session, waitForHydration } from "./support";

// Two instances of the portal on one fresh PostgreSQL database and one S3
// bucket (the SeaweedFS that scripts/test starts), behind a small load
// balancer that sends each request to instance A while it answers, else to
// B, as a health-checked balancer would.

const root = path.resolve(__dirname, "..", "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const binary = path.join(targetDir, "release", "ordering-portal");
const postgres = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const s3 = process.env.TEST_S3_ENDPOINT;
const bucket = process.env.TEST_S3_BUCKET ?? "portal-test";
const REPORT = Buffer.from("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n" + "x".repeat(200_000));

test.skip(!s3 && process.env.REQUIRE_S3 !== "1", "no S3-compatible server (TEST_S3_ENDPOINT)");
const postgresAnswers = spawnSync("pg_isready", ["-d", postgres, "-q"]).status === 0;
test.skip(!postgresAnswers && process.env.REQUIRE_POSTGRES !== "1", "PostgreSQL does not answer");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, name: string): string {
  const slash = url.lastIndexOf("/");
  return `${url.slice(0, slash)}/${name}`;
}

async function until(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} within ${seconds} s`);
}

async function answers(url: string): Promise<boolean> {
  const response = await fetch(url);
  return response.ok;
}

/** A load balancer: each request to A while A takes connections, else to B. */
function balancer(backends: number[]): http.Server {
  return http.createServer((request, response) => {
    // The body is read first, so that it can go to B when A refuses.
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const forward = (index: number) => {
        const upstream = http.request(
          { host: "127.0.0.1", port: backends[index], path: request.url, method: request.method, headers: request.headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
            // An instance that dies mid-answer cuts its clients off, as a
            // balancer does: their browsers reconnect.
            answer.on("close", () => {
              if (!answer.complete) response.destroy();
            });
          },
        );
        upstream.on("error", (error: NodeJS.ErrnoException) => {
          if (error.code === "ECONNREFUSED" && index + 1 < backends.length && !response.headersSent) {
            forward(index + 1);
          } else {
            response.destroy();
          }
        });
        upstream.end(body);
      };
      forward(0);
    });
  });
}

type Instance = { port: number; process: ChildProcess; url: string };

function startInstance(port: number, env: Record<string, string>): Instance {
  const log = fs.openSync(path.join(os.tmpdir(), `portal-instance-${port}.log`), "w");
  const child = spawn(binary, [], {
    cwd: root,
    env: { ...process.env, ...env, LEPTOS_SITE_ADDR: `127.0.0.1:${port}` },
    stdio: ["ignore", log, log],
  });
  return { port, process: child, url: `http://127.0.0.1:${port}` };
}

let databaseName = "";
let a: Instance;
let b: Instance;
let front: http.Server;
let frontUrl = "";

test.beforeAll(async () => {
  databaseName = `portal_e2e_${Date.now()}`;
  execFileSync("psql", [postgres, "-q", "-c", `CREATE DATABASE ${databaseName}`]);
  const [portA, portB, portFront] = [await freePort(), await freePort(), await freePort()];
  frontUrl = `http://127.0.0.1:${portFront}`;
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-instances-"));
  const env = {
    DATABASE_URL: withDatabase(postgres, databaseName),
    FILES_URL: `s3://${bucket}/instances-${Date.now()}`,
    AWS_ENDPOINT: s3 ?? "",
    AWS_ALLOW_HTTP: "true",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "portal-tests",
    AWS_SECRET_ACCESS_KEY: "portal-tests",
    LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
    PUBLIC_URL: frontUrl,
    LIVE_CHECK_MS: "2000",
    RUST_LOG: "warn",
  };
  // A loads the demo data; B starts on the database A prepared.
  a = startInstance(portA, { ...env, FILES_DIR: path.join(filesDir, "a") });
  await until("A serves", () => answers(`${a.url}/readyz`));
  b = startInstance(portB, { ...env, FILES_DIR: path.join(filesDir, "b") });
  await until("B serves", () => answers(`${b.url}/readyz`));
  front = balancer([portA, portB]);
  await new Promise<void>((resolve) => front.listen(portFront, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  for (const instance of [a, b]) instance?.process.kill("SIGKILL");
  front?.closeAllConnections();
  front?.close();
  if (databaseName) {
    execFileSync("psql", [postgres, "-q", "-c", `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`]);
  }
});

/** Collects the stream's events in the page, as the portal's own stream
 * delivers them, with the time each arrived. */
async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { type: string; data: string; at: number }[] = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    const source = new EventSource("/ordering/api/events");
    for (const type of ["order", "notification"]) {
      source.addEventListener(type, (event) =>
        seen.push({ type, data: (event as MessageEvent).data, at: Date.now() }),
      );
    }
  });
}

async function recorded(page: Page): Promise<{ type: string; data: string; at: number }[]> {
  return page.evaluate(() => (window as unknown as { seen: { type: string; data: string; at: number }[] }).seen);
}

test("two instances share changes, files and throttling, and a dying one loses nothing", async ({ browser }) => {
  test.setTimeout(120_000);
  // Ava through the balancer (served by A); Sam and Cleo straight on B.
  const ava = await session(browser, "ava@acme.test", frontUrl);
  const sam = await session(browser, "sam@fts.test", b.url);
  const cleo = await session(browser, "cleo@birch.test", b.url);
  await recordEvents(cleo);

  // A staff move on B reaches Ava's In Progress page on A, live.
  await ava.goto("/orders");
  await waitForHydration(ava);
  await recordEvents(ava);
  const onHold = Number(await ava.getByTestId("badge-on-hold").textContent());
  const id = await orderId(sam, "ORD-1006");
  await expect.poll(() => cardNumbers(ava)).toContain("ORD-1006");
  const sent = Date.now();
  const held = await sam.request.post(`/ordering/api/orders/${id}/transition`, {
    data: { to: "on_hold", reason: "The survey stamp is illegible." },
  });
  expect(held.ok()).toBe(true);
  const answered = Date.now();
  await expect(ava.getByTestId("badge-on-hold")).toHaveText(String(onHold + 1), { timeout: 2_000 });
  await expect.poll(() => cardNumbers(ava), { timeout: 2_000 }).not.toContain("ORD-1006");
  const arrived = (await recorded(ava)).find((event) => event.type === "order");
  expect(arrived).toBeTruthy();
  // The commit lies between the request and its answer.
  console.log(
    `B's change reached the browser on A ${(arrived?.at ?? 0) - sent} ms after the request ` +
      `was sent, ${(arrived?.at ?? 0) - answered} ms from its answer (the answer took ${answered - sent} ms)`,
  );
  await ava.goto(`/order/${id}`);
  await expect(ava.getByTestId("hold-reason")).toHaveText("The survey stamp is illegible.");

  // Files follow the user: uploaded through A, downloaded through B.
  const avaOnA = await browser.newContext({ baseURL: a.url });
  const avaOnB = await browser.newContext({ baseURL: b.url });
  for (const context of [avaOnA, avaOnB]) {
    const login = await context.request.post("/ordering/api/login", {
      data: { email: "ava@acme.test", password: PASSWORD },
    });
    expect(login.ok()).toBe(true);
  }
  const uploaded = await avaOnA.request.post(`/ordering/api/orders/${id}/attachments`, {
    multipart: { file: { name: "stamped survey.pdf", mimeType: "application/pdf", buffer: REPORT } },
  });
  expect(uploaded.status()).toBe(201);
  const [attachment] = await uploaded.json();
  const viaB = await sam.request.get(`/attachment/${attachment.id}/download`);
  expect(viaB.status()).toBe(200);
  expect(Buffer.compare(await viaB.body(), REPORT)).toBe(0);

  // Throttling holds across instances: five failures on A, the sixth on B.
  const guesser = await browser.newContext();
  for (let attempt = 0; attempt < 5; attempt++) {
    const wrong = await guesser.request.post(`${a.url}/ordering/api/login`, {
      data: { email: "ava@acme.test", password: "not-her-password" },
    });
    expect(wrong.status()).toBe(401);
  }
  const sixth = await guesser.request.post(`${b.url}/ordering/api/login`, {
    data: { email: "ava@acme.test", password: "not-her-password" },
  });
  expect(sixth.status()).toBe(429);

  // A dies while Ava's browser is subscribed through the balancer. Changes
  // made meanwhile on B reach her once her browser has reconnected (to B).
  await ava.goto("/orders/on-hold");
  await waitForHydration(ava);
  await expect.poll(() => cardNumbers(ava)).toContain("ORD-1006");
  a.process.kill("SIGKILL");
  const submitted = await orderId(sam, "ORD-1001");
  const noted = await sam.request.post(`/ordering/api/orders/${submitted}/notes`, {
    data: { body: "Noted while A was down." },
  });
  expect(noted.ok()).toBe(true);
  const resubmittedId = await orderId(sam, "ORD-1009");
  const moved = await sam.request.post(`/ordering/api/orders/${resubmittedId}/transition`, {
    data: { to: "on_hold", reason: "Held while A was down." },
  });
  expect(moved.ok()).toBe(true);
  await expect.poll(() => cardNumbers(ava), { timeout: 15_000 }).toContain("ORD-1009");
  await expect(ava.getByTestId("badge-on-hold")).toHaveText(String(onHold + 2));

  // Nothing about Acme reached Cleo, over all of the above, while her own
  // company's changes did.
  const cleoOrder = await orderId(cleo, "ORD-2002");
  const cleoNote = await cleo.request.post(`/ordering/api/orders/${cleoOrder}/notes`, {
    data: { body: "Birch's own note." },
  });
  expect(cleoNote.ok()).toBe(true);
  await expect.poll(async () => (await recorded(cleo)).length).toBeGreaterThan(0);
  const numbers = (await recorded(cleo)).map((event) => JSON.parse(event.data).number ?? "");
  expect(numbers).toContain("ORD-2002");
  expect(numbers.filter((number: string) => number.startsWith("ORD-1"))).toEqual([]);
});
