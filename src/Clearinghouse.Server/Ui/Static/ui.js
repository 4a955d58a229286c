// Clearinghouse review UI: progressive enhancement only (every page and form works without it).
// Reveal buttons, keyboard shortcuts, muted and paused video, the session counter and the break reminder.
(() => {
  'use strict';
  const body = document.body;

  // --- previews: blurred and greyscale until revealed; video never plays on its own and starts muted -------------
  for (const video of document.querySelectorAll('video.media')) {
    video.muted = true;
    video.autoplay = false;
    video.pause();
  }
  for (const button of document.querySelectorAll('[data-reveal]')) {
    button.addEventListener('click', () => {
      const media = document.getElementById(button.dataset.reveal);
      if (!media) return;
      const reveal = media.classList.contains('blurred');
      media.classList.toggle('blurred', !reveal);
      media.classList.toggle('revealed', reveal);
      button.setAttribute('aria-pressed', String(reveal));
      button.textContent = reveal ? 'Blur preview again (V)' : 'Reveal preview (V)';
    });
  }

  // --- keyboard shortcuts: data-shortcut on a button, link or form; never while typing in a field -----------------
  document.addEventListener('keydown', event => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    const element = document.querySelector(`[data-shortcut="${CSS.escape(event.key.toLowerCase())}"]`);
    if (!element) return;
    event.preventDefault();
    if (element instanceof HTMLFormElement) element.requestSubmit();
    else element.click();
  });

  // --- session counter and break reminder --------------------------------------------------------------------------
  // Counts decisions in this browser tab since sign-in (the server marks the page after a decision with data-decided).
  const start = Number(body.dataset.sessionStart || 0);
  if (!start) return;
  const key = 'clearinghouse.review.' + start;
  const state = JSON.parse(sessionStorage.getItem(key) || '{"count":0,"counted":[],"dismissedAt":0,"dismissedMinutes":0}');
  const decided = body.dataset.decided;
  if (decided && !state.counted.includes(decided)) {
    state.count += 1;
    state.counted.push(decided);
    if (state.counted.length > 200) state.counted.shift();
  }
  sessionStorage.setItem(key, JSON.stringify(state));

  const counter = document.getElementById('session-counter');
  if (counter) counter.textContent = `Reviewed this session: ${state.count}`;

  const afterItems = Number(body.dataset.breakItems || 0);
  const afterMinutes = Number(body.dataset.breakMinutes || 0);
  const reminder = document.getElementById('break-reminder');
  const check = () => {
    const minutes = Math.floor((Date.now() / 1000 - start) / 60);
    const byItems = afterItems > 0 && state.count - state.dismissedAt >= afterItems;
    const byTime = afterMinutes > 0 && minutes - state.dismissedMinutes >= afterMinutes;
    if (!reminder || !(byItems || byTime) || !reminder.hidden) return;
    reminder.querySelector('.break-text').textContent =
      `You have reviewed ${state.count} item${state.count === 1 ? '' : 's'} over ${minutes} minute${minutes === 1 ? '' : 's'} this session. ` +
      'Please take a short break: step away from the screen before you continue.';
    reminder.hidden = false;
    reminder.querySelector('button').focus();
  };
  if (reminder) {
    reminder.querySelector('button').addEventListener('click', () => {
      state.dismissedAt = state.count;
      state.dismissedMinutes = Math.floor((Date.now() / 1000 - start) / 60);
      sessionStorage.setItem(key, JSON.stringify(state));
      reminder.hidden = true;
    });
  }
  check();
  setInterval(check, 30_000);
})();
