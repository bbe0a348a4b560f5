/* migration-kg questions page: run a SPARQL query against an endpoint (SPARQL 1.1 Protocol, POST form) and show
   the answer as a table whose IRIs of ours link to their pages. Plain JavaScript; talks only to the endpoint. */
(function () {
  "use strict";
  var lang = document.documentElement.lang === "fr" ? "fr" : "en";
  var root = document.body.getAttribute("data-root") || "";
  var TEXT = {
    en: {running: "Running the query…", rows: "%n rows", row: "1 row", none: "No rows.",
         yes: "Answer: yes", no: "Answer: no", unreachable: "Could not reach the endpoint at %u (%e).",
         status: "The endpoint at %u answered %c:", empty: "Write a query first.", loaded: "Question loaded in the editor: %t"},
    fr: {running: "Exécution de la requête…", rows: "%n lignes", row: "1 ligne", none: "Aucune ligne.",
         yes: "Réponse : oui", no: "Réponse : non", unreachable: "Impossible de joindre le point d’accès %u (%e).",
         status: "Le point d’accès %u a répondu %c :", empty: "Écrivez d’abord une requête.",
         loaded: "Question placée dans l’éditeur : %t"}
  }[lang];

  var settings = JSON.parse(document.getElementById("query-settings").textContent);
  var form = document.getElementById("query-form");
  var text = document.getElementById("query-text");
  var endpoint = document.getElementById("query-endpoint");
  var errorBox = document.getElementById("query-error");
  var status = document.getElementById("query-status");
  var results = document.getElementById("query-results");

  function say(template, values) {
    return template.replace(/%([a-z])/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function showError(message, detail) {
    errorBox.textContent = "";
    var p = document.createElement("p");
    p.textContent = message;
    errorBox.appendChild(p);
    if (detail) {
      var pre = document.createElement("pre");
      pre.textContent = detail;
      errorBox.appendChild(pre);
    }
  }

  /* Where an IRI links to: the page of an entity of ours, our ontology's documentation, or the IRI itself. */
  function link(iri) {
    var a = document.createElement("a");
    a.textContent = iri;
    if (iri.indexOf(settings.ids) === 0) {
      a.href = root + (lang === "fr" ? "fr/" : "") + "id/" + iri.slice(settings.ids.length) + ".html";
      a.textContent = iri.slice(settings.ids.length);
    } else if (iri.indexOf(settings.ontology) === 0) {
      a.href = root + (lang === "fr" ? "fr/" : "") + "ontology.html#" + iri.slice(settings.ontology.length);
      a.textContent = "mkg:" + iri.slice(settings.ontology.length);
    } else {
      a.href = iri;
      a.rel = "external";
    }
    return a;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      td.appendChild(link(term.value));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) { span.lang = term["xml:lang"]; }
      td.appendChild(span);
      if (term["xml:lang"]) {
        var tag = document.createElement("small");
        tag.className = "muted";
        tag.textContent = " @" + term["xml:lang"];
        td.appendChild(tag);
      }
    }
    return td;
  }

  function table(json) {
    var variables = json.head.vars || [];
    var rows = json.results.bindings;
    var wrap = document.createElement("div");
    wrap.className = "table-scroll";
    var t = document.createElement("table");
    t.className = "results";
    var caption = document.createElement("caption");
    caption.textContent = rows.length === 1 ? TEXT.row : say(TEXT.rows, {n: rows.length});
    t.appendChild(caption);
    var head = document.createElement("thead");
    var tr = document.createElement("tr");
    variables.forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + name;
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    var body = document.createElement("tbody");
    rows.forEach(function (row) {
      var line = document.createElement("tr");
      variables.forEach(function (name) { line.appendChild(cell(row[name])); });
      body.appendChild(line);
    });
    t.appendChild(body);
    wrap.appendChild(t);
    return wrap;
  }

  function run(event) {
    if (event) { event.preventDefault(); }
    errorBox.textContent = "";
    results.textContent = "";
    var query = text.value;
    if (!query.trim()) { showError(TEXT.empty); return; }
    var url = new URL(endpoint.value || endpoint.getAttribute("data-default"), window.location.href).href;
    status.textContent = TEXT.running;
    var started = Date.now();
    fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9, text/plain;q=0.1"},
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      return response.text().then(function (body) {
        var seconds = ((Date.now() - started) / 1000).toFixed(2) + " s";
        status.textContent = "";
        if (!response.ok) {
          showError(say(TEXT.status, {u: url, c: response.status + " " + response.statusText}), body);
          return;
        }
        var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
        if (type === "application/sparql-results+json") {
          var json = JSON.parse(body);
          if (typeof json.boolean === "boolean") {
            status.textContent = (json.boolean ? TEXT.yes : TEXT.no) + " (" + seconds + ")";
            return;
          }
          var count = json.results.bindings.length;
          status.textContent = (count === 0 ? TEXT.none : count === 1 ? TEXT.row : say(TEXT.rows, {n: count})) +
            " (" + seconds + ")";
          results.appendChild(table(json));
        } else {
          var pre = document.createElement("pre");
          pre.textContent = body;
          results.appendChild(pre);
          status.textContent = type + " (" + seconds + ")";
        }
      });
    }).catch(function (error) {
      status.textContent = "";
      showError(say(TEXT.unreachable, {u: url, e: error.message}));
    });
  }

  function load(slug, announce) {
    var example = settings.examples[slug];
    if (example === undefined) { return; }
    text.value = example;
    if (announce) {
      var button = document.querySelector('[data-example="' + slug + '"]');
      status.textContent = say(TEXT.loaded, {t: button ? button.textContent : slug});
      text.focus();
    }
  }

  form.addEventListener("submit", run);
  var buttons = document.querySelectorAll("button[data-example]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) {
      load(event.currentTarget.getAttribute("data-example"), true);
    });
  }
  if (window.location.hash) { load(decodeURIComponent(window.location.hash.slice(1)), false); }
}());
