import { expect, test } from "@playwright/test";
import { cardNumbers, expectAccessible, listedOrders, signIn, waitForHydration } from "./support";

test("an anonymous visit to /orders ends at /login", async ({ page }) => {
  await page.goto("/orders");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Ordering Portal" })).toBeVisible();
  await expectAccessible(page);
});

test("a wrong password shows an error and does not sign in", async ({ page }) => {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("E-mail").fill("ava@acme.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The e-mail address or password is not correct.");
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/orders");
  await expect(page).toHaveURL(/\/login$/);
});

test("ava lands on In Progress with the right badges", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("In Progress");
  const badges = {
    "in-progress": "9",
    "on-hold": "2",
    resubmitted: "1",
    completed: "2",
    cancelled: "1",
  };
  for (const [view, count] of Object.entries(badges)) {
    await expect(page.getByTestId(`badge-${view}`)).toHaveText(count);
  }
  await expect(page.getByTestId("who")).toContainText("Ava Adams");
  await expect.poll(() => cardNumbers(page)).toHaveLength(9);
  await expectAccessible(page);
});

test("the page is hydrated: search filters as you type", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);
  await page.getByLabel("Search orders by number or title").fill("cedar");
  await expect(page.getByTestId("order-card")).toHaveCount(3);
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-1005", "ORD-1004", "ORD-1003"]);
  // The page stays; only its address takes the search.
  await expect(page).toHaveURL(/\/orders\?q=cedar$/);
  await page.getByLabel("Search orders by number or title").fill("no such order");
  await expect(page.getByTestId("empty")).toBeVisible();
});

test("the sidebar switches views in the browser", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);
  await page.getByRole("link", { name: /On Hold/ }).click();
  await expect(page).toHaveURL(/\/orders\/on-hold$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("On Hold");
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-1008", "ORD-1007"]);
  await expect(page.getByTestId("order-card").first().getByRole("note")).toContainText("parcel number");
  await expectAccessible(page);
});

test("ben sees only the orders he placed", async ({ page }) => {
  await signIn(page, "ben@acme.test");
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-1010", "ORD-1006", "ORD-1002"]);
  await expect(page.getByTestId("badge-in-progress")).toHaveText("3");
  await page.goto("/orders/completed");
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-1013"]);
});

test("cleo sees none of Acme's orders", async ({ page }) => {
  await signIn(page, "cleo@birch.test");
  await expect
    .poll(async () => {
      const numbers = await cardNumbers(page);
      return numbers.length === 9 && numbers.every((number) => number.startsWith("ORD-2"));
    })
    .toBe(true);
  // Order 1 is Acme's first demo order: asked for directly, it does not
  // exist for her.
  await page.goto("/order/1");
  await expect(page.getByRole("heading", { name: "Order not found" })).toBeVisible();
});

test("the order page shows status, reason and the allowed actions", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await page.goto("/orders/on-hold");
  await page.getByRole("link", { name: "ORD-1007" }).click();
  await expect(page).toHaveURL(/\/order\/\d+$/);
  const detail = page.getByTestId("order-detail");
  await expect(detail.locator("[data-status]").first()).toHaveText("On Hold");
  await expect(page.getByTestId("hold-reason")).toContainText("authorization form");
  await expect(page.getByRole("button", { name: "Resubmit" })).toBeVisible();
  await expect(page.getByLabel("Add a note")).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Submit order" })).toHaveCount(0);
  await expect(page.getByText("Internal:")).toHaveCount(0);
  await expectAccessible(page);
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "ben@acme.test");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/orders");
  await expect(page).toHaveURL(/\/login$/);
});

test("staff filter the queue by company, status and product", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await waitForHydration(page);
  await expect(page.getByTestId("badge-in-progress")).toHaveText("18");
  await page.getByLabel("Company").fill("Birch Legal");
  await expect(listedOrders(page)).toHaveCount(9);
  await expect
    .poll(async () => (await cardNumbers(page)).every((number) => number.startsWith("ORD-2")))
    .toBe(true);
  await page.getByLabel("Status").selectOption({ label: "Pending" });
  await expect(listedOrders(page)).toHaveCount(4);
  await page.getByLabel("Product").selectOption({ label: "Title Search" });
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2004", "ORD-2003", "ORD-2002"]);
  await page.getByLabel("Sort").selectOption({ label: "Oldest first" });
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2002", "ORD-2003", "ORD-2004"]);
  await expectAccessible(page);

  // The list is its URL: a reload shows it again, from the server's HTML.
  await expect(page).toHaveURL(/status=pending/);
  await expect(page).toHaveURL(/company_id=\d+/);
  await expect(page).toHaveURL(/product_id=\d+/);
  await expect(page).toHaveURL(/sort=oldest/);
  await page.reload();
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2002", "ORD-2003", "ORD-2004"]);
  await waitForHydration(page);
  await expect(page.getByLabel("Company")).toHaveValue("Birch Legal");
  await expect(page.getByLabel("Status")).toHaveValue("pending");
  await expect(page.getByLabel("Sort")).toHaveValue("oldest");
  // Back steps through the filters as they were chosen.
  await page.goBack();
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2004", "ORD-2003", "ORD-2002"]);
  await expect(page.getByLabel("Sort")).toHaveValue("newest");
  await page.goBack();
  await expect(listedOrders(page)).toHaveCount(4);
  await page.goForward();
  await page.goForward();
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2002", "ORD-2003", "ORD-2004"]);
});

