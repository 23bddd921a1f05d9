// Divisions: the lazy tree lists children in the table; an admin adds a child
// division and renames it; others only read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

const tableRows = (page) => page.getByTestId('division-table').locator('.el-table__body tr');
const treeNode = (page, name) => page.getByTestId('division-tree').locator('.el-tree-node__content').filter({ hasText: name });

test('an admin browses the tree, adds a sub-district and renames it', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'admin');
    await page.getByTestId('menu-divisions').click();
    // The jurisdiction's city opens by itself and the table lists its 11 districts.
    await tableRows(page).filter({ hasText: '介休市' }).waitFor();
    assert.equal(await tableRows(page).count(), 11);

    await treeNode(page, '榆次区').click();
    await tableRows(page).filter({ hasText: '新建街道' }).waitFor();
    assert.equal(await tableRows(page).count(), 2);

    await page.getByTestId('division-add-child').click();
    await page.getByTestId('division-code').fill('140702099');
    await page.getByTestId('division-name').fill('测试街道');
    await page.getByTestId('division-name-en').fill('Test Subdistrict');
    await page.getByTestId('division-save').click();
    await page.getByTestId('division-dialog').waitFor({ state: 'hidden' });
    const row = tableRows(page).filter({ hasText: '测试街道' });
    await row.waitFor();
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /140702099 测试街道 Test Subdistrict 街道\/乡镇/);

    await row.getByTestId('division-rename').click();
    await page.getByTestId('division-name').fill('测试新街道');
    await page.getByTestId('division-save').click();
    await tableRows(page).filter({ hasText: '测试新街道' }).waitFor();

    // The tree shows it under its district once that is opened.
    await treeNode(page, '榆次区').locator('.el-tree-node__expand-icon').click();
    await treeNode(page, '测试新街道').waitFor();
  }, { baseURL: ctx.server.url });
});

test('a community worker reads divisions without buttons to change them', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'community_worker');
    await page.getByTestId('menu-divisions').click();
    // Their jurisdiction is the community: its 12 compounds are listed.
    await tableRows(page).filter({ hasText: '东湖湾小区' }).waitFor();
    assert.equal(await tableRows(page).count(), 12);
    assert.equal(await page.getByTestId('division-add-child').count(), 0);
    assert.equal(await page.getByTestId('division-rename').count(), 0);
  }, { baseURL: ctx.server.url });
});
