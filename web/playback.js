/**
 * Playback of local and remote tracks in `<video>` and `<audio>` elements, and the report of
 * a browser that refuses to start playback (`Fanout.onAutoplayFailed`).
 *
 * @module fanout/playback
 */

/** The object whose `onAutoplayFailed` is called: the SDK's default export. */
let autoplayHost = null;

/**
 * Names the object whose `onAutoplayFailed` handler reports blocked playback.
 * @param {{onAutoplayFailed: (() => void)|null}} host
 */
export function reportAutoplayTo(host) {
  autoplayHost = host;
}

let autoplayFailedReported = false;
function reportAutoplayFailure(e) {
  if (e && e.name === 'AbortError') return; // the element got a new source; not a policy failure
  if (!autoplayFailedReported && autoplayHost && typeof autoplayHost.onAutoplayFailed === 'function') {
    autoplayFailedReported = true;
    try {
      autoplayHost.onAutoplayFailed();
    } catch (err) {
      console.error('fanout: onAutoplayFailed threw', err);
    }
  }
}

/** @typedef {import('./fanout.d.ts').PlayConfig} PlayConfig */

/** Shows one MediaStreamTrack in one element and can follow source changes. */
export class Player {
  /**
   * @param {'audio'|'video'} kind
   * @param {HTMLElement|null} target a container, or an `<audio>`/`<video>` element to use as is
   * @param {PlayConfig} config
   */
  constructor(kind, target, config) {
    this.target = target;
    const tag = target && target.tagName;
    if (tag === 'VIDEO' || tag === 'AUDIO') {
      this.element = target;
      this.created = false;
    } else {
      this.element = document.createElement(kind === 'video' ? 'video' : 'audio');
      this.created = true;
      if (kind === 'video') {
        this.element.style.cssText = 'width:100%;height:100%;display:block;background:#000;'
          + `object-fit:${config.fit || 'cover'};`;
      } else {
        this.element.style.display = 'none';
      }
      if (target) target.appendChild(this.element);
    }
    const el = this.element;
    el.autoplay = true;
    if (kind === 'video') {
      el.playsInline = true;
      el.muted = true;
      if (config.mirror) el.style.transform = 'scaleX(-1)';
    }
    el.dataset.fanoutPlayer = kind;
  }

  setTrack(mst) {
    const el = this.element;
    el.srcObject = mst ? new MediaStream([mst]) : null;
    if (mst) {
      const started = el.play();
      if (started && started.catch) started.catch(reportAutoplayFailure);
    }
  }

  setVolume(volume) {
    if (this.element.tagName === 'AUDIO') this.element.volume = Math.max(0, Math.min(1, volume));
  }

  destroy() {
    const el = this.element;
    el.srcObject = null;
    if (this.created) el.remove();
  }
}
