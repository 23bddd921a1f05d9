// Venues: creating one through the dialog and finding it with the search box;
// write buttons only for those who may write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, search, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

/** Opens a division picker and picks the (top-level) division with this name. */
async function pickDivision(page, picker, name) {
  await picker.click();
  await page.locator('.el-tree-node__content:visible').filter({ hasText: name }).first().click();
}

test('a commander creates a venue with two entrances and finds it by searching', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('menu-venues').click();
    await page.getByTestId('venue-table').waitFor();

    await page.getByTestId('venue-create').click();
    const dialog = page.getByTestId('venue-dialog');
    await dialog.waitFor();
    const name = `榆次区测试核酸采样点 ${Date.now()}`;
    await page.getByTestId('venue-name').fill(name);
    await page.getByTestId('venue-type').click();
    await page.getByTestId('venue-type-hospital').click();
    await page.getByTestId('venue-capacity').locator('input').fill('250');
    await pickDivision(page, page.getByTestId('venue-division'), '晋中市');
    await page.getByTestId('venue-address').fill('榆次区迎宾街 1 号');
    await page.getByTestId('venue-entrance-name-0').fill('东门');
    await page.getByTestId('venue-entrance-direction-0').getByText('入口', { exact: true }).click();
    await page.getByTestId('venue-entrance-add').click();
    await page.getByTestId('venue-entrance-name-1').fill('西门');
    await page.getByTestId('venue-entrance-direction-1').getByText('出口', { exact: true }).click();
    await page.getByTestId('venue-save').click();
    await dialog.waitFor({ state: 'hidden' });

    await search(page, 'venue-search', name, 'venue-table');
    const rows = page.getByTestId('venue-table').locator('.el-table__body tr');
    assert.equal(await rows.count(), 1);
    const row = (await rows.first().innerText()).replace(/\s+/g, ' ');
    assert.match(row, /医院/);
    assert.match(row, /东门 · 入口 西门 · 出口 编辑/);

    // What the page showed is what the ctx.server stored.
    const res = await page.request.get(`/api/v1/venues?q=${encodeURIComponent(name)}`);
    const [venue] = (await res.json()).items;
    assert.equal(venue.type, 'hospital');
    assert.equal(venue.capacity, 250);
    assert.equal(venue.division_name, '晋中市');
    assert.deepEqual(venue.entrances, [{ name: '东门', direction: 'in' }, { name: '西门', direction: 'out' }]);
  }, { baseURL: ctx.server.url });
});

test('venue staff see their venue but no buttons to change venues', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'venue_staff');
    await page.getByTestId('menu-venues').click();
    const rows = page.getByTestId('venue-table').locator('.el-table__body tr');
    await rows.filter({ hasText: '晋中市民之家' }).waitFor();
    assert.equal(await rows.count(), 1);
    assert.equal(await page.getByTestId('venue-create').count(), 0);
    assert.equal(await page.getByTestId('venue-edit').count(), 0);
  }, { baseURL: ctx.server.url });
});
