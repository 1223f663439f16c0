import { expect, test } from "@playwright/test";
import { expectAccessible, signIn, waitForHydration } from "./support";

test("a customer places an order and lands on it", async ({ page }) => {
  await signIn(page, "ben@acme.test");
  await expect(page.getByTestId("badge-in-progress")).toHaveText("3");
  await page.getByRole("link", { name: "New order" }).click();
  await expect(page).toHaveURL(/\/orders\/new$/);
  await expect(page.getByRole("heading", { name: "New order" })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("Product").selectOption({ index: 1 });
  await page.getByLabel("Title").fill("14 Birch Lane");
  await page.getByRole("button", { name: "Place order" }).click();

  await expect(page).toHaveURL(/\/order\/\d+$/);
  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toContainText("ORD-1000");
  await expect(heading).toContainText("14 Birch Lane");
  await expect(page.getByTestId("order-detail").locator("header .status")).toHaveText("Unprocessed");
  await expect(page.getByTestId("badge-in-progress")).toHaveText("4");
});

test("several orders placed together form one group", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await page.goto("/orders/new");
  await waitForHydration(page);
  await page.getByLabel("Title").fill("Lot 1");
  await page.getByRole("button", { name: "Add another order" }).click();
  await page.getByRole("group", { name: "Order 2" }).getByLabel("Title").fill("Lot 2");
  await page.getByRole("button", { name: "Add another order" }).click();
  await page.getByRole("group", { name: "Order 3" }).getByLabel("Title").fill("Not this one");
  await page.getByRole("button", { name: "Remove order 3" }).click();
  await expect(page.getByRole("group", { name: /^Order \d$/ })).toHaveCount(2);
  await page.getByRole("button", { name: "Place orders" }).click();

  await expect(page).toHaveURL(/\/orders$/);
  const group = page.getByTestId("group-card").filter({ hasText: "Lot 1" });
  await expect(group.getByTestId("order-card")).toHaveCount(2);
  await expect(group).toContainText("Lot 2");
  await expect(group).not.toContainText("Not this one");
  await expect(group.getByRole("button", { name: "Cancel All" })).toBeVisible();
});

test("a blank title is explained and nothing is placed", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await page.goto("/orders/new");
  await waitForHydration(page);
  await page.getByLabel("Title").fill("   ");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByRole("alert")).toHaveText("Give each order a title.");
  await expect(page).toHaveURL(/\/orders\/new$/);
});

test("staff do not place orders", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await expect(page.getByRole("link", { name: "New order" })).toHaveCount(0);
  const response = await page.goto("/orders/new");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a long list loads more orders on demand", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  // Thirty orders, placed through the API in two batches (at most 20 each).
  for (const batch of [0, 1]) {
    const orders = Array.from({ length: 15 }, (_, index) => ({
      product_id: 1,
      title: `Bulk parcel ${String(batch * 15 + index + 1).padStart(2, "0")}`,
    }));
    const response = await page.request.post("/ordering/api/orders", { data: { orders } });
    expect(response.status()).toBe(201);
  }
  await page.goto("/orders");
  await waitForHydration(page);
  await page.getByLabel("Search orders by number or title").fill("Bulk parcel");
  // The search is sent once typing pauses: wait for it, not for the list before it.
  await expect(page).toHaveURL(/\?q=Bulk\+parcel$/);
  const cards = page.getByTestId("order-card");
  await expect(cards).toHaveCount(25);
  // Newest first: the oldest orders come with the second page.
  await expect(cards.filter({ hasText: "Bulk parcel 01" })).toHaveCount(0);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(cards).toHaveCount(30);
  await expect(cards.filter({ hasText: "Bulk parcel 01" })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});
