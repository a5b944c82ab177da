// The worker's REST API, same origin. Errors carry Connect's
// {"error_code","message"} text, or say the worker is unreachable.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, 'Cannot reach the Wharf worker (' + e.message + ')');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!res.ok) {
    const msg = data && typeof data === 'object' && data.message ? data.message : (res.status + ' ' + res.statusText);
    throw new ApiError(res.status, msg);
  }
  return data;
}

export const enc = encodeURIComponent;

export function curlFor(method, path, body) {
  const base = location.origin;
  let cmd = `curl -s -X ${method} ${base}${path}`;
  if (body !== undefined) {
    const json = JSON.stringify(body, null, 2).replace(/'/g, "'\\''");
    cmd += ` \\\n  -H 'Content-Type: application/json' \\\n  -d '${json}'`;
  }
  return cmd;
}
