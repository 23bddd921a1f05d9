// Scanning with the phone's camera: Chromium's fake camera plays a video of a
// health code's QR (drawn here from the server's own qr_svg), and the
// checkpoint page decodes it (BarcodeDetector where the browser has one, else
// the bundled jsQR — Chromium on Linux has none, so this exercises jsQR).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { login, startServer, tmpDir } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { PHONE, SHOTS, launchBrowser, signIn, withPage } from './browser.mjs';

/**
 * A Y4M video (what Chromium's fake camera plays) of a QR code: the dark
 * modules of the server's SVG (one `Mx yh1v1h-1z` per module), 8 px each,
 * black on white in the middle of a 640×480 frame.
 */
function qrVideo(svg, file) {
  const W = 640, H = 480, S = 8;
  const modules = [...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(modules.length > 100, 'the SVG draws one square per dark module');
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)[1]);
  const x0 = Math.floor((W - size * S) / 2), y0 = Math.floor((H - size * S) / 2);
  const y = Buffer.alloc(W * H, 235);
  for (const [mx, my] of modules)
    for (let dy = 0; dy < S; dy++) y.fill(16, (y0 + my * S + dy) * W + x0 + mx * S, (y0 + my * S + dy) * W + x0 + mx * S + S);
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

let server;
let browser;
let token;
let person;
let video;
before(async () => {
  server = await startServer();
  const admin = await login(server.url, 'admin');
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  person = (await admin.post('/api/v1/persons', { id_number: newIdNumber(), name: '孙摄像', division_id: compound.id })).json;
  const code = (await admin.get(`/api/v1/persons/${person.id}/health-code`)).json;
  token = code.token;
  video = path.join(tmpDir('camera-'), 'qr.y4m');
  qrVideo(code.qr_svg, video);
  browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the camera reads the QR and the person passes, once', async (t) => {
  const staff = await login(server.url, 'venue_staff');
  const hall = (await staff.get(`/api/v1/venues?q=${encodeURIComponent('晋中市民之家')}`)).json.items[0];
  await withPage(browser, t, async (page) => {
    await page.context().grantPermissions(['camera']);
    await signIn(page, 'venue_staff');
    await page.goto('/checkpoint');
    await page.getByTestId('station-setup').getByText('东门入口').click();
    await page.getByTestId('scan-mode').getByText('摄像头').click();
    const sent = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/v1/checkpoints/scan')) sent.push(r.postDataJSON()); });
    await page.getByTestId('camera-toggle').click();
    const result = page.getByTestId('scan-result');
    await result.waitFor({ timeout: 15000 });
    assert.equal(await result.getAttribute('data-decision'), 'pass');
    assert.equal(sent[0].token, token, 'the token read from the video is the one the server issued');
    assert.match(await page.locator('.camera-engine').innerText(), /识别：/);
    // The same code stays in front of the camera: it is not a second visit.
    await result.waitFor({ state: 'detached', timeout: 5000 });
    await page.waitForTimeout(1500);
    assert.equal(sent.length, 1);
    const mine = (await staff.get(`/api/v1/venues/${hall.id}/checkins?page_size=500`)).json.items.filter((k) => k.person_id === person.id);
    assert.equal(mine.length, 1);
    fs.mkdirSync(path.join(SHOTS, 'screens'), { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'screens', 'phone-checkpoint-camera.png') });
    await page.getByTestId('camera-toggle').click(); // off again
    await page.locator('.viewfinder:not(.live)').waitFor();
  }, { viewport: PHONE, baseURL: server.url });
});
