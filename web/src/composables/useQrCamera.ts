// Reads QR codes from the camera: the browser's BarcodeDetector where it
// exists (Chrome on Android, Safari 17+), else jsQR (pure JS, offline, loaded
// only when needed) on frames drawn from the getUserMedia video.
import { onBeforeUnmount, ref, shallowRef, type Ref } from 'vue';

// BarcodeDetector is not in TypeScript's DOM library yet.
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}
type JsQr = typeof import('jsqr').default;

/** Why the camera is not scanning: no API (or not a secure context), refused, no camera. */
export type CameraProblem = 'unsupported' | 'denied' | 'unavailable';
export type QrEngine = 'native' | 'jsqr';

const FRAME_MS = 180;
const MAX_SIDE = 720; // frames are scaled down to this for jsQR: faster, still reads a phone screen

async function nativeDetector(): Promise<BarcodeDetectorLike | null> {
  const Detector = (window as unknown as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const formats = await Detector.getSupportedFormats();
    return formats.includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

export function useQrCamera(video: Ref<HTMLVideoElement | undefined>, onCode: (text: string) => void) {
  const active = ref(false);
  const starting = ref(false);
  const problem = ref<CameraProblem | null>(null);
  const engine = ref<QrEngine | null>(null);
  const stream = shallowRef<MediaStream | null>(null);
  let detector: BarcodeDetectorLike | null = null;
  let jsQR: JsQr | null = null;
  let timer: number | undefined;
  let canvas: HTMLCanvasElement | null = null;

  async function start(): Promise<void> {
    if (active.value || starting.value) return;
    problem.value = null;
    if (!navigator.mediaDevices?.getUserMedia) {
      problem.value = 'unsupported';
      return;
    }
    starting.value = true;
    try {
      stream.value = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      const el = video.value;
      if (!el) throw new Error('no video element');
      el.srcObject = stream.value;
      el.muted = true;
      el.playsInline = true;
      await el.play();
      detector = await nativeDetector();
      if (!detector) jsQR ??= (await import('jsqr')).default;
      engine.value = detector ? 'native' : 'jsqr';
      active.value = true;
      schedule();
    } catch (e) {
      release();
      const name = e instanceof DOMException ? e.name : '';
      problem.value = name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable';
    } finally {
      starting.value = false;
    }
  }

  function schedule(): void {
    timer = window.setTimeout(() => void frame(), FRAME_MS);
  }

  async function frame(): Promise<void> {
    const el = video.value;
    if (!active.value || !el) return;
    try {
      if (el.readyState >= el.HAVE_CURRENT_DATA && el.videoWidth > 0) {
        const text = detector ? await readNative(el) : readJsQr(el);
        if (text && active.value) onCode(text);
      }
    } catch {
      // one bad frame is not worth stopping for
    }
    if (active.value) schedule();
  }

  async function readNative(el: HTMLVideoElement): Promise<string | null> {
    const found = await detector!.detect(el);
    return found[0]?.rawValue ?? null;
  }

  function readJsQr(el: HTMLVideoElement): string | null {
    const scale = Math.min(1, MAX_SIDE / Math.max(el.videoWidth, el.videoHeight));
    const w = Math.round(el.videoWidth * scale);
    const h = Math.round(el.videoHeight * scale);
    canvas ??= document.createElement('canvas');
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const g = canvas.getContext('2d', { willReadFrequently: true });
    if (!g || !jsQR) return null;
    g.drawImage(el, 0, 0, w, h);
    const image = g.getImageData(0, 0, w, h);
    return jsQR(image.data, w, h, { inversionAttempts: 'dontInvert' })?.data ?? null;
  }

  function release(): void {
    window.clearTimeout(timer);
    for (const track of stream.value?.getTracks() ?? []) track.stop();
    stream.value = null;
    if (video.value) video.value.srcObject = null;
  }

  function stop(): void {
    active.value = false;
    release();
  }

  // A hidden page (phone locked, another app) gives the camera back.
  const onVisibility = () => {
    if (document.hidden) stop();
  };
  document.addEventListener('visibilitychange', onVisibility);
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility);
    stop();
  });

  return { active, starting, problem, engine, start, stop };
}
