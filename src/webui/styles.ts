/**
 * The dashboard's style sheet, applied as a constructed sheet (the page's policy allows
 * no inline `<style>` from script). Light and dark themes from the system setting, or
 * from the toggle (`data-theme` on <html>); readable from a 360 px phone up.
 */
export const STYLE_SHEET = `
:root { --bg:#fff; --fg:#1b1f24; --muted:#59636e; --line:#d1d9e0; --card:#f6f8fa; --accent:#0b5cad;
  --used:#2f81f7; --offered:#d4a72c; --idle:#d1d9e0; --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700;
  color-scheme: light; }
:root[data-theme=dark] { --bg:#0d1117; --fg:#e6edf3; --muted:#9198a1; --line:#3d444d; --card:#151b23;
  --accent:#4493f8; --used:#4493f8; --offered:#d29922; --idle:#3d444d; --ok:#3fb950; --bad:#f85149;
  --warn:#d29922; color-scheme: dark; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; flex-wrap:wrap; align-items:center; gap:.5rem 1rem; padding:.5rem 1rem;
  border-bottom:1px solid var(--line); background:var(--card); }
header h1 { font-size:1.1rem; margin:0; }
nav { display:flex; flex-wrap:wrap; gap:.25rem; }
nav a { padding:.25rem .5rem; border-radius:4px; color:var(--fg); text-decoration:none; }
nav a[aria-current=page] { background:var(--accent); color:#fff; }
a { color:var(--accent); }
:focus-visible { outline:3px solid var(--accent); outline-offset:2px; }
main { padding:1rem; max-width:1400px; margin:0 auto; }
h2 { font-size:1.2rem; margin:.5rem 0 1rem; }
h3 { font-size:1rem; margin:1.25rem 0 .5rem; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:.85rem; }
td { word-break:break-word; }
.empty, .muted { color:var(--muted); }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(220px, 1fr)); gap:.75rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.75rem; }
.card .big { font-size:1.8rem; font-weight:600; }
.bar { display:flex; height:14px; min-width:80px; border-radius:3px; overflow:hidden; background:var(--idle); }
.bar .used { background:var(--used); } .bar .offered { background:var(--offered); }
.bar .idle { background:var(--idle); }
.legend span::before { content:''; display:inline-block; width:.8em; height:.8em; margin:0 .3em 0 .8em;
  background:var(--c); border-radius:2px; }
.badge { display:inline-block; padding:0 .4rem; border-radius:10px; font-size:.8rem; border:1px solid var(--line); }
.s-running, .s-succeeded, .s-finished { color:var(--ok); border-color:var(--ok); }
.s-failed, .s-killed, .s-lost, .s-error, .s-dropped, .s-gone { color:var(--bad); border-color:var(--bad); }
.s-staging, .s-starting, .s-killing, .s-unreachable { color:var(--warn); border-color:var(--warn); }
form.panel { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.75rem;
  display:grid; grid-template-columns:repeat(auto-fill, minmax(240px, 1fr)); gap:.5rem 1rem; }
form.panel .wide { grid-column:1 / -1; }
label { display:flex; flex-direction:column; gap:.2rem; font-size:.85rem; color:var(--muted); }
input, select, textarea, button { font:inherit; color:var(--fg); background:var(--bg);
  border:1px solid var(--line); border-radius:4px; padding:.3rem .5rem; min-height:2rem; }
button { cursor:pointer; background:var(--card); }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
button.danger { color:var(--bad); border-color:var(--bad); }
.field-error { color:var(--bad); font-size:.85rem; min-height:0; }
.actions { display:flex; flex-wrap:wrap; gap:.35rem; align-items:center; }
.actions input { width:5rem; }
pre.log { background:#0d1117; color:#e6edf3; padding:.75rem; border-radius:6px; max-height:60vh;
  overflow:auto; white-space:pre-wrap; word-break:break-all; font-size:.85rem; }
.status { font-size:.85rem; color:var(--muted); margin-left:auto; }
.status.live::before { content:'● '; color:var(--ok); }
.graph { width:100%; overflow:auto; border:1px solid var(--line); border-radius:6px; background:var(--card); }
.graph text { fill:var(--fg); font-size:12px; }
.graph rect { fill:var(--bg); stroke:var(--muted); rx:6; }
.graph rect.s-succeeded { stroke:var(--ok); stroke-width:2; } .graph rect.s-failed { stroke:var(--bad); stroke-width:2; }
.graph rect.s-running { stroke:var(--accent); stroke-width:2; }
.graph path { fill:none; stroke:var(--muted); stroke-width:1.5; }
.role-depth-1 td:first-child { padding-left:1.5rem; } .role-depth-2 td:first-child { padding-left:2.5rem; }
.role-depth-3 td:first-child { padding-left:3.5rem; }
@media (max-width: 600px) {
  body { font-size:14px; } main { padding:.5rem; } header { padding:.5rem; }
  th, td { padding:.25rem .3rem; }
}
`;
