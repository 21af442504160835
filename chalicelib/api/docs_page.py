"""A self-contained human page for /docs (no CDN: it renders /openapi.json itself)."""

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Resource Reserver API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem;color:#222}
h1{margin-bottom:.2rem} .op{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.5rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}.put,.patch{color:#c70}.delete{color:#c33}
details pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.8rem}
.tag{font-size:.75rem;background:#eef;border-radius:4px;padding:0 .3rem;margin-left:.4rem}
</style></head><body>
<h1>Resource Reserver API</h1><p id="desc"></p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a></p><div id="ops">Loading...</div>
<script>
fetch('openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('desc').textContent = doc.info.description;
  const ops = document.getElementById('ops'); ops.textContent = '';
  for (const [path, methods] of Object.entries(doc.paths).sort()) {
    for (const [method, op] of Object.entries(methods)) {
      const d = document.createElement('details'); d.className = 'op';
      const s = document.createElement('summary');
      s.innerHTML = '<span class="m ' + method + '"></span><code></code>';
      s.querySelector('.m').textContent = method;
      s.querySelector('code').textContent = ' ' + path + '  ' + (op.summary || '');
      if (op.security) { const t = document.createElement('span'); t.className = 'tag';
        t.textContent = 'auth'; s.appendChild(t); }
      const pre = document.createElement('pre');
      pre.textContent = JSON.stringify(op, null, 2);
      d.appendChild(s); d.appendChild(pre); ops.appendChild(d);
    }
  }
});
</script></body></html>
"""
