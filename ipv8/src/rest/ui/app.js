// The live dashboard of an IPv8 node: polls /ui/snapshot every second, keeps the last five
// minutes of counters in memory, and draws rates, overlays, peers, drops and the panels of the
// subsystems the node runs. No library, and no request but /ui/snapshot to the server that
// served this page.
"use strict";

/** Milliseconds between two polls. */
const POLL_MS = 1000;
/** Seconds of history kept and plotted. */
const WINDOW_S = 300;
/** The plots' drawing width and height (the SVG viewBox). */
const PLOT_W = 600;
const PLOT_H = 160;
/** The SVG namespace, for the elements the plots are made of (a name, not a request). */
const SVG = "http://www.w3.org/2000/svg";

/**
 * Counters of each snapshot of the window: {t, received, sent, bytesIn, bytesOut}, `t` in
 * seconds on the page's monotonic clock when the answer came (the node's clock may jump).
 */
const samples = [];
/** Polls answered so far, shown in #updates. */
let updates = 0;

/** The headers of a poll: the page's ?apikey= as X-Api-Key, as the REST API wants it. */
function headers() {
  const key = new URLSearchParams(window.location.search).get("apikey");
  return key ? { "X-Api-Key": key } : {};
}

/** One poll: fetches the snapshot, records and draws it, and schedules the next. */
async function poll() {
  try {
    const response = await fetch("/ui/snapshot", { headers: headers(), cache: "no-store" });
    if (!response.ok) {
      throw new Error("HTTP " + response.status);
    }
    const snapshot = await response.json();
    record(snapshot);
    render(snapshot);
    updates += 1;
    text("updates", String(updates));
    text("status", "live");
  } catch (error) {
    text("status", "no answer: " + error.message);
  } finally {
    window.setTimeout(poll, POLL_MS);
  }
}

/** Adds the snapshot's counters to the samples and forgets what is older than the window. */
function record(snapshot) {
  const totals = snapshot.totals;
  const now = performance.now() / 1000;
  samples.push({
    t: now,
    received: totals.received,
    sent: totals.sent,
    bytesIn: totals.bytes_in,
    bytesOut: totals.bytes_out,
  });
  while (samples.length > 0 && samples[0].t < now - WINDOW_S) {
    samples.shift();
  }
}

/** Per second between consecutive samples: [{t, value}] of `field`. */
function rates(field) {
  const points = [];
  for (let i = 1; i < samples.length; i += 1) {
    const seconds = samples[i].t - samples[i - 1].t;
    if (seconds > 0) {
      const value = Math.max(0, samples[i][field] - samples[i - 1][field]) / seconds;
      points.push({ t: samples[i].t, value });
    }
  }
  return points;
}

/** Sets the text of the element with `id`. */
function text(id, value) {
  const element = document.getElementById(id);
  if (element) {
    element.textContent = value;
  }
}

/** A new element `tag` with `className` and text cells or children. */
function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (content !== undefined) {
    node.textContent = String(content);
  }
  return node;
}

/** A table row of cells, with `className` if given; a cell is text or a `short` id. */
function row(cells, className) {
  const tr = element("tr", className);
  for (const cell of cells) {
    const td = element("td", "", cell.full === undefined ? cell : cell.text);
    if (cell.full !== undefined) {
      td.title = cell.full;
    }
    tr.appendChild(td);
  }
  return tr;
}

/** A long hex id shown by its first digits, the whole id as the cell's title. */
function short(hex) {
  return { text: hex.slice(0, 12) + "…", full: hex };
}

/** Replaces the rows of the table with `id`. */
function fill(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...rows);
}

/** A count with thousands separated. */
function count(value) {
  return Number(value).toLocaleString("en");
}

/** A rate: one decimal below 10, whole numbers above. */
function rate(value) {
  return value < 10 ? value.toFixed(1) : count(Math.round(value));
}

/** `n things`, or `1 thing`. */
function plural(n, thing) {
  return count(n) + " " + thing + (n === 1 ? "" : "s");
}

/** Bytes as B, KiB, MiB or GiB. */
function bytes(value) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let scaled = Number(value);
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return (unit === 0 ? scaled.toFixed(0) : scaled.toFixed(1)) + " " + units[unit];
}

/** Draws everything the snapshot holds. */
function render(snapshot) {
  text("mid", snapshot.mid);
  const addresses = [snapshot.lan_address, snapshot.wan_address].filter(Boolean);
  text("addresses", addresses.length ? "at " + addresses.join(" / ") : "");
  plot("message-plot", "message-scale", [rates("received"), rates("sent")], rate, "/s");
  plot("byte-plot", "byte-scale", [rates("bytesIn"), rates("bytesOut")], bytes, "/s");
  renderTotals(snapshot.totals);
  renderOverlays(snapshot.overlays);
  renderPeers(snapshot.overlays);
  const drops = snapshot.drops.map((d) => row([d.reason, count(d.count)], "drop"));
  fill("drops", drops.length ? drops : [row(["none", "0"], "empty")]);
  renderDht(snapshot.dht);
  renderTunnels(snapshot.tunnels);
  renderPseudonyms(snapshot.pseudonyms);
}

