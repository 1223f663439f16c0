import { expect, test, type Page } from "@playwright/test";
import { cardNumbers, expectAccessible, expectNoReload, markPage, signIn, waitForHydration } from "./support";

// These tests change the demo data of their own server, one after another;
// each works on orders the others leave alone.
test.describe.configure({ mode: "serial" });

async function openOrder(page: Page, view: string, number: string): Promise<void> {
  await page.goto(view);
  await page.getByRole("link", { name: number, exact: true }).click();
  await expect(page.getByTestId("order-detail")).toHaveAttribute("data-number", number);
  await waitForHydration(page);
}

test("cancel one order from its card, with a confirmation dialog", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await waitForHydration(page);
  await expect(page.getByTestId("badge-in-progress")).toHaveText("9");
  await markPage(page);
  const card = page.locator('[data-testid="order-card"][data-number="ORD-1001"]');
  await card.getByRole("button", { name: "Cancel order" }).click();

  const dialog = page.getByRole("dialog", { name: "Cancel ORD-1001?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Keep order" })).toBeFocused();
  await expect(dialog.getByTestId("refund-preview")).toHaveText(/Nothing was paid/);
  // Focus stays in the dialog.
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await expectAccessible(page);
  // Escape dismisses without cancelling.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(card).toBeVisible();

  await card.getByRole("button", { name: "Cancel order" }).click();
  await dialog.getByRole("button", { name: "Yes, cancel order" }).click();
  await expect(dialog).toBeHidden();
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId("badge-in-progress")).toHaveText("8");
  await expect(page.getByTestId("badge-cancelled")).toHaveText("2");
  await expectNoReload(page);

  await page.goto("/orders/cancelled");
  await expect.poll(() => cardNumbers(page)).toContain("ORD-1001");
});

