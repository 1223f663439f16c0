import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// The release build of the portal, once per project, each on its own port
// over its own throwaway SQLite database with the demo data: the read-only
// tests see the demo data as loaded, whatever the action tests change.
const root = path.resolve(__dirname, "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const basePort = Number(process.env.E2E_PORT ?? 3100);
const projects = [
  "foundation",
  "actions",
  "lifecycle",
  "admin",
  "placing",
  "uploads",
  "live",
  "instances",
  "export",
  "api-docs",
  "volume",
  "holds-and-bundles",
];

function server(port: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-e2e-"));
  return {
    command: path.join(targetDir, "release", "ordering-portal"),
    cwd: root,
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    env: {
      DATABASE_URL: `sqlite://${path.join(dataDir, "portal.db")}`,
      FILES_DIR: path.join(dataDir, "files"),
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      RUST_LOG: "warn",
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  projects: projects.map((name, index) => ({
    name,
    testMatch: `${name}.spec.ts`,
    use: { baseURL: `http://127.0.0.1:${basePort + index}` },
  })),
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: projects.map((_, index) => server(basePort + index)),
});
