// The SPARQL editor: run the query with fetch, draw the result as a table, keep the query in the URL.
// Without this script the page still works: its form is a plain GET that answers the same page with the table.
// Every value is written with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("sparql-query");
  var status = document.getElementById("sparql-status");
  var output = document.getElementById("sparql-result");
  if (!form || !textarea || !output) { return; }
  var BASE = "https://w3id.org/catkg/";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var ACCEPT = "application/sparql-results+json, application/ld+json;q=0.9";
  var running = null;

  function el(name, text, cls) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function localLink(iri) {
    if (iri.indexOf(BASE) !== 0) { return null; }
    var rest = iri.slice(BASE.length).split("/");
    if (rest.length === 2 && ["fact", "entity", "source"].indexOf(rest[0]) >= 0) { return "/" + rest.join("/"); }
    return null;
  }

  // A SPARQL JSON term, or a JSON-LD value, as one table cell.
  function cellFor(term) {
    var td = el("td");
    if (!term) { return td; }
    var text = term.value, note = "";
    if (term.type === "uri") {
      var link = localLink(text);
      if (link) { var a = el("a", text); a.href = link; td.appendChild(a); return td; }
    } else if (term.type === "bnode") {
      text = "_:" + text;
    } else if (term["xml:lang"]) {
      note = "@" + term["xml:lang"];
    } else if (term.datatype && term.datatype !== XSD + "string") {
      note = term.datatype.replace(XSD, "xsd:");
    }
    td.appendChild(document.createTextNode(text));
    if (note) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("span", note, "term-note")); }
    return td;
  }

  function jsonldTerm(value) {
    if (typeof value === "string") { return { type: value.indexOf("_:") === 0 ? "bnode" : "uri", value: value.replace(/^_:/, "") }; }
    if (value["@id"] !== undefined) { return jsonldTerm(value["@id"]); }
    return { type: "literal", value: String(value["@value"]), "xml:lang": value["@language"], datatype: value["@type"] };
  }

  // Expanded JSON-LD (what the endpoint writes for CONSTRUCT and DESCRIBE) as subject, predicate, object rows.
  function triplesOf(doc) {
    var nodes = Array.isArray(doc) ? doc : (doc["@graph"] || [doc]);
    var rows = [];
    nodes.forEach(function (node) {
      var subject = jsonldTerm(node["@id"] || "_:");
      Object.keys(node).forEach(function (key) {
        if (key === "@id") { return; }
        var values = [].concat(node[key]);
        var predicate = key === "@type" ? "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" : key;
        values.forEach(function (v) {
          rows.push({ subject: subject, predicate: { type: "uri", value: predicate },
                      object: jsonldTerm(v) });
        });
      });
    });
    return { head: { vars: ["subject", "predicate", "object"] }, results: { bindings: rows } };
  }

  function draw(data, seconds) {
    output.textContent = "";
    if (typeof data.boolean === "boolean") {
      var p = el("p", "Answer: ", "sparql-boolean");
      p.appendChild(el("strong", String(data.boolean)));
      output.appendChild(p);
      status.textContent = "Answer in " + seconds + " s";
      return;
    }
    var vars = data.head.vars || [], rows = data.results.bindings || [];
    status.textContent = rows.length + (rows.length === 1 ? " row" : " rows") + " in " + seconds + " s";
    if (!rows.length) { output.appendChild(el("p", "No results.")); return; }
    var scroll = el("div", null, "table-scroll");
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", "Result table");
    scroll.tabIndex = 0;
    var table = el("table", null, "sparql-table");
    var head = el("tr");
    vars.forEach(function (v) { var th = el("th", v); th.scope = "col"; head.appendChild(th); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cellFor(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    scroll.appendChild(table);
    output.appendChild(scroll);
  }

  function fail(message) {
    output.textContent = "";
    var p = el("p", message, "error-message");
    p.setAttribute("role", "alert");
    output.appendChild(p);
    status.textContent = "";
  }

  function run(query, push) {
    if (running) { running.abort(); }
    running = new AbortController();
    var started = performance.now();
    status.textContent = "Running…";
    var url = "/sparql?" + new URLSearchParams({ query: query }).toString();
    var request = url.length < 4000
      ? fetch(url, { headers: { Accept: ACCEPT }, signal: running.signal })
      : fetch("/sparql", { method: "POST", headers: { Accept: ACCEPT, "Content-Type": "application/sparql-query" },
                           body: query, signal: running.signal });
    if (push) { history.pushState({ query: query }, "", url); }
    var downloads = document.getElementById("sparql-downloads");
    if (downloads) { downloads.hidden = true; }
    request.then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.json().then(function (body) {
        var seconds = ((performance.now() - started) / 1000).toFixed(3);
        if (!response.ok) { fail(body.error ? body.error.message : "The query failed (" + response.status + ")."); return; }
        draw(type.indexOf("application/ld+json") === 0 ? triplesOf(body) : body, seconds);
      });
    }).catch(function (err) {
      if (err.name !== "AbortError") { fail("The query could not be run: " + err.message); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(textarea.value, true);
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(textarea.value, true); }
  });
  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var query = new URL(link.href).searchParams.get("query");
      if (query === null) { return; }
      event.preventDefault();
      textarea.value = query;
      textarea.focus();
      run(query, true);
    });
  });
  window.addEventListener("popstate", function () {
    var query = new URLSearchParams(location.search).get("query");
    if (query !== null) { textarea.value = query; run(query, false); }
  });
}());
