/* migration-kg search: the header's search box (with suggestions) and the search page.
   Plain JavaScript, no network beyond the site's own static index (search-index.js, loaded on first use). */
(function () {
  "use strict";
  var root = document.body ? document.body.getAttribute("data-root") || "" : "";
  var lang = document.documentElement.lang === "fr" ? "fr" : "en";
  var pagePrefix = lang === "fr" ? "fr/" : "";
  var TEXT = {
    en: {none: "No entity matches “%s”.", count: "%n entities match “%s”.", one: "1 entity matches “%s”.",
         loading: "Loading the index…", failed: "The search index could not be loaded."},
    fr: {none: "Aucune entité ne correspond à « %s ».", count: "%n entités correspondent à « %s ».",
         one: "1 entité correspond à « %s ».", loading: "Chargement de l’index…",
         failed: "L’index de recherche n’a pas pu être chargé."}
  }[lang];
  var LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l"};
  var waiting = [];
  var loading = false;

  /* The same folding as search.py's fold(): no accents, lower case, words split on anything else. */
  function fold(text) {
    return text.replace(/[œŒæÆßøØł]/g, function (c) { return LIGATURES[c]; })
      .normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function withIndex(callback) {
    if (window.migrationKgSearch) { callback(window.migrationKgSearch); return; }
    waiting.push(callback);
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = root + "search-index.js";
    script.onload = function () {
      var found = window.migrationKgSearch;
      waiting.splice(0).forEach(function (cb) { cb(found || null); });
    };
    script.onerror = function () { waiting.splice(0).forEach(function (cb) { cb(null); }); };
    document.head.appendChild(script);
  }

  /* Kinds a reader looks for first; they rank above texts, sources and the parts of relations. */
  var MAIN_KINDS = {city: 1, country: 1, person: 1, organization: 1, event: 1, place: 1, work: 1};

  /* Rank: the whole name, then a name's start, then the start of a word, then anywhere; all words must match.
     Ties go to the main kinds, then to the shorter name. */
  function search(index, query) {
    var words = fold(query).split(" ").filter(Boolean);
    if (!words.length) { return []; }
    var phrase = words.join(" ");
    var found = [];
    index.entities.forEach(function (entity) {
      var names = entity.key.split(" | ");
      var score = 0;
      for (var w = 0; w < words.length; w++) {
        var best = 0;
        for (var n = 0; n < names.length; n++) {
          var name = names[n];
          var at = name.indexOf(words[w]);
          if (at < 0) { continue; }
          var s = at === 0 ? 3 : name.charAt(at - 1) === " " ? 2 : 1;
          if (name === phrase) { s = 6; } else if (name.indexOf(phrase) === 0) { s = Math.max(s, 4); }
          best = Math.max(best, s);
        }
        if (!best) { return; }
        score += best;
      }
      score += MAIN_KINDS[entity.k] ? 1 : 0;
      found.push({entity: entity, score: score, length: entity[lang].length});
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.length - b.length || a.entity[lang].localeCompare(b.entity[lang], lang) ||
        (a.entity.p < b.entity.p ? -1 : 1);
    });
    return found.map(function (item) { return item.entity; });
  }

  function href(entity) { return root + pagePrefix + entity.p; }

  function kindName(index, entity) {
    var kind = index.kinds[entity.k];
    return kind ? kind[lang] : entity.k;
  }

  function describe(index, entity) {
    var other = lang === "fr" ? entity.en : entity.fr;
    var names = [other].concat(entity.alt).filter(function (name) { return name && name !== entity[lang]; });
    return kindName(index, entity) + (names.length ? " · " + names.join(" · ") : "");
  }

  function message(template, query, count) {
    return template.replace("%s", query).replace("%n", String(count));
  }

  /* ---------------------------------------------------------------- header box with suggestions */

  function startBox(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    if (!input || !list) { return; }
    var active = -1;
    var shown = [];

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      shown = [];
    }

    function highlight(position) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (position + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", String(i === active));
      }
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    function show(index, query) {
      shown = search(index, query).slice(0, 8);
      list.textContent = "";
      if (!shown.length) { close(); return; }
      shown.forEach(function (entity, i) {
        var option = document.createElement("li");
        option.id = "site-search-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-href", href(entity));
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = entity[lang];
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " · " + kindName(index, entity);
        option.appendChild(name);
        option.appendChild(kind);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { window.location.href = href(entity); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    input.addEventListener("input", function () {
      var query = input.value;
      if (!fold(query)) { close(); return; }
      withIndex(function (index) { if (index && input.value === query) { show(index, query); } });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && shown.length) { highlight(active + 1); event.preventDefault(); }
      else if (event.key === "ArrowUp" && shown.length) { highlight(active - 1); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0 && shown[active]) {
        event.preventDefault();
        window.location.href = href(shown[active]);
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  /* ---------------------------------------------------------------- the search page */

  function startPage(form) {
    var input = form.querySelector("#search-q");
    var status = document.getElementById("search-status");
    var results = document.getElementById("search-results");

    function run(query, remember) {
      if (remember && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "?q=" + encodeURIComponent(query));
      }
      results.textContent = "";
      if (!fold(query)) { status.textContent = ""; return; }
      status.textContent = TEXT.loading;
      withIndex(function (index) {
        if (!index) { status.textContent = TEXT.failed; return; }
        var found = search(index, query);
        status.textContent = message(found.length === 0 ? TEXT.none : found.length === 1 ? TEXT.one : TEXT.count,
                                     query, found.length);
        found.slice(0, 200).forEach(function (entity) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = href(entity);
          link.textContent = entity[lang];
          var more = document.createElement("span");
          more.className = "muted";
          more.textContent = " — " + describe(index, entity);
          item.appendChild(link);
          item.appendChild(more);
          results.appendChild(item);
        });
      });
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value, true); });
    input.addEventListener("input", function () { run(input.value, false); });
    var initial = new URLSearchParams(window.location.search).get("q");
    if (initial) { input.value = initial; run(initial, false); }
  }

  function start() {
    var box = document.querySelector("form.site-search");
    if (box) { startBox(box); }
    var page = document.querySelector("form.search-form");
    if (page) { startPage(page); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
