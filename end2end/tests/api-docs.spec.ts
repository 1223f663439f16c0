import { expect, test } from "@playwright/test";
import { signIn } from "./support";

test("an integrator reads the API docs and tries a call with their session", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith("http://127.0.0.1") && !request.url().startsWith("data:")) {
      elsewhere.push(request.url());
    }
  });
  await signIn(page, "ava@acme.test");

  await page.goto("/ordering/api/docs");
  await expect(page).toHaveURL(/\/ordering\/api\/docs\/$/);
  await expect(page.getByRole("heading", { name: /Ordering Portal API/ })).toBeVisible();
  for (const tag of ["orders", "actions", "files", "admin"]) {
    await expect(page.locator(`#operations-tag-${tag}`)).toBeVisible();
  }

  const me = page.locator("#operations-auth-auth_me");
  await expect(me).toContainText("The user, company, group, permissions and flags.");
  // "Try it out" is on from the start.
  await me.locator(".opblock-summary").click();
  await me.getByRole("button", { name: "Execute" }).click();
  const answer = me.locator(".live-responses-table");
  await expect(answer.locator("tr.response td.response-col_status")).toHaveText("200");
  await expect(answer).toContainText('"email": "ava@acme.test"');

  expect(elsewhere, "requests outside the portal").toEqual([]);
  expect(problems).toEqual([]);
});
