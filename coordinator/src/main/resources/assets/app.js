// Shared by the pages: the token and authenticated fetches. The token comes from the login form or once from a
// #token= fragment (a fragment never reaches the server, its logs or a proxy), then lives in sessionStorage; it never
// goes into a URL the page requests.
const vmtest = (() => {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('token')) {
    sessionStorage.setItem('vmtest.token', fragment.get('token'));
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  }
  const token = () => sessionStorage.getItem('vmtest.token') || '';
  async function api(path, method) {
    const res = await fetch('/api/v1' + path, { method: method || 'GET', headers: token() ? { Authorization: 'Bearer ' + token() } : {} });
    if (res.status === 401) { showLogin(); throw new Error('unauthorized'); }
    if (!res.ok) throw new Error((await res.json()).message || res.statusText);
    return res.json();
  }
  function showLogin() {
    if (document.getElementById('login')) return;
    const div = document.createElement('div');
    div.id = 'login';
    div.innerHTML = '<p>This coordinator needs a token.</p><input type="password" placeholder="read token"> <button>use</button>';
    div.querySelector('button').onclick = () => { sessionStorage.setItem('vmtest.token', div.querySelector('input').value); location.reload(); };
    document.querySelector('main').prepend(div);
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function badge(text) { return el('span', 'badge ' + (text || ''), text || '…'); }
  function ago(iso) {
    if (!iso) return '';
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    return s < 60 ? s + 's ago' : s < 3600 ? Math.round(s / 60) + 'm ago' : Math.round(s / 3600) + 'h ago';
  }
  return { api, token, el, badge, ago };
})();
