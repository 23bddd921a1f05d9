// The login page's answers: a wrong password, too many attempts (429), and a
// session that ends while the app is open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, signIn, withPage } from './browser.mjs';

const MAX_FAILURES = 3;
const ctx = useServerAndBrowser({ env: { EPINET_LOGIN_MAX_FAILURES: String(MAX_FAILURES) } });

/** Submits the login form; returns the HTTP status of the login call. */
async function tryLogin(page, username, password) {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login'),
    page.getByTestId('login-submit').click(),
  ]);
  return response.status();
}

test('a wrong password shows an error and stays on the login page', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await page.goto('/login');
    assert.equal(await tryLogin(page, 'admin', 'not-the-password'), 401);
    const error = page.getByTestId('login-error');
    await error.waitFor();
    assert.match(await error.innerText(), /用户名或密码错误/);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.getByTestId('menu-home').count(), 0);
    assert.equal(await page.getByTestId('login-password').inputValue(), '', 'the wrong password is cleared');
  }, { baseURL: ctx.server.url });
});

test('too many failed attempts are refused with a time to wait', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await page.goto('/login');
    const error = page.getByTestId('login-error');
    for (let i = 0; i < MAX_FAILURES; i++) {
      assert.equal(await tryLogin(page, 'lab', `wrong-${i}`), 401);
      await error.filter({ hasText: '用户名或密码错误' }).waitFor();
    }
    assert.equal(await tryLogin(page, 'lab', 'wrong-again'), 429);
    await error.filter({ hasText: /登录尝试次数过多，请 \d+ 秒后再试/ }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
  }, { baseURL: ctx.server.url });
});

test('a session that ends while the app is open sends the user to the login page', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.context().clearCookies(); // as if the session expired
    await page.getByTestId('menu-venues').click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/venues');
  }, { baseURL: ctx.server.url });
});
