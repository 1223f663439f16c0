import { expect, test, type Page } from "@playwright/test";
import { signIn, waitForHydration } from "./support";

// Uploads from the order page go to the server function
// `/api/upload-attachments`, with a progress bar, by choosing or dropping
// files; staff add vendor reports the same way.
test.describe.configure({ mode: "serial" });

const UPLOAD_FN = "/api/upload-attachments?order=";

/** A PDF of about `size` bytes: recognised by its first bytes. */
function pdf(size: number): Buffer {
  const head = Buffer.from("%PDF-1.4\n1 0 obj\n<< >>\nendobj\n");
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), "x")]);
}

async function openOrder(page: Page, view: string, number: string): Promise<void> {
  await page.goto(view);
  await waitForHydration(page);
  // Staff see every company's orders: find it by its number.
  await page.getByLabel("Search orders by number or title").fill(number);
  await page.getByRole("link", { name: number, exact: true }).click();
  await expect(page.getByTestId("order-detail")).toHaveAttribute("data-number", number);
  await waitForHydration(page);
}

test("a document goes to the upload server function with a progress bar", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await openOrder(page, "/orders", "ORD-1006");
  // A slow line, so that the transfer takes long enough to watch.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 1024 * 1024,
  });
  const answered = page.waitForResponse((response) => response.url().includes(UPLOAD_FN));
  await page.getByLabel("Upload documents").setInputFiles({
    name: "survey-scan.pdf",
    mimeType: "application/pdf",
    buffer: pdf(2 * 1024 * 1024),
  });
  const bar = page.getByRole("progressbar", { name: "Upload progress" });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute("value")), { timeout: 10_000 }).toBeGreaterThan(0);
  expect((await answered).status()).toBe(200);
  await expect(bar).toBeHidden();
  await expect(page.locator(".documents")).toContainText("survey-scan.pdf");
  await expect(page.locator(".timeline")).toContainText("Document uploaded");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
});

test("a file dropped on the zone is uploaded, and a refusal is explained", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await openOrder(page, "/orders", "ORD-1006");
  const zone = page.getByTestId("upload-files");
  const drop = async (name: string, contents: string) => {
    const dataTransfer = await page.evaluateHandle(
      ([name, contents]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([contents], name, { type: "application/pdf" }));
        return transfer;
      },
      [name, contents],
    );
    await zone.dispatchEvent("dragover", { dataTransfer });
    await expect(zone).toHaveClass(/hover/);
    await zone.dispatchEvent("drop", { dataTransfer });
  };
  const answered = page.waitForResponse((response) => response.url().includes(UPLOAD_FN));
  await drop("dropped-deed.pdf", "%PDF-1.4\n1 0 obj\n<< >>\nendobj\n");
  expect((await answered).status()).toBe(200);
  await expect(page.locator(".documents")).toContainText("dropped-deed.pdf");
  await expect(zone).not.toHaveClass(/hover/);

  await drop("not-really.pdf", "<html><script>alert(1)</script></html>");
  await expect(zone.getByRole("alert")).toContainText("is not a PDF");
  await expect(page.locator(".documents")).not.toContainText("not-really.pdf");
});

test("staff upload a vendor report to a received order", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await openOrder(page, "/orders/completed", "ORD-1012");
  const answered = page.waitForResponse((response) => response.url().includes(UPLOAD_FN));
  await page.getByLabel("Upload vendor report").setInputFiles({
    name: "title-report-final.pdf",
    mimeType: "application/pdf",
    buffer: pdf(4096),
  });
  expect((await answered).status()).toBe(200);
  const report = page.locator('.documents li[data-kind="report"]', { hasText: "title-report-final.pdf" });
  await expect(report).toContainText("Vendor report");
});
