import { expect, test } from "@playwright/test";
import { cardNumbers, expectAccessible, orderId, signIn, waitForHydration } from "./support";

test("staff work in a dense table, sort it by urgency and see what is late", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await waitForHydration(page);
  const table = page.getByTestId("order-table");
  await expect(table).toBeVisible();
  await expect(page.getByRole("button", { name: "Table" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("order-card")).toHaveCount(0);

  // Sorted from the keyboard: the Due header, focused, answers Enter.
  await page.getByTestId("sort-due").focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/sort=urgency/);
  await expect(table.locator("th[aria-sort=ascending]")).toHaveText(/Due/);
  await expect(page.getByLabel("Sort")).toHaveValue("urgency");

  // The most overdue order leads, marked in words as well as colour.
  const first = table.getByTestId("order-row").first();
  await expect(first).toHaveClass(/overdue/);
  await expect(first.getByTestId("sla")).toHaveText(/^Overdue: \d+ business days? late$/);
  // Due dates never go back down the list, and unsubmitted orders (no
  // clock, no due date of their own) come last.
  const states = await table.getByTestId("order-row").evaluateAll((rows) =>
    rows.map((row) => row.querySelector("[data-testid=sla]")?.getAttribute("title") ?? ""),
  );
  const dues = states.filter((title) => title !== "").map((title) => title.replace("Due ", ""));
  expect(dues).toEqual([...dues].sort());
  expect(states.slice(states.findIndex((title) => title === ""))).toEqual(
    states.filter((title) => title === ""),
  );
  await expectAccessible(page);

  // The Placed header sorts by date, oldest first, then newest first.
  await page.getByTestId("sort-placed").click();
  await expect(page).toHaveURL(/sort=oldest/);
  await page.getByTestId("sort-placed").click();
  await expect(page).not.toHaveURL(/sort=/);

  // Checkboxes in the rows feed the bulk move.
  await page.getByLabel("Select ORD-1006").check();
  await expect(page.getByRole("form", { name: "Move selected orders" })).toBeVisible();
});

test("a customer chooses the table, which stays their layout", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);
  await expect(page.getByTestId("order-card").first()).toBeVisible();
  const cards = await cardNumbers(page);

  await page.getByRole("button", { name: "Table" }).click();
  await expect(page).toHaveURL(/layout=table/);
  await expect(page.getByTestId("order-table")).toBeVisible();
  expect((await cardNumbers(page)).sort()).toEqual([...cards].sort());

  // Another list, and a new visit: still the table, from her account.
  await page.getByRole("link", { name: /^On Hold/ }).click();
  await expect(page.getByTestId("order-table")).toBeVisible();
  await page.goto("/orders");
  await waitForHydration(page);
  await expect(page.getByTestId("order-table")).toBeVisible();
  // Customers see the same clock as staff: ORD-1006 was submitted nine
  // days ago with five business days to turn around.
  await expect(
    page.getByTestId("order-row").filter({ hasText: "ORD-1006" }).getByTestId("sla"),
  ).toHaveText(/late$/);

  // And back to the cards, which stay too.
  await page.getByRole("button", { name: "Cards" }).click();
  await expect(page).toHaveURL(/layout=cards/);
  await expect(page.getByTestId("order-card").first()).toBeVisible();
  await page.goto("/orders");
  await expect(page.getByTestId("order-card").first()).toBeVisible();
});

test("staff read the dashboard, drawn on the server and readable without sight", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  for (const chart of ["open-by-status", "aging", "weekly", "holds", "turnaround"]) {
    await expect(page.getByTestId(`chart-${chart}`).locator("svg")).toBeVisible();
  }
  // The figures behind each drawing, as tables: two orders are submitted
  // in the demo data (ORD-1006 and ORD-2006).
  const byStatus = page.getByRole("table", { name: "Open orders by status" });
  await expect(byStatus.getByRole("row", { name: /^Submitted/ })).toHaveText(/Submitted\s*2/);
  await expect(page.getByRole("table", { name: "Orders placed and completed per week" }).getByRole("row")).toHaveCount(13);
  await expectAccessible(page);
});

test("customers have no dashboard", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);
  await expect(page.getByRole("link", { name: "Dashboard" })).toHaveCount(0);
  const answer = await page.goto("/dashboard");
  expect(answer?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("on a phone the list comes first, the navigation is a menu, and every control is big enough to tap", async ({
  browser,
  baseURL,
}) => {
  const screen = { width: 390, height: 844 };
  const context = await browser.newContext({ baseURL, viewport: screen, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);

  const navigation = page.getByRole("navigation", { name: "Order views" });
  await expect(navigation).toBeHidden();
  const firstCard = page.getByTestId("order-card").first();
  await expect(firstCard).toBeVisible();
  const card = (await firstCard.boundingBox())!;
  expect(card.y + card.height / 2, "the first order is in the first screen").toBeLessThan(screen.height);

  // Every control of the first screen is at least 44 px each way.
  const small = await page.evaluate((height) => {
    const controls = document.querySelectorAll(
      "a, button, select, input:not([type=checkbox]), label.checkbox",
    );
    return [...controls]
      .map((control) => ({ control, box: control.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0 && box.top < height)
      .filter(({ box }) => box.width < 44 || box.height < 44)
      .map(({ control, box }) => `${control.outerHTML.slice(0, 80)}: ${box.width}×${box.height}`);
  }, screen.height);
  expect(small).toEqual([]);

  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.tap();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(navigation).toBeVisible();
  await navigation.getByRole("link", { name: /^On Hold/ }).tap();
  await expect(page).toHaveURL(/\/orders\/on-hold$/);
  await expect(navigation).toBeHidden();
  await expect(page.getByTestId("order-card").first()).toBeInViewport();
  await context.close();
});

test("times read as spans of time, exact on hover in the viewer's own time zone", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, timezoneId: "Asia/Tokyo", locale: "en-US" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (["error", "warning"].includes(message.type())) problems.push(message.text());
  });
  await signIn(page, "ava@acme.test");
  const id = await orderId(page, "ORD-1006");
  const answer = await page.request.get(`/order/${id}`);
  // The server, which knows no time zone, sends the time in UTC.
  expect(await answer.text()).toMatch(/<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">/);

  await page.goto(`/order/${id}`);
  await waitForHydration(page);
  // ORD-1006 was placed nine days before the demo data was loaded.
  const placed = page.locator(".facts div", { hasText: "Placed" }).locator("time");
  await expect(placed).toHaveText("9 days ago");
  const at = await placed.getAttribute("datetime");
  const tokyo = await page.evaluate(
    (at) => new Date(at!).toLocaleString("default", { dateStyle: "medium", timeStyle: "short" }),
    at,
  );
  await expect(placed).toHaveAttribute("title", tokyo);
  expect(tokyo).not.toContain("UTC");
  expect(problems).toEqual([]);
  await context.close();
});
