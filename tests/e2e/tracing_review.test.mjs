// A trace that lists more contacts than the review threshold (set to 1 here)
// in the browser: the commander sees the contacts and a warning that none was
// handed over, the command board counts the job and leads back to it, the
// close contacts are handed over after confirming, and the page shows the
// decision and their management status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { useServerAndBrowser, withPage, startTraceOf, hallScenario } from './browser.mjs';

const ctx = useServerAndBrowser({ env: { EPINET_TRACE_REVIEW_ABOVE: '1' } });

test('a large trace waits for the commander, who hands over the close contacts', async (t) => {
  const srv = ctx.server;
  const hall = await hallScenario(srv);
  const names = ['丙流调', '丁密接', '戊密接'];
  for (const [i, name] of names.entries()) {
    const id = newIdNumber(`1982030${i + 1}`);
    await hall.register(id, name);
    await hall.scanIn(id);
  }

  await withPage(ctx.browser, t, async (page) => {
    await startTraceOf(page, names[0]);

    const review = page.getByTestId('tracing-review');
    await review.waitFor({ timeout: 20000 });
    assert.match(await review.innerText(), /列出 2 名接触者，超过 1 名的复核阈值/);
    assert.match(await page.getByTestId('tracing-job').innerText(), /待确认移交/);
    // The contacts are listed, not yet under management.
    const contacts = page.getByTestId('tracing-contacts');
    for (const n of names.slice(1)) {
      const row = contacts.locator('tr').filter({ hasText: n }).first();
      await row.waitFor();
      assert.match(await row.innerText(), /未管控/, 'not under management yet');
    }

    // The command board counts the job waiting, and leads back to it.
    await page.goto('/management/board');
    const card = page.getByTestId('board-trace-review');
    await card.waitFor();
    assert.match(await card.innerText(), /待确认移交的流调任务\s*1\s*共列出 2 名接触者/);
    await card.click();
    await page.getByTestId('tracing-jobs').locator('tr.el-table__row').first().click();
    await review.waitFor();

    await page.getByTestId('tracing-handover-close').click();
    const box = page.locator('.el-message-box');
    assert.match(await box.innerText(), /将 2 名密切接触者纳入闭环管理/);
    // Styled as a dialog in the middle of the page (without its stylesheet it is bare text in the corner).
    const at = await box.boundingBox();
    assert.ok(at.x > 100 && at.y > 100, JSON.stringify(at));
    await box.getByRole('button', { name: '确认移交' }).click();
    const decision = page.getByTestId('tracing-decision');
    await decision.waitFor({ timeout: 20000 });
    assert.match(await decision.innerText(), /commander[\s\S]*决定移交：密切接触者/);
    await page.waitForFunction(() => !document.querySelector('[data-testid=tracing-review]'));
    const row = contacts.locator('tr').filter({ hasText: names[1] }).first();
    await row.waitFor({ timeout: 20000 });
    assert.match(await row.innerText(), /密切接触者[\s\S]*密切接触者/, 'the management column says close contact now');
  }, { baseURL: srv.url });
  const job = (await (await login(srv.url, 'commander')).get('/api/v1/tracing/jobs')).json.items[0];
  assert.deepEqual([job.status, job.counts.enrolled, job.decision.kinds], ['done', 2, ['close']]);
});
