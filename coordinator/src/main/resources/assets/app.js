// Shared by the pages: the token (from ?token= once, then sessionStorage) and authenticated fetches.
const vmtest = (() => {
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {
    sessionStorage.setItem('vmtest.token', params.get('token'));
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : ''));
  }
  const token = () => sessionStorage.getItem('vmtest.token') || '';
  async function api(path) {
    const res = await fetch('/api/v1' + path, { headers: token() ? { Authorization: 'Bearer ' + token() } : {} });
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
