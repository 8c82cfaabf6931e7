// Asks for an access token when the server answers 401, once for all concurrent requests.
import { setToken, getToken } from './api.js';

let pending = null;

export function requestToken(reason) {
  if (pending) return pending;
  const dialog = document.getElementById('auth-dialog');
  const form = document.getElementById('auth-form');
  const input = document.getElementById('auth-token');
  const cancel = document.getElementById('auth-cancel');
  document.getElementById('auth-reason').textContent = reason || 'The server asks for an access token.';
  input.value = '';
  pending = new Promise((resolve) => {
    const done = (ok) => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      pending = null;
      resolve(ok);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      const token = input.value.trim();
      if (!token) { input.focus(); return; }
      setToken(token);
      document.dispatchEvent(new CustomEvent('mimir:token', { detail: { token } }));
      done(true);
    };
    const onCancel = (e) => { e.preventDefault(); done(false); };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    if (typeof dialog.showModal === 'function') dialog.showModal(); else dialog.setAttribute('open', '');
    input.focus();
  });
  return pending;
}

export function hasToken() { return Boolean(getToken()); }
