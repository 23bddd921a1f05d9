// Checkpoint beeps with the Web Audio API: one high tone for pass, two low
// tones for stop, so staff know the result without looking at the screen.
// Browsers start audio only after a user gesture: call unlockAudio() from one.

let ctx: AudioContext | null = null;

export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null; // no audio device or no Web Audio: the screen alone tells
  }
}

function tone(audio: AudioContext, frequency: number, start: number, seconds: number): void {
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = 'square';
  osc.frequency.value = frequency;
  const t0 = audio.currentTime + start;
  // Short ramps avoid clicks at the edges.
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.01);
  gain.gain.setValueAtTime(0.25, t0 + seconds - 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + seconds);
  osc.connect(gain).connect(audio.destination);
  osc.start(t0);
  osc.stop(t0 + seconds + 0.01);
}

export type Beep = 'pass' | 'stop' | 'attention';

export function beep(kind: Beep): void {
  unlockAudio();
  if (!ctx) return;
  try {
    if (kind === 'pass') tone(ctx, 1320, 0, 0.15);
    else if (kind === 'stop') {
      tone(ctx, 330, 0, 0.22);
      tone(ctx, 330, 0.32, 0.22);
    } else tone(ctx, 660, 0, 0.12);
  } catch {
    // a closed or broken context: silent
  }
}