test("a search is a link, sent once typing pauses", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await waitForHydration(page);
  let lists = 0;
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/list-orders") lists += 1;
  });
  await page.getByRole("searchbox", { name: "Search orders by number or title" }).pressSequentially("ORD-200", { delay: 40 });
  await expect(page).toHaveURL(/\?q=ORD-200$/);
  await expect.poll(async () => (await cardNumbers(page)).every((number) => number.startsWith("ORD-200"))).toBe(true);
  expect(lists, "one list request for the whole word").toBeLessThanOrEqual(2);
  const shown = await cardNumbers(page);
  await page.goto("/orders?q=ORD-200");
  await expect.poll(() => cardNumbers(page)).toEqual(shown);
  await expect(page.getByRole("searchbox", { name: "Search orders by number or title" })).toHaveValue("ORD-200");
});

test("pages run under the Content Security Policy without violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const response = await page.goto("/login");
  expect(response?.headers()["content-security-policy"]).toContain("'wasm-unsafe-eval'");
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);
  await page.getByRole("link", { name: /On Hold/ }).click();
  await page.getByRole("link", { name: "ORD-1007", exact: true }).click();
  await expect(page.getByTestId("order-detail")).toBeVisible();
  await waitForHydration(page);
  expect(violations).toEqual([]);
});

test("the bundle arrives compressed and no page logs an error or a warning", async ({ page }) => {
  const logged: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      logged.push(`${page.url()} ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => logged.push(`${page.url()} uncaught: ${error.message}`));
  const encodings = new Map<string, string>();
  page.on("response", async (response) => {
    const path = new URL(response.url()).pathname;
    // The first load; later ones revalidate and answer from the cache.
    if (path.startsWith("/pkg/") && !encodings.has(path)) {
      encodings.set(path, "pending");
      encodings.set(path, (await response.headerValue("content-encoding")) ?? "none");
    }
  });
  await signIn(page, "ava@acme.test");
  for (const path of ["/orders/on-hold", "/notifications", "/orders/new", "/order/1"]) {
    await page.goto(path);
    await waitForHydration(page);
  }
  for (const extension of [".wasm", ".js", ".css"]) {
    const served = [...encodings].filter(([path]) => path.endsWith(extension));
    expect(served.length, extension).toBeGreaterThan(0);
    for (const [path, encoding] of served) expect(encoding, path).toMatch(/^(br|gzip)$/);
  }
  expect(logged).toEqual([]);
  await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", /orders/);
});

test("a second visit fetches no bundle bytes", async ({ page }) => {
  await page.goto("/login");
  await waitForHydration(page);
  const network = await page.context().newCDPSession(page);
  await network.send("Network.enable");
  const bundle = new Set<string>();
  let fetched = 0;
  network.on("Network.requestWillBeSent", (event) => {
    if (new URL(event.request.url).pathname.startsWith("/pkg/")) bundle.add(event.requestId);
  });
  network.on("Network.loadingFinished", (event) => {
    if (bundle.has(event.requestId)) fetched += event.encodedDataLength;
  });
  await page.goto("/login");
  await waitForHydration(page);
  expect(bundle.size, "the page loads its bundle").toBeGreaterThanOrEqual(3);
  expect(fetched, "bytes of the bundle over the network").toBe(0);
});

test("on a phone, nothing moves while a page loads and nothing is wider than the screen", async ({ browser, baseURL }) => {
  const phone = { width: 412, height: 823 };
  for (const [email, paths] of [
    ["ava@acme.test", ["/orders", "/orders/on-hold", "/orders/completed"]],
    ["root@fts.test", ["/admin", "/admin/companies", "/admin/users"]],
  ] as const) {
    const context = await browser.newContext({ baseURL, viewport: phone, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, email);
    // Every layout shift of each load, as the browser counts them for CLS.
    await page.addInitScript(() => {
      const shifts: number[] = [];
      (window as unknown as { shifts: number[] }).shifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
          if (!entry.hadRecentInput) shifts.push(entry.value);
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    for (const path of paths) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator(".loading")).toHaveCount(0);
      await page.waitForTimeout(300);
      const { shift, width, screen } = await page.evaluate(() => ({
        shift: (window as unknown as { shifts: number[] }).shifts.reduce((sum, value) => sum + value, 0),
        width: document.documentElement.scrollWidth,
        screen: window.innerWidth,
      }));
      expect(shift, `${path}: layout shift`).toBeLessThanOrEqual(0.05);
      expect([width, screen], `${path}: page width`).toEqual([phone.width, phone.width]);
    }
    await context.close();
  }
});
