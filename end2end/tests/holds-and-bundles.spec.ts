import { expect, test, type Page } from "@playwright/test";
import * as fs from "node:fs";
import { expectAccessible, orderId, signIn, waitForHydration } from "./support";

// Hold checklists and kept batches, on the project's own server: each test
// builds on the one before.
test.describe.configure({ mode: "serial" });

function pdf(text: string): { name: string; mimeType: string; buffer: Buffer } {
  return {
    name: text,
    mimeType: "application/pdf",
    buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
  };
}

async function openOrder(page: Page, number: string): Promise<void> {
  const id = await orderId(page, number);
  await page.goto(`/order/${id}`);
  await expect(page.getByTestId("order-detail")).toHaveAttribute("data-number", number);
  await waitForHydration(page);
}

test("staff hold an order asking for two documents, which the customer provides one by one before resubmitting", async ({ browser }) => {
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, "sam@fts.test");
  await openOrder(sam, "ORD-2006");
  const ask = sam.getByTestId("ask-documents");
  // The product's own list is offered; staff add one of their own.
  await ask.getByLabel("Signed authorization").check();
  await expect(ask.getByLabel("Legal description")).not.toBeChecked();
  await ask.getByLabel("Other documents, one per line").fill("Flood zone map");
  await sam.getByLabel("Reason the customer will read").fill("We need your signed authorization and the flood zone map.");
  await sam.getByRole("button", { name: "Put on hold" }).click();
  await expect(sam.getByTestId("order-detail").locator("[data-status]").first()).toHaveText("On Hold");
  await expect(sam.getByTestId("checklist-progress")).toHaveText("0 of 2 provided");

  const cleo = await (await browser.newContext()).newPage();
  await signIn(cleo, "cleo@birch.test");
  await cleo.goto("/orders/on-hold");
  await waitForHydration(cleo);
  const card = cleo.locator("[data-testid=order-card][data-number=ORD-2006]");
  await expect(card.getByTestId("card-checklist")).toContainText("Waiting for 2 of 2 documents");
  await expect(card.getByTestId("card-checklist")).toContainText("Flood zone map");

  await openOrder(cleo, "ORD-2006");
  const checklist = cleo.getByTestId("checklist");
  await expect(checklist.locator("li")).toHaveCount(2);
  const resubmit = cleo.getByRole("button", { name: "Resubmit" });
  await expect(resubmit).toBeDisabled();
  await expectAccessible(cleo);

  await cleo.getByLabel("Upload “Signed authorization”").setInputFiles(pdf("authorization.pdf"));
  await expect(checklist.locator("li[data-item='Signed authorization']")).toHaveAttribute("data-satisfied", "true");
  await expect(checklist.locator("li[data-item='Signed authorization']")).toContainText("authorization.pdf");
  await expect(cleo.getByTestId("checklist-progress")).toHaveText("1 of 2 provided");
  await expect(resubmit).toBeDisabled();
  await expect(cleo.getByTestId("resubmit-waits")).toContainText("Upload the 1 document");

  await cleo.getByLabel("Upload “Flood zone map”").setInputFiles(pdf("flood-map.pdf"));
  await expect(cleo.getByTestId("checklist-progress")).toHaveText("2 of 2 provided");
  await expect(resubmit).toBeEnabled();
  await cleo.getByLabel("What did you correct?").fill("Both documents are attached.");
  await resubmit.click();
  await expect(cleo.getByTestId("order-detail").locator("[data-status]").first()).toHaveText("Resubmitted");
  await expect(cleo.locator(".timeline")).toContainText("“Flood zone map” answered by flood-map.pdf");

  // Staff see which file answered which item.
  await sam.reload();
  await waitForHydration(sam);
  const staffView = sam.getByTestId("checklist");
  await expect(staffView.locator("li[data-item='Signed authorization']")).toContainText("authorization.pdf");
  await expect(staffView.locator("li[data-item='Flood zone map']")).toContainText("flood-map.pdf");
  await expect(sam.getByTestId("checklist-progress")).toHaveText("2 of 2 provided");
});