/** The node's counters since it started. */
function renderTotals(totals) {
  const rows = [
    ["packets received", count(totals.received)],
    ["packets sent", count(totals.sent)],
    ["packets handled", count(totals.handled)],
    ["packets dropped", count(totals.dropped)],
    ["walks", count(totals.walks)],
    ["datagrams in / out", count(totals.datagrams_in) + " / " + count(totals.datagrams_out)],
    ["bytes in / out", bytes(totals.bytes_in) + " / " + bytes(totals.bytes_out)],
    ["caught panics", count(totals.panics)],
  ];
  fill("totals", rows.map((cells) => row(cells)));
}

/** One row per overlay: its id, peer count and traffic. */
function renderOverlays(overlays) {
  const rows = overlays.map((o) =>
    row([o.name, short(o.community_id), o.peer_count, count(o.messages_in), count(o.messages_out),
      bytes(o.bytes_in), bytes(o.bytes_out)], "overlay"));
  fill("overlays", rows);
}

/** One row per peer of each overlay, each with class `peer` and its address in `data-address`. */
function renderPeers(overlays) {
  const rows = [];
  for (const overlay of overlays) {
    for (const peer of overlay.peers) {
      const tr = row([overlay.name, peer.address, short(peer.mid)], "peer");
      tr.dataset.address = peer.address;
      rows.push(tr);
    }
  }
  fill("peers", rows);
  text("peer-count", String(rows.length));
}

/** The DHT panel (hidden when the node runs no DHT): nodes per bucket, values stored. */
function renderDht(dht) {
  document.getElementById("dht-panel").hidden = !dht;
  if (!dht) {
    return;
  }
  text("dht-summary", "routing table: " + plural(dht.nodes, "node") + " in " +
    plural(dht.buckets.length, "bucket") + "; " + plural(dht.stored_values, "value") + " stored");
  fill("dht-buckets", dht.buckets.map((b) => row([b.prefix || "(root)", b.nodes], "bucket")));
}

/** The tunnel panel (hidden without a tunnel community): circuits, relays and exits. */
function renderTunnels(tunnels) {
  document.getElementById("tunnel-panel").hidden = !tunnels;
  if (!tunnels) {
    return;
  }
  text("tunnel-name", tunnels.name);
  const rows = [["circuits", tunnels.circuits], ["relays", tunnels.relays],
    ["exits", tunnels.exits]];
  fill("tunnels", rows.map((cells) => row(cells)));
}

/** The pseudonym panel (hidden when the server has none): names, loaded ones in bold. */
function renderPseudonyms(pseudonyms) {
  document.getElementById("pseudonym-panel").hidden = !pseudonyms;
  if (!pseudonyms) {
    return;
  }
  const items = pseudonyms.names.map((name) => {
    const loaded = pseudonyms.loaded.includes(name);
    return element("li", loaded ? "pseudonym loaded" : "pseudonym", name + (loaded ? " (loaded)" : ""));
  });
  if (items.length === 0) {
    items.push(element("li", "empty", "none yet"));
  }
  document.getElementById("pseudonyms").replaceChildren(...items);
}

/** Draws `series` (in, out) as two lines over the window into the SVG with `id`. */
function plot(id, scaleId, series, format, unit) {
  const svg = document.getElementById(id);
  const now = samples.length ? samples[samples.length - 1].t : 0;
  const top = Math.max(1, ...series.flat().map((p) => p.value));
  const x = (t) => PLOT_W - ((now - t) / WINDOW_S) * PLOT_W;
  const y = (v) => PLOT_H - 4 - (v / top) * (PLOT_H - 8);
  const shapes = [grid()];
  series.forEach((points, index) => {
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("class", index === 0 ? "line in" : "line out");
    line.setAttribute("points", points.map((p) => x(p.t).toFixed(1) + "," + y(p.value).toFixed(1)).join(" "));
    shapes.push(line);
  });
  svg.replaceChildren(...shapes);
  const last = series.map((points) => (points.length ? points[points.length - 1].value : 0));
  text(scaleId, "top " + format(top) + unit + " · now " + format(last[0]) + unit +
    " in, " + format(last[1]) + unit + " out");
}

/** Horizontal lines at quarters of the plot's height, and a minute mark each 60 s. */
function grid() {
  const group = document.createElementNS(SVG, "g");
  group.setAttribute("class", "grid");
  for (let i = 1; i < 4; i += 1) {
    group.appendChild(segment(0, (PLOT_H * i) / 4, PLOT_W, (PLOT_H * i) / 4));
  }
  for (let s = 60; s < WINDOW_S; s += 60) {
    const at = PLOT_W - (s / WINDOW_S) * PLOT_W;
    group.appendChild(segment(at, 0, at, PLOT_H));
  }
  return group;
}

/** An SVG line from (x1, y1) to (x2, y2). */
function segment(x1, y1, x2, y2) {
  const line = document.createElementNS(SVG, "line");
  line.setAttribute("x1", x1);
  line.setAttribute("y1", y1);
  line.setAttribute("x2", x2);
  line.setAttribute("y2", y2);
  return line;
}

// The first poll; each schedules the next.
poll();