test("a paid order shows its credit before and after cancelling", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await openOrder(page, "/orders", "ORD-1002");
  await page.getByRole("button", { name: "Cancel order" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel ORD-1002?" });
  await expect(dialog.getByTestId("refund-preview")).toHaveText(
    "$125.00 will be credited to your company's account.",
  );
  await dialog.getByRole("button", { name: "Yes, cancel order" }).click();
  await expect(page.getByTestId("order-detail").locator("[data-status]").first()).toHaveText("Cancelled");
  await expect(page.getByTestId("refund")).toContainText("$125.00 account credit (credited)");
  await expect(page.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
});

test("Cancel All on a group reports each order, one of which cannot be cancelled", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  // First submit one order of the group, so it can no longer be cancelled.
  await openOrder(page, "/orders", "ORD-1004");
  await page.getByRole("button", { name: "Submit order" }).click();
  await expect(page.getByTestId("order-detail").locator("[data-status]").first()).toHaveText("Submitted");

  await page.goto("/orders");
  await waitForHydration(page);
  const group = page.getByTestId("group-card");
  await expect(group.getByTestId("order-card")).toHaveCount(3);
  await group.getByRole("button", { name: "Cancel All" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel all 3 orders?" });
  const plan = dialog.getByTestId("cancel-plan");
  await expect(plan.locator("li", { hasText: "ORD-1003" })).toContainText("Will be cancelled. $85.00 will be credited");
  await expect(plan.locator("li", { hasText: "ORD-1004" })).toContainText("Will not be cancelled: it is Submitted.");
  await expect(plan.locator("li", { hasText: "ORD-1005" })).toContainText("Will be cancelled. $40.00 will be credited");
  await dialog.getByRole("button", { name: "Yes, cancel all" }).click();

  const results = page.getByTestId("batch-results");
  await expect(results).toContainText("ORD-1003: Cancelled.");
  await expect(results).toContainText("ORD-1005: Cancelled.");
  await expect(results).toContainText("ORD-1004: not changed. This is not possible while the order is Submitted.");
  await expect.poll(() => cardNumbers(page)).not.toContain("ORD-1003");
  await expect.poll(() => cardNumbers(page)).toContain("ORD-1004");
});

test("resubmit an on-hold order with an uploaded document and a note", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await expect(page.getByTestId("badge-on-hold")).toHaveText("2");
  await openOrder(page, "/orders/on-hold", "ORD-1007");
  await expect(page.getByTestId("hold-reason")).toContainText("authorization form is missing");
  // Without a correction the portal asks for one.
  await page.getByRole("button", { name: "Resubmit" }).click();
  await expect(page.getByRole("alert")).toContainText("Explain the correction");

  await page.getByLabel("Upload documents").setInputFiles({
    name: "signed-authorization.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"),
  });
  await expect(page.locator(".documents")).toContainText("signed-authorization.pdf");
  // A file that is not what its name says is refused.
  await page.getByLabel("Upload documents").setInputFiles({
    name: "sneaky.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("<html><script>alert(1)</script></html>"),
  });
  await expect(page.getByTestId("upload-files").getByRole("alert")).toContainText("is not a PDF");

  await page.getByLabel("What did you correct?").fill("Uploaded the signed authorization form.");
  await page.getByRole("button", { name: "Resubmit" }).click();
  await expect(page.getByTestId("order-detail").locator("[data-status]").first()).toHaveText("Resubmitted");
  await expect(page.getByTestId("badge-on-hold")).toHaveText("1");
  await expect(page.getByTestId("badge-resubmitted")).toHaveText("2");
  await expect(page.locator(".notes")).toContainText("Uploaded the signed authorization form.");
  await expect(page.locator(".timeline")).toContainText("On Hold → Resubmitted");
  await expect(page.locator(".timeline")).toContainText("Document uploaded");
});

test("download the vendor report of a complete order under its original name", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await openOrder(page, "/orders/completed", "ORD-1013");
  const report = page.locator('.documents li[data-kind="report"]');
  await expect(report.getByText("Vendor report")).toBeVisible();
  const downloading = page.waitForEvent("download");
  await report.getByRole("link", { name: "Download ORD-1013-vendor-report.pdf" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("ORD-1013-vendor-report.pdf");
  const path = await download.path();
  const fs = await import("node:fs");
  expect(fs.readFileSync(path).subarray(0, 5).toString()).toBe("%PDF-");
});

test("documents of an order not yet received cannot be downloaded", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await openOrder(page, "/orders", "ORD-1006");
  await expect(page.locator(".documents")).toContainText("purchase-agreement.pdf");
  await expect(page.getByRole("link", { name: /^Download / })).toHaveCount(0);
  await expect(page.getByText("Documents can be downloaded once the order is received.")).toBeVisible();
});

test("add a note to an order", async ({ page }) => {
  await signIn(page, "ben@acme.test");
  await openOrder(page, "/orders", "ORD-1006");
  await page.getByLabel("Add a note").fill("Please call the seller's agent before ordering.");
  await page.getByRole("button", { name: "Add note" }).click();
  const note = page.locator(".notes li").last();
  await expect(note).toContainText("Please call the seller's agent before ordering.");
  await expect(note).toContainText("Ben Brooks");
  await expect(page.getByLabel("Add a note")).toHaveValue("");
  await expectAccessible(page);
});

test("Birch has cancelling turned off: no cancel buttons", async ({ page }) => {
  await signIn(page, "cleo@birch.test");
  await expect(page.getByTestId("order-card").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Cancel All" })).toHaveCount(0);
  await openOrder(page, "/orders", "ORD-2002");
  await expect(page.getByRole("button", { name: "Submit order" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
});

test("batch resubmit of several selected orders with one note", async ({ page }) => {
  await signIn(page, "cleo@birch.test");
  await page.goto("/orders/on-hold");
  await waitForHydration(page);
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2008", "ORD-2007"]);
  await page.getByLabel("Select ORD-2007 for resubmission").check();
  await page.getByLabel("Select ORD-2008 for resubmission").check();
  await page.getByLabel(/one note for all selected orders/).fill("Corrected parcel numbers and signed forms.");
  await page.getByRole("button", { name: "Resubmit 2 selected" }).click();
  const results = page.getByTestId("batch-results");
  await expect(results).toContainText("ORD-2007: Resubmitted.");
  await expect(results).toContainText("ORD-2008: Resubmitted.");
  await expect(page.getByTestId("empty")).toBeVisible();
  await expect(page.getByTestId("badge-on-hold")).toHaveText("0");
  await expect(page.getByTestId("badge-resubmitted")).toHaveText("3");
  await expectAccessible(page);
});