test("staff hold several orders from the list at once, asking each for the same document", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await page.goto("/orders/resubmitted?layout=table");
  await waitForHydration(page);
  await page.getByLabel("Select ORD-1009").check();
  await page.getByLabel("Select ORD-2009").check();
  await page.getByLabel("Move selected orders to").selectOption({ label: "On Hold" });
  await page.getByLabel("Reason the customer will read").fill("Each of these needs the signed survey.");
  await page.getByLabel("Documents each customer must provide (optional), one per line").fill("Signed survey\n\n");
  await page.getByRole("button", { name: "Move 2 selected" }).click();
  const results = page.getByTestId("batch-results");
  await expect(results).toContainText("ORD-1009: On Hold.");
  await expect(results).toContainText("ORD-2009: On Hold.");

  // The table shows where each checklist stands.
  await page.goto("/orders/on-hold?layout=table");
  await waitForHydration(page);
  for (const number of ["ORD-1009", "ORD-2009"]) {
    const row = page.locator("tr", { hasText: number });
    await expect(row.getByTestId("row-checklist")).toHaveText("Waiting for 1 of 1 documents");
  }
  await expectAccessible(page);
});

test("an administrator edits the documents offered for a product", async ({ page }) => {
  await signIn(page, "root@fts.test");
  await page.goto("/admin/products");
  await waitForHydration(page);
  const form = page.locator("[data-testid=product-documents][data-product='Lien Search']");
  await form.getByLabel("Lien Search").fill("Signed authorization\nPayoff letter\n");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("status")).toHaveText("Saved");
  await expectAccessible(page);
  await page.reload();
  await expect(page.locator("[data-testid=product-documents][data-product='Lien Search'] textarea")).toHaveValue(
    "Signed authorization\nPayoff letter",
  );
});

test("a batch's results stay on the batches page", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  // A bulk move made through the API as Sam, then read in the pages.
  const ids = [await orderId(page, "ORD-1006"), await orderId(page, "ORD-1013")];
  const answer = await page.request.post("/ordering/api/orders/transition", {
    data: { order_ids: ids, to: "ordered" },
  });
  expect(answer.ok()).toBe(true);
  const result = await answer.json();
  expect(result.batch_id).toBeTruthy();

  await page.goto("/batches");
  await waitForHydration(page);
  const row = page.getByTestId("batch-row").first();
  await expect(row).toContainText("Move to Ordered");
  await expect(row).toContainText("Sam Staff");
  await expectAccessible(page);
  await row.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/batches/${result.batch_id}$`));
  const results = page.getByTestId("batch-result");
  await expect(results).toHaveCount(2);
  await expect(results.nth(0)).toHaveAttribute("data-ok", "true");
  await expect(results.nth(0)).toContainText("ORD-1006");
  await expect(results.nth(1)).toHaveAttribute("data-ok", "false");
  await expect(results.nth(1)).toContainText("ORD-1013");
  await expect(results.nth(1)).toContainText("not possible while the order is Complete");
  await expectAccessible(page);
});

test("a customer downloads the files of two completed orders as one zip, and staff see who downloaded them", async ({ browser }) => {
  const ava = await (await browser.newContext()).newPage();
  await signIn(ava, "ava@acme.test");
  await ava.goto("/orders/completed");
  await waitForHydration(ava);
  await ava.getByLabel("Select ORD-1012 for the files download").check();
  await ava.getByLabel("Select ORD-1013 for the files download").check();
  const link = ava.getByTestId("download-bundle");
  await expect(link).toHaveText("Download the files of 2 selected (.zip)");
  await expectAccessible(ava);
  const [download] = await Promise.all([ava.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe("reports.zip");
  const zip = fs.readFileSync(await download.path());
  expect(zip.subarray(0, 2).toString()).toBe("PK");
  const names = zip.toString("latin1");
  expect(names).toContain("ORD-1012/reports/ORD-1012-vendor-report.pdf");
  expect(names).toContain("ORD-1013/documents/purchase-agreement.pdf");
  expect(names).toContain("manifest.txt");

  await openOrder(ava, "ORD-1012");
  const report = ava.locator(".documents li", { hasText: "ORD-1012-vendor-report.pdf" });
  await expect(report.getByTestId("first-download")).toContainText("First downloaded by your company");

  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, "sam@fts.test");
  await openOrder(sam, "ORD-1012");
  const seen = sam.locator(".documents li", { hasText: "ORD-1012-vendor-report.pdf" });
  await expect(seen.getByTestId("downloads")).toContainText("Downloaded 1 time: Ava Adams (bundle)");
});
