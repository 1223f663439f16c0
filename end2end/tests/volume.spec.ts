import { expect, test } from "@playwright/test";
import { cardNumbers, expectAccessible, signIn, waitForHydration } from "./support";

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
